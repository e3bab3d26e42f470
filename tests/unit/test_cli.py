"""`motcua COMMAND`: the console script reaches every process entry point and starts the audit check fast."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from api.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]
SUBCOMMANDS = {
    "kiosk": ["run", "simulate", "decode"],
    "projections": ["run", "rebuild", "lag"],
    "audit": ["chain", "verify", "checkpoint", "keygen", "bundle", "verify-bundle", "replay-check"],
    "notifications": ["run"],
    "scheduler": ["run", "tick", "jobs", "runs"],
    "privacy": ["erase", "rotate"],
}
HELPS = [[name] for name in COMMANDS] + [[name, sub] for name, subs in SUBCOMMANDS.items() for sub in subs]


@pytest.fixture(autouse=True)
def _umask() -> Iterator[None]:
    """The entry points make their files private (umask 077) before parsing: give the test process its own back."""
    before = os.umask(0o022)
    os.umask(before)
    yield
    os.umask(before)


def test_the_console_script_of_pyproject_is_this_main() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert EntryPoint(name="motcua", value=scripts["motcua"], group="console_scripts").load() is main


@pytest.mark.parametrize("argv", HELPS, ids=" ".join)
def test_every_command_answers_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_every_command_runs_the_main_of_a_process_entry_point() -> None:
    for command in COMMANDS.values():
        module = command.target.partition(":")[0]
        assert module.endswith(".__main__") or module == "infrastructure.device_consumer", module
        assert callable(command.load())


def test_without_a_command_the_usage_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    listed = capsys.readouterr().err
    assert all(f"  {name} " in listed for name in COMMANDS)
    assert main(["--help"]) == 0


def test_an_unknown_command_is_bad_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve"]) == 2
    assert "unknown command 'serve'" in capsys.readouterr().err


def test_a_command_without_arguments_refuses_some() -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["device-consumer", "--now"])
    assert exit_.value.code == 2


def test_the_audit_check_starts_without_the_web_stack_or_the_event_store() -> None:
    probe = (
        "import sys\nfrom api.cli import main\ntry:\n    main(['audit', 'verify', '--help'])\nexcept SystemExit:\n"
        "    pass\nprint(sorted({m.split('.')[0] for m in sys.modules} & {'litestar', 'eventsourcing', 'uvicorn'}))"
    )
    child = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip().splitlines()[-1] == "[]"
