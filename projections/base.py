"""A read model: its tables, and how each event type changes them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from projections.store import Tx

Handler = Callable[[Any, Tx, Any, int], None]


def on(*event_classes: type) -> Callable[[Handler], Handler]:
    """Mark a ReadModel method as the handler of these event classes."""

    def mark(method: Handler) -> Handler:
        method.__dict__.setdefault("_handles", []).extend(event_classes)
        return method
    return mark


class ReadModel:
    """Base of read models. Subclasses give `name`, `tables` (CREATE TABLE with portable types),
    `indexes`, and handlers decorated with `@on(EventClass)`: `handler(self, tx, event, position)`.
    A model is rebuilt by dropping its tables and replaying every event from position 0.
    """

    name: ClassVar[str]
    tables: ClassVar[dict[str, str]] = {}
    indexes: ClassVar[tuple[str, ...]] = ()
    _handlers: ClassVar[dict[type, Handler]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = {}
        for attribute in vars(cls).values():
            for event_class in getattr(attribute, "_handles", ()):
                cls._handlers[event_class] = attribute

    def handles(self, event: Any) -> bool:
        """Whether this model reacts to the event."""
        return type(event) in self._handlers

    def apply(self, tx: Tx, event: Any, position: int) -> None:
        """Change the rows for one event (inside the caller's transaction)."""
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(self, tx, event, position)

    def create(self, tx: Tx, ddl: Callable[[str], str]) -> None:
        """Create the tables and indexes if missing."""
        for name, columns in self.tables.items():
            tx.execute(ddl(f"CREATE TABLE IF NOT EXISTS {name} ({columns})"))
        for index in self.indexes:
            tx.execute(index)

    def drop(self, tx: Tx) -> None:
        """Drop the tables (before a rebuild)."""
        for name in self.tables:
            tx.execute(f"DROP TABLE IF EXISTS {name}")
