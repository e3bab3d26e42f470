"""Blob store in the event database (table `onestop_blobs` beside `onestop_events`): what API replicas share.

The same sealing as the filesystem store (infrastructure/blobs.py): each row holds the bytes sealed under their
subject's data key, keyed by the key ring's HMAC of their SHA-256, so an erasure makes the row unreadable and the
table's keys say nothing. A row once written is only replaced when it no longer opens (erased, then given again).
"""

from __future__ import annotations

import hashlib
import threading

from psycopg import sql
from psycopg_pool import ConnectionPool

from application.errors import NotFoundError
from application.privacy import DocumentErasedError, PersonalDataKeys
from domain.vault_errors import check_sha256
from infrastructure.blobs import FILE, BlobCorruptedError, FilesystemBlobStore, open_sealed, seal
from infrastructure.settings import Settings

TABLE = "onestop_blobs"


class PostgresBlobStore:
    """BlobStore over one table of the event database; every process on that database sees every blob."""

    def __init__(self, conninfo: str, schema: str, keys: PersonalDataKeys, pool_size: int = 2) -> None:
        self.keys, self.conninfo, self.pool_size = keys, conninfo, pool_size
        self.table = sql.Identifier(schema or "public", TABLE)
        self._pool: ConnectionPool | None = None
        self._opening = threading.Lock()

    @property
    def pool(self) -> ConnectionPool:
        """Opened on first use: most processes build the store and never touch a document, so they hold no
        connection for it (a development server's 100 connections are shared by every process)."""
        with self._opening:
            if self._pool is None:
                pool = ConnectionPool(self.conninfo, min_size=0, max_size=self.pool_size, open=True)
                with pool.connection() as conn:
                    conn.execute(
                        sql.SQL(
                            "CREATE TABLE IF NOT EXISTS {} (name text PRIMARY KEY, sealed bytea NOT NULL, "
                            "stored_at timestamptz NOT NULL DEFAULT now())"
                        ).format(self.table)
                    )
                self._pool = pool
            return self._pool

    def name(self, sha256: str) -> str:
        """The row key of the bytes with this hash (a keyed hash: the table does not reveal the documents)."""
        return self.keys.subject_hash(f"blob:{check_sha256(sha256)}")

    def put(self, data: bytes, subject: str) -> str:
        """Store the bytes sealed under the subject's key (once) and return their SHA-256."""
        sha256 = hashlib.sha256(data).hexdigest()
        if not self._readable(sha256):  # absent, damaged or erased: keep the bytes given again
            with self.pool.connection() as conn:
                conn.execute(
                    sql.SQL(
                        "INSERT INTO {} (name, sealed) VALUES (%s, %s) ON CONFLICT (name) DO UPDATE "
                        "SET sealed = excluded.sealed, stored_at = now()"
                    ).format(self.table),
                    (self.name(sha256), seal(self.keys, subject, data)),
                )
        return sha256

    def get(self, sha256: str) -> bytes:
        """The bytes stored under the hash: NotFoundError if absent, DocumentErasedError if their key was destroyed,
        BlobCorruptedError if they changed."""
        stored = self._row(sha256)
        if stored is None:
            raise NotFoundError(*FILE, sha256)
        data = open_sealed(self.keys, stored, sha256)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobCorruptedError(f"stored file {sha256} does not match its hash")
        return data

    def exists(self, sha256: str) -> bool:
        """Whether a blob with this hash is stored (erased or not)."""
        return self._row(sha256) is not None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()

    def _row(self, sha256: str) -> bytes | None:
        with self.pool.connection() as conn:
            row = conn.execute(
                sql.SQL("SELECT sealed FROM {} WHERE name = %s").format(self.table), (self.name(sha256),)
            ).fetchone()
        return None if row is None else bytes(row[0])

    def _readable(self, sha256: str) -> bool:
        try:
            self.get(sha256)
        except (NotFoundError, DocumentErasedError, BlobCorruptedError):
            return False
        return True


def blob_store(keys: PersonalDataKeys, settings: Settings) -> PostgresBlobStore | FilesystemBlobStore:
    """The configured blob store: the event database's table with PostgreSQL (shared by every replica), else files
    under MOTCUA_BLOB_DIR; `MOTCUA_BLOB_STORE=files` keeps files with PostgreSQL (one host, or a shared volume)."""
    if settings.store == "postgres" and settings.files.blob_store == "database":
        return PostgresBlobStore(settings.postgres_conninfo(), settings.postgres.schema, keys)
    return FilesystemBlobStore.from_settings(keys, settings)
