"""The restore drill of docs/OPERATIONS.md: the store is lost after a base backup; the base backup plus the WAL archive
rebuild it to its last archived write, a logical dump of the event schema restores it into another database, and
the audit chain verifies on both."""

from __future__ import annotations

from pathlib import Path

import pytest

from infrastructure.audit.__main__ import main as audit
from infrastructure.settings import Settings
from tests.faults.private_pg import BIN
from tests.faults.replica_pg import ArchivingPostgres, Restored, count_events, receive, run_as_postgres, store_env
from tests.faults.support import wait_until

SCHEMA = "drill"


def test_a_base_backup_and_the_wal_archive_or_a_logical_dump_rebuild_a_store_whose_audit_chain_verifies(
    tmp_path: Path, catalogue, monkeypatch
) -> None:
    primary, restored = ArchivingPostgres(), None
    data_dir = tmp_path / "var"  # the checkpoint key and its anchors: kept apart from the database, as in production
    try:
        primary.start()
        primary.create_schema(SCHEMA)
        _use(monkeypatch, store_env(primary, SCHEMA, data_dir))
        settings = Settings.from_env()
        receive(settings.event_store_env(), catalogue, 4)
        assert audit(["keygen"]) == 0 and audit(["chain"]) == 0
        backup = primary.dir / "base"
        primary.base_backup(backup)  # nightly
        receive(settings.event_store_env(), catalogue, 3, first=4)  # the day goes on after the backup
        assert audit(["chain"]) == 0
        expected = count_events(primary, SCHEMA)
        dump = primary.dir / "events.dump"
        run_as_postgres(
            str(BIN / "pg_dump"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-n",
            SCHEMA,
            "-Fc",
            "-f",
            str(dump),
            "postgres",
        )
        last = primary.switch_wal()
        wait_until(lambda: (primary.archive / last).is_file(), 60, "the last WAL segment was archived")
        primary.stop("immediate")  # the box is gone

        restored = Restored(backup, primary.archive)
        restored.recover()  # replays the archive to its end, then opens for writes
        assert count_events(restored, SCHEMA) == expected  # nothing written after the backup is missing
        _use(monkeypatch, store_env(restored, SCHEMA, data_dir))
        assert audit(["verify"]) == 0

        # The logical dump of the event schema, restored into a fresh database of the rebuilt server.
        run_as_postgres(
            str(BIN / "createdb"), "-h", "127.0.0.1", "-p", str(restored.port), "-U", "postgres", "fromdump"
        )
        run_as_postgres(
            str(BIN / "pg_restore"),
            "-h",
            "127.0.0.1",
            "-p",
            str(restored.port),
            "-U",
            "postgres",
            "-d",
            "fromdump",
            str(dump),
        )
        assert count_events(restored, SCHEMA, dbname="fromdump") == expected
        _use(monkeypatch, store_env(restored, SCHEMA, data_dir, POSTGRES_DBNAME="fromdump"))
        assert audit(["verify"]) == 0
    finally:
        for server in (restored, primary):
            if server is not None:
                server.remove()


def test_the_drill_detects_a_restore_that_lost_writes(tmp_path: Path, catalogue, monkeypatch, capsys) -> None:
    """Control: a base backup alone (no WAL after it) misses the afternoon, and verify notices the chain is ahead."""
    primary, restored = ArchivingPostgres(), None
    data_dir = tmp_path / "var"
    try:
        primary.start()
        primary.create_schema(SCHEMA)
        _use(monkeypatch, store_env(primary, SCHEMA, data_dir))
        settings = Settings.from_env()
        receive(settings.event_store_env(), catalogue, 2)
        assert audit(["keygen"]) == 0 and audit(["chain"]) == 0
        backup = primary.dir / "base"
        primary.base_backup(backup)
        receive(settings.event_store_env(), catalogue, 8, first=2)
        assert audit(["chain"]) == 0  # checkpoints of the afternoon are anchored outside the database
        primary.stop("immediate")
        empty = primary.dir / "empty-archive"
        run_as_postgres("mkdir", str(empty))
        restored = Restored(backup, empty)
        restored.recover()
        _use(monkeypatch, store_env(restored, SCHEMA, data_dir))
        capsys.readouterr()
        assert audit(["verify"]) == 1  # tampering or loss found, not a usage error
        assert "anchor_beyond_head" in capsys.readouterr().out  # the anchors outside the database saw further
    finally:
        for server in (restored, primary):
            if server is not None:
                server.remove()


def _use(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    """The audit CLI reads this process's environment, as the `motcua audit` process would."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
