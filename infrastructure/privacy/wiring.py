"""Wiring of the key ring into a process's application (called by the composition root and the entry points)."""

from __future__ import annotations

from application.base import OneStop
from infrastructure.privacy.keyring import KeyRing
from infrastructure.settings import Settings


def key_ring(settings: Settings) -> KeyRing:
    """The key ring of the configured store (a wrong or missing MOTCUA_DATA_KEY stops the start here)."""
    return KeyRing.from_settings(settings)


def seal(keys: KeyRing, app: OneStop) -> None:
    """Store the application's personal data sealed under per-person keys (docs/PRIVACY.md)."""
    app.mapper.keys = keys  # type: ignore[attr-defined]  # the MsgspecMapper of infrastructure/eventstore


def drop_cached(app: OneStop) -> None:
    """Forget every cached aggregate: they may hold decrypted personal data of an erased person."""
    for aggregate_id in list(app.repository.cache.cache if app.repository.cache is not None else ()):
        app.evict(aggregate_id)
