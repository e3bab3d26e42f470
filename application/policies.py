"""Policies (process managers) that react to events of the shared log, each exactly once.

A policy reads the events of its topics after its saved position; what it makes or changes for a batch is committed
together with its new position (`PolicyCursor`), so a crash repeats the batch and a concurrent run loses on the
version check and starts again from the winner's position. Without anything to commit, the position only moves in
memory. The office's policies: fee receipts for payments (`application/receipt_policy.py`), routines done by
collections and loadings, follow-ups opened by pull-backs and closed by contacts (`application/routines.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from application.base import OneStop
from domain.policy import PolicyCursor, cursor_id

BATCH = 500
Pending = dict[UUID, Aggregate]


class LogPolicy:
    """Base of a policy: `name`, the event classes it `reacts_to`, and `react` (the aggregates it made or changed)."""

    name: str
    reacts_to: tuple[type, ...]

    def __init__(self, app: OneStop) -> None:
        self.app = app
        self._seen = 0  # log position up to which nothing more was to be done (this process)

    def react(self, event: Any, at: datetime, pending: Pending) -> Iterable[Aggregate]:
        """The aggregates this event makes or changes; `pending` holds those of the batch so far, by id."""
        raise NotImplementedError

    def follow(self, at: datetime) -> int:
        """Act on every new event of the topics; returns how many aggregates were saved."""
        topics = tuple(get_topic(cls) for cls in self.reacts_to)
        head, saved = self.app.recorder.max_notification_id() or 0, 0
        cursor = self._cursor()
        start = max(cursor.position, self._seen)
        while start < head:
            found = self.app.recorder.select_notifications(start + 1, BATCH, stop=head, topics=topics)
            last = found[-1].id if len(found) == BATCH else head
            pending: Pending = {}
            for stored in found:
                for aggregate in self.react(self.app.mapper.to_domain_event(stored), at, pending):
                    pending[aggregate.id] = aggregate
            changed = [a for a in pending.values() if a.pending_events]
            if changed:
                cursor.advance(position=last, at=at)
                if self.app.commit_or_evict(cursor, *changed) is None:
                    return saved  # another run won: the next round starts from its position
                saved += len(changed)
            start = self._seen = last
        return saved

    def existing(self, aggregate_id: UUID, pending: Pending) -> Any:
        """The aggregate as this batch left it, else as stored now, else None."""
        if aggregate_id in pending:
            return pending[aggregate_id]
        self.app.evict(aggregate_id)  # another process may have changed it
        try:
            return self.app.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def _cursor(self) -> PolicyCursor:
        found = self.existing(cursor_id(self.name), {})
        return found if found is not None else PolicyCursor.start(self.name)


class Policies:
    """Several policies run one after the other (one round of the office's process managers)."""

    def __init__(self, policies: Sequence[LogPolicy]) -> None:
        self.policies = list(policies)

    def follow(self, at: datetime) -> int:
        """One round of every policy; returns how many aggregates they saved."""
        return sum(policy.follow(at) for policy in self.policies)
