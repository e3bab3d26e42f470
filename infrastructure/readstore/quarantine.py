"""Quarantine of a read model that fails on an event: it stops just before that event; the others go on.

The log is immutable, so an event that a model cannot apply (a value its columns cannot hold, a handler's bug)
would fail again on every retry; without a quarantine it stopped every read model for good. The quarantined
model keeps its rows and position, the failure is recorded (the exception's type and the event's class only:
exception texts may quote personal data) and shown by /views/lag; `release` lets it retry once fixed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
import psycopg

from infrastructure.readstore.rows import BatchRows
from infrastructure.readstore.store import upsert_sql
from projections.base import ReadModel, Table
from projections.ports import ReadStore, Tx

QUARANTINED = Table(
    "projection_quarantine",
    (("name", "TEXT"), ("position", "INT NOT NULL"), ("error", "TEXT NOT NULL"), ("quarantined_at", "TS")),
    "name",
)
RECORD = upsert_sql(QUARANTINED)  # (name, position, error, quarantined_at)
# The database is down or busy: that is no fault of the event, so the batch is retried rather than quarantined.
TRANSIENT = (psycopg.OperationalError, psycopg.InterfaceError, sqlite3.OperationalError, sqlite3.InterfaceError)


class Quarantine(msgspec.Struct, frozen=True):
    """Where a read model stopped and why."""

    position: int
    error: str


def quarantined(store: ReadStore) -> dict[str, Quarantine]:
    """The quarantined read models by name."""
    rows = store.query("SELECT name, position, error FROM projection_quarantine")
    return {row["name"]: Quarantine(position=row["position"], error=row["error"]) for row in rows}


def release(store: ReadStore, name: str) -> None:
    """Let a quarantined model retry from where it stopped (after its handler or its columns were fixed)."""
    with store.transaction() as tx:
        tx.execute("DELETE FROM projection_quarantine WHERE name = ?", (name,))


def apply_batch(
    tx: Tx,
    model: ReadModel,
    events: list[tuple[int, Any]],
    position: int,
    set_position: Callable[[int], None],
    learned: set[str] | None = None,
) -> Quarantine | None:
    """Apply the events past `position` to the model inside a savepoint; on a failure, apply them one at a time to
    find the event at fault, keep what came before it and quarantine the model there (its position set to the event
    before). None when all applied: the caller then records the model's new position. `learned`: see BatchRows."""
    tx.execute("SAVEPOINT model_batch")
    try:
        streams = frozenset(str(event.originator_id) for _, event in events)
        rows = BatchRows(tx, model, streams, learned)
        for notification_id, event in events:
            if notification_id > position:
                model.apply(rows, event, notification_id)
        rows.flush()
    except TRANSIENT:
        raise
    except Exception:  # noqa: BLE001 - any fault of the model: found and recorded below
        tx.execute("ROLLBACK TO SAVEPOINT model_batch")
        return _one_at_a_time(tx, model, [(n, e) for n, e in events if n > position], set_position)
    tx.execute("RELEASE SAVEPOINT model_batch")
    return None


def apply_plain(tx: Tx, work: list[tuple[ReadModel, list[tuple[int, Any]], set[str]]]) -> None:
    """Apply each (model, its events, its learned tables) and write the rows, with no savepoint: any failure
    propagates (the caller then rolls the whole batch back and goes through `apply_batch`). Every model's prefetch
    is asked at once (one round trip in a pipelined transaction)."""
    held = [
        (model, events, BatchRows(tx, model, frozenset(str(e.originator_id) for _, e in events), learned, load=False))
        for model, events, learned in work
    ]
    loads = [(rows, table, statement, keys) for _, _, rows in held for table, statement, keys in rows.loads()]
    query_all = getattr(tx, "query_all", None)
    statements = [(statement, keys) for _, _, statement, keys in loads]
    answers = query_all(statements) if query_all else [tx.query(statement, keys) for statement, keys in statements]
    for (rows, table, _, keys), found in zip(loads, answers, strict=True):
        rows.fill(table, keys, found)
    for model, events, rows in held:
        for notification_id, event in events:
            model.apply(rows, event, notification_id)
        rows.flush()


def _one_at_a_time(
    tx: Tx, model: ReadModel, events: list[tuple[int, Any]], set_position: Callable[[int], None]
) -> Quarantine | None:
    rows, done = BatchRows(tx, model), None
    for notification_id, event in events:
        tx.execute("SAVEPOINT model_event")
        try:
            model.apply(rows, event, notification_id)
            rows.flush()
        except TRANSIENT:
            raise
        except Exception as error:  # noqa: BLE001 - recorded, never re-raised: the other models go on
            tx.execute("ROLLBACK TO SAVEPOINT model_event")
            found = Quarantine(position=notification_id, error=f"{type(error).__name__} on {type(event).__qualname__}")
            tx.execute(RECORD, (model.name, notification_id, found.error, datetime.now(UTC)))
            if done is not None:
                set_position(done)
            return found
        tx.execute("RELEASE SAVEPOINT model_event")
        done = notification_id
    if done is not None:  # the batch's failure did not recur event by event: nothing to quarantine
        set_position(done)
    return None
