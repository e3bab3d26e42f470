"""The base events of the aggregates (who acted and when, applied in one place) and business time that never
runs backwards within one aggregate.

Each aggregate declares its own base event deriving from one of these (`class Event(ActedEvent)`) and every
concrete event derives from that, as eventsourcing's content-management example does with `Page.Event`.
The concrete classes keep their names and modules, so the topics already stored (`domain.tray:Tray.Loaded`)
still resolve; the stored state is decoded by field name, so the order of the inherited fields does not matter.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.values import Actor


class TimedEvent(Aggregate.Event):
    """An event at a business time; applying it (when recorded and on every replay) keeps it as `last_at`."""

    at: datetime

    def apply(self, aggregate: Any) -> None:
        aggregate.last_at = self.at
        super().apply(aggregate)


class ActedEvent(TimedEvent):
    """An event someone (a person, a kiosk, the system) did at a business time."""

    actor: Actor


class MonotonicTime:
    """Mixin for aggregates whose events are TimedEvents: a new event's `at` is never earlier than the last one's.

    Commands take the time when they start, then may wait (group commit, a lost race and its retry, a slow load)
    while another command appends to the same aggregate with a later time; recorded as is, the history would
    show `at` going backwards in version order. The base event keeps `last_at`, recorded or replayed, and a new
    event's `at` is raised to it when older. The event is frozen once made, so this happens before, here.
    """

    last_at: datetime | None = None  # before the first event is applied

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        at = kwargs.get("at")
        if at is not None and self.last_at is not None and at < self.last_at:
            kwargs["at"] = self.last_at
        # A mixin: the next trigger_event is the Aggregate's, which mypy cannot see from this class.
        super().trigger_event(event_class, **kwargs)  # type: ignore[misc]
