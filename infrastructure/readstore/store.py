"""Where read models live: an SQLite file (embedded) or a PostgreSQL schema of their own (production).

Each store translates the portable SQL of read models (projections/ports.py) to its dialect. A transaction covers
a batch of rows and the tracking position.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import msgspec
import psycopg
from psycopg import sql as pgsql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from projections.base import Table
from projections.ports import Tx

SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def stored_moment(value: datetime | str) -> datetime:
    """A timestamp column read back: PostgreSQL gives an aware datetime, SQLite the UTC text it was written as."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


TYPES = {
    "sqlite": {"INT": "INTEGER", "TEXT": "TEXT", "TS": "TEXT", "DATE": "TEXT", "BOOL": "INTEGER"},
    "postgres": {"INT": "BIGINT", "TEXT": "TEXT", "TS": "TIMESTAMPTZ", "DATE": "DATE", "BOOL": "BOOLEAN"},
}
TYPE_WORD = re.compile(r"\b(INT|TEXT|TS|DATE|BOOL)\b")


def ddl_for(dialect: str, statement: str) -> str:
    """Translate the portable type words of a CREATE statement."""
    return TYPE_WORD.sub(lambda m: TYPES[dialect][m.group(1)], statement)


class _SqliteTx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(statement, [_sqlite_value(p) for p in params])

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(statement, [[_sqlite_value(p) for p in row] for row in rows])

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.conn.execute(statement, [_sqlite_value(p) for p in params])
        names = [d[0] for d in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def load(self, table: str, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
        marks = ", ".join("?" for _ in columns)
        self.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
            [[row.get(c) for c in columns] for row in rows],
        )

    def upsert(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        # One execution per row costs no round trip in SQLite: executemany is its fastest form.
        _upsert_each(self, table, rows)

    def delete(self, table: Table, keys: Sequence[Any]) -> None:
        self.executemany(f"DELETE FROM {table.name} WHERE {table.key} = ?", [(key,) for key in keys])


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


class SqliteReadStore:
    """Read models in one SQLite file; one writer at a time, readers on their own connections."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA secure_delete=ON")  # rows of erased people and purged answers are overwritten
            os.chmod(self.path, 0o600)  # read models hold names and phones: the service user's only
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        conn = self._conn()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteTx(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return _SqliteTx(self._conn()).query(statement, params)

    def ddl(self, statement: str) -> str:
        return ddl_for(self.dialect, statement)

    def columns(self, tx: Tx, table: str) -> list[str]:
        """The table's columns in order ([] if it does not exist)."""
        return [row["name"] for row in tx.query(f"PRAGMA table_info({table})")]

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class _PgTx:
    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(_pg(statement), params)

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        self.cursor.executemany(_pg(statement), rows)

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        self.cursor.execute(_pg(statement), params)
        return list(self.cursor.fetchall())

    def query_all(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[dict[str, Any]]]:
        """Several queries, each on a cursor of its own: in pipeline mode all are sent before any answer is read."""
        cursors = [self.cursor.connection.cursor() for _ in statements]
        for cursor, (statement, params) in zip(cursors, statements, strict=True):
            cursor.execute(_pg(statement), params)
        answers = [list(cursor.fetchall()) for cursor in cursors]
        for cursor in cursors:
            cursor.close()
        return answers

    def upsert(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        """All the rows in one statement (per UPSERT_CHUNK) that reads them from one JSON parameter: one execution
        instead of one per row, and msgspec encodes the rows in a fraction of the time psycopg takes to adapt their
        values one by one (or as arrays for unnest; both measured)."""
        if len({str(row.get(table.key)) for row in rows}) < len(rows):
            # Keys that differ in Python but not as text (a UUID and its string) would make the one statement
            # update a row twice, which PostgreSQL refuses: such rows go one statement each, as they used to.
            _upsert_each(self, table, rows)
            return
        statement = _json_upsert_sql(table)
        for start in range(0, len(rows), UPSERT_CHUNK):
            self.cursor.execute(statement, (_ROWS.encode(rows[start : start + UPSERT_CHUNK]).decode(),))

    def delete(self, table: Table, keys: Sequence[Any]) -> None:
        kind = _pg_type(dict(table.columns)[table.key])
        self.cursor.execute(f"DELETE FROM {table.name} WHERE {table.key} = ANY(%s::{kind}[])", (list(keys),))

    def load(self, table: str, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
        names = pgsql.SQL(", ").join(pgsql.Identifier(c) for c in columns)
        with self.cursor.copy(pgsql.SQL("COPY {} ({}) FROM STDIN").format(pgsql.Identifier(table), names)) as copy:
            # Text format written directly: faster than write_row's per-value dumpers, and than a JSON array
            # expanded by json_populate_recordset (both measured).
            for start in range(0, len(rows), 1000):
                copy.write(
                    "".join(
                        "\t".join(map(_copy_text, map(row.get, columns))) + "\n" for row in rows[start : start + 1000]
                    )
                )


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    kind = type(value)
    if kind is str:
        # Tab, newline and carriage return are not printable: one scan each for them and for the backslash.
        return value if value.isprintable() and "\\" not in value else value.translate(_COPY_ESCAPES)
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _pg(statement: str) -> str:
    return statement.replace("%", "%%").replace("?", "%s")


UPSERT_CHUNK = 5000  # rows per upsert statement on PostgreSQL (a catch-up batch may change tens of thousands)
_ROWS = msgspec.json.Encoder()


def upsert_sql(table: Table) -> str:
    """INSERT … ON CONFLICT (key) DO UPDATE of one row, every column (SQLite and PostgreSQL, `?` placeholders)."""
    names = table.column_names
    return (
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)}) "
        f"ON CONFLICT ({table.key}) {_on_conflict(table)}"
    )


def _upsert_each(tx: Tx, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """The rows upserted one execution each (`upsert_sql`)."""
    tx.executemany(upsert_sql(table), [[row.get(c) for c in table.column_names] for row in rows])


@cache
def _json_upsert_sql(table: Table) -> str:
    """INSERT … ON CONFLICT (key) DO UPDATE of the rows of a JSON array of objects (PostgreSQL, one `%s`).

    json_to_recordset reads each object's keys as the named columns (a missing one as NULL) with the column types
    of the table: values are typed as the one-row statement typed them (timestamps with their offsets)."""
    names = ", ".join(table.column_names)
    record = ", ".join(f"{name} {_pg_type(kind)}" for name, kind in table.columns)
    return (
        f"INSERT INTO {table.name} ({names}) SELECT {names} FROM json_to_recordset(%s::json) AS r({record}) "
        f"ON CONFLICT ({table.key}) {_on_conflict(table)}"
    )


def _on_conflict(table: Table) -> str:
    updates = ", ".join(f"{c} = excluded.{c}" for c in table.column_names if c != table.key)
    return f"DO UPDATE SET {updates}" if updates else "DO NOTHING"


def _pg_type(kind: str) -> str:
    """The PostgreSQL type of a portable column declaration ("TEXT NOT NULL" -> TEXT)."""
    return TYPES["postgres"][kind.split()[0]]


class PostgresReadStore:
    """Read models in a PostgreSQL schema of their own (documented for analysts in README)."""

    dialect = "postgres"

    def __init__(self, conninfo: str, schema: str, pool_size: int = 4, *, read_only: bool = False) -> None:
        if not SCHEMA_NAME.fullmatch(schema):
            raise ValueError(f"read-model schema name {schema!r} must be lower-case letters, digits, underscores")
        self.schema, self.read_only, self._conninfo = schema, read_only, conninfo
        # A read-only store (a hot standby, MOTCUA_READ_REPLICA) creates nothing: the primary's runner made it all.
        options = f"-c search_path={schema}" + (" -c default_transaction_read_only=on" if read_only else "")
        self.pool = ConnectionPool(
            conninfo, min_size=1, max_size=pool_size, open=True, kwargs={"row_factory": dict_row, "options": options}
        )
        if not read_only:
            with self.pool.connection() as conn:
                conn.execute(pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(pgsql.Identifier(schema)))

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self.pool.connection() as conn, conn.transaction(), conn.cursor() as cursor:
            yield _PgTx(cursor)

    @contextmanager
    def pipelined_transaction(self) -> Iterator[Tx]:
        """A transaction in pipeline mode: statements are sent without waiting for their answers; a query waits
        for its own. An error may surface at a later statement or at the end: use it only where any failure is
        handled by rolling back the whole transaction."""
        with self.pool.connection() as conn, conn.transaction(), conn.pipeline(), conn.cursor() as cursor:
            yield _PgTx(cursor)

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.pool.connection() as conn, conn.cursor() as cursor:
            return _PgTx(cursor).query(statement, params)

    def ddl(self, statement: str) -> str:
        return ddl_for(self.dialect, statement)

    def columns(self, tx: Tx, table: str) -> list[str]:
        """The table's columns in order ([] if it does not exist)."""
        rows = tx.query(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
            "ORDER BY ordinal_position",
            (self.schema, table),
        )
        return [row["column_name"] for row in rows]

    def listening_connection(self) -> psycopg.Connection:
        """A connection of its own, outside the pool, for LISTEN (held by a listener thread for good)."""
        return psycopg.connect(self._conninfo, autocommit=True)

    def close(self) -> None:
        self.pool.close()
