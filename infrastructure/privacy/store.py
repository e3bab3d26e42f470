"""The key store: `onestop_person_keys` and `onestop_privacy_meta`, beside the events (same SQLite file or schema).

`onestop_person_keys(key_id PK, subject UNIQUE, wrapped, created_at, erased_at)`: one row per data key, its
subject the keyed hash of whose key it is. Erasure empties `subject` and `wrapped` and stamps `erased_at`; the
row stays so that values sealed under it read as erased, while an unknown key id stays an error.
`onestop_privacy_meta(name PK, wrapped)` holds the subject-hash key, wrapped by the master key like the data keys.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from psycopg_pool import ConnectionPool

from infrastructure.readstore.store import SCHEMA_NAME

KEYS, META = "onestop_person_keys", "onestop_privacy_meta"
EVENTS = {"sqlite": "stored_events", "postgres": "onestop_events"}
BYTES = {"sqlite": "BLOB", "postgres": "BYTEA"}
FIND = {"sqlite": "instr(state, ?) > 0", "postgres": "position(?::bytea in state) > 0"}


class KeyStoreError(RuntimeError):
    """The key store cannot be used as configured; the message says why."""


class KeyStore:
    """SQL access to the key tables and, for erasure, to the events they seal."""

    def __init__(
        self, dialect: str, connect: Any, close: Any, schema: str = "", *, beside_events: bool = False
    ) -> None:
        self.dialect, self._connect, self.close = dialect, connect, close
        self.beside_events = beside_events  # the event store's own recorder can write this store's tables
        prefix = f'"{schema}".' if dialect == "postgres" else ""
        self.keys, self.meta, self.events = prefix + KEYS, prefix + META, prefix + EVENTS[dialect]
        self._lock = threading.Lock()
        with self._tx() as tx:
            tx(
                f"CREATE TABLE IF NOT EXISTS {self.keys} (key_id TEXT PRIMARY KEY, subject TEXT UNIQUE, "
                f"wrapped {BYTES[dialect]}, created_at TEXT NOT NULL, erased_at TEXT)"
            )
            tx(f"CREATE TABLE IF NOT EXISTS {self.meta} (name TEXT PRIMARY KEY, wrapped {BYTES[dialect]} NOT NULL)")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> KeyStore:
        """The key store beside the events an eventsourcing environment names."""
        module = env.get("PERSISTENCE_MODULE", "")
        if module == "eventsourcing.sqlite":
            conn = sqlite3.connect(
                env.get("SQLITE_DBNAME", ":memory:"), isolation_level=None, timeout=30, check_same_thread=False
            )
            conn.execute("PRAGMA secure_delete=ON")  # a destroyed key's bytes must not survive in a free page
            beside = env.get("SQLITE_DBNAME", ":memory:") != ":memory:" and "mode=memory" not in env["SQLITE_DBNAME"]
            return cls("sqlite", lambda: nullcontext(conn), conn.close, beside_events=beside)
        if module == "eventsourcing.postgres":
            schema = env.get("POSTGRES_SCHEMA", "").strip() or "public"
            if not SCHEMA_NAME.fullmatch(schema):
                raise KeyStoreError(f"POSTGRES_SCHEMA {schema!r} must be lower-case letters, digits, underscores")
            parts = {
                "host": env.get("POSTGRES_HOST", "127.0.0.1"),
                "port": env.get("POSTGRES_PORT", "5432"),
                "dbname": env.get("POSTGRES_DBNAME", ""),
                "user": env.get("POSTGRES_USER", ""),
                "password": env.get("POSTGRES_PASSWORD", ""),
            }
            # Wait no longer for a connection than the event store does (POSTGRES_CONNECT_TIMEOUT): with the database
            # down, a request must get its 503 quickly, not queue behind 30-second waits (tests/faults).
            wait = float(env.get("POSTGRES_CONNECT_TIMEOUT", "5") or 5)
            pool = ConnectionPool(
                " ".join(f"{k}='{v}'" for k, v in parts.items() if v),
                min_size=0,
                max_size=4,  # new people's keys are created concurrently (KeyRing._create)
                max_idle=30,
                kwargs={"autocommit": True},
                check=ConnectionPool.check_connection,
                open=True,
                timeout=wait,
            )
            return cls("postgres", pool.connection, pool.close, schema, beside_events=True)
        raise KeyStoreError(f"cannot keep personal-data keys with PERSISTENCE_MODULE {module!r}")

    @contextmanager
    def _tx(self, write: bool = True) -> Iterator[Any]:
        """One transaction; yields run(statement with ? placeholders, params) -> rows (none for commands)."""
        postgres = self.dialect == "postgres"
        with self._lock, self._connect() as conn:

            def run(statement: str, params: Sequence[Any] = ()) -> list[Any]:
                cursor = conn.execute(statement.replace("?", "%s") if postgres else statement, params)
                return cursor.fetchall() if cursor.description else []

            conn.execute("BEGIN" if postgres or not write else "BEGIN IMMEDIATE")
            try:
                yield run
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # ----- the subject-hash key -------------------------------------------------------------
    def meta_value(self, name: str, wrapped_if_absent: bytes) -> bytes:
        """The stored value of `name`, storing `wrapped_if_absent` first if there is none."""
        with self._tx() as tx:
            tx(
                f"INSERT INTO {self.meta} (name, wrapped) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (name, wrapped_if_absent),
            )
            return bytes(tx(f"SELECT wrapped FROM {self.meta} WHERE name = ?", (name,))[0][0])

    # ----- data keys ------------------------------------------------------------------------
    def live(self, subject: str) -> tuple[str, bytes] | None:
        """The subject's live key (id, wrapped), if any."""
        with self._tx(write=False) as tx:
            found = tx(f"SELECT key_id, wrapped FROM {self.keys} WHERE subject = ?", (subject,))
        return (found[0][0], bytes(found[0][1])) if found else None

    def create(self, subject: str, key_id: str, wrapped: bytes) -> tuple[str, bytes]:
        """Store a new key for the subject, unless another process just did: the subject's live key either way.

        On PostgreSQL one autocommitted statement in the common case; the transaction below only when another
        process's key won and this statement's snapshot cannot see it. Keys made for events are stored by the event
        store's recorder instead, in the append's transaction (infrastructure/eventstore/keyed.py)."""
        if self.dialect == "postgres":  # the pool's connections serve concurrent creators, no lock needed
            with self._connect() as conn:
                row = conn.execute(
                    f"INSERT INTO {self.keys} (key_id, subject, wrapped, created_at) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT DO NOTHING RETURNING key_id, wrapped",
                    (key_id, subject, wrapped, _now()),
                ).fetchone()
            if row is not None:
                return row[0], bytes(row[1])
        with self._tx() as tx:
            tx(
                f"INSERT INTO {self.keys} (key_id, subject, wrapped, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (key_id, subject, wrapped, _now()),
            )
            found = tx(f"SELECT key_id, wrapped FROM {self.keys} WHERE subject = ?", (subject,))
        return found[0][0], bytes(found[0][1])

    def rows(self, key_ids: Collection[str] | None = None) -> list[tuple[str, bytes | None]]:
        """(key id, wrapped or None when erased) of these keys, or of every key."""
        where, params = (
            ("", ()) if key_ids is None else (f" WHERE key_id IN ({', '.join('?' * len(key_ids))})", tuple(key_ids))
        )
        statement = f"SELECT key_id, wrapped FROM {self.keys}{where}"
        if self.dialect == "postgres":  # one autocommitted statement: no BEGIN and COMMIT round trips around it
            with self._connect() as conn:
                found = conn.execute(statement.replace("?", "%s"), params).fetchall()
        else:
            with self._tx(write=False) as tx:
                found = tx(statement, params)
        return [(key_id, None if wrapped is None else bytes(wrapped)) for key_id, wrapped in found]

    def erased_ids(self) -> set[str]:
        """The ids of every destroyed key."""
        with self._tx(write=False) as tx:
            return {row[0] for row in tx(f"SELECT key_id FROM {self.keys} WHERE erased_at IS NOT NULL")}

    def destroy(self, subjects: Collection[str]) -> list[str]:
        """Destroy the subjects' live keys; the ids destroyed."""
        if not subjects:
            return []
        marks = ", ".join("?" * len(subjects))
        with self._tx() as tx:
            found = [
                row[0] for row in tx(f"SELECT key_id FROM {self.keys} WHERE subject IN ({marks})", tuple(subjects))
            ]
            tx(
                f"UPDATE {self.keys} SET subject = NULL, wrapped = NULL, erased_at = ? WHERE subject IN ({marks})",
                (_now(), *subjects),
            )
        return found

    def rewrap(self, change: Any) -> int:
        """Replace every wrapped value by change(label, wrapped) (None: keep) in one transaction; how many changed."""
        changed = 0
        with self._tx() as tx:
            for table, column in ((self.meta, "name"), (self.keys, "key_id")):
                for label, wrapped in tx(f"SELECT {column}, wrapped FROM {table} WHERE wrapped IS NOT NULL"):
                    new = change(label.encode(), bytes(wrapped))
                    if new is not None:
                        tx(f"UPDATE {table} SET wrapped = ? WHERE {column} = ?", (new, label))
                        changed += 1
        return changed

    def sealed_with(self, key_ids: Collection[str]) -> list[tuple[UUID, bytes]]:
        """(originator id, state) of every event whose state names one of these key ids (a full scan: erasure only)."""
        if not key_ids:
            return []
        needles: Sequence[bytes] = [f'"kid":"{key_id}"'.encode() for key_id in key_ids]
        where = " OR ".join(FIND[self.dialect] for _ in needles)
        with self._tx(write=False) as tx:
            found = tx(f"SELECT originator_id, state FROM {self.events} WHERE {where}", needles)
        return [(UUID(str(originator)), bytes(state)) for originator, state in found]


def _now() -> str:
    return datetime.now(UTC).isoformat()
