"""eventsourcing infrastructure factories: one per event store per process, tables made under a lock.

Every application of a process writes the one `onestop` log; with a connection pool each, seven applications
exhausted PostgreSQL's connections, so they share one factory, counted, and the last to close closes it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import InfrastructureFactory

_factories: dict[tuple[tuple[str, str], ...], list[Any]] = {}  # env → [factory, applications holding it]
_keys: dict[int, tuple[tuple[str, str], ...]] = {}  # id(factory) → its env key
_lock = threading.RLock()  # re-entered when garbage collection closes an application


def _forget_parent_factories() -> None:
    _factories.clear()
    _keys.clear()


# A forked child must open its own connections, never use its parent's pools.
os.register_at_fork(after_in_child=_forget_parent_factories)


def shared_factory(env: Any) -> Any:
    """The factory of this environment's event store, made on first use."""
    key = tuple(sorted((str(k), str(v)) for k, v in env.items()))
    with _lock:
        entry = _factories.get(key)
        if entry is not None:
            entry[1] += 1
            return entry[0]
    factory = secure_delete(InfrastructureFactory.construct(env))  # outside the lock: it may run a collected application's close()
    with _lock:
        entry = _factories.setdefault(key, [factory, 0])
        entry[1] += 1
        _keys[id(entry[0])] = key
    if entry[0] is not factory:  # another thread made one meanwhile
        factory.close()
    return entry[0]


def release(factory: Any) -> None:
    """One holder fewer; the last one closes the factory's connections."""
    with _lock:
        key = _keys.get(id(factory))
        entry = _factories.get(key) if key is not None else None
        if entry is None or entry[0] is not factory:
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _factories[key], _keys[id(factory)]
    factory.close()


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
