"""Dossier code sequences shared by every process (`onestop_code_sequences` beside the events, PostgreSQL).

Each process used to count an agency's daily sequence in memory and learn of another process's code only when its
save failed on the taken code. With several API workers (or replicas) writing for the same agency, two processes
proposed the same number over and over, and each loser's retry cost a failed transaction. Here one autocommitted
`UPDATE … RETURNING` hands out the next number under a row lock, so processes never propose the same code; the
first number of a new (agency, day) comes from the stored codes (the allocator's search). One row per agency and day.
Used when the API runs several processes (`MOTCUA_API_WORKERS` above 1); one process counts in memory for free.

The counter is committed without waiting for its WAL flush (`synchronous_commit=off` on these connections only): a
dossier's events commit synchronously afterwards, and flushing their commit record flushes every WAL record before
it, the counter's included. So a crash can lose only increments whose dossier never committed, and handing those
numbers out again is harmless. Waiting for a flush of its own cost each write an fsync while it held the agency's
row lock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from psycopg import sql
from psycopg_pool import ConnectionPool

TABLE = "onestop_code_sequences"


class PostgresCodeSequences:
    """The `CodeSequences` port on PostgreSQL."""

    def __init__(self, conninfo: str, schema: str, pool_size: int = 4, timeout: float = 5.0) -> None:
        self.table = sql.Identifier(*([schema] if schema else []), TABLE)
        self._pool = ConnectionPool(
            conninfo,
            min_size=0,
            max_size=pool_size,
            kwargs={"autocommit": True, "options": "-c synchronous_commit=off"},
            open=True,
            timeout=timeout,
        )
        with self._pool.connection() as conn:
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (agency TEXT NOT NULL, day DATE NOT NULL, next INT NOT NULL, "
                    "PRIMARY KEY (agency, day))"
                ).format(self.table)
            )

    def next(self, agency: str, day: date, first_free: Callable[[], int]) -> int:
        """The agency's next number of `day`; `first_free()` seeds a sequence no process has counted yet."""
        with self._pool.connection() as conn:
            row = conn.execute(
                sql.SQL("UPDATE {} SET next = next + 1 WHERE agency = %s AND day = %s RETURNING next - 1").format(
                    self.table
                ),
                (agency, day),
            ).fetchone()
            if row is None:
                row = conn.execute(
                    sql.SQL(
                        "INSERT INTO {0} AS s (agency, day, next) VALUES (%s, %s, %s) "
                        "ON CONFLICT (agency, day) DO UPDATE SET next = s.next + 1 RETURNING next - 1"
                    ).format(self.table),
                    (agency, day, first_free() + 1),
                ).fetchone()
        assert row is not None  # UPDATE or INSERT … RETURNING always returns the row here
        return int(row[0])

    def close(self) -> None:
        self._pool.close()
