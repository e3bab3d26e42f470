"""The PostgreSQL append (infrastructure/eventstore/recorder.py): one statement that locks the events table in
EXCLUSIVE mode and inserts, so notification ids commit in the order they were issued; the runner is woken once per
commit by the table's trigger (infrastructure/readstore/wake.py)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from psycopg import sql

from application.base import OneStop
from infrastructure.eventstore.recorder import LockingRecorder
from infrastructure.readstore.wake import install_log_trigger, log_channel
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


def test_each_append_wakes_the_runner_once_and_notifies_nothing_else(app: OneStop, pg_schema: str) -> None:
    """One commit is one wake-up on the channel the runner listens to; eventsourcing's own channel stays silent."""
    # A table of its own: eventsourcing's channel is named after the table alone, so other schemas' writers share it.
    recorder = LockingRecorder(app.recorder.datastore, events_table_name=f"events_{pg_schema}")
    recorder.create_table()
    install_log_trigger(recorder)
    log, unheard, end = log_channel(pg_schema), recorder.channel_name, f"end_{pg_schema}"
    with pg_connect() as listener:
        for channel in (log, unheard, end):
            listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        recorder.insert_events([stored(uuid.uuid4(), 1), stored(uuid.uuid4(), 1), stored(uuid.uuid4(), 1)])
        recorder.insert_events([stored(uuid.uuid4(), 1)])
        listener.execute("SELECT pg_notify(%s, '')", (end,))  # committed last: everything before it is delivered
        heard = []
        for notification in listener.notifies(timeout=10):
            heard.append(notification.channel)
            if notification.channel == end:
                break
    assert heard == [log, log, end]


def test_a_subscription_to_the_recorder_is_refused(app: OneStop) -> None:
    """Nothing notifies eventsourcing's channel, so a subscription would wait forever; it fails at once instead."""
    with pytest.raises(NotImplementedError):
        app.recorder.subscribe(gt=0)
