"""The shared event store: every application of the system writes to one log named `onestop`."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, Snapshot
from eventsourcing.persistence import IntegrityError

from application.errors import NotFoundError, VersionConflictError
from domain.errors import DomainError
from application.group_commit import GroupCommit
from application.event_mac import MAC_KEY_ENV, mac_key
from application.mapper import MsgspecMapper

A = TypeVar("A", bound=Aggregate)
_factories: dict[tuple[tuple[str, str], ...], list[Any]] = {}  # env → [infrastructure factory, applications using it]
_factories_lock = threading.RLock()  # re-entered when garbage collection closes an application
# A forked child must open its own connections, never use its parent's pools.
os.register_at_fork(after_in_child=_factories.clear)
F = TypeVar("F", bound=Callable[..., Any])
MAX_RETRIES = 5
_read = threading.local()


def command(method: F) -> F:
    """An application command that trusts the process cache, and checks a refusal against the store.

    Commands decide on cached aggregates (no read per command). Another process may have changed them
    meanwhile: a write then loses on the version constraint and is retried, but a refusal (e.g. "not in
    this state") would be wrong. So when the domain refuses, the aggregates the command read are evicted
    and the command runs once more on fresh state; a refusal that stands is the true answer.
    """

    @functools.wraps(method)
    def run(self: OneStopApplication, *args: Any, **kwargs: Any) -> Any:
        if getattr(_read, "ids", None) is not None:  # inside another command: the outermost one retries
            return method(self, *args, **kwargs)
        _read.ids = set()
        try:
            try:
                return method(self, *args, **kwargs)
            except DomainError:
                stale, _read.ids = _read.ids, set()
                if not stale:
                    raise
                for aggregate_id in stale:
                    self.evict(aggregate_id)
                return method(self, *args, **kwargs)
        finally:
            _read.ids = None
    return run  # type: ignore[return-value]


class Written(msgspec.Struct, frozen=True):
    """What a command wrote: the aggregate, its new version and the log position to wait for."""

    id: UUID
    version: int
    position: int


def _secure_delete(factory: Any) -> Any:
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


class OneStopApplication(Application[UUID]):
    """Base of all applications; they share one event store, so one save() spans aggregates of any kind."""

    name = "onestop"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.name = "onestop"  # eventsourcing would name the tables after each subclass

    def __init__(self, env: Any = None) -> None:
        super().__init__(env)
        self.group_commit = GroupCommit(self.save, self._cache)
        self.after_commit: list[Callable[[], None]] = []

    def construct_factory(self, env: Any) -> Any:
        """One infrastructure factory (so one connection pool) per event store per process, shared by every
        application of this process: seven applications with a pool each exhausted PostgreSQL's connections."""
        key = tuple(sorted((str(k), str(v)) for k, v in env.items()))
        self._factory_key = key
        with _factories_lock:
            entry = _factories.get(key)
            if entry is not None:
                entry[1] += 1
                return entry[0]
        factory = _secure_delete(super().construct_factory(env))  # outside the lock: it may run a collected application's close()
        with _factories_lock:
            entry = _factories.setdefault(key, [factory, 0])
            entry[1] += 1
        if entry[0] is not factory:  # another thread made one meanwhile
            factory.close()
        return entry[0]

    def construct_recorder(self) -> Any:
        """The recorder; on PostgreSQL its tables are created under an advisory lock, because processes that start
        together (`make stack`) failed with "tuple concurrently updated" creating the same tables at once."""
        with self._schema_lock():
            return super().construct_recorder()

    def construct_snapshot_store(self) -> Any:
        """The snapshot store (applications with `snapshotting_intervals`), its table made under the same lock."""
        with self._schema_lock():
            return super().construct_snapshot_store()

    @contextmanager
    def _schema_lock(self) -> Iterator[None]:
        datastore = getattr(self.factory, "datastore", None)
        if type(self.factory).__module__ != "eventsourcing.postgres" or datastore is None:
            yield
            return
        with datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext('motcua-schema'))")
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext('motcua-schema'))")

    def close(self) -> None:
        """Release this application's share of the factory; the last one closes its connections."""
        self.closing.set()
        with _factories_lock:
            entry = _factories.get(self._factory_key)
            if entry is None or getattr(self, "_released", False):  # closing twice must not release twice
                return
            self._released = True
            entry[1] -= 1
            if entry[1] > 0:
                return
            del _factories[self._factory_key]
        entry[0].close()

    def _notify(self, recordings: list[Any]) -> None:
        super()._notify(recordings)
        for listener in self.after_commit:  # e.g. wake the in-process read-model runner
            listener()

    def commit(self, *aggregates: Aggregate) -> Written:
        """Save the aggregates atomically (sharing a transaction with concurrent commits); return a Written of the first."""
        recordings = self.group_commit.commit(*aggregates)
        if self.snapshotting_intervals:
            self._snapshot(aggregates, recordings)
        return self.written(aggregates[0], recordings)

    def _snapshot(self, aggregates: tuple[Aggregate, ...], recordings: list[Any]) -> None:
        """Snapshot each aggregate whose save crossed a multiple of its interval, from the copy in hand (no replay).

        eventsourcing's own rule never fires here (the group commit saves events, not aggregates), and it would
        miss multiples that a save of several events steps over."""
        for aggregate in aggregates:
            interval = self.snapshotting_intervals.get(type(aggregate))
            if interval is None:
                continue
            saved = sum(1 for r in recordings if r.domain_event.originator_id == aggregate.id)
            if aggregate.version // interval > (aggregate.version - saved) // interval:
                try:
                    self.snapshots.put([Snapshot.take(aggregate)])  # type: ignore[union-attr]
                except IntegrityError:  # another process took this one
                    pass

    def _cache(self, aggregate: Aggregate) -> None:
        if self.repository.cache is not None:
            self.repository.cache.put(aggregate.id, aggregate)

    def construct_mapper(self) -> MsgspecMapper:
        """With MOTCUA_EVENT_MAC_KEY set, every stored event carries its MAC (the audit chainer links no other)."""
        secret = self.env.get(MAC_KEY_ENV)
        return MsgspecMapper(mac_key=mac_key(secret) if secret else None)

    def load(self, aggregate_id: UUID, what: tuple[str, str], key: str, *, fresh: bool = False) -> Any:
        """The aggregate, or NotFoundError naming what was looked for.

        Commands take the cached copy: if another process changed it meanwhile, the save conflicts
        and `update` retries from the store. Queries ask for `fresh`: the cached copy is brought
        up to date with any newer stored events first.
        """
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFoundError(*what, key) from None
        read = getattr(_read, "ids", None)
        if read is not None and not fresh:
            read.add(aggregate_id)
        if fresh:
            newer = list(self.events.get(aggregate_id, gt=aggregate.version))
            for new_event in newer:
                new_event.mutate(aggregate)
            if newer:
                self._cache(deepcopy(aggregate))
        return aggregate

    def evict(self, aggregate_id: UUID) -> None:
        """Drop a possibly stale aggregate from the cache."""
        if self.repository.cache is not None:
            try:
                self.repository.cache.get(aggregate_id, evict=True)
            except KeyError:
                pass

    def update(self, aggregate_id: UUID, what: tuple[str, str], key: str, expected_version: int | None,
               command: Callable[[Any], None]) -> Written:
        """Load, check the caller's version, run the command, save; retry a lost race from fresh state."""
        for attempt in range(MAX_RETRIES):
            aggregate = self.load(aggregate_id, what, key)
            if expected_version is not None and aggregate.version != expected_version:
                if attempt == 0 and aggregate.version < expected_version:
                    self.evict(aggregate_id)  # our cache may lag another process
                    continue
                raise VersionConflictError(key, expected_version, aggregate.version)
            command(aggregate)
            try:
                return self.commit(aggregate)
            except IntegrityError:
                self.evict(aggregate_id)
                if expected_version is not None:
                    raise VersionConflictError(key, expected_version, None) from None
        raise VersionConflictError(key, expected_version, None)

    def commit_or_evict(self, *aggregates: Aggregate) -> Written | None:
        """Commit, or on a lost race evict the aggregates so the caller can retry from fresh state."""
        try:
            return self.commit(*aggregates)
        except IntegrityError:
            for aggregate in aggregates:
                self.evict(aggregate.id)
            return None

    @staticmethod
    def conflict(key: str) -> VersionConflictError:
        """The error for a command that kept losing races."""
        return VersionConflictError(key, None, None)

    @staticmethod
    def written(aggregate: Aggregate, recordings: list[Any]) -> Written:
        """The Written receipt of a save."""
        position = max((r.notification.id for r in recordings), default=0)
        return Written(id=aggregate.id, version=aggregate.version, position=position)

