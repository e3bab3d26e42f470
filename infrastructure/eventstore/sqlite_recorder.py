"""The SQLite application recorder that stores new data keys in the append's own transaction (keyed.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from infrastructure.eventstore.keyed import KeyConflict, made_at, new_keys_of
from infrastructure.privacy.store import KEYS


class KeyedSQLiteRecorder(SQLiteApplicationRecorder):
    """eventsourcing's SQLite application recorder; the events' new keys go first, in the same transaction.

    The key store (infrastructure/privacy/store.py) keeps its table in the same file. A key whose subject already has
    another key is not stored: the append raises KeyConflict and its transaction rolls back."""

    stores_keys = True

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        keys = new_keys_of(stored_events)
        if keys:
            made = made_at()
            c.executemany(
                f"INSERT INTO {KEYS} (key_id, subject, wrapped, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [(key.key_id, key.subject, key.wrapped, made) for key in keys],
            )
            c.execute(
                f"SELECT key_id FROM {KEYS} WHERE key_id IN ({', '.join('?' * len(keys))})",
                [key.key_id for key in keys],
            )
            present = {row[0] for row in c.fetchall()}
            lost = [key.subject for key in keys if key.key_id not in present]
            if lost:
                raise KeyConflict(lost)
        return super()._insert_events(c, stored_events, **kwargs)
