"""`python -m infrastructure.audit`: exit 0 when all is well, 1 when tampering or differences are found, 2 on usage
errors."""

from __future__ import annotations

import sqlite3

import pytest

from application.base import OneStop
from application.dossiers import Dossiers
from domain.values import Actor, Applicant, Channel, Role
from infrastructure.audit.__main__ import main
from infrastructure.bootstrap import build_projector
from infrastructure.settings import Settings
from tests.fakes import FakeClock, WeekdayCalendar

OFFICER = Actor(account_id="officer-1", role=Role.RECEPTION_OFFICER)


class Store:
    def __init__(self, settings: Settings, codes: list[str]) -> None:
        self.settings, self.codes = settings, codes


@pytest.fixture
def store(monkeypatch, tmp_path, catalogue) -> Store:
    for name, value in {
        "MOTCUA_STORE": "sqlite",
        "MOTCUA_DATA_DIR": str(tmp_path / "var"),
        "MOTCUA_AUDIT_CHECKPOINT_EVERY": "3",
        "MOTCUA_EVENT_MAC_KEY": "cli-test-mac",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_env()
    dossiers = Dossiers(
        OneStop(settings.event_store_env()), catalogue=catalogue, calendar=WeekdayCalendar(), clock=FakeClock()
    )
    codes = [
        dossiers.receive(
            procedure_code="2.000635.000.00.00.H29",
            channel=Channel.COUNTER,
            components=[],
            applicant=Applicant(id_number=f"07919500{n:04d}", name="Lê Thị Vy", phone="0901000101"),
            actor=OFFICER,
        )[0]
        for n in range(4)
    ]
    dossiers.app.close()
    return Store(settings, codes)


def test_chain_verify_bundle_and_replay_check_pass_on_an_untouched_store(store, capsys, tmp_path) -> None:
    assert main(["keygen"]) == 0 and (tmp_path / "var" / "audit" / "checkpoint-key.pub.pem").is_file()
    assert main(["chain"]) == 0 and (tmp_path / "var" / "audit" / "anchors.jsonl").read_text().count("\n") >= 1
    assert main(["verify"]) == 0 and "KẾT LUẬN: chuỗi nguyên vẹn" in capsys.readouterr().out
    assert main(["bundle", store.codes[0], "-o", str(tmp_path / "b.zip")]) == 0
    assert (
        main(["verify-bundle", str(tmp_path / "b.zip")]) == 0 and "gói chứng cứ nguyên vẹn" in capsys.readouterr().out
    )
    projector = build_projector(store.settings)
    projector.catch_up()
    projector.store.close()
    assert main(["replay-check"]) == 0 and "0 khác biệt" in capsys.readouterr().out


def test_tampering_and_differences_exit_with_1(store, capsys, tmp_path) -> None:
    assert main(["keygen"]) == 0 and main(["chain"]) == 0
    projector = build_projector(store.settings)
    projector.catch_up()
    with projector.store.transaction() as tx:
        tx.execute("UPDATE dossiers SET fee = 1 WHERE code = ?", (store.codes[0],))
    projector.store.close()
    with sqlite3.connect(tmp_path / "var" / "events.sqlite3") as conn:
        conn.execute("UPDATE stored_events SET state = replace(state, 'Vy', 'Vi') WHERE rowid = 2")
    capsys.readouterr()
    assert main(["verify"]) == 1 and "BỊ CAN THIỆP tại vị trí 2 (payload_changed)" in capsys.readouterr().out
    assert main(["replay-check"]) == 1 and "dossiers [" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["bundle", "not-a-code", "-o", "x.zip"],
        ["bundle", "H29.06-260520-0099", "-o", "x.zip"],
        ["verify-bundle", "no-such.zip"],
        ["verify"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_with_2_and_write_nothing(store, argv, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    try:
        status = main(argv)
    except SystemExit as exit_:  # argparse's own usage errors
        status = exit_.code
    assert status == 2 and not (tmp_path / "x.zip").exists()


def test_a_bad_checkpoint_interval_is_a_usage_error(store, monkeypatch, capsys) -> None:
    assert main(["keygen"]) == 0
    monkeypatch.setenv("MOTCUA_AUDIT_CHECKPOINT_EVERY", "0")
    assert main(["chain"]) == 2 and "MOTCUA_AUDIT_CHECKPOINT_EVERY" in capsys.readouterr().err


def test_a_missing_signing_key_stops_the_chainer_and_is_never_regenerated(store, capsys, tmp_path) -> None:
    assert main(["chain"]) == 2 and "keygen" in capsys.readouterr().err
    assert not (tmp_path / "var" / "audit" / "checkpoint-key.pem").exists()
    assert main(["keygen"]) == 0 and main(["keygen"]) == 2


def test_the_chainer_needs_the_applications_mac_key(store, monkeypatch, capsys) -> None:
    assert main(["keygen"]) == 0
    monkeypatch.delenv("MOTCUA_EVENT_MAC_KEY")
    assert main(["chain"]) == 2 and "MOTCUA_EVENT_MAC_KEY" in capsys.readouterr().err


def test_a_replay_check_that_cannot_run_exits_with_3_not_1(store, monkeypatch) -> None:
    monkeypatch.setenv("MOTCUA_STORE", "postgres")
    monkeypatch.setenv("POSTGRES_PORT", "1")  # nothing listens there
    monkeypatch.setenv("POSTGRES_CONNECT_TIMEOUT", "1")
    monkeypatch.setenv("MOTCUA_DATA_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
    assert main(["replay-check"]) == 3


def test_verify_starts_without_importing_the_application_stack() -> None:
    import subprocess
    import sys

    code = (
        "import sys, infrastructure.audit.__main__; "
        "print(sorted(m for m in ('eventsourcing', 'litestar', 'projections.base') if m in sys.modules))"
    )
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"
    )
