"""Wiring of the key ring into a process's application (called by the composition root and the entry points)."""

from __future__ import annotations

from application.base import OneStop
from infrastructure.eventstore.mapper import MsgspecMapper
from infrastructure.privacy.keyring import KeyRing
from infrastructure.settings import Settings


def key_ring(settings: Settings) -> KeyRing:
    """The key ring of the configured store (a wrong or missing MOTCUA_DATA_KEY stops the start here)."""
    return KeyRing.from_settings(settings)


def seal(keys: KeyRing, app: OneStop) -> None:
    """Store the application's personal data sealed under per-person keys (docs/PRIVACY.md)."""
    if not isinstance(app.mapper, MsgspecMapper):
        raise TypeError(f"the application's mapper {type(app.mapper).__name__} cannot seal personal data")
    app.mapper.keys = keys
    if keys.store.beside_events and getattr(app.recorder, "stores_keys", False):
        app.mapper.deferred = keys  # new people's keys are stored in the append's own transaction (keyed.py)


def drop_cached(app: OneStop) -> None:
    """Forget every cached aggregate: they may hold decrypted personal data of an erased person."""
    for aggregate_id in list(app.repository.cache.cache if app.repository.cache is not None else ()):
        app.evict(aggregate_id)
