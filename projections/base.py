"""A read model: its tables, and how each event type changes their rows.

Handlers work on rows held in memory (`Rows`), never on SQL: live processing loads the rows a batch
touches and writes them back once per batch; a rebuild keeps every row in memory and swaps the new
tables in with one bulk copy. Either way the rows and the tracking position commit together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from eventsourcing.utils import get_topic


@dataclass(frozen=True)
class Table:
    """A read-model table: ordered (name, portable type) columns and its primary key column."""

    name: str
    columns: tuple[tuple[str, str], ...]
    key: str
    column_names: tuple[str, ...] = ()
    _known: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(name for name, _ in self.columns))
        object.__setattr__(self, "_known", frozenset(self.column_names))  # checked on every new row of a rebuild

    def new_row(self, **values: Any) -> dict[str, Any]:
        """A row with every column, unset ones None."""
        unknown = values.keys() - self._known
        if unknown:
            raise KeyError(f"{self.name} has no column {sorted(unknown)[0]!r}")
        return dict.fromkeys(self.column_names) | values

    def ddl(self) -> str:
        """CREATE TABLE with the portable type words INT, TEXT, TS, DATE, BOOL."""
        columns = ", ".join(f"{name} {kind}" for name, kind in self.columns)
        return f"CREATE TABLE IF NOT EXISTS {self.name} ({columns}, PRIMARY KEY ({self.key}))"


class Rows(Protocol):
    """The rows of a read model's tables, as handlers see them."""

    def get(self, table: str, key: Any) -> dict[str, Any] | None: ...

    def put(self, table: str, row: dict[str, Any]) -> None: ...

    def delete(self, table: str, key: Any) -> None: ...


def existing(rows: Rows, table: str, key: Any) -> dict[str, Any]:
    """The row a handler relies on (written by an earlier event of the same stream); LookupError naming it if absent."""
    row = rows.get(table, key)
    if row is None:
        raise LookupError(f"{table} has no row {key}: the event that opens it was never processed")
    return row


Handler = Callable[[Any, Rows, Any, int], None]


def on(*event_classes: type) -> Callable[[Handler], Handler]:
    """Mark a ReadModel method as the handler of these event classes."""

    def mark(method: Handler) -> Handler:
        method.__dict__.setdefault("_handles", []).extend(event_classes)
        return method

    return mark


class ReadModel:
    """Base of read models: `name`, `tables`, `indexes`, and `@on(EventClass)` handlers
    `handler(self, rows, event, position)` that read rows with `rows.get` and write them with `rows.put`.
    """

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]] = ()
    indexes: ClassVar[tuple[str, ...]] = ()
    weight: ClassVar[float] = 1  # relative rebuild cost, for splitting models over processes
    _handlers: ClassVar[dict[type, Handler]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = {}
        for attribute in vars(cls).values():
            for event_class in getattr(attribute, "_handles", ()):
                cls._handlers[event_class] = attribute

    @classmethod
    def topics(cls) -> list[str]:
        """The stored topics of the events this model handles (a rebuild decodes no others)."""
        return [get_topic(event_class) for event_class in cls._handlers]

    def handles(self, event: Any) -> bool:
        """Whether this model reacts to the event."""
        return type(event) in self._handlers

    def handler_for(self, event_class: type) -> Callable[[Rows, Any, int], None] | None:
        """This model's handler of the event class, bound to the model (None if it does not handle it)."""
        handler = self._handlers.get(event_class)
        return None if handler is None else handler.__get__(self)

    def apply(self, rows: Rows, event: Any, position: int) -> None:
        """Change the rows for one event."""
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(self, rows, event, position)

    def table(self, name: str) -> Table:
        """The table with this name."""
        return next(table for table in self.tables if table.name == name)
