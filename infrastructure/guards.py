"""Failure counters and token revocations in a store every API replica shares (the `Attempts` and `Revocations` ports).

Kept beside the idempotency answers (PostgreSQL schema `<MOTCUA_READ_SCHEMA>_private`, or `guards.sqlite3` in the data
dir): a per-process counter would let a flood spread over replicas go uncounted, and a logout or a disabled account
must end the token on every replica at once.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from infrastructure.readstore.store import PostgresReadStore, SqliteReadStore, stored_moment
from projections.ports import ReadStore

if TYPE_CHECKING:
    from infrastructure.settings import Settings

TABLES = (
    "CREATE TABLE IF NOT EXISTS api_attempts (key TEXT PRIMARY KEY, failures INT NOT NULL, last_at TS NOT NULL, "
    "locked_until TS)",
    "CREATE TABLE IF NOT EXISTS api_revoked_tokens (token_id TEXT PRIMARY KEY, expires_at TS NOT NULL)",
    "CREATE TABLE IF NOT EXISTS api_revoked_accounts (account_id TEXT PRIMARY KEY, before_at TS NOT NULL)",
)
CACHE_FOR = timedelta(seconds=1)
"""How long a replica trusts its own "not revoked" answer for a token (one query per token per second at most)."""
PURGE_EVERY = 256
KEEP_IDLE = timedelta(days=1)


class GuardStore:
    """Counts failures with lockout and remembers revoked tokens and accounts."""

    def __init__(self, store: ReadStore) -> None:
        self.store = store
        with store.transaction() as tx:
            for table in TABLES:
                tx.execute(store.ddl(table))
        self._checked: dict[tuple[str, str], datetime] = {}
        self._lock = threading.Lock()
        self._writes = 0

    @classmethod
    def for_settings(cls, settings: Settings) -> GuardStore:
        if settings.store == "sqlite":
            return cls(SqliteReadStore(settings.data_dir / "guards.sqlite3"))
        return cls(PostgresReadStore(settings.postgres_conninfo(), f"{settings.read_schema}_private", pool_size=4))

    # ----- Attempts -------------------------------------------------------------------
    def locked_until(self, key: str, at: datetime) -> datetime | None:
        rows = self.store.query("SELECT locked_until FROM api_attempts WHERE key = ?", (key,))
        until = stored_moment(rows[0]["locked_until"]) if rows and rows[0]["locked_until"] else None
        return until if until is not None and until > at else None

    def fail(
        self, key: str, at: datetime, *, allowed: int, window: timedelta, lockout: timedelta, ceiling: timedelta
    ) -> datetime | None:
        with self.store.transaction() as tx:
            tx.execute(
                "INSERT INTO api_attempts (key, failures, last_at) VALUES (?, 0, ?) ON CONFLICT (key) DO NOTHING",
                (key, _utc(at)),
            )
            lock = " FOR UPDATE" if self.store.dialect == "postgres" else ""
            row = tx.query(f"SELECT failures, last_at FROM api_attempts WHERE key = ?{lock}", (key,))[0]
            failures = 1 if stored_moment(row["last_at"]) <= at - window else row["failures"] + 1
            until = None
            if failures >= allowed:  # the allowed-th failure locks; each further one doubles the wait
                until = at + min(lockout * 2 ** min(failures - allowed, 32), ceiling)
            tx.execute(
                "UPDATE api_attempts SET failures = ?, last_at = ?, locked_until = ? WHERE key = ?",
                (failures, _utc(at), until and _utc(until), key),
            )
        self._purge_now_and_then(at)
        return until

    def clear(self, key: str) -> None:
        with self.store.transaction() as tx:
            tx.execute("DELETE FROM api_attempts WHERE key = ?", (key,))

    # ----- Revocations ----------------------------------------------------------------
    def revoke_token(self, token_id: str, expires_at: datetime) -> None:
        with self.store.transaction() as tx:
            tx.execute(
                "INSERT INTO api_revoked_tokens (token_id, expires_at) VALUES (?, ?) ON CONFLICT (token_id) DO NOTHING",
                (token_id, _utc(expires_at)),
            )
        self._forget_checks()

    def revoke_account(self, account_id: str, at: datetime) -> None:
        with self.store.transaction() as tx:
            tx.execute(
                "INSERT INTO api_revoked_accounts (account_id, before_at) VALUES (?, ?) "
                "ON CONFLICT (account_id) DO UPDATE SET before_at = excluded.before_at",
                (account_id, _utc(at)),
            )
        self._forget_checks()

    def known_unrevoked(self, token_id: str, account_id: str, at: datetime) -> bool:
        checked = self._checked.get((token_id, account_id))
        return checked is not None and at - checked < CACHE_FOR

    def is_revoked(self, token_id: str, account_id: str, issued_at: datetime, at: datetime) -> bool:
        if self.known_unrevoked(token_id, account_id, at):
            return False
        rows = self.store.query(
            "SELECT NULL AS before_at FROM api_revoked_tokens WHERE token_id = ? UNION ALL "
            "SELECT before_at FROM api_revoked_accounts WHERE account_id = ?",
            (token_id, account_id),
        )
        revoked = any(row["before_at"] is None or stored_moment(row["before_at"]) >= issued_at for row in rows)
        with self._lock:
            if len(self._checked) > 10_000:
                self._checked.clear()
            if not revoked:
                self._checked[token_id, account_id] = at
        return revoked

    def close(self) -> None:
        self.store.close()

    def _forget_checks(self) -> None:
        with self._lock:
            self._checked.clear()

    def _purge_now_and_then(self, at: datetime) -> None:
        # Names guessed at a login form would otherwise pile up; a counter idle for a day has nothing left to say.
        self._writes += 1
        if self._writes % PURGE_EVERY:
            return
        with self.store.transaction() as tx:
            tx.execute("DELETE FROM api_attempts WHERE last_at < ?", (_utc(at - KEEP_IDLE),))
            tx.execute("DELETE FROM api_revoked_tokens WHERE expires_at < ?", (_utc(at),))


def _utc(moment: datetime) -> datetime:
    """Stored moments are UTC, so SQLite's text comparison orders them correctly."""
    return moment.astimezone(UTC)
