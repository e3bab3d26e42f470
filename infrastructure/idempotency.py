"""Remembered answers of commands sent with an `Idempotency-Key`, so a retried command records nothing new.

Kept apart from the read models (PostgreSQL schema `<MOTCUA_READ_SCHEMA>_private`, or `idempotency.sqlite3` in the data
dir): answers may carry personal data, and the analysts' role is granted the read-model schema only. Entries expire
after a day and are deleted when the next new key is claimed.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from infrastructure.readstore.store import PostgresReadStore, SqliteReadStore, stored_moment
from projections.ports import ReadStore

if TYPE_CHECKING:
    from infrastructure.settings import Settings

TABLE = (
    "CREATE TABLE IF NOT EXISTS api_idempotency (id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, "
    "claim TEXT NOT NULL, status INT, content_type TEXT, body TEXT, created_at TS NOT NULL)"
)
LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class Remembered:
    """The first answer to a key."""

    status: int
    content_type: str
    body: bytes


class KeyInUseError(Exception):
    """The key is being processed by another request, or was used for a different request."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class IdempotencyStore:
    """Claims a key before the command runs, then keeps its answer."""

    def __init__(self, store: ReadStore) -> None:
        self.store = store
        with store.transaction() as tx:
            tx.execute(store.ddl(TABLE))

    @classmethod
    def for_settings(cls, settings: Settings) -> IdempotencyStore:
        if settings.store == "sqlite":
            return cls(SqliteReadStore(settings.data_dir / "idempotency.sqlite3"))
        return cls(PostgresReadStore(settings.postgres_conninfo(), f"{settings.read_schema}_private", pool_size=4))

    def claim(self, key_id: str, fingerprint: str, now: datetime | None = None) -> Remembered | None:
        """None if the key is new (now claimed), the remembered answer if it was answered; KeyInUseError otherwise."""
        now = now or datetime.now(UTC)
        with self.store.transaction() as tx:
            lock = " FOR UPDATE" if self.store.dialect == "postgres" else ""
            rows = tx.query(f"SELECT * FROM api_idempotency WHERE id = ?{lock}", (key_id,))
            if not rows or stored_moment(rows[0]["created_at"]) < now - LIFETIME:
                # Every new key purges the expired answers (they may carry personal data), this one included.
                tx.execute("DELETE FROM api_idempotency WHERE created_at < ?", ((now - LIFETIME).astimezone(UTC),))
                rows = []
            if not rows:
                claim = secrets.token_hex(8)  # racing claimers insert different values; only one row wins
                tx.execute(
                    "INSERT INTO api_idempotency (id, fingerprint, claim, created_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (id) DO NOTHING",
                    (key_id, fingerprint, claim, now.astimezone(UTC)),
                )
                won = tx.query("SELECT claim FROM api_idempotency WHERE id = ?", (key_id,))
                if won and won[0]["claim"] == claim:
                    return None
                raise KeyInUseError("in_progress")
            row = rows[0]
        if row["fingerprint"] != fingerprint:
            raise KeyInUseError("different_request")
        if row["status"] is None:
            raise KeyInUseError("in_progress")
        return Remembered(
            status=row["status"], content_type=row["content_type"] or "", body=base64.b64decode(row["body"] or "")
        )

    def remember(self, key_id: str, answer: Remembered) -> None:
        with self.store.transaction() as tx:
            tx.execute(
                "UPDATE api_idempotency SET status = ?, content_type = ?, body = ? WHERE id = ?",
                (answer.status, answer.content_type, base64.b64encode(answer.body).decode(), key_id),
            )

    def release(self, key_id: str) -> None:
        """Forget a claim whose command failed with a server error, so the client may retry it."""
        with self.store.transaction() as tx:
            tx.execute("DELETE FROM api_idempotency WHERE id = ? AND status IS NULL", (key_id,))

    def close(self) -> None:
        self.store.close()
