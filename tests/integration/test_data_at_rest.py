"""Data files are the service user's only, SQLite overwrites what it deletes, expired idempotency answers are purged."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from infrastructure.bootstrap import build
from infrastructure.idempotency import IdempotencyStore, Remembered
from infrastructure.readstore.store import SqliteReadStore
from infrastructure.settings import Settings


@pytest.fixture
def world_readable_umask():
    """The usual login umask (022): what the process had before it set its own."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_every_data_file_and_directory_is_readable_by_the_service_user_only(
    tmp_path: Path, world_readable_umask
) -> None:
    data = tmp_path / "var"
    system = build(Settings(data_dir=data, notifications="external"))
    system.accounts.tokens  # noqa: B018 - the system is up: events, read models, keys, PKI written
    system.vaults.blobs.put(b"%PDF-1.4 any bytes", "id:079195000101")
    system.close()
    found = list(data.rglob("*"))
    assert any(p.name == "events.sqlite3" for p in found) and any(p.name == "readmodels.sqlite3" for p in found)
    loose = [
        f"{p.relative_to(data)} {stat.filemode(p.stat().st_mode)}" for p in [data, *found] if p.stat().st_mode & 0o077
    ]
    assert loose == []


def test_every_sqlite_connection_overwrites_deleted_content(tmp_path: Path) -> None:
    system = build(Settings(data_dir=tmp_path, notifications="external"))
    with system.app.factory.datastore.transaction(commit=False) as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1
    for store in (system.projector.store, system.idempotency.store):
        with store.transaction() as tx:
            assert list(tx.query("PRAGMA secure_delete")[0].values()) == [1]
    system.close()


def test_expired_idempotency_answers_are_purged_when_a_new_key_is_claimed(tmp_path: Path) -> None:
    store = IdempotencyStore(SqliteReadStore(tmp_path / "idempotency.sqlite3"))
    then = datetime(2026, 5, 20, 8, tzinfo=UTC)
    assert store.claim("old", "f", then) is None
    store.remember("old", Remembered(status=201, content_type="application/json", body=b'{"name": "Nguyen Van A"}'))
    assert store.claim("new", "g", then + timedelta(hours=25)) is None
    with store.store.transaction() as tx:
        assert [row["id"] for row in tx.query("SELECT id FROM api_idempotency")] == ["new"]
    store.close()
