"""Leadership: only one scheduler acts at a time, however many are running.

On PostgreSQL the leader holds a session advisory lock on a dedicated connection for as long as it leads.
When that process stops, its connection closes and PostgreSQL releases the lock; a follower, retrying every
few seconds, takes it and catches up what was missed. The embedded SQLite default has one process: it leads.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from typing import Protocol

import psycopg

log = logging.getLogger(__name__)
LOCK_NAMESPACE = "motcua-247/scheduler"


class Leadership(Protocol):
    """Who may act now."""

    def try_lead(self) -> bool: ...

    def resign(self) -> None: ...


def lock_key(schema: str) -> int:
    """A constant signed 64-bit advisory-lock key per schema (schemas sharing one database do not contend)."""
    digest = hashlib.sha256(f"{LOCK_NAMESPACE}/{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class AlwaysLeader:
    """The single embedded process always leads."""

    def try_lead(self) -> bool:
        return True

    def resign(self) -> None:
        """Nothing to release."""


class PostgresLeader:
    """`pg_try_advisory_lock` held on a connection of its own; checked alive before every act."""

    def __init__(self, conninfo: str, schema: str = "public", key: int | None = None) -> None:
        self.conninfo, self.key = conninfo, lock_key(schema) if key is None else key
        self.conn: psycopg.Connection | None = None
        self.lock = threading.Lock()

    @property
    def leading(self) -> bool:
        return self.conn is not None

    def try_lead(self) -> bool:
        """True if this process holds the lock now: still alive if held, or newly taken."""
        with self.lock:
            if self.conn is not None and self._alive(self.conn):
                return True
            self._drop()
            return self._acquire()

    def _acquire(self) -> bool:
        try:
            conn = psycopg.connect(self.conninfo, autocommit=True, application_name="motcua-scheduler")
        except psycopg.OperationalError as error:
            log.warning("scheduler cannot reach PostgreSQL to seek leadership: %s", error)
            return False
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        if not row or not row[0]:
            conn.close()
            return False
        log.info("scheduler became leader (advisory lock %s, backend pid %s)", self.key, conn.info.backend_pid)
        self.conn = conn
        return True

    @staticmethod
    def _alive(conn: psycopg.Connection) -> bool:
        """A round trip on the lock's connection: if it is gone, so is the lock."""
        try:
            conn.execute("SELECT 1")
            return True
        except psycopg.Error as error:
            log.warning("scheduler lost its leadership connection: %s", error)
            return False

    def _drop(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(psycopg.Error):
                self.conn.close()
            self.conn = None

    def resign(self) -> None:
        """Close the lock's connection, which releases the lock."""
        with self.lock:
            self._drop()

    def backend_pid(self) -> int | None:
        """The server process holding the lock for us (tests terminate it to simulate a crash)."""
        return self.conn.info.backend_pid if self.conn is not None else None
