"""Row holders for read-model handlers: per batch against the database, or all in memory for a rebuild."""

from __future__ import annotations

from typing import Any

from projections.base import ReadModel
from projections.ports import Tx

_ABSENT = object()
PREFETCH = 500  # keys per prefetch query


class BatchRows:
    """Rows a batch touches: loaded on first use, written back by `flush` inside the batch's transaction.

    Most rows are keyed by their aggregate's id. `streams` (the ids of the batch's aggregates, as text) are loaded in
    one query per table named in `learned` instead of one query per row; a table whose row was asked for by such a
    key is added to `learned` (the caller keeps it from batch to batch)."""

    def __init__(
        self,
        tx: Tx,
        model: ReadModel,
        streams: frozenset[str] = frozenset(),
        learned: set[str] | None = None,
        *,
        load: bool = True,
    ) -> None:
        """With `load` False the prefetch is left to the caller (`loads`, then `fill`: several models' at once)."""
        self.tx, self.tables = tx, {table.name: table for table in model.tables}
        self.cache: dict[str, dict[Any, Any]] = {name: {} for name in self.tables}
        self.dirty: dict[str, set[Any]] = {name: set() for name in self.tables}
        self.streams, self.learned = streams, learned if learned is not None else set()
        if load:
            for table, statement, keys in self.loads():
                self.fill(table, keys, self.tx.query(statement, keys))

    def loads(self) -> list[tuple[str, str, list[Any]]]:
        """(table, SELECT, keys) of the prefetch: the batch's aggregates' rows of the learned tables."""
        keys, found = sorted(self.streams), []
        for table in sorted(self.learned & set(self.tables)):
            spec = self.tables[table]
            for start in range(0, len(keys), PREFETCH):
                chunk = keys[start : start + PREFETCH]
                marks = ", ".join("?" for _ in chunk)
                found.append((table, f"SELECT * FROM {table} WHERE {spec.key} IN ({marks})", chunk))
        return found

    def fill(self, table: str, keys: list[Any], rows: list[dict[str, Any]]) -> None:
        """The answer to one of `loads`: the rows found, and the others known absent."""
        key, cache = self.tables[table].key, self.cache[table]
        cache.update(dict.fromkeys(keys))
        for row in rows:
            cache[row[key]] = dict(row)

    def get(self, table: str, key: Any) -> dict[str, Any] | None:
        cached = self.cache[table].get(key, _ABSENT)
        if cached is _ABSENT:
            spec = self.tables[table]
            found = self.tx.query(f"SELECT * FROM {table} WHERE {spec.key} = ?", (key,))
            cached = dict(found[0]) if found else None
            self.cache[table][key] = cached
            if key in self.streams:
                self.learned.add(table)
        return cached

    def put(self, table: str, row: dict[str, Any]) -> None:
        key = row[self.tables[table].key]
        self.cache[table][key] = row
        self.dirty[table].add(key)

    def delete(self, table: str, key: Any) -> None:
        self.cache[table][key] = None
        self.dirty[table].add(key)

    def flush(self) -> None:
        """Upsert the changed rows and delete the removed ones: one call per table (the store writes them in one
        statement where that saves round trips)."""
        for name, keys in self.dirty.items():
            if not keys:
                continue
            cache = self.cache[name]
            kept = [row for key in keys if (row := cache[key]) is not None]
            gone = [key for key in keys if cache[key] is None]
            if kept:
                self.tx.upsert(self.tables[name], kept)
            if gone:
                self.tx.delete(self.tables[name], gone)
            keys.clear()


class MemoryRows:
    """Every row of a model being rebuilt from zero: the tables start empty, so a miss means absent."""

    def __init__(self, model: ReadModel) -> None:
        self.tables = {table.name: table for table in model.tables}
        self.data: dict[str, dict[Any, dict[str, Any]]] = {name: {} for name in self.tables}

    def get(self, table: str, key: Any) -> dict[str, Any] | None:
        return self.data[table].get(key)

    def put(self, table: str, row: dict[str, Any]) -> None:
        self.data[table][row[self.tables[table].key]] = row

    def delete(self, table: str, key: Any) -> None:
        self.data[table].pop(key, None)

    def rows(self, table: str) -> list[dict[str, Any]]:
        """The table's rows."""
        return list(self.data[table].values())
