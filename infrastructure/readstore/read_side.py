"""The ReadSide port (application/ports.py) over the read-model runner and the shared log."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

from application.history import History, ViewAsOf
from application.ports import Calendar, Clock
from domain.clock import VIETNAM
from infrastructure.readstore.runner import Lag, Projector
from infrastructure.readstore.time_travel import Snapshot, positions_of, replay_as_of
from projections.book_queries import cash_box
from projections.queries import Views

VIEW_MODELS = {
    "trays": ("trays",),
    "cash-box": ("cash_ledger",),
    "overdue": ("trays", "dossiers"),
    "queues": ("dossiers",),
}
"""The read models each as-of view is replayed from (the keys are application.history.AS_OF_VIEWS)."""


class ProjectedReadSide:
    """Lag, waits and as-of views of the read models a Projector keeps."""

    def __init__(self, projector: Projector, calendar: Calendar, overdue_days: int) -> None:
        self.projector, self.calendar, self.overdue_days = projector, calendar, overdue_days

    def head(self) -> int:
        return self.projector.recorder.max_notification_id() or 0

    def model_names(self) -> list[str]:
        return list(self.projector.models)

    def position(self, name: str) -> int:
        return self.projector.positions()[name]

    def wait_for(self, position: int, name: str | None, timeout: float) -> bool:
        return self.projector.wait_for(position, name, timeout)

    def lag(self) -> list[Lag]:
        return self.projector.lag()

    def view_as_of(
        self, view: str, instant: datetime, *, kiosk: str | None, filters: Mapping[str, str | None]
    ) -> ViewAsOf:
        """One pass over the log into a scratch store, then the live view's query on it."""
        models = [self.projector.models[name] for name in VIEW_MODELS[view]]
        with replay_as_of(self.projector.recorder, self.projector.mapper, models, instant) as snapshot:
            data = self._read(view, snapshot, kiosk, filters)
        return ViewAsOf(
            model=view, at=instant, kiosk=kiosk, position=snapshot.position, events_applied=snapshot.applied, data=data
        )

    def _read(self, view: str, snapshot: Snapshot, kiosk: str | None, filters: Mapping[str, str | None]) -> Any:
        views, kiosk = Views(snapshot.store, self.calendar), kiosk or ""  # every view but queues names a kiosk
        if view == "trays":
            return views.trays(kiosk)
        if view == "cash-box":
            return cash_box(snapshot.store, kiosk)
        if view == "overdue":
            return views.overdue(kiosk, today=snapshot.instant.astimezone(VIETNAM).date(), limit_days=self.overdue_days)
        return views.queue_counts(dict(filters))


def audit_history(store: Any, clock: Clock) -> History:
    """The auditors' reader over the shared event store (any application of it), with each event's log position."""
    return History(store, clock=clock, positions=partial(positions_of, store.recorder))
