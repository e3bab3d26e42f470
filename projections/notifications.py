"""Notifications per dossier (thông báo cho công dân): each message the citizen was sent about a dossier, with its
step (the template's name), channel, status (pending, sent, delivered, gave_up) and times.

Served by `GET /dossiers/{code}/notifications` and shown on the console's dossier page; the month-long scenario
test lists a dossier's messages with `notifications_of`. Only the dossier code, the template, channel and times are
kept: no address and no text, so erasure has nothing to remove here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from domain.notification import Notification
from projections.base import ReadModel, Rows, Table, existing, on
from projections.ports import ReadStore

TABLE = "dossier_notifications"
COLUMNS = (
    ("id", "TEXT NOT NULL"),
    ("dossier_code", "TEXT NOT NULL"),
    ("step", "TEXT NOT NULL"),
    ("template", "TEXT NOT NULL"),
    ("channel", "TEXT"),
    ("status", "TEXT NOT NULL"),
    ("attempts", "INT NOT NULL"),
    ("requested_at", "TS NOT NULL"),
    ("sent_at", "TS"),
    ("delivered_at", "TS"),
    ("updated_at", "TS NOT NULL"),
    ("position", "INT NOT NULL"),
)


class NotificationLine(msgspec.Struct, frozen=True, kw_only=True):
    """One message about a dossier: the step it tells of, where it went and how far it got."""

    id: str
    step: str  # received, accepted, supplement, rejected, result_ready, pickup_ready, pickup_reminder, pulled_back
    template: str  # with its version: pickup_ready.v2
    channel: str | None  # the channel being tried, or the one that sent it
    status: str  # pending, sent, delivered, gave_up
    attempts: int
    requested_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    updated_at: datetime


class NotificationsReadModel(ReadModel):
    """Table `dossier_notifications`: one row per Notification, found by dossier code."""

    name = "dossier_notifications"
    tables = (Table(TABLE, COLUMNS, key="id"),)
    indexes = (f"CREATE INDEX IF NOT EXISTS {TABLE}_code ON {TABLE} (dossier_code, position)",)

    @on(Notification.Requested)
    def _requested(self, rows: Rows, e: Any, position: int) -> None:
        rows.put(
            TABLE,
            self.tables[0].new_row(
                id=str(e.originator_id),
                dossier_code=e.dossier_code,
                step=e.template,
                template=f"{e.template}.v{e.template_version}",
                channel=e.channels[0] if e.channels else None,
                status="pending",
                attempts=0,
                requested_at=e.at,
                updated_at=e.at,
                position=position,
            ),
        )

    @on(Notification.Sent)
    def _sent(self, rows: Rows, e: Any, position: int) -> None:
        row = existing(rows, TABLE, str(e.originator_id))
        attempts = row["attempts"] + 1
        rows.put(
            TABLE,
            row | {"channel": e.channel, "status": "sent", "attempts": attempts, "sent_at": e.at, "updated_at": e.at},
        )

    @on(Notification.Failed)
    def _failed(self, rows: Rows, e: Any, position: int) -> None:
        row = existing(rows, TABLE, str(e.originator_id))
        rows.put(TABLE, row | {"channel": e.channel, "attempts": row["attempts"] + 1, "updated_at": e.at})

    @on(Notification.Delivered)
    def _delivered(self, rows: Rows, e: Any, position: int) -> None:
        row = existing(rows, TABLE, str(e.originator_id))
        rows.put(TABLE, row | {"status": "delivered", "delivered_at": e.at, "updated_at": e.at})

    @on(Notification.GaveUp)
    def _gave_up(self, rows: Rows, e: Any, position: int) -> None:
        row = existing(rows, TABLE, str(e.originator_id))
        rows.put(TABLE, row | {"status": "gave_up", "updated_at": e.at})


def notifications_of(store: ReadStore, code: str) -> list[NotificationLine]:
    """The messages about one dossier, in the order they were requested."""
    rows = store.query(f"SELECT * FROM {TABLE} WHERE dossier_code = ? ORDER BY position", [code])
    return [
        NotificationLine(
            id=row["id"],
            step=row["step"],
            template=row["template"],
            channel=row["channel"],
            status=row["status"],
            attempts=row["attempts"],
            requested_at=_ts(row["requested_at"]),
            sent_at=_ts(row["sent_at"]) if row["sent_at"] is not None else None,
            delivered_at=_ts(row["delivered_at"]) if row["delivered_at"] is not None else None,
            updated_at=_ts(row["updated_at"]),
        )
        for row in rows
    ]


def _ts(value: Any) -> datetime:
    """A TS column as an aware datetime (SQLite hands back its ISO text)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
