"""The read-model runner wakes on PostgreSQL LISTEN/NOTIFY when any process commits to the log, not on a timer, and
still applies each event exactly once."""

from __future__ import annotations

import queue
import threading

import psycopg
import pytest

from application.base import OneStop
from application.dossiers import Dossiers
from domain.procedures import ComponentForm
from domain.values import Actor, Applicant, Channel, Component, PaymentMethod, Role
from infrastructure.bootstrap import projector_over
from infrastructure.calendar import load_calendar
from infrastructure.clock import SystemClock
from infrastructure.readstore.runner import Projector
from infrastructure.readstore.wake import Listener, install_log_trigger, read_channel
from projections.models import read_models
from tests.conftest import PG, postgres_env, read_store_for

pytestmark = pytest.mark.postgres
NEVER = 3600.0  # a poll interval longer than any test: only a notification can wake these runners
OFFICER = Actor(account_id="officer", role=Role.RECEPTION_OFFICER)
FORM = [Component(name="Tờ khai", form=ComponentForm.ORIGINAL)]


def person(n: int) -> Applicant:
    return Applicant(id_number=f"0791950{n:05d}", name="Nguyễn Văn Thử", phone=f"0901{n:06d}")


@pytest.fixture
def env(pg_schema):
    return postgres_env(pg_schema)


@pytest.fixture
def writer(env, catalogue):
    """A writing process: its application has no runner to poke (its after_commit list is empty)."""
    service = Dossiers(OneStop(env), catalogue=catalogue, calendar=load_calendar(), clock=SystemClock())
    yield service
    service.app.close()


@pytest.fixture
def runners(env, catalogue, tmp_path):
    """Runners over applications of their own, as the `python -m projections run` process has."""
    started: list[Projector] = []

    def start() -> Projector:
        runner = projector_over(env, read_store_for(env, tmp_path), read_models(catalogue))
        runner.start(poll=NEVER)
        started.append(runner)
        return runner

    yield start
    for runner in started:
        runner.stop()
        runner.store.close()
        runner.log_reader.close()


def receive(writer: Dossiers, catalogue, n: int) -> tuple[str, int]:
    code, written = writer.receive(
        procedure_code=catalogue.procedures[0].code,
        channel=Channel.COUNTER,
        applicant=person(n),
        components=FORM,
        actor=OFFICER,
    )
    return code, written.position


def test_a_commit_in_another_process_wakes_the_runner(writer, runners, catalogue) -> None:
    runner = runners()
    assert runner.wait_for(0, timeout=60)  # its first round is done: from now on only a wake-up moves it
    code, position = receive(writer, catalogue, 1)
    assert runner.wait_for(position, "dossiers", timeout=60), "the runner slept through the commit"
    rows = runner.store.query("SELECT queue FROM dossiers WHERE code = ?", (code,))
    assert [row["queue"] for row in rows] == ["to_accept"]
    code, position = receive(writer, catalogue, 2)  # and again: the wake-up is not a one-off
    assert runner.wait_for(position, "trays", timeout=60)
    assert runner.store.query("SELECT code FROM dossiers WHERE code = ?", (code,))


def test_a_stored_batch_notifies_readers_with_its_position(writer, runners, catalogue, env) -> None:
    heard: queue.Queue[str | None] = queue.Queue()
    listener = Listener(
        lambda: psycopg.connect(autocommit=True, **PG), read_channel(env["POSTGRES_SCHEMA"]), heard.put
    ).start()
    try:
        assert heard.get(timeout=60) is None  # listening
        runners()
        _, position = receive(writer, catalogue, 3)
        positions: list[int] = []
        while not positions or max(positions) < position:
            payload = heard.get(timeout=60)
            positions.append(int(payload or 0))
        assert max(positions) == position
    finally:
        listener.stop()


def test_a_reader_without_a_runner_waits_for_the_runner_elsewhere(writer, runners, catalogue, env, tmp_path) -> None:
    runners()
    reader = Projector(writer.app.recorder, writer.app.mapper, read_store_for(env, tmp_path), read_models(catalogue))
    try:
        _, position = receive(writer, catalogue, 4)
        assert reader.wait_for(position, "dossiers", timeout=60)
        assert reader.positions()["dossiers"] >= position
    finally:
        reader.stop()
        reader.store.close()


def test_two_runners_woken_by_the_same_commits_apply_each_event_once(writer, runners, catalogue) -> None:
    first, second = runners(), runners()
    codes = [receive(writer, catalogue, 10 + n)[0] for n in range(6)]

    def pay(mine: list[str]) -> None:
        for _ in range(3):
            for code in mine:
                writer.record_payment(code, method=PaymentMethod.CASH, amount=1000, actor=OFFICER)

    threads = [threading.Thread(target=pay, args=(codes[i::3],)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    head = writer.app.recorder.max_notification_id()
    assert first.wait_for(head, timeout=60) and second.wait_for(head, timeout=60)
    paid = {row["code"]: row["paid"] for row in first.store.query("SELECT code, paid FROM dossiers")}
    assert paid == dict.fromkeys(codes, 3000)  # a payment applied twice would show 4000 or more


def test_the_log_trigger_is_installed_once_however_many_runners_start(writer, env) -> None:
    install_log_trigger(writer.app.recorder)
    install_log_trigger(writer.app.recorder)
    with psycopg.connect(autocommit=True, **PG) as conn:
        count = conn.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND NOT t.tgisinternal",
            (env["POSTGRES_SCHEMA"],),
        ).fetchone()
    assert count == (1,)
