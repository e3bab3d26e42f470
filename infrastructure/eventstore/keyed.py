"""New people's data keys stored in the append's own transaction, and the retry when another writer's key won.

Sealing an event for a person with no key yet makes the key in memory (infrastructure/privacy/keyring.py
`seal_deferred`); the stored event carries it (`KeyedStoredEvent.new_keys`) and the recorder inserts it in the same
transaction as the events (recorder.py on PostgreSQL, `KeyedSQLiteRecorder` on SQLite): one commit and one fsync per
append instead of one more per new person, and a stored event never names a key that did not commit.

Two writers (threads of two processes, or a durable `KeyRing.seal`) may make one person's key at once. The store keeps
the first; the recorder then finds its key id absent, rolls the whole append back and raises `KeyConflict` with the
losing subjects. `ResealingEventStore.put` tells the key ring (which takes the kept key), seals the events again and
retries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol

from eventsourcing.persistence import EventStore, Notification, Recording, StoredEvent

ATTEMPTS = 5


class NewKey(NamedTuple):
    """A data key made in memory, to be stored with the first events sealed under it."""

    subject: str  # the key store's subject: the keyed hash of whose key it is
    key_id: str
    wrapped: bytes


@dataclass(frozen=True)
class KeyedStoredEvent(StoredEvent):
    """A stored event sealed under keys that may not be stored yet: the recorder stores them in the same transaction."""

    new_keys: tuple[NewKey, ...] = ()


class KeyConflict(Exception):
    """Another writer stored a key for these subjects first; nothing of the append was stored."""

    def __init__(self, subjects: Sequence[str]) -> None:
        super().__init__(f"{len(subjects)} new data key(s) lost to another writer's")
        self.subjects = list(subjects)


class DeferringKeys(Protocol):
    """The key ring's side of deferred keys (infrastructure/privacy/keyring.py)."""

    def seal_deferred(self, subject: str, plaintext: bytes) -> tuple[str, bytes, NewKey | None]:
        """(key id, sealed bytes, the key if it may not be stored yet)."""

    def stored(self, key_ids: Iterable[str]) -> None:
        """These keys committed: later events need not carry them."""

    def lost(self, subjects: Iterable[str]) -> None:
        """Another writer's key for these subjects won: take the store's."""


def made_at() -> str:
    """The `created_at` of keys stored now (as the key store writes it)."""
    return datetime.now(UTC).isoformat()


def new_keys_of(stored_events: Sequence[StoredEvent]) -> list[NewKey]:
    """The distinct new keys the events carry, in order."""
    found: dict[str, NewKey] = {}
    for stored in stored_events:
        for key in getattr(stored, "new_keys", ()):
            found.setdefault(key.key_id, key)
    return list(found.values())


class ResealingEventStore(EventStore[Any]):
    """eventsourcing's EventStore whose `put` reseals and retries when a new key lost (`KeyConflict`)."""

    def put(self, domain_events: Sequence[Any], **kwargs: Any) -> list[Recording[Any]]:
        for attempt in range(ATTEMPTS):
            stored_events = list(map(self.mapper.to_stored_event, domain_events))
            try:
                ids = self.recorder.insert_events(stored_events, **kwargs)
            except KeyConflict as conflict:
                if attempt == ATTEMPTS - 1:
                    raise
                self.mapper.keys_lost(conflict.subjects)  # type: ignore[attr-defined]
                continue
            keys = new_keys_of(stored_events)
            if keys:
                self.mapper.keys_stored(key.key_id for key in keys)  # type: ignore[attr-defined]
            if not ids:
                return []
            return [
                Recording(d, Notification(s.originator_id, s.originator_version, s.topic, s.state, id=n))
                for d, s, n in zip(domain_events, stored_events, ids, strict=True)
            ]
        raise AssertionError("unreachable")
