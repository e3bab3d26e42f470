"""Reads of the read models: officer queues and the kiosk tray grid / overdue list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

import msgspec

from domain.clock import VIETNAM
from projections.dossiers import QUEUES
from projections.notifications import NotificationLine, notifications_of
from projections.ports import ReadStore

FILTERS = ("agency", "department", "procedure_code", "channel")
ORDERS = {
    "due_on": "due_on ASC, code ASC",
    "-due_on": "due_on DESC, code DESC",
    "received_at": "received_at ASC, code ASC",
    "-received_at": "received_at DESC, code DESC",
}


class WorkingDays(Protocol):
    def working_days_between(self, start: date, end: date) -> int: ...


class UnknownQueueError(LookupError):
    """No such queue; the message lists the queues."""


class QueueItem(msgspec.Struct, frozen=True):
    """One dossier in an officer queue (personal data masked)."""

    code: str
    procedure_code: str
    procedure_name: str | None
    agency: str
    department: str | None
    channel: str
    status: str
    queue: str
    received_at: datetime
    due_on: date | None
    days_left: int | None
    overdue: bool
    fee: int
    paid: int
    shortfall: int
    excess: int
    kiosk: str | None
    tray: int | None
    holder_unit: str | None
    applicant: str | None


class QueuePage(msgspec.Struct, frozen=True):
    """A page of a queue with the total count for the filters."""

    queue: str
    total: int
    page: int
    page_size: int
    items: list[QueueItem]


class TrayRow(msgspec.Struct, frozen=True):
    kiosk: str
    tray: int
    status: str
    dossier_code: str | None
    loaded_at: datetime | None
    notified_at: datetime | None


class OverdueTray(msgspec.Struct, frozen=True):
    """A result not collected within the limit since its SMS (name and phone masked)."""

    tray: int
    dossier_code: str
    procedure_code: str
    procedure_name: str | None
    applicant: str | None
    phone: str | None
    days_since_notification: int
    suggested_action: str


class OverdueList(msgspec.Struct, frozen=True):
    kiosk: str
    kiosk_full: bool
    free_trays: int
    limit_days: int
    items: list[OverdueTray]


def _where(filters: dict[str, str | None] | None) -> tuple[list[str], list[object]]:
    """SQL conditions for equality filters, and `within`: an agency and its wards (H29.06 covers H29.06.1)."""
    where, params = ["1 = 1"], list[object]()
    for name, value in (filters or {}).items():
        if name in FILTERS and value:
            where.append(f"{name} = ?")
            params.append(value)
        elif name == "within" and value:
            where.append("(agency = ? OR agency LIKE ?)")
            params.extend([value, f"{value}.%"])
    return where, params


class Views:
    """Query side: reads rows written by the read models."""

    def __init__(self, store: ReadStore, calendar: WorkingDays) -> None:
        self.store, self.calendar = store, calendar

    def queue(
        self,
        queue: str,
        *,
        today: date,
        filters: dict[str, str | None] | None = None,
        overdue: bool | None = None,
        page: int = 1,
        page_size: int = 50,
        order: str = "due_on",
    ) -> QueuePage:
        """One page of a queue, filtered, sorted by due date by default."""
        if queue not in QUEUES:
            raise UnknownQueueError(f"unknown queue {queue!r}; queues: {', '.join(QUEUES)}")
        where, params = _where(filters)
        where.append("queue = ?")
        params.append(queue)
        if overdue is not None:
            where.append("due_on < ?" if overdue else "(due_on IS NULL OR due_on >= ?)")
            params.append(today)
        clause = " AND ".join(where)
        total = self.store.query(f"SELECT COUNT(*) AS n FROM dossiers WHERE {clause}", params)[0]["n"]
        rows = self.store.query(
            f"SELECT * FROM dossiers WHERE {clause} ORDER BY {ORDERS.get(order, ORDERS['due_on'])} LIMIT ? OFFSET ?",
            [*params, page_size, (page - 1) * page_size],
        )
        return QueuePage(
            queue=queue, total=total, page=page, page_size=page_size, items=[self._item(row, today) for row in rows]
        )

    def queue_counts(self, filters: dict[str, str | None] | None = None) -> dict[str, int]:
        """How many dossiers each queue holds."""
        where, params = _where(filters)
        rows = self.store.query(
            f"SELECT queue, COUNT(*) AS n FROM dossiers WHERE {' AND '.join(where)} GROUP BY queue", params
        )
        counts = {row["queue"]: row["n"] for row in rows}
        return {queue: counts.get(queue, 0) for queue in QUEUES}

    def notifications(self, code: str) -> list[NotificationLine]:
        """The messages the citizen was sent about a dossier, oldest first (step, channel, status, times)."""
        return notifications_of(self.store, code)

    def trays(self, kiosk: str) -> list[TrayRow]:
        """The kiosk's trays in number order."""
        rows = self.store.query(
            "SELECT kiosk, tray, status, dossier_code, loaded_at, notified_at FROM kiosk_trays "
            "WHERE kiosk = ? ORDER BY tray",
            (kiosk,),
        )
        return [msgspec.convert(row, TrayRow, strict=False) for row in rows]

    def overdue(self, kiosk: str, *, today: date, limit_days: int) -> OverdueList:
        """Loaded trays whose SMS is older than the limit, and whether to keep them or pull them back."""
        trays = self.trays(kiosk)
        free = sum(t.status == "empty" for t in trays)
        rows = self.store.query(
            "SELECT t.tray, t.dossier_code, t.notified_at, d.procedure_code, d.procedure_name, d.applicant_masked, "
            "d.phone_masked, d.result_kind FROM kiosk_trays t JOIN dossiers d ON d.code = t.dossier_code "
            "WHERE t.kiosk = ? AND t.status = 'loaded' ORDER BY t.tray",
            (kiosk,),
        )
        items = []
        for row in rows:
            notified = _as_datetime(row["notified_at"])
            days = self.calendar.working_days_between(notified.astimezone(VIETNAM).date(), today) if notified else 0
            if days <= limit_days:
                continue
            action = (
                "keep"
                if free
                else ("pull_back_to_police" if row["result_kind"] == "cccd_card" else "pull_back_to_one_stop")
            )
            items.append(
                OverdueTray(
                    tray=row["tray"],
                    dossier_code=row["dossier_code"],
                    procedure_code=row["procedure_code"],
                    procedure_name=row["procedure_name"],
                    applicant=row["applicant_masked"],
                    phone=row["phone_masked"],
                    days_since_notification=days,
                    suggested_action=action,
                )
            )
        return OverdueList(kiosk=kiosk, kiosk_full=free == 0, free_trays=free, limit_days=limit_days, items=items)

    def _item(self, row: dict[str, Any], today: date) -> QueueItem:
        due = _as_date(row["due_on"])
        if due is None:
            days_left = None
        elif due >= today:
            days_left = self.calendar.working_days_between(today, due)
        else:
            days_left = -self.calendar.working_days_between(due, today)
        return QueueItem(
            code=row["code"],
            procedure_code=row["procedure_code"],
            procedure_name=row["procedure_name"],
            agency=row["agency"],
            department=row["department"],
            channel=row["channel"],
            status=row["status"],
            queue=row["queue"],
            received_at=_moment(row["received_at"]),
            due_on=due,
            days_left=days_left,
            overdue=due is not None and due < today and row["queue"] != "closed",
            fee=row["fee"],
            paid=row["paid"],
            shortfall=row["shortfall"],
            excess=row["excess"],
            kiosk=row["kiosk"],
            tray=row["tray"],
            holder_unit=row["holder_unit"],
            applicant=row["applicant_masked"],
        )


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _moment(value: Any) -> datetime:
    """A NOT NULL timestamp column (a datetime on PostgreSQL, ISO text on SQLite)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)
