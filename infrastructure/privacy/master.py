"""The master key (MOTCUA_DATA_KEY) that wraps every per-person data key, and the key's fingerprint."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from infrastructure.settings import Settings, SettingsError

VARIABLE = "MOTCUA_DATA_KEY"
FILE = "data.key"


class MasterKeyError(SettingsError):
    """The master key is missing, malformed or not the one the key store was wrapped with; the message says which."""


class MasterKey:
    """AES-256-GCM key wrapping; each wrapped value starts with the 8-byte fingerprint of the key that wrapped it."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise MasterKeyError(f"{VARIABLE} must be 32 bytes (base64 of 32 random bytes), not {len(key)} bytes")
        self._aes = AESGCM(key)
        self.fingerprint = hashlib.sha256(b"motcua/data-key/" + key).digest()[:8]

    def wrap(self, label: bytes, key: bytes) -> bytes:
        """The key encrypted under the master key, bound to its label (a key id or name)."""
        nonce = secrets.token_bytes(12)
        return self.fingerprint + nonce + self._aes.encrypt(nonce, key, label)

    def unwrap(self, label: bytes, wrapped: bytes) -> bytes:
        """The key back, or MasterKeyError naming the fingerprint it needs."""
        wrapped = bytes(wrapped)
        if wrapped[:8] != self.fingerprint:
            raise MasterKeyError(
                f"{VARIABLE} is not the key this store was wrapped with (it needs the key with "
                f"fingerprint {wrapped[:8].hex()}, this one is {self.fingerprint.hex()})"
            )
        try:
            return self._aes.decrypt(wrapped[8:20], wrapped[20:], label)
        except InvalidTag:
            raise MasterKeyError(
                f"a wrapped key ({label.decode()}) does not open with {VARIABLE}: "
                "it was altered or the store is damaged"
            ) from None

    def wrapped_by_me(self, wrapped: bytes) -> bool:
        """Whether this key wrapped the value (rotation skips those)."""
        return bytes(wrapped[:8]) == self.fingerprint


def parse(value: str, name: str = VARIABLE) -> MasterKey:
    """A master key from its base64 text."""
    try:
        return MasterKey(base64.b64decode(value.strip(), validate=True))
    except (binascii.Error, ValueError) as error:
        if isinstance(error, MasterKeyError):
            raise MasterKeyError(str(error).replace(VARIABLE, name)) from None
        raise MasterKeyError(
            f"{name} must be base64 of 32 random bytes "
            "(python -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')"
        ) from None


def master_key(settings: Settings) -> MasterKey:
    """MOTCUA_DATA_KEY, or (embedded SQLite only) a key generated once into the data dir."""
    value = settings.privacy.data_key
    if value:
        return parse(value)
    if settings.store == "postgres":
        raise MasterKeyError(f"set {VARIABLE} (base64 of 32 random bytes, the same in every process) with PostgreSQL")
    path = settings.data_dir / FILE
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:  # created readable by the owner only; a process racing us to create it loses and reads ours
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as file:
            file.write(base64.b64encode(secrets.token_bytes(32)).decode())
    return parse(path.read_text(), str(path))
