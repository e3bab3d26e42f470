"""The Ed25519 key that signs chain checkpoints: a PEM file, created on first use like the development PKI."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from infrastructure.audit.links import key_id_of

KEY_FILE_ENV = "MOTCUA_AUDIT_KEY_FILE"
log = logging.getLogger("motcua.audit")


class AuditKeyError(ValueError):
    """The checkpoint key file cannot be used; the message names it."""


def key_file(data_dir: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """MOTCUA_AUDIT_KEY_FILE, or <data dir>/audit/checkpoint-key.pem."""
    return Path(environ.get(KEY_FILE_ENV) or data_dir / "audit" / "checkpoint-key.pem")


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
    """Signs checkpoints; loaded from (or created at) a PEM file whose public half is exported beside it."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self.private = private
        super().__init__(private.public_key().public_bytes(serialization.Encoding.PEM,
                                                           serialization.PublicFormat.SubjectPublicKeyInfo))

    def sign(self, message: bytes) -> bytes:
        """An Ed25519 signature of the message."""
        return self.private.sign(message)

    @classmethod
    def load_or_create(cls, path: Path) -> SigningKey:
        """The key in `path`; a new one is generated (0600) when the file does not exist."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                             serialization.NoEncryption())
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(pem)
            log.warning("generated a new checkpoint signing key at %s; keep it safe and publish its .pub.pem", path)
        try:
            private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError) as error:
            raise AuditKeyError(f"{path} is not an unencrypted PEM private key: {error}") from None
        if not isinstance(private, Ed25519PrivateKey):
            raise AuditKeyError(f"{path} must hold an Ed25519 key")
        key = cls(private)
        public = public_file(path)
        if not public.exists() or public.read_bytes() != key.pem:
            public.write_bytes(key.pem)
        return key
