"""NKEY users of the kiosk bus: one per kiosk, allowed only that kiosk's subjects, and the core's own.

A kiosk publishes its device events and heartbeats and subscribes to its command subject; its JetStream acks
come back on its own inbox prefix (`_INBOX.<kiosk>`), and it may answer the core's requests (`allow_responses`)
without being able to publish on any other reply subject. Another kiosk's subjects are refused by the server.
"""

from __future__ import annotations

import os
import re

import msgspec
import nkeys

KIOSK_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")  # a subject token: no dots, spaces or wildcards


class NatsUser(msgspec.Struct, frozen=True):
    """A user of the server config: its public NKEY and what it may publish and subscribe to."""

    name: str
    public_key: str
    publish: tuple[str, ...]
    subscribe: tuple[str, ...]
    allow_responses: bool = False


def new_seed() -> str:
    """A new NKEY user seed (`SU…`): the secret the process keeps; the server only knows its public key."""
    return nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER).decode()


def public_key(seed: str) -> str:
    """The public NKEY (`U…`) of a user seed."""
    return nkeys.from_seed(seed.encode()).public_key.decode()


def inbox_prefix(kiosk: str) -> str:
    """Where a kiosk receives its replies (JetStream acks): its own inbox, so it never reads another kiosk's."""
    return f"_INBOX.{check_kiosk(kiosk)}"


def check_kiosk(kiosk: str) -> str:
    if not KIOSK_KEY.fullmatch(kiosk):
        raise ValueError(f"kiosk key {kiosk!r} must be letters, digits, '-' or '_' (a NATS subject token)")
    return kiosk


def kiosk_user(kiosk: str, seed: str, prefix: str = "kiosk") -> NatsUser:
    """Only this kiosk's subjects: publish `<prefix>.<kiosk>.events.>` and `.heartbeat`, subscribe `.commands`."""
    base = f"{prefix}.{check_kiosk(kiosk)}"
    return NatsUser(
        name=f"kiosk {kiosk}",
        public_key=public_key(seed),
        publish=(f"{base}.events.>", f"{base}.heartbeat"),
        subscribe=(f"{base}.commands", f"{inbox_prefix(kiosk)}.>"),
        allow_responses=True,
    )


def core_user(seed: str) -> NatsUser:
    """The core's processes (device-event consumer, fleet, API doors, chainer anchors): the whole bus."""
    return NatsUser(name="core", public_key=public_key(seed), publish=(">",), subscribe=(">",))
