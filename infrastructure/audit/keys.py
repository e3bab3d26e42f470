"""The Ed25519 key that signs chain checkpoints: a PEM file made once by `keygen`, and the pinned public half."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from infrastructure.audit.links import key_id_of
from infrastructure.settings.areas import AuditSettings

PUBLIC_KEY_ENV = "MOTCUA_AUDIT_PUBLIC_KEY"


class AuditKeyError(ValueError):
    """The checkpoint key file cannot be used; the message names it."""


def key_file(settings: AuditSettings, data_dir: Path) -> Path:
    """MOTCUA_AUDIT_KEY_FILE, or <data dir>/audit/checkpoint-key.pem."""
    return settings.key_file or data_dir / "audit" / "checkpoint-key.pem"


def public_file(private_file: Path) -> Path:
    """Where the public half is exported: beside the private key, `<name>.pub.pem`."""
    return private_file.with_name(private_file.name.removesuffix(".pem") + ".pub.pem")


class PublicKey:
    """Checks checkpoint signatures."""

    def __init__(self, pem: bytes) -> None:
        try:
            key = serialization.load_pem_public_key(pem)
        except ValueError as error:
            raise AuditKeyError(f"not a PEM public key: {error}") from None
        if not isinstance(key, Ed25519PublicKey):
            raise AuditKeyError("the checkpoint key must be an Ed25519 key")
        self.key, self.pem = key, pem
        self.key_id = key_id_of(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))

    def verifies(self, signature: bytes, message: bytes) -> bool:
        """Whether the signature over the message is this key's."""
        try:
            self.key.verify(bytes(signature), message)
        except InvalidSignature:
            return False
        return True


class SigningKey(PublicKey):
    """Signs checkpoints; a PEM file whose public half lies beside it."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self.private = private
        super().__init__(
            private.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )

    def sign(self, message: bytes) -> bytes:
        """An Ed25519 signature of the message."""
        return self.private.sign(message)

    @classmethod
    def generate(cls, path: Path) -> SigningKey:
        """A new key written to `path` (0600) with its public half beside it; never overwrites either file."""
        if path.exists() or public_file(path).exists():
            raise AuditKeyError(f"{path} or its .pub.pem already exists: a checkpoint key is never replaced silently")
        path.parent.mkdir(parents=True, exist_ok=True)
        private = Ed25519PrivateKey.generate()
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        key = cls(private)
        public_file(path).write_bytes(key.pem)
        return key

    @classmethod
    def load(cls, path: Path) -> SigningKey:
        """The key in `path`. A missing file stops the caller: a new key would re-seal whatever the database holds."""
        if not path.is_file():
            raise AuditKeyError(
                f"no checkpoint signing key at {path}: restore it, or create the first one with `keygen`"
            )
        try:
            private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError) as error:
            raise AuditKeyError(f"{path} is not an unencrypted PEM private key: {error}") from None
        if not isinstance(private, Ed25519PrivateKey):
            raise AuditKeyError(f"{path} must hold an Ed25519 key")
        key, public = cls(private), public_file(path)
        if public.exists() and public.read_bytes() != key.pem:
            raise AuditKeyError(
                f"{public} is not the public half of {path}: the published key and the signing key differ"
            )
        return key


def pinned_public_key(given: Path | None, settings: AuditSettings, data_dir: Path) -> PublicKey:
    """The public key `verify` trusts: --public-key, else MOTCUA_AUDIT_PUBLIC_KEY, else the .pub.pem `keygen` wrote.

    It is read, never derived from the private key nor regenerated, so whoever swaps keys is caught."""
    source = given or settings.public_key or public_file(key_file(settings, data_dir))
    if not source.is_file():
        raise AuditKeyError(f"no checkpoint public key at {source}: pass --public-key or set {PUBLIC_KEY_ENV}")
    return PublicKey(source.read_bytes())
