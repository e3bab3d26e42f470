"""Killing the read-model process mid-way and restarting it loses nothing and counts nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from application.base import OneStop
from application.dossiers import Dossiers
from domain.values import Actor, Applicant, Channel, PaymentMethod, Role
from infrastructure.readstore.runner import Projector
from projections.models import read_models
from tests.conftest import PG, read_store_for
from tests.kiosk_support import Citizen

ROOT = Path(__file__).resolve().parents[2]
CLERK = Actor(account_id="officer", role=Role.RECEPTION_OFFICER)


def process_env(store_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES_", "MOTCUA_"))}
    env |= {"MOTCUA_PROJECTION_BATCH": "7", "PYTHONPATH": str(ROOT)}
    if store_env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        return env | {"MOTCUA_STORE": "sqlite", "MOTCUA_DATA_DIR": str(tmp_path)}
    return env | {
        "MOTCUA_STORE": "postgres",
        "POSTGRES_HOST": PG["host"],
        "POSTGRES_PORT": PG["port"],
        "POSTGRES_DBNAME": PG["dbname"],
        "POSTGRES_USER": PG["user"],
        "POSTGRES_PASSWORD": "",
        "POSTGRES_SCHEMA": store_env["POSTGRES_SCHEMA"],
        "MOTCUA_READ_SCHEMA": store_env["POSTGRES_SCHEMA"],
        "MOTCUA_DATA_KEY": "dGVzdHMtY3Jhc2gtZGF0YS1rZXktMzItYnl0ZXMhISE=",
        "MOTCUA_SECRET_KEY": "c" * 32,
    }


def start(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "projections", "run", "--poll", "0.05"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def position(store) -> int:
    try:
        rows = store.query("SELECT position FROM projection_tracking WHERE name = 'dossiers'")
    except Exception:  # noqa: BLE001 - the runner has not created its tables yet
        return 0
    return rows[0]["position"] if rows else 0


def wait_until(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_a_killed_runner_resumes_without_loss_or_double_counting(
    store_env, catalogue, calendar, clock, tmp_path
) -> None:
    if store_env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        store_env = store_env | {"SQLITE_DBNAME": str(tmp_path / "events.sqlite3")}
    dossiers = Dossiers(OneStop(store_env), catalogue=catalogue, calendar=calendar, clock=clock)
    for n in range(150):
        citizen = Citizen(n)
        code, _ = dossiers.receive(
            procedure_code="2.000635.000.00.00.H29",
            channel=Channel.COUNTER,
            components=[],
            applicant=Applicant(id_number=citizen.id_number, name=citizen.name),
            actor=CLERK,
        )
        dossiers.assess_fee(code, actor=CLERK)
        dossiers.record_payment(code, method=PaymentMethod.CASH, amount=3000 + n, actor=CLERK)
        dossiers.record_payment(code, method=PaymentMethod.BANK_QR, amount=1000, actor=CLERK)
    head = dossiers.app.recorder.max_notification_id()
    env = process_env(store_env, tmp_path)
    live = read_store_for(store_env, tmp_path)

    first = start(env)
    try:
        assert wait_until(lambda: position(live) > 0), (
            first.stderr.read().decode() if first.poll() is not None else "no progress"
        )
    finally:
        first.send_signal(signal.SIGKILL)  # also when the assertion fails: never leave a runner behind
        first.wait(10)
    stopped_at = position(live)
    assert 0 < stopped_at < head, f"killed at {stopped_at} of {head}: not mid-way"

    second = start(env)
    try:
        assert wait_until(lambda: position(live) == head), "the restarted runner did not catch up"
    finally:
        second.terminate()
        second.wait(10)

    fresh = read_store_for(store_env, tmp_path / "fresh") if "sqlite" in store_env["PERSISTENCE_MODULE"] else None
    if fresh is None:  # PostgreSQL: rebuild into a second schema of the same database
        from infrastructure.readstore.store import PostgresReadStore

        fresh = PostgresReadStore(" ".join(f"{k}={v}" for k, v in PG.items()), store_env["POSTGRES_SCHEMA"] + "_fresh")
    rebuilt = Projector(dossiers.app.recorder, dossiers.app.mapper, fresh, read_models(catalogue))
    rebuilt.catch_up()
    columns = "code, paid, fee, shortfall, excess, version, status"
    assert live.query(f"SELECT {columns} FROM dossiers ORDER BY code") == fresh.query(
        f"SELECT {columns} FROM dossiers ORDER BY code"
    )
    paid = live.query("SELECT SUM(paid) AS total, COUNT(*) AS n FROM dossiers")[0]
    assert (paid["n"], paid["total"]) == (150, sum(3000 + n + 1000 for n in range(150)))
    if fresh.dialect == "postgres":
        with fresh.transaction() as tx:
            tx.execute(f"DROP SCHEMA {store_env['POSTGRES_SCHEMA']}_fresh CASCADE")
    fresh.close()
    live.close()
    dossiers.app.close()
