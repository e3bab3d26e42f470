"""The one event-sourced application of a process: the shared log `onestop` and the generic operations on it.

Per-area services (application/dossiers.py, kiosks.py, ...) are plain classes that receive this object: one recorder,
one mapper, one cache, one group commit and one snapshot store per process, so one commit() stores events of any
aggregates atomically and no cached copy is stale with respect to another service's."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable
from copy import deepcopy
from typing import Any, TypeVar, cast
from uuid import UUID

import msgspec
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, CanMutateAggregate, DomainEventProtocol, Snapshot
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import resolve_topic

from application.errors import NotFoundError, VersionConflictError
from application.ports import EventStorage
from application.snapshots import SNAPSHOT_INTERVALS
from domain.errors import DomainError

A = TypeVar("A", bound=Aggregate)
# Persistence is chosen by topic, as eventsourcing chooses its own by PERSISTENCE_MODULE: no application module
# imports infrastructure (tests/unit/test_dependency_direction.py allows this one name).
STORAGE_TOPIC = "infrastructure.eventstore.storage:STORAGE"
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
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:  # self: a service holding the application as `app`
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
                    self.app.evict(aggregate_id)
                return method(self, *args, **kwargs)
        finally:
            _read.ids = None

    return cast(F, run)  # functools.wraps keeps the signature


def mutate(event: DomainEventProtocol[UUID], aggregate: Any) -> Any:
    """`aggregate` (None for a first event) after one stored event; every event of the log is an aggregate's event."""
    if not isinstance(event, CanMutateAggregate):
        raise TypeError(f"stored event {type(event).__name__} does not change an aggregate")
    return event.mutate(aggregate)


class Written(msgspec.Struct, frozen=True):
    """What a command wrote: the aggregate, its new version and the log position to wait for."""

    id: UUID
    version: int
    position: int


class OneStop(Application[UUID]):
    """The process's one application over the shared log (tables `onestop_*`): the services share it."""

    name = "onestop"
    snapshotting_intervals = SNAPSHOT_INTERVALS

    def __init__(self, env: Any = None) -> None:
        self.storage: EventStorage = resolve_topic(STORAGE_TOPIC)
        super().__init__(env)
        self.group_commit = self.storage.group_commit(self.save_events, self._cache, self.mapper)
        self.after_commit: list[Callable[[], None]] = []

    def construct_factory(self, env: Any) -> Any:
        """The event store's infrastructure factory (its connections belong to this application alone)."""
        return self.storage.factory(env)

    def construct_mapper(self) -> Any:
        return self.storage.mapper(self.env)

    def construct_event_store(self) -> Any:
        return self.storage.event_store(self.mapper, self.recorder)

    def construct_recorder(self) -> Any:
        """The recorder, its tables created under the storage's schema lock."""
        with self.storage.schema_lock(self.factory):
            return super().construct_recorder()

    def construct_snapshot_store(self) -> Any:
        """The snapshot store (table `onestop_snapshots`), made under the same lock."""
        with self.storage.schema_lock(self.factory):
            return super().construct_snapshot_store()

    def close(self) -> None:
        """Close the event store's connections (once: garbage collection calls it again)."""
        self.closing.set()
        if getattr(self, "_closed", False):
            return
        self._closed = True
        self.factory.close()

    def save_events(self, *events: DomainEventProtocol[UUID]) -> list[Any]:
        """Store the events atomically and tell the listeners: what `save` does with events alone, without its
        per-argument checks against eventsourcing's runtime protocols (a tenth of a command's CPU)."""
        recordings = self.events.put(events)
        self._notify(recordings)
        return recordings

    def _notify(self, recordings: list[Any]) -> None:
        super()._notify(recordings)
        for listener in self.after_commit:  # e.g. wake the in-process read-model runner
            listener()

    def commit(self, *aggregates: Aggregate) -> Written:
        """Save the aggregates atomically (sharing a transaction with concurrent commits); return a Written of the
        first."""
        recordings = self.group_commit.commit(*aggregates)
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
                if self.snapshots is None:
                    raise RuntimeError("snapshotting intervals are set but the application has no snapshot store")
                with contextlib.suppress(IntegrityError):  # another process took this one
                    self.snapshots.put([Snapshot.take(aggregate)])

    def _cache(self, aggregate: Aggregate) -> None:
        if self.repository.cache is not None:
            self.repository.cache.put(aggregate.id, aggregate)

    def load(self, aggregate_id: UUID, what: tuple[str, str], key: str, *, fresh: bool = False) -> Any:
        """The aggregate, or NotFoundError naming what was looked for.

        Commands take the cached copy: if another process changed it meanwhile, the save conflicts
        and `update` retries from the store. Queries ask for `fresh`: the cached copy is brought
        up to date with any newer stored events first.
        """
        try:
            aggregate: Any = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFoundError(*what, key) from None
        read = getattr(_read, "ids", None)
        if read is not None and not fresh:
            read.add(aggregate_id)
        if fresh:
            newer = list(self.events.get(aggregate_id, gt=aggregate.version))
            for new_event in newer:
                mutate(new_event, aggregate)
            if newer:
                self._cache(deepcopy(aggregate))
        return aggregate

    def evict(self, aggregate_id: UUID) -> None:
        """Drop a possibly stale aggregate from the cache."""
        if self.repository.cache is not None:
            with contextlib.suppress(KeyError):
                self.repository.cache.get(aggregate_id, evict=True)

    def update(
        self,
        aggregate_id: UUID,
        what: tuple[str, str],
        key: str,
        expected_version: int | None,
        command: Callable[[Any], None],
    ) -> Written:
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
