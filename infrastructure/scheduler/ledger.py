"""The job-run ledger (sổ lượt chạy): one row per run id, claimed and completed in one transaction.

The claim is `INSERT ... ON CONFLICT DO NOTHING` inside the transaction that also records the outcome, so
- a run id already in the ledger is skipped (a repeated or caught-up run changes nothing);
- a second process inserting the same run id waits on the uncommitted row, then finds it and skips;
- a process that dies mid-run leaves no row (the transaction rolls back), so the next leader runs it again.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import psycopg
from psycopg import sql as pgsql
from psycopg.rows import dict_row

from infrastructure.scheduler.jobs import Run

TABLE = "scheduler_runs"
SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
COLUMNS = ("run_id", "job", "scheduled_for", "started_at", "finished_at", "outcome", "detail")
DONE, FAILED = "done", "failed"
Body = Callable[[], str]


class Ledger(Protocol):
    """Where runs are claimed and their outcomes kept."""

    def record(self, run: Run, body: Body, now: Callable[[], datetime]) -> str | None: ...

    def last_scheduled(self) -> dict[str, datetime]: ...

    def rows(self) -> list[dict[str, Any]]: ...

    def close(self) -> None: ...


def _outcome(body: Body) -> tuple[str, str]:
    """Run the body; a failure is recorded (not retried every tick) with its message."""
    try:
        return DONE, body()
    except Exception as error:  # noqa: BLE001 - any failure of a routine belongs in the ledger, not in a crash
        return FAILED, f"{type(error).__name__}: {error}"


class PostgresLedger:
    """The ledger as a table of the event store's PostgreSQL schema."""

    def __init__(self, conninfo: str, schema: str = "public") -> None:
        if not SCHEMA_NAME.fullmatch(schema):
            raise ValueError(f"scheduler schema name {schema!r} must be lower-case letters, digits, underscores")
        self.conninfo, self.schema = conninfo, schema
        self.table = pgsql.Identifier(schema, TABLE)
        with self._connect() as conn:
            conn.execute(pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(pgsql.Identifier(schema)))
            conn.execute(
                pgsql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (run_id TEXT PRIMARY KEY, job TEXT NOT NULL, "
                    "scheduled_for TIMESTAMPTZ NOT NULL, started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ, "
                    "outcome TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '')"
                ).format(self.table)
            )

    def _connect(self) -> psycopg.Connection[dict[str, Any]]:
        return psycopg.connect(self.conninfo, row_factory=dict_row)

    def record(self, run: Run, body: Body, now: Callable[[], datetime]) -> str | None:
        """Claim `run` and run `body` in one transaction; None if the run id was already recorded."""
        with self._connect() as conn, conn.transaction():
            claimed = conn.execute(
                pgsql.SQL(
                    "INSERT INTO {} (run_id, job, scheduled_for, started_at, outcome) "
                    "VALUES (%s, %s, %s, %s, 'running') ON CONFLICT (run_id) DO NOTHING RETURNING run_id"
                ).format(self.table),
                (run.run_id, run.job, run.scheduled_for, now()),
            ).fetchone()
            if claimed is None:
                return None
            outcome, detail = _outcome(body)
            conn.execute(
                pgsql.SQL("UPDATE {} SET finished_at = %s, outcome = %s, detail = %s WHERE run_id = %s").format(
                    self.table
                ),
                (now(), outcome, detail, run.run_id),
            )
            return outcome

    def last_scheduled(self) -> dict[str, datetime]:
        """The latest recorded scheduled time of every job."""
        with self._connect() as conn:
            rows = conn.execute(
                pgsql.SQL("SELECT job, MAX(scheduled_for) AS last FROM {} GROUP BY job").format(self.table)
            ).fetchall()
        return {row["job"]: row["last"] for row in rows}

    def rows(self) -> list[dict[str, Any]]:
        """Every recorded run, oldest scheduled first."""
        with self._connect() as conn:
            return conn.execute(
                pgsql.SQL("SELECT * FROM {} ORDER BY scheduled_for, run_id").format(self.table)
            ).fetchall()

    def close(self) -> None:
        """Nothing held open between calls."""


class SqliteLedger:
    """The ledger in an SQLite file, for the embedded single-process default."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA secure_delete=ON")
        self.lock = threading.Lock()
        self.conn.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (run_id TEXT PRIMARY KEY, job TEXT NOT NULL, "
            "scheduled_for TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, "
            "outcome TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '')"
        )

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def record(self, run: Run, body: Body, now: Callable[[], datetime]) -> str | None:
        """Claim `run` and run `body` in one transaction; None if the run id was already recorded."""
        with self._transaction() as conn:
            claimed = conn.execute(
                f"INSERT INTO {TABLE} (run_id, job, scheduled_for, started_at, outcome) "
                "VALUES (?, ?, ?, ?, 'running') ON CONFLICT (run_id) DO NOTHING",
                (run.run_id, run.job, _utc(run.scheduled_for), _utc(now())),
            ).rowcount
            if not claimed:
                return None
            outcome, detail = _outcome(body)
            conn.execute(
                f"UPDATE {TABLE} SET finished_at = ?, outcome = ?, detail = ? WHERE run_id = ?",
                (_utc(now()), outcome, detail, run.run_id),
            )
            return outcome

    def last_scheduled(self) -> dict[str, datetime]:
        """The latest recorded scheduled time of every job (stored as UTC ISO text, so text order is time order)."""
        with self.lock:
            rows = self.conn.execute(f"SELECT job, MAX(scheduled_for) AS last FROM {TABLE} GROUP BY job").fetchall()
        return {row["job"]: datetime.fromisoformat(row["last"]) for row in rows}

    def rows(self) -> list[dict[str, Any]]:
        """Every recorded run, oldest scheduled first."""
        with self.lock:
            rows = self.conn.execute(f"SELECT * FROM {TABLE} ORDER BY scheduled_for, run_id").fetchall()
        return [dict(row) for row in rows]

    def close(self) -> None:
        self.conn.close()


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()
