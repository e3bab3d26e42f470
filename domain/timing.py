"""Business time that never runs backwards within one aggregate."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from eventsourcing.domain import CanMutateAggregate


def _tracking(mutate: Any) -> Any:
    def mutate_and_track(event: Any, aggregate: Any) -> Any:
        aggregate = mutate(event, aggregate)
        aggregate.last_at = event.at
        return aggregate
    return mutate_and_track


class MonotonicTime:
    """Mixin for aggregates whose events carry `at`: a new event's `at` is never earlier than the last event's.

    Commands take the time when they start, then may wait (group commit, a lost race and its retry, a slow load)
    while another command appends to the same aggregate with a later time; recorded as is, the history would
    show `at` going backwards in version order. Every event (recorded or replayed) keeps `last_at`, and a new
    event's `at` is raised to it when older.
    """

    last_at: datetime | None = None  # before the first event is applied

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)  # eventsourcing has built the aggregate's event classes by now
        for value in list(vars(cls).values()):
            if (isinstance(value, type) and issubclass(value, CanMutateAggregate) and "mutate" not in vars(value)
                    and "at" in {f.name for f in dataclasses.fields(value)}):
                value.mutate = _tracking(value.mutate)  # type: ignore[method-assign]

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        at = kwargs.get("at")
        if at is not None and self.last_at is not None and at < self.last_at:
            kwargs["at"] = self.last_at
        super().trigger_event(event_class, **kwargs)  # type: ignore[misc]
