"""The arithmetic of the chain, shared by the live verifier and the offline bundle verifier (stdlib only).

digest_n = sha256(originator id (16 bytes) || version (8 bytes) || len(topic) (4 bytes) || topic || state)
link_n   = sha256(link_{n-1} || notification id n (8 bytes) || digest_n), link_0 = 32 zero bytes.
Keeping each row's digest beside its link lets a bundle prove one dossier's events up to a signed checkpoint
while showing only the digests, never the contents, of other citizens' events in between.
"""

from __future__ import annotations

import hashlib
from uuid import UUID

GENESIS = bytes(32)
CHECKPOINT_PREFIX = b"motcua-audit-checkpoint/1\n"


def id_bytes(originator_id: object) -> bytes:
    """The 16 bytes of an originator id, however the store returned it (uuid, bytes, hex or hyphenated text)."""
    if isinstance(originator_id, bytes):
        return originator_id
    if isinstance(originator_id, UUID):
        return originator_id.bytes
    try:
        return UUID(str(originator_id)).bytes
    except ValueError:  # not a UUID: someone wrote the row by hand; still hash it, so the digest differs
        return hashlib.sha256(str(originator_id).encode()).digest()[:16]


def row_digest(originator_id: bytes, version: int, topic: str, state: bytes) -> bytes:
    """The digest of one stored event (everything but its position)."""
    name = (topic or "").encode()
    if type(state) is not bytes:  # a hand-edited row may hold text or NULL: hash it, never fail on it
        state = state.encode() if isinstance(state, str) else bytes(state or b"")
    return hashlib.sha256(
        b"".join((originator_id, version.to_bytes(8, "big", signed=True), len(name).to_bytes(4, "big"), name, state))
    ).digest()


def next_link(previous: bytes, position: int, digest: bytes) -> bytes:
    """The link at `position`, covering the digest there and every link before it."""
    return hashlib.sha256(previous + position.to_bytes(8, "big") + digest).digest()


def checkpoint_message(position: int, link: bytes, signed_at: str, key_id: str) -> bytes:
    """The exact bytes a checkpoint signature covers."""
    return CHECKPOINT_PREFIX + f"{position}\n{link.hex()}\n{signed_at}\n{key_id}".encode()


def key_id_of(public_raw: bytes) -> str:
    """A short fingerprint of an Ed25519 public key (its 32 raw bytes)."""
    return hashlib.sha256(public_raw).hexdigest()[:16]
