"""The PostgreSQL append (infrastructure/eventstore/recorder.py): one statement that locks the events table in
EXCLUSIVE mode, notifies followers and inserts, so notification ids commit in the order they were issued."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from application.base import OneStop
from infrastructure.eventstore.recorder import LockingRecorder
from tests.conftest import pg_connect, postgres_env

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(pg_schema: str) -> Iterator[OneStop]:
    application = OneStop(postgres_env(pg_schema))
    yield application
    application.close()


def stored(originator: uuid.UUID, version: int, body: bytes = b'{"n":1}') -> StoredEvent:
    return StoredEvent(originator_id=originator, originator_version=version, topic="tests:Event", state=body)


def test_a_batch_gets_increasing_ids_in_its_own_order(app: OneStop) -> None:
    assert isinstance(app.recorder, LockingRecorder)
    first, second = uuid.uuid4(), uuid.uuid4()
    batch = [stored(first, 1, b'{"a":1}'), stored(second, 1, b'{"b":2}'), stored(first, 2, b'{"c":3}')]

    ids = app.recorder.insert_events(batch)

    assert ids is not None and len(ids) == 3 and list(ids) == sorted(ids)
    read = app.recorder.select_notifications(ids[0], 10)
    assert [(n.id, n.originator_id, n.originator_version, n.state) for n in read] == [
        (i, e.originator_id, e.originator_version, e.state) for i, e in zip(ids, batch, strict=True)
    ]


def test_a_batch_with_one_taken_version_stores_nothing(app: OneStop) -> None:
    first = uuid.uuid4()
    app.recorder.insert_events([stored(first, 1)])
    before = app.recorder.max_notification_id()

    with pytest.raises(IntegrityError):
        app.recorder.insert_events([stored(uuid.uuid4(), 1), stored(first, 1)])

    assert app.recorder.max_notification_id() == before
    assert len(app.recorder.select_notifications(1, 10)) == 1


def test_an_append_waits_for_the_exclusive_table_lock(app: OneStop, pg_schema: str) -> None:
    """A plain INSERT's ROW EXCLUSIVE lock does not block another INSERT; it blocks the append's EXCLUSIVE lock."""
    done: list[object] = []
    with pg_connect() as other, pg_connect() as monitor:
        other.autocommit = False
        other.execute(f"LOCK TABLE {pg_schema}.onestop_events IN ROW EXCLUSIVE MODE")
        appending = threading.Thread(target=lambda: done.append(app.recorder.insert_events([stored(uuid.uuid4(), 1)])))
        appending.start()
        waiting = []
        for _ in range(400):  # until the append's backend queues for the lock (or give up after ~20 s)
            waiting = monitor.execute(
                "SELECT mode FROM pg_locks WHERE relation = %s::regclass AND NOT granted",
                (f"{pg_schema}.onestop_events",),
            ).fetchall()
            if waiting:
                break
            time.sleep(0.05)
        assert done == []
        assert waiting == [("ExclusiveLock",)]
        other.rollback()
    appending.join()
    assert len(done) == 1 and len(done[0]) == 1  # type: ignore[arg-type]


def test_followers_listening_on_the_log_are_woken_by_an_append(app: OneStop) -> None:
    with pg_connect() as listener:
        listener.execute(f"LISTEN {app.recorder.channel_name}")
        app.recorder.insert_events([stored(uuid.uuid4(), 1)])
        woken = list(listener.notifies(timeout=10, stop_after=1))
    assert [n.channel for n in woken] == [app.recorder.channel_name]
