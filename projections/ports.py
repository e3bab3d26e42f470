"""What read models and their queries need of a database (infrastructure/readstore/ implements it).

Read models write SQL with `?` placeholders and the type words INT, TEXT, TS (timestamp), DATE, BOOL;
each store translates them to its dialect.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from projections.base import Table


class Tx(Protocol):
    """A transaction on the read store."""

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None: ...

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...

    def load(self, table: str, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
        """Bulk-insert rows (dicts by column name) into an empty table."""

    def upsert(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        """Insert rows (dicts by column name, one per key), replacing the stored rows that have their keys."""

    def delete(self, table: Table, keys: Sequence[Any]) -> None:
        """Delete the rows that have these keys."""


class ReadStore(Protocol):
    """A database for read models."""

    dialect: str

    def transaction(self) -> Any: ...

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...

    def ddl(self, statement: str) -> str: ...

    def columns(self, tx: Tx, table: str) -> list[str]: ...

    def close(self) -> None: ...
