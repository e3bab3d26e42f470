"""The event table and the audit tables beside it: `onestop_chain` and `onestop_checkpoints`.

They live where the events live (the same SQLite file, or the same PostgreSQL schema), so a backup or a
restore keeps events and their proofs together. SQL is written once with `?` placeholders.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from infrastructure.audit.links import id_bytes

CHAIN, CHECKPOINTS = "onestop_chain", "onestop_checkpoints"
EVENTS = {"sqlite": "stored_events", "postgres": "onestop_events"}  # eventsourcing names SQLite's table itself
DDL = (
    "CREATE TABLE IF NOT EXISTS {chain} (position {int} PRIMARY KEY, digest {bytes} NOT NULL, link {bytes} NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {checkpoints} (position {int} PRIMARY KEY, link {bytes} NOT NULL, "
    "signed_at TEXT NOT NULL, key_id TEXT NOT NULL, signature {bytes} NOT NULL)",
)
TYPES = {"sqlite": {"int": "INTEGER", "bytes": "BLOB"}, "postgres": {"int": "BIGINT", "bytes": "BYTEA"}}
EventRow = tuple[int, bytes, int, str, bytes]
"""(notification id, originator id as 16 bytes, originator version, topic, state)."""
LinkRow = tuple[int, bytes, bytes]
"""(position, digest, link)."""


class AuditStoreError(RuntimeError):
    """The event store cannot be audited as configured; the message says why."""


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement that the chain had `link` at `position`."""

    position: int
    link: bytes
    signed_at: str
    key_id: str
    signature: bytes


class Tx:
    """Statements inside one transaction."""

    def __init__(self, conn: Any, dialect: str) -> None:
        self.conn, self.dialect, self._names = conn, dialect, itertools.count()

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.dialect == "postgres" else statement

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
        return list(self.conn.execute(self._sql(statement), params).fetchall())

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.conn.cursor().executemany(self._sql(statement), rows)

    def stream(self, statement: str, params: Sequence[Any], batch: int) -> Iterator[list[tuple]]:
        """Rows a batch at a time (a server-side cursor on PostgreSQL)."""
        if self.dialect == "postgres":
            with self.conn.cursor(name=f"audit_{next(self._names)}") as cursor:
                cursor.itersize = batch
                cursor.execute(self._sql(statement), params)
                while rows := cursor.fetchmany(batch):
                    yield rows
            return
        cursor = self.conn.execute(statement, params)
        while rows := cursor.fetchmany(batch):
            yield rows


class AuditTables:
    """Access to the events and their chain, on a connection of its own."""

    def __init__(self, conn: Any, dialect: str, schema: str = "") -> None:
        self.conn, self.dialect, self.schema = conn, dialect, schema
        prefix = f'"{schema}".' if dialect == "postgres" else ""
        self.events, self.chain, self.checkpoints = (prefix + name for name in (EVENTS[dialect], CHAIN, CHECKPOINTS))
        self.event_id = self._event_id = "rowid" if dialect == "sqlite" else "notification_id"
        self._event_columns = (
            f"{self._event_id}, originator_id, originator_version, topic, state"
            if dialect == "sqlite"
            else "notification_id, uuid_send(originator_id), originator_version, topic, state"
        )
        with self._transaction("BEGIN IMMEDIATE", "SELECT 1") as tx:
            for statement in DDL:
                tx.conn.execute(statement.format(chain=self.chain, checkpoints=self.checkpoints, **TYPES[dialect]))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AuditTables:
        """Connect to the store an eventsourcing environment names (SQLite file or PostgreSQL schema)."""
        module = env.get("PERSISTENCE_MODULE", "")
        if module == "eventsourcing.sqlite":
            name = env.get("SQLITE_DBNAME", "")
            if not name or ":memory:" in name or "mode=memory" in name:
                raise AuditStoreError("the audit needs an SQLite file (SQLITE_DBNAME), not an in-memory database")
            conn = sqlite3.connect(name, isolation_level=None, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA secure_delete=ON")
            found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (EVENTS["sqlite"],)).fetchone()
            return cls._checked(conn, "sqlite", "", found, name)
        if module == "eventsourcing.postgres":
            import psycopg  # here, not at the top: `verify` on SQLite starts without loading the driver

            from infrastructure.readstore.store import SCHEMA_NAME

            schema = env.get("POSTGRES_SCHEMA", "").strip() or "public"
            if not SCHEMA_NAME.fullmatch(schema):
                raise AuditStoreError(f"POSTGRES_SCHEMA {schema!r} must be lower-case letters, digits, underscores")
            pg = psycopg.connect(
                autocommit=True,
                host=env.get("POSTGRES_HOST", "127.0.0.1"),
                port=env.get("POSTGRES_PORT", "5432"),
                dbname=env.get("POSTGRES_DBNAME", ""),
                user=env.get("POSTGRES_USER", ""),
                password=env.get("POSTGRES_PASSWORD", ""),
            )
            row = pg.execute("SELECT to_regclass(%s)", (f'"{schema}".{EVENTS["postgres"]}',)).fetchone()
            return cls._checked(pg, "postgres", schema, row and row[0], f"schema {schema}")
        raise AuditStoreError(
            f"cannot audit PERSISTENCE_MODULE {module!r}: use eventsourcing.sqlite or eventsourcing.postgres"
        )

    @classmethod
    def _checked(cls, conn: Any, dialect: str, schema: str, found: Any, where: str) -> AuditTables:
        if not found:
            conn.close()
            raise AuditStoreError(f"no event table {EVENTS[dialect]} in {where}: start the system once first")
        return cls(conn, dialect, schema)

    def close(self) -> None:
        self.conn.close()

    # ----- transactions -------------------------------------------------------------------
    @contextmanager
    def reading(self) -> Iterator[Tx]:
        """A read-only transaction that sees one snapshot of events, links and checkpoints."""
        with self._transaction("BEGIN", "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY") as tx:
            yield tx

    @contextmanager
    def writing(self) -> Iterator[Tx]:
        """A transaction that holds the chain for writing (one chainer at a time)."""
        with self._transaction("BEGIN IMMEDIATE", f"LOCK TABLE {self.chain} IN EXCLUSIVE MODE") as tx:
            yield tx

    @contextmanager
    def _transaction(self, sqlite_begin: str, postgres_first: str) -> Iterator[Tx]:
        if self.dialect == "postgres":
            with self.conn.transaction():
                self.conn.execute(postgres_first)
                yield Tx(self.conn, self.dialect)
            return
        self.conn.execute(sqlite_begin)
        try:
            yield Tx(self.conn, self.dialect)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def safe_head(self) -> int:
        """The highest notification id below which no event can still appear.

        On PostgreSQL ids come from a sequence before commit, so a lower id may become visible after a higher
        one; a SHARE lock waits for every inserting transaction to end, so after it every id up to the max is
        committed or never will be. SQLite has one writer: its max rowid is already safe.
        """
        if self.dialect == "sqlite":
            return self.conn.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {self.events}").fetchone()[0]
        with self.conn.transaction():
            self.conn.execute(f"LOCK TABLE {self.events} IN SHARE MODE")
            return self.conn.execute(f"SELECT COALESCE(MAX(notification_id), 0) FROM {self.events}").fetchone()[0]

    # ----- reading --------------------------------------------------------------------------
    def event_rows(self, tx: Tx, after: int, upto: int, batch: int) -> Iterator[list[EventRow]]:
        """Events with after < id <= upto, in id order."""
        statement = (
            f"SELECT {self._event_columns} FROM {self.events} WHERE {self._event_id} > ? "
            f"AND {self._event_id} <= ? ORDER BY {self._event_id}"
        )
        for rows in tx.stream(statement, (after, upto), batch):
            yield rows if self.dialect == "postgres" else [(r[0], id_bytes(r[1]), r[2], r[3], r[4]) for r in rows]

    def next_events(self, tx: Tx, after: int, upto: int, limit: int) -> list[EventRow]:
        """At most `limit` events with after < id <= upto, in id order."""
        rows = tx.query(
            f"SELECT {self._event_columns} FROM {self.events} WHERE {self._event_id} > ? "
            f"AND {self._event_id} <= ? ORDER BY {self._event_id} LIMIT ?",
            (after, upto, limit),
        )
        return rows if self.dialect == "postgres" else [(r[0], id_bytes(r[1]), r[2], r[3], r[4]) for r in rows]

    def count_events_after(self, tx: Tx, position: int) -> int:
        """How many events lie above `position` (not chained yet, when it is the chain head)."""
        return tx.query(f"SELECT COUNT(*) FROM {self.events} WHERE {self._event_id} > ?", (position,))[0][0]

    def dossier_events(self, tx: Tx, ids: Sequence[UUID], text: bytes, upto: int) -> list[EventRow]:
        """Events up to `upto` of the aggregates `ids`, and every other event whose stored state contains `text`."""
        if self.dialect == "postgres":
            match, params = "originator_id = ANY(?) OR position(? IN state) > 0", [upto, list(ids), text]
        else:
            marks = ", ".join("?" for _ in ids)
            match, params = f"originator_id IN ({marks}) OR instr(state, ?) > 0", [upto, *(i.hex for i in ids), text]
        rows = tx.query(
            f"SELECT {self._event_columns} FROM {self.events} WHERE {self._event_id} <= ? AND ({match}) "
            f"ORDER BY {self._event_id}",
            params,
        )
        return rows if self.dialect == "postgres" else [(r[0], id_bytes(r[1]), r[2], r[3], r[4]) for r in rows]

    def link_rows(self, tx: Tx, after: int, upto: int, batch: int) -> Iterator[list[LinkRow]]:
        """Links with after < position <= upto, in order."""
        yield from tx.stream(
            f"SELECT position, digest, link FROM {self.chain} WHERE position > ? AND position <= ? ORDER BY position",
            (after, upto),
            batch,
        )

    def chain_head(self, tx: Tx) -> tuple[int, bytes]:
        """The last chained position and its link ((0, b"") for an empty chain)."""
        rows = tx.query(f"SELECT position, link FROM {self.chain} ORDER BY position DESC LIMIT 1")
        return (rows[0][0], bytes(rows[0][1])) if rows else (0, b"")

    def link_before(self, tx: Tx, position: int) -> tuple[int, bytes] | None:
        """The last link below `position`, if any."""
        rows = tx.query(
            f"SELECT position, link FROM {self.chain} WHERE position < ? ORDER BY position DESC LIMIT 1", (position,)
        )
        return (rows[0][0], bytes(rows[0][1])) if rows else None

    def count_links(self, tx: Tx, after: int) -> int:
        """How many links lie above `after`."""
        return tx.query(f"SELECT COUNT(*) FROM {self.chain} WHERE position > ?", (after,))[0][0]

    def position_of_digest(self, tx: Tx, digest: bytes) -> int | None:
        """Where an event with this digest was chained, if anywhere."""
        rows = tx.query(f"SELECT position FROM {self.chain} WHERE digest = ? ORDER BY position LIMIT 1", (digest,))
        return rows[0][0] if rows else None

    def last_checkpoint_position(self, tx: Tx) -> int:
        """The position of the newest checkpoint (0 if none)."""
        return tx.query(f"SELECT COALESCE(MAX(position), 0) FROM {self.checkpoints}")[0][0]

    def checkpoint_link(self, tx: Tx, position: int) -> bytes | None:
        """The link the checkpoint at `position` signed, if there is one."""
        rows = tx.query(f"SELECT link FROM {self.checkpoints} WHERE position = ?", (position,))
        return bytes(rows[0][0]) if rows else None

    def all_checkpoints(self, tx: Tx) -> list[Checkpoint]:
        """Every checkpoint, oldest first."""
        rows = tx.query(
            f"SELECT position, link, signed_at, key_id, signature FROM {self.checkpoints} ORDER BY position"
        )
        return [Checkpoint(r[0], bytes(r[1]), r[2], r[3], bytes(r[4])) for r in rows]

    # ----- writing ----------------------------------------------------------------------------
    def append(self, tx: Tx, links: Sequence[LinkRow], checkpoints: Sequence[Checkpoint] = ()) -> None:
        """Add links and checkpoints (inside `writing`)."""
        if self.dialect == "postgres" and links:  # COPY: the first chaining of a large log writes millions of links
            with tx.conn.cursor().copy(f"COPY {self.chain} (position, digest, link) FROM STDIN") as copy:
                for row in links:
                    copy.write_row(row)
        else:
            tx.executemany(f"INSERT INTO {self.chain} (position, digest, link) VALUES (?, ?, ?)", links)
        tx.executemany(
            f"INSERT INTO {self.checkpoints} (position, link, signed_at, key_id, signature) VALUES (?, ?, ?, ?, ?)",
            [(c.position, c.link, c.signed_at, c.key_id, c.signature) for c in checkpoints],
        )
