"""Replay check: rebuild every read model from the events into a scratch store and compare it, row by row,
with the live tables as they stood at their tracking positions."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg.rows import dict_row

from infrastructure.readstore.log import decoder_of, read_log
from infrastructure.readstore.rows import MemoryRows
from infrastructure.readstore.store import PostgresReadStore, SqliteReadStore
from projections.base import ReadModel, Table
from projections.ports import ReadStore

Query = Callable[[str], list[dict[str, Any]]]
Progress = Callable[[int, int], None]
PERSONAL = frozenset({"applicant", "phone", "receiver", "name"})  # never printed: a console is as public as a log
ABSENT = "(không có dòng)"


@dataclass(frozen=True)
class Difference:
    """One cell (or a whole row, column "*") where the live table and the replay disagree."""

    table: str
    key: Any
    column: str
    live: Any
    replayed: Any

    def __str__(self) -> str:
        if self.column in PERSONAL:
            return f"{self.table} [{self.key}] {self.column}: khác nhau (dữ liệu cá nhân, không in giá trị)"
        return f"{self.table} [{self.key}] {self.column}: đang dùng={self.live!r} phát lại={self.replayed!r}"


@dataclass(frozen=True)
class Unreplayable:
    """An event the replay could not use: out of its aggregate's version order, undecodable or refused by a model.

    Reported from the events themselves, so it shows even after the live tables were rebuilt from the same log;
    only the error's type is printed (a message may quote personal data)."""

    position: int
    topic: str
    reason: str

    def __str__(self) -> str:
        return f"sự kiện [{self.position}] {self.topic}: không phát lại được ({self.reason})"


def replay_check(
    recorder: Any,
    mapper: Any,
    live: ReadStore,
    models: Sequence[ReadModel],
    batch: int = 1000,
    progress: Progress | None = None,
) -> tuple[list[Difference | Unreplayable], int]:
    """Every event the replay could not use and every difference between the live read models and a fresh
    replay up to each model's own position, and the number of events replayed."""
    with snapshot(live) as read_live, scratch_store(live) as scratch:
        known = {row["name"]: row["position"] for row in read_live("SELECT name, position FROM projection_tracking")}
        held = [(model, MemoryRows(model), known.get(model.name, 0)) for model in models]
        upto, decode, read = max((position for *_, position in held), default=0), decoder_of(mapper), 0
        unusable: list[Unreplayable] = []
        versions: dict[Any, int] = {}
        for rows in read_log(recorder, 1, upto, batch):
            read += len(rows)
            for row in rows:
                if (found := _replay(row, decode, held, versions)) is not None:
                    unusable.append(found)
            if progress:
                progress(rows[-1][0], upto)
        with scratch.transaction() as tx:
            for model, memory, _ in held:
                for table in model.tables:
                    tx.execute(scratch.ddl(table.ddl()))
                    tx.load(table.name, table.column_names, memory.rows(table.name))
        return [
            *unusable,
            *(
                difference
                for model, *_ in held
                for table in model.tables
                for difference in compare(table, read_live, scratch.query)
            ),
        ], read


def _replay(row: tuple, decode: Callable[[tuple], Any], held: list, versions: dict[Any, int]) -> Unreplayable | None:
    """Apply one stored event to every model still behind it; what went wrong, if anything."""
    expected = versions.get(row[1], 0) + 1
    versions[row[1]] = max(row[2], versions.get(row[1], 0))
    if row[2] != expected:  # ids swapped or renumbered: the aggregate's events no longer come in version order
        return Unreplayable(row[0], row[3], f"phiên bản {row[2]} đến khi đang chờ phiên bản {expected}")
    try:
        event = decode(row)
        for model, memory, position in held:
            if row[0] <= position:
                model.apply(memory, event, row[0])
    except Exception as error:  # noqa: BLE001 - one bad event is a finding to report, not a reason to stop
        return Unreplayable(row[0], row[3], type(error).__name__)
    return None


def compare(table: Table, live: Query, replayed: Query) -> Iterator[Difference]:
    """The differences of one table, by primary key and column."""
    statement = f"SELECT {', '.join(table.column_names)} FROM {table.name}"
    now = {row[table.key]: row for row in live(statement)}
    fresh = {row[table.key]: row for row in replayed(statement)}
    for key in sorted(now.keys() | fresh.keys(), key=str):
        if key not in fresh:
            yield Difference(table.name, key, "*", "(có dòng)", ABSENT)
        elif key not in now:
            yield Difference(table.name, key, "*", ABSENT, "(có dòng)")
        else:
            yield from (
                Difference(table.name, key, column, now[key][column], fresh[key][column])
                for column in table.column_names
                if now[key][column] != fresh[key][column]
            )


@contextmanager
def snapshot(store: ReadStore) -> Iterator[Query]:
    """Queries that all see the live store as of one moment (the runner may keep writing meanwhile)."""
    if isinstance(store, PostgresReadStore):
        with store.pool.connection() as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield lambda statement: conn.cursor(row_factory=dict_row).execute(statement).fetchall()
        return
    if not isinstance(store, SqliteReadStore):
        raise TypeError(f"cannot take a snapshot of a {type(store).__name__}")
    local = sqlite3.connect(store.path, isolation_level=None)
    local.execute("BEGIN")

    def query(statement: str) -> list[dict[str, Any]]:
        cursor = local.execute(statement)
        return [dict(zip([d[0] for d in cursor.description or ()], row, strict=True)) for row in cursor.fetchall()]

    try:
        yield query
    finally:
        local.execute("COMMIT")
        local.close()


@contextmanager
def scratch_store(live: ReadStore) -> Iterator[ReadStore]:
    """An empty store of the live one's kind (a new schema, or a temporary SQLite file), removed afterwards."""
    if isinstance(live, PostgresReadStore):
        conninfo = live.pool.conninfo
        scratch = PostgresReadStore(
            conninfo() if callable(conninfo) else conninfo, f"replay_{uuid.uuid4().hex[:12]}", pool_size=1
        )
        try:
            yield scratch
        finally:
            with scratch.transaction() as tx:
                tx.execute(f"DROP SCHEMA {scratch.schema} CASCADE")
            scratch.close()
        return
    directory = Path(tempfile.mkdtemp(prefix="motcua-replay-"))
    local = SqliteReadStore(directory / "replay.sqlite3")
    try:
        yield local
    finally:
        local.close()
        shutil.rmtree(directory, ignore_errors=True)
