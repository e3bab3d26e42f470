"""The settings tree: read once, bad values named, every variable documented, no environment reads elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infrastructure.settings import Settings, SettingsError
from infrastructure.settings.__main__ import markdown

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "application", "infrastructure", "projections", "api", "kiosk_edge", "scripts")
# Entry points read the environment once and hand the tree down; the settings package itself reads it.
READERS = re.compile(r"os\.environ|getenv|environ\.get\(")


def test_the_readme_configuration_table_is_the_generated_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown() in readme, "run `python -m infrastructure.settings --markdown` and paste it into README.md"


def test_every_variable_the_code_names_is_in_the_tree() -> None:
    documented = set(re.findall(r"`((?:MOTCUA|POSTGRES)_[A-Z0-9_]+)`", markdown()))
    named = set()
    sources = [path for package in PACKAGES for path in (ROOT / package).rglob("*.py")]
    sources += [ROOT / "compose.yaml", ROOT / "Makefile", ROOT / "Dockerfile", *(ROOT / "scripts").iterdir()]
    for path in sources:
        # A personal-keys file names its own passphrase variables (`password_env = ...`): examples, not settings.
        text = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if "password_env" not in line)
        named |= set(re.findall(r"\b(?:MOTCUA|POSTGRES)_[A-Z0-9_]*[A-Z0-9]\b", text))
    assert named - documented == {"POSTGRES_DB"}  # the PostgreSQL image's own variable in compose.yaml


def test_every_variable_the_docs_name_is_read() -> None:
    """A variable in the README, docs/, bench/README.md or compose.yaml is one the settings tree reads."""
    documented = set(re.findall(r"`((?:MOTCUA|POSTGRES)_[A-Z0-9_]+)`", markdown()))
    docs = [ROOT / "README.md", ROOT / "compose.yaml", ROOT / "bench" / "README.md", *(ROOT / "docs").glob("*.md")]
    named = {
        (path.name, name)
        for path in docs
        for line in path.read_text(encoding="utf-8").splitlines()
        if "password_env" not in line  # docs/SIGNING.md's example of a personal key's passphrase variable
        for name in re.findall(r"\b(?:MOTCUA|POSTGRES)_[A-Z0-9_]*[A-Z0-9]\b", line)
    }
    assert {(doc, name) for doc, name in named if name not in documented} == {("compose.yaml", "POSTGRES_DB")}


def test_the_event_store_is_handed_no_switch_its_recorder_ignores() -> None:
    """eventsourcing's "db functions" option picks an insert path that the project's recorder replaces: offering it
    would document a setting that changes nothing."""
    env = Settings.from_env({"MOTCUA_STORE": "postgres"}).event_store_env()
    assert "POSTGRES_ENABLE_DB_FUNCTIONS" not in env
    assert "POSTGRES_ENABLE_DB_FUNCTIONS" not in markdown()


def test_only_entry_points_and_the_settings_package_read_the_environment() -> None:
    readers = sorted(
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if READERS.search(path.read_text(encoding="utf-8"))
        and path.name != "__main__.py"
        and "infrastructure/settings" not in str(path)
    )
    assert readers == []


def test_a_tree_is_read_from_its_variables() -> None:
    settings = Settings.from_env(
        {
            "MOTCUA_STORE": "postgres",
            "POSTGRES_SCHEMA": "s",
            "MOTCUA_SMTP_PORT": "587",
            "MOTCUA_NATS_URL": "nats://a:4222, nats://b:4222",
            "MOTCUA_DEMO": "yes",
            "MOTCUA_FACE_THRESHOLD": "0.5",
        }
    )
    assert (settings.store, settings.postgres.schema, settings.channels.smtp.port) == ("postgres", "s", 587)
    assert settings.nats.servers == ("nats://a:4222", "nats://b:4222")
    assert settings.demo and settings.kiosk.faces.threshold == 0.5


def test_defaults_need_no_environment() -> None:
    assert Settings.from_env({}) == Settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MOTCUA_STORE", "mysql"),
        ("MOTCUA_API_PORT", "eighty"),
        ("MOTCUA_OVERDUE_DAYS", "0"),
        ("MOTCUA_DEMO", "perhaps"),
        ("MOTCUA_FACE_THRESHOLD", "high"),
        ("MOTCUA_AUDIT_BATCH", "-1"),
    ],
)
def test_a_bad_value_stops_with_a_message_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_reading_settings_writes_no_files(tmp_path: Path) -> None:
    Settings.from_env({"MOTCUA_DATA_DIR": str(tmp_path / "data")})
    assert not (tmp_path / "data").exists()
