"""A live round of the read-model runner: paced under a stream of writes, and reading its few events with one plain
query, with the same rows as the streamed read of a rebuild."""

from __future__ import annotations

import time

import pytest

from application.base import OneStop
from application.dossiers import Dossiers
from domain.procedures import ComponentForm
from domain.values import Actor, Applicant, Channel, Component, Role
from infrastructure.bootstrap import projector_over
from infrastructure.calendar import load_calendar
from infrastructure.clock import SystemClock
from infrastructure.readstore.log import read_log
from projections.models import read_models
from tests.conftest import postgres_env, read_store_for

pytestmark = pytest.mark.postgres
NEVER = 3600.0
OFFICER = Actor(account_id="officer", role=Role.RECEPTION_OFFICER)
FORM = [Component(name="Tờ khai", form=ComponentForm.ORIGINAL)]


@pytest.fixture
def writer(pg_schema, catalogue):
    service = Dossiers(
        OneStop(postgres_env(pg_schema)), catalogue=catalogue, calendar=load_calendar(), clock=SystemClock()
    )
    yield service
    service.app.close()


def receive(writer: Dossiers, catalogue, n: int) -> int:
    _, written = writer.receive(
        procedure_code=catalogue.procedures[0].code,
        channel=Channel.COUNTER,
        applicant=Applicant(id_number=f"0791950{n:05d}", name="Nguyễn Văn Thử", phone=f"0901{n:06d}"),
        components=FORM,
        actor=OFFICER,
    )
    return written.position


def test_a_stream_of_commits_is_carried_by_rounds_at_most_one_per_pace(writer, catalogue, pg_schema, tmp_path) -> None:
    runner = projector_over(
        postgres_env(pg_schema), read_store_for(postgres_env(pg_schema), tmp_path), read_models(catalogue)
    )
    rounds: list[int] = []
    catch_up = runner.catch_up
    runner.catch_up = lambda *a, **k: rounds.append(catch_up(*a, **k)) or rounds[-1]  # type: ignore[method-assign]
    pace = 0.5
    runner.start(poll=NEVER, pace=pace)
    try:
        started = time.monotonic()
        positions = [receive(writer, catalogue, n) for n in range(20)]  # 20 commits, each waking the runner
        written = time.monotonic() - started
        assert runner.wait_for(positions[-1], timeout=60)
        carried = [read for read in rounds if read]
        # Rounds start `pace` apart: however slow the writes were, no more rounds than paces they spanned (+1 for
        # the round that starts at the first commit and the one that takes the last commits).
        assert sum(carried) == positions[-1]  # every event read once
        assert len(carried) <= written / pace + 2 < len(positions)
    finally:
        runner.stop()
        runner.store.close()
        runner.log_reader.close()


def test_a_live_rounds_plain_query_reads_what_the_streamed_read_reads(writer, catalogue) -> None:
    head = max(receive(writer, catalogue, 100 + n) for n in range(5))
    recorder = writer.app.recorder
    plain = [row for rows in read_log(recorder, 2, head, batch=1000) for row in rows]  # fewer than a batch: plain
    streamed = [row for rows in read_log(recorder, 2, head, batch=2) for row in rows]  # more: the server cursor
    assert plain == streamed
    assert [row[0] for row in plain] == list(range(2, head + 1))
    topic = plain[0][3]
    only = [row for rows in read_log(recorder, 1, head, batch=1000, topics=frozenset({topic})) for row in rows]
    assert only and {row[3] for row in only} == {topic}
    assert list(read_log(recorder, head + 1, head + 5, batch=1000)) == []  # nothing past the head: no empty batch
