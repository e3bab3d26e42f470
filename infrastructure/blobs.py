"""Blob store on the filesystem: files sealed under their subject's data key, named by a keyed hash, checked on read.

A file that names a person (receipt form, scan, result, vault document) is encrypted under that person's data key
(application/privacy.py), so an erasure, which destroys the key, makes the file unreadable too. Its name is a keyed
hash (the key ring's HMAC) of the plaintext's SHA-256: the hash events and the public verify use maps to the file,
while the name says nothing to whoever lists the directory. Files stored in clear before sealing (named by their
plain SHA-256) are still read; storing the same bytes again seals them and removes the clear copy.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from application.errors import NotFoundError
from application.privacy import DocumentErasedError, PersonalDataKeys
from domain.vault_errors import check_sha256  # a name outside 64 hex digits could escape the root
from infrastructure.settings import Settings

DEFAULT_BLOB_DIR = "var/blobs"
FILE = ("file", "tệp")
MAGIC = b"MCBLOB1"  # version of the sealed layout: MAGIC, key id length (1 byte), key id, nonce and ciphertext
SEALED = ".sealed"


class BlobCorruptedError(RuntimeError):
    """A stored file no longer opens or hashes to its name: the disk or someone changed it."""


def seal(keys: PersonalDataKeys, subject: str, data: bytes) -> bytes:
    """The stored form of the bytes: sealed under the subject's data key, with the key id in front."""
    key_id, sealed = keys.seal(subject, data)
    return MAGIC + bytes([len(key_id)]) + key_id.encode() + sealed


def open_sealed(keys: PersonalDataKeys, stored: bytes, name: str) -> bytes:
    """The bytes of a stored blob: DocumentErasedError if their key was destroyed, BlobCorruptedError if damaged."""
    size = stored[len(MAGIC)] if stored.startswith(MAGIC) and len(stored) > len(MAGIC) else 0
    start = len(MAGIC) + 1 + size
    if not size or len(stored) < start:
        raise BlobCorruptedError(f"stored file {name} is not a sealed blob")
    try:
        data = keys.open(stored[len(MAGIC) + 1 : start].decode("ascii"), stored[start:])
    except (RuntimeError, UnicodeDecodeError) as error:  # altered ciphertext, or a key id nobody knows
        raise BlobCorruptedError(f"stored file {name} does not open: {error}") from None
    if data is None:
        raise DocumentErasedError()
    return data


class FilesystemBlobStore:
    """BlobStore under `root`, sharded as ab/cd/abcd…; a file once written is never changed (only re-sealed)."""

    def __init__(self, root: Path | str, keys: PersonalDataKeys) -> None:
        self.root, self.keys = Path(root), keys

    @classmethod
    def from_settings(cls, keys: PersonalDataKeys, settings: Settings) -> FilesystemBlobStore:
        """The store under MOTCUA_BLOB_DIR (default <data dir>/blobs), sealing with this key ring."""
        return cls(settings.blob_dir, keys)

    def path(self, sha256: str) -> Path:
        """Where the sealed file of the bytes with this hash lives."""
        name = self.keys.subject_hash(f"blob:{check_sha256(sha256)}")
        return self.root / name[:2] / name[2:4] / (name + SEALED)

    def clear_path(self, sha256: str) -> Path:
        """Where a file stored in clear before sealing lives (named by its plain hash)."""
        check_sha256(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes, subject: str) -> str:
        """Store the bytes sealed under the subject's key (once) and return their SHA-256."""
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path(sha256)
        if not self._readable(target, sha256):  # absent, damaged or erased: keep the bytes given again
            target.parent.mkdir(parents=True, exist_ok=True)
            self._write_atomically(target, seal(self.keys, subject, data))
        self.clear_path(sha256).unlink(missing_ok=True)  # a clear copy would outlive an erasure
        return sha256

    def get(self, sha256: str) -> bytes:
        """The bytes stored under the hash: NotFoundError if absent, DocumentErasedError if their key was destroyed,
        BlobCorruptedError if they changed."""
        try:
            data = self._open(self.path(sha256).read_bytes(), sha256)
        except FileNotFoundError:
            data = self._read_clear(sha256)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobCorruptedError(f"stored file {sha256} does not match its hash")
        return data

    def exists(self, sha256: str) -> bool:
        """Whether a file with this hash is stored (erased or not)."""
        return self.path(sha256).is_file() or self.clear_path(sha256).is_file()

    def _readable(self, target: Path, sha256: str) -> bool:
        try:
            return target.is_file() and hashlib.sha256(self._open(target.read_bytes(), sha256)).hexdigest() == sha256
        except (DocumentErasedError, BlobCorruptedError):
            return False

    def _open(self, stored: bytes, name: str) -> bytes:
        return open_sealed(self.keys, stored, name)

    def _read_clear(self, sha256: str) -> bytes:
        try:
            return self.clear_path(sha256).read_bytes()
        except FileNotFoundError:
            raise NotFoundError(*FILE, sha256) from None

    @staticmethod
    def _write_atomically(target: Path, data: bytes) -> None:
        # Write beside the target, flush to disk, then rename: readers see the whole file or none.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o400)  # never changed once written; readable by the service user only
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
