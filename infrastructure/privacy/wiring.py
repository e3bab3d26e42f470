"""Wiring of the key ring into a process's applications (called by the composition root)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from application.erasures import Erasures
from application.otp import Otps
from application.ports import Clock
from infrastructure.privacy.keyring import KeyRing
from infrastructure.settings import Settings


def key_ring(settings: Settings) -> KeyRing:
    """The key ring of the configured store (a wrong or missing MOTCUA_DATA_KEY stops the start here)."""
    return KeyRing.from_settings(settings)


def seal(keys: KeyRing, *apps: Any) -> None:
    """Store the applications' personal data sealed under per-person keys (docs/PRIVACY.md)."""
    for app in apps:
        app.mapper.keys = keys


def erasures(keys: KeyRing, env: Mapping[str, str], clock: Clock, otps: Otps, *apps: Any) -> Erasures:
    """The erasure service; after any erasure (here or elsewhere) the applications forget their cached aggregates."""
    seal(keys, otps, *apps)
    keys.listeners.append(lambda: drop_cached(otps, *apps))
    keys.watch()
    return Erasures(env, keys=keys, phone_key=otps.phone_key, clock=clock)


def drop_cached(*apps: Any) -> None:
    """Forget every cached aggregate: they may hold decrypted personal data of an erased person."""
    for app in apps:
        for aggregate_id in list(app.repository.cache.cache if app.repository.cache is not None else ()):
            app.evict(aggregate_id)
