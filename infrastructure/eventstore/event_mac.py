"""Accountable appends: each stored event carries an HMAC under a key the database does not hold.

The application seals the encoded state as `{"~mac":"<64 hex>",<the state's own fields>}` (still JSON, so SQL
and BI tools read it as before); the MAC covers the originator id, version, topic and the state without it.
A row written by anyone without the key (a database administrator) has no valid MAC, and the audit chainer
refuses to link it (docs/AUDIT.md). Stdlib only: the mapper calls it on every write, so it must stay cheap.
"""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID

MAC_KEY_ENV = "MOTCUA_EVENT_MAC_KEY"
_PREFIX = b'{"~mac":"'
_END = len(_PREFIX) + 64  # the closing quote of the MAC


def mac_key(value: str) -> bytes:
    """The HMAC key derived from the configured secret (any length of text)."""
    return hashlib.sha256(b"motcua-event-mac/1\n" + value.encode()).digest()


def _mac(key: bytes, originator_id: bytes, version: int, topic: str, body: bytes) -> bytes:
    name = topic.encode()
    message = b"".join(
        (originator_id, version.to_bytes(8, "big", signed=True), len(name).to_bytes(4, "big"), name, body)
    )
    return hmac.digest(key, message, "sha256").hex().encode()


def seal(key: bytes, originator_id: UUID, version: int, topic: str, body: bytes) -> bytes:
    """The encoded state `body` (a JSON object) with its MAC as the first field."""
    mac = _mac(key, originator_id.bytes, version, topic, body)
    return _PREFIX + mac + (b'"}' if body == b"{}" else b'",' + body[1:])


def split(state: bytes) -> tuple[bytes | None, bytes]:
    """(the MAC, the state without it); (None, state) for a state stored without a MAC."""
    if not state.startswith(_PREFIX) or state[_END : _END + 1] != b'"':
        return None, state
    rest = state[_END + 1 :]
    return state[len(_PREFIX) : _END], b"{}" if rest == b"}" else b"{" + rest[1:]


def body_of(state: bytes) -> bytes:
    """The state as the application encoded it (what decoders read)."""
    return split(state)[1]


def verifies(key: bytes, originator_id: bytes, version: int, topic: str, state: bytes) -> bool:
    """Whether the stored row carries the MAC the application computed for exactly these values."""
    mac, body = split(state)
    return mac is not None and hmac.compare_digest(mac, _mac(key, originator_id, version, topic, body))
