"""A batch's rows written back by BatchRows.flush: the same rows as one statement per row, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import pytest

from infrastructure.readstore.rows import BatchRows
from infrastructure.readstore.store import UPSERT_CHUNK, upsert_sql
from projections.base import ReadModel, Table
from tests.conftest import read_store_for

THINGS = Table(
    "batch_things",
    (
        ("id", "TEXT NOT NULL"),
        ("name", "TEXT"),
        ("count", "INT NOT NULL"),
        ("at", "TS"),
        ("due_on", "DATE"),
        ("open", "BOOL NOT NULL"),
    ),
    key="id",
)
NUMBERS = Table("batch_numbers", (("n", "INT NOT NULL"), ("label", "TEXT")), key="n")
MOMENT = datetime(2026, 12, 3, 8, 30, 15, 123456, tzinfo=UTC)
AWKWARD = ['say "hi"', "back\\slash", "tab\tnew\nline", "Nguyễn Văn Ánh", "{a,b}", "NULL", "", "it's %s ?"]


class Things(ReadModel):
    name = "batch_things"
    tables = (THINGS, NUMBERS)


@pytest.fixture
def store(store_env: dict[str, str], tmp_path) -> Any:
    yield from made(store_env, tmp_path)


@pytest.fixture
def pg_store(pg_schema: str, tmp_path) -> Any:
    yield from made({"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_SCHEMA": pg_schema}, tmp_path)


def made(store_env: dict[str, str], tmp_path) -> Any:
    store = read_store_for(store_env, tmp_path)
    with store.transaction() as tx:
        for table in Things.tables:
            tx.execute(store.ddl(table.ddl()))
    yield store
    store.close()


def thing(n: int, **changes: Any) -> dict[str, Any]:
    values = {
        "id": f"thing-{n}",
        "name": AWKWARD[n % len(AWKWARD)],
        "count": n * 1_000_000_007,
        "at": MOMENT + timedelta(minutes=n) if n % 3 else None,
        "due_on": date(2026, 12, 1 + n % 28) if n % 2 else None,
        "open": n % 2 == 0,
    }
    return THINGS.new_row(**values | changes)


def stored(store: Any, table: Table) -> dict[Any, dict[str, Any]]:
    """The table's rows by key, with timestamps as aware datetimes, dates as dates and booleans as bool."""
    found = {}
    for row in store.query(f"SELECT * FROM {table.name}"):
        for name, kind in table.columns:
            value = row[name]
            if value is None:
                continue
            if kind.startswith("TS"):
                value = datetime.fromisoformat(value) if isinstance(value, str) else value
            elif kind.startswith("DATE") and isinstance(value, str):
                value = date.fromisoformat(value)
            elif kind.startswith("BOOL"):
                value = bool(value)
            row[name] = value
        found[row[table.key]] = row
    return found


def flush(store: Any, change: Any) -> None:
    with store.transaction() as tx:
        rows = BatchRows(tx, Things())
        change(rows)
        rows.flush()


def test_inserts_updates_and_deletes_of_one_batch_leave_the_rows_that_one_statement_per_row_left(store) -> None:
    flush(store, lambda rows: [rows.put("batch_things", thing(n)) for n in range(40)])
    flush(store, lambda rows: [rows.put("batch_numbers", {"n": n, "label": str(n)}) for n in range(10)])
    expected = {f"thing-{n}": thing(n) for n in range(40)}

    def mixed(rows: BatchRows) -> None:
        for n in range(0, 40, 4):  # updated, one of them to all-NULL optional columns
            changed = thing(n, name=None, at=None, due_on=None) if n == 8 else thing(n, count=-n, open=not n % 2)
            rows.put("batch_things", changed)
            expected[changed["id"]] = changed
        for n in range(1, 40, 4):  # deleted, two after an update in the same batch
            if n in (5, 9):
                rows.put("batch_things", thing(n, count=7))
            rows.delete("batch_things", f"thing-{n}")
            del expected[f"thing-{n}"]
        for n in range(40, 50):  # inserted, one deleted again and one written twice
            rows.put("batch_things", thing(n))
            expected[f"thing-{n}"] = thing(n)
        rows.delete("batch_things", "thing-41")
        del expected["thing-41"]
        rows.put("batch_things", thing(42, name="second"))
        expected["thing-42"] = thing(42, name="second")
        rows.delete("batch_things", "thing-never-stored")
        rows.put("batch_numbers", {"n": 3, "label": "three"})
        rows.delete("batch_numbers", 4)
        rows.put("batch_numbers", {"n": 2**40, "label": None})

    flush(store, mixed)

    assert stored(store, THINGS) == expected
    numbers = {n: str(n) for n in range(10) if n != 4} | {3: "three", 2**40: None}
    assert {key: row["label"] for key, row in stored(store, NUMBERS).items()} == numbers


def test_a_timestamp_keeps_its_instant_whatever_its_offset(store) -> None:
    hanoi = timezone(timedelta(hours=7))
    flush(store, lambda rows: rows.put("batch_things", thing(1, at=datetime(2026, 12, 3, 15, 30, tzinfo=hanoi))))

    assert stored(store, THINGS)["thing-1"]["at"] == datetime(2026, 12, 3, 8, 30, tzinfo=UTC)


def test_more_rows_than_one_statement_takes_are_all_written(store) -> None:
    count = UPSERT_CHUNK + 3
    flush(store, lambda rows: [rows.put("batch_numbers", {"n": n, "label": f"#{n}"}) for n in range(count)])
    flush(store, lambda rows: [rows.delete("batch_numbers", n) for n in range(0, count, 2)])

    assert {key: row["label"] for key, row in stored(store, NUMBERS).items()} == {
        n: f"#{n}" for n in range(1, count, 2)
    }


@pytest.mark.postgres
def test_keys_equal_only_as_text_are_written_one_after_the_other(pg_store) -> None:
    """A UUID and its string are two keys in memory but one in the table: PostgreSQL refuses to update a row twice in
    one statement, so such a batch is written a row at a time (the one put last wins, as before)."""
    key = uuid4()

    def both(rows: BatchRows) -> None:
        rows.put("batch_things", thing(1, id=key))
        rows.put("batch_things", thing(2, id=str(key)))

    flush(pg_store, both)

    assert [row["count"] for row in stored(pg_store, THINGS).values()] in ([1_000_000_007], [2_000_000_014])


class CountingCursor:
    """A PostgreSQL cursor that counts the statements it executes (each row of an executemany is one)."""

    def __init__(self, cursor: Any) -> None:
        self.cursor, self.executions = cursor, 0

    def execute(self, statement: Any, params: Any = None) -> Any:
        self.executions += 1
        return self.cursor.execute(statement, params)

    def executemany(self, statement: Any, params_seq: Any) -> Any:
        params = list(params_seq)
        self.executions += len(params)
        return self.cursor.executemany(statement, params)


@pytest.mark.postgres
def test_a_batch_writes_each_table_in_one_statement_on_postgresql(pg_store) -> None:
    with pg_store.transaction() as tx:
        counting = tx.cursor = CountingCursor(tx.cursor)
        rows = BatchRows(tx, Things())
        for n in range(30):
            rows.put("batch_things", thing(n))
            rows.put("batch_numbers", {"n": n, "label": None})
        for n in range(5):
            rows.delete("batch_numbers", 100 + n)
        rows.flush()

    assert counting.executions == 3  # two upserts and one delete, whatever the number of rows
    assert len(stored(pg_store, THINGS)) == len(stored(pg_store, NUMBERS)) == 30


def test_the_one_row_statement_names_every_column() -> None:
    assert upsert_sql(NUMBERS) == (
        "INSERT INTO batch_numbers (n, label) VALUES (?, ?) ON CONFLICT (n) DO UPDATE SET label = excluded.label"
    )
