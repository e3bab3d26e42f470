"""eventsourcing infrastructure factories: SQLite that overwrites what it deletes, tables made under a lock.

A process has one application (application/base.py `OneStop`) and so one factory and one connection pool; a
rebuild worker process builds its own application after the fork and never touches its parent's connections.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import get_topic

from infrastructure.eventstore.recorder import LockingRecorder
from infrastructure.eventstore.sqlite_recorder import KeyedSQLiteRecorder

RECORDER_TOPIC = InfrastructureFactory.APPLICATION_RECORDER_TOPIC
RECORDERS: dict[str, type] = {"eventsourcing.postgres": LockingRecorder, "eventsourcing.sqlite": KeyedSQLiteRecorder}


def new_factory(env: Any) -> Any:
    """The infrastructure factory of this environment's event store (one per process: its one application's)."""
    return secure_delete(locking_appends(InfrastructureFactory.construct(env)))


def locking_appends(factory: Any) -> Any:
    """On PostgreSQL, the application recorder appends in one round trip under the table lock (recorder.py); on
    SQLite it stores new data keys in the append's transaction too (sqlite_recorder.py); unless the environment
    names another recorder."""
    recorder = RECORDERS.get(type(factory).__module__)
    if recorder is not None and not factory.env.get(RECORDER_TOPIC):
        factory.env[RECORDER_TOPIC] = get_topic(recorder)
    return factory


def secure_delete(factory: Any) -> Any:
    """On SQLite, every event-store connection overwrites what it deletes (PRAGMA secure_delete): rows removed by
    eventsourcing (snapshots, tracking) must not linger readable in the file's free pages."""
    pool = getattr(getattr(factory, "datastore", None), "pool", None)
    if type(factory).__module__ == "eventsourcing.sqlite" and pool is not None:
        create = pool._create_connection  # eventsourcing 9.5 has no connection hook: wrap the pool's factory method

        def create_secure() -> Any:
            connection = create()
            connection._sqlite_conn.execute("PRAGMA secure_delete=ON")
            if not pool.is_sqlite_memory_mode and os.path.isfile(pool.db_name):
                os.chmod(pool.db_name, 0o600)  # the events: the service user's only (WAL files inherit the mode)
            return connection

        pool._create_connection = create_secure
    return factory


@contextmanager
def schema_lock(factory: Any) -> Iterator[None]:
    """On PostgreSQL, an advisory lock around creating tables: processes that start together (`make stack`)
    failed with "tuple concurrently updated" creating the same tables at once."""
    datastore = getattr(factory, "datastore", None)
    if type(factory).__module__ != "eventsourcing.postgres" or datastore is None:
        yield
        return
    with datastore.get_connection() as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('motcua-schema'))")
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('motcua-schema'))")
