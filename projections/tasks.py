"""Tasks read model (việc trong ngày): the kiosk team's routines per kiosk and day, and the follow-ups of results
pulled back from trays, with their queries. No personal data: kiosks, dossier codes, staff names and outcomes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import msgspec

from domain.follow_up import FollowUp
from domain.routine import LATE_AFTER, Routine
from projections.base import ReadModel, Rows, Table, existing, on
from projections.books import columns, utc
from projections.ports import ReadStore

ROUTINES, FOLLOW_UPS = "routine_tasks", "follow_up_tasks"


class TasksReadModel(ReadModel):
    """Tables `routine_tasks` (key: the routine's id) and `follow_up_tasks` (key: the follow-up's id)."""

    name = "tasks"
    tables = (
        Table(
            ROUTINES,
            columns(
                "id TEXT NOT NULL",
                "kiosk TEXT NOT NULL",
                "agency TEXT NOT NULL",
                "day DATE NOT NULL",
                "slot TEXT NOT NULL",
                "due_at TS NOT NULL",
                "done_at TS",
                "done_by TEXT",
                "source TEXT",
                "reminded_at TS",
            ),
            key="id",
        ),
        Table(
            FOLLOW_UPS,
            columns(
                "id TEXT NOT NULL",
                "dossier_code TEXT NOT NULL",
                "kiosk TEXT NOT NULL",
                "tray INT NOT NULL",
                "opened_at TS NOT NULL",
                "closed_at TS",
                "closed_by TEXT",
                "outcome TEXT",
            ),
            key="id",
        ),
    )
    indexes = (
        f"CREATE INDEX IF NOT EXISTS routine_tasks_day ON {ROUTINES} (day, kiosk)",
        f"CREATE INDEX IF NOT EXISTS follow_up_tasks_open ON {FOLLOW_UPS} (closed_at, opened_at)",
    )

    @on(Routine.Scheduled)
    def _scheduled(self, rows: Rows, e: Routine.Scheduled, position: int) -> None:
        row = self.tables[0].new_row(
            id=str(e.originator_id), kiosk=e.kiosk, agency=e.agency, day=e.day, slot=e.slot.value, due_at=utc(e.due_at)
        )
        rows.put(ROUTINES, row)

    @on(Routine.Done)
    def _done(self, rows: Rows, e: Routine.Done, position: int) -> None:
        row = existing(rows, ROUTINES, str(e.originator_id))
        source = f"{e.source_id}/{e.source_version}"
        rows.put(ROUTINES, row | {"done_at": utc(e.at), "done_by": e.by, "source": source})

    @on(Routine.Reminded)
    def _reminded(self, rows: Rows, e: Routine.Reminded, position: int) -> None:
        rows.put(ROUTINES, existing(rows, ROUTINES, str(e.originator_id)) | {"reminded_at": utc(e.at)})

    @on(FollowUp.Opened)
    def _opened(self, rows: Rows, e: FollowUp.Opened, position: int) -> None:
        row = self.tables[1].new_row(
            id=str(e.originator_id), dossier_code=e.dossier_code, kiosk=e.kiosk, tray=e.tray, opened_at=utc(e.at)
        )
        rows.put(FOLLOW_UPS, row)

    @on(FollowUp.Closed)
    def _closed(self, rows: Rows, e: FollowUp.Closed, position: int) -> None:
        row = existing(rows, FOLLOW_UPS, str(e.originator_id))
        rows.put(
            FOLLOW_UPS, row | {"closed_at": utc(e.at), "closed_by": e.actor.account_id, "outcome": e.outcome.value}
        )


class RoutineTask(msgspec.Struct, frozen=True):
    """One routine as the console lists it; `status` is pending, done or late at the time asked."""

    kiosk: str
    slot: str
    due_at: datetime
    status: str
    done_at: datetime | None
    done_by: str | None
    reminded: bool


class FollowUpTask(msgspec.Struct, frozen=True):
    """A result pulled back from its tray whose citizen is still to be contacted."""

    dossier_code: str
    kiosk: str
    tray: int
    opened_at: datetime


def day_tasks(store: ReadStore, day: date, now: datetime, within: Callable[[str], bool]) -> list[RoutineTask]:
    """The routines of `day` of the kiosks of the agencies `within` accepts, by time then kiosk."""
    rows = store.query(f"SELECT * FROM {ROUTINES} WHERE day = ? ORDER BY due_at, kiosk", (day,))
    return [_task(row, now) for row in rows if within(row["agency"])]


def open_follow_ups(store: ReadStore, visible: Callable[[str], bool], limit: int = 500) -> list[FollowUpTask]:
    """Follow-ups not closed yet, oldest first, of the dossiers `visible` accepts."""
    rows = store.query(f"SELECT * FROM {FOLLOW_UPS} WHERE closed_at IS NULL ORDER BY opened_at, dossier_code")
    found = [msgspec.convert(row, FollowUpTask, strict=False) for row in rows if visible(row["dossier_code"])]
    return found[:limit]


def _task(row: dict[str, Any], now: datetime) -> RoutineTask:
    due = _aware(row["due_at"])
    status = "done" if row["done_at"] is not None else "late" if now >= due + LATE_AFTER else "pending"
    return RoutineTask(
        kiosk=row["kiosk"],
        slot=row["slot"],
        due_at=due,
        status=status,
        done_at=_aware(row["done_at"]) if row["done_at"] is not None else None,
        done_by=row["done_by"],
        reminded=row["reminded_at"] is not None,
    )


def _aware(value: datetime | str) -> datetime:
    """A stored time (SQLite keeps the UTC ISO text, PostgreSQL a timestamptz)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
