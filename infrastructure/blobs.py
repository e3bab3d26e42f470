"""Content-addressed blob store on the filesystem: files named by their SHA-256, written atomically, checked on read."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from application.errors import NotFoundError
from domain.vault_errors import check_sha256  # a name outside 64 hex digits could escape the root

BLOB_DIR_ENV = "MOTCUA_BLOB_DIR"
DEFAULT_BLOB_DIR = "var/blobs"
FILE = ("file", "tệp")


class BlobCorruptedError(RuntimeError):
    """A stored file no longer hashes to its name: the disk or someone changed it."""


class FilesystemBlobStore:
    """BlobStore under `root`, sharded as ab/cd/abcd…; a file once written is never changed."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> FilesystemBlobStore:
        """The store under MOTCUA_BLOB_DIR (default var/blobs)."""
        return cls(environ.get(BLOB_DIR_ENV) or DEFAULT_BLOB_DIR)

    def path(self, sha256: str) -> Path:
        """Where the file with this hash lives."""
        check_sha256(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Store the bytes (once) and return their SHA-256."""
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path(sha256)
        if target.is_file():
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        self._write_atomically(target, data)
        return sha256

    def get(self, sha256: str) -> bytes:
        """The bytes stored under the hash; NotFoundError if absent, BlobCorruptedError if they changed."""
        try:
            data = self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise NotFoundError(*FILE, sha256) from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobCorruptedError(f"stored file {sha256} does not match its hash")
        return data

    def exists(self, sha256: str) -> bool:
        """Whether a file with this hash is stored."""
        return self.path(sha256).is_file()

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
