"""Beyond one PostgreSQL box, on private clusters: a hot standby made with pg_basebackup, WAL archiving, a restore
from a base backup plus the archive, and the store's data made by the real applications."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from domain.values import Actor, Applicant, Channel, Role
from tests.fakes import FakeClock, WeekdayCalendar
from tests.faults.private_pg import BIN, PrivatePostgres
from tests.faults.support import DATA_KEY, free_port, wait_until
from tests.onestop_support import dossiers_on

OFFICER = Actor(account_id="officer-1", role=Role.RECEPTION_OFFICER)
PROCEDURE = "2.000635.000.00.00.H29"


class ArchivingPostgres(PrivatePostgres):
    """A primary that archives every finished WAL segment into `archive/` (what a base backup is replayed with)."""

    def __init__(self) -> None:
        super().__init__()
        self.archive = self.dir / "archive"
        self.archive.mkdir()
        shutil.chown(self.archive, "postgres", "postgres")
        with (self.dir / "data" / "postgresql.conf").open("a") as conf:
            conf.write(f"archive_mode = on\narchive_command = 'cp %p {self.archive}/%f'\n")

    def switch_wal(self) -> str:
        """Close the current WAL segment so it is archived; its name."""
        with psycopg.connect(autocommit=True, **self.conninfo) as conn:
            return conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()[0]

    def base_backup(self, target: Path) -> None:
        """pg_basebackup (plain format, with the WAL it needs) into `target`, a directory user postgres owns."""
        self._as_postgres(
            str(BIN / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-D",
            str(target),
            "-X",
            "stream",
            "-c",
            "fast",
        )


class Standby(PrivatePostgres):
    """A hot standby of `primary`: pg_basebackup -R (standby.signal, primary_conninfo), streaming replication."""

    def __init__(self, primary: PrivatePostgres) -> None:  # noqa: D107 - no initdb: the data is the primary's
        self.dir = Path(tempfile.mkdtemp(prefix="motcua-standby-"))
        self.dir.chmod(0o755)
        self.port = free_port()
        shutil.chown(self.dir, "postgres", "postgres")
        self._as_postgres(
            str(BIN / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(self.dir / "data"),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        )


class Restored(PrivatePostgres):
    """A new server from a base backup replaying the WAL archive to its end (recovery.signal, restore_command)."""

    def __init__(self, backup: Path, archive: Path) -> None:  # noqa: D107
        self.dir = Path(tempfile.mkdtemp(prefix="motcua-restored-"))
        self.dir.chmod(0o755)
        self.port = free_port()
        shutil.chown(self.dir, "postgres", "postgres")
        self._as_postgres("cp", "-a", str(backup), str(self.dir / "data"))
        with (self.dir / "data" / "postgresql.conf").open("a") as conf:
            conf.write(f"archive_mode = off\nrestore_command = 'cp {archive}/%f %p'\n")
        self._as_postgres("touch", str(self.dir / "data" / "recovery.signal"))

    def recover(self) -> Restored:
        """Start, and wait until the archive is replayed and the server takes writes (it opens read-only before)."""
        self.start()
        wait_until(lambda: not self._in_recovery(), 90, "the restored server finished its recovery")
        return self

    def _in_recovery(self) -> bool:
        with psycopg.connect(autocommit=True, **self.conninfo) as conn:
            return conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]


def store_env(pg: PrivatePostgres, schema: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The variables of a production process on `schema` of the private cluster."""
    return {
        "MOTCUA_STORE": "postgres",
        "POSTGRES_HOST": "127.0.0.1",
        "POSTGRES_PORT": str(pg.port),
        "POSTGRES_DBNAME": "postgres",
        "POSTGRES_USER": "postgres",
        "POSTGRES_PASSWORD": "",
        "POSTGRES_SCHEMA": schema,
        "MOTCUA_READ_SCHEMA": f"{schema}_read",
        "MOTCUA_DATA_DIR": str(data_dir),
        "MOTCUA_SECRET_KEY": "replica-tests-secret-key-0123456789abc",
        "MOTCUA_DATA_KEY": DATA_KEY,
        "MOTCUA_EVENT_MAC_KEY": "replica-tests-mac",
        "MOTCUA_PROJECTIONS": "external",
        "MOTCUA_NOTIFICATIONS": "external",
        "MOTCUA_AUDIT_CHECKPOINT_EVERY": "5",
    } | extra


def receive(env: dict[str, str], catalogue, count: int, first: int = 0) -> list[str]:
    """`count` dossiers received at the counter (codes), through the real application."""
    dossiers = dossiers_on(env, catalogue, WeekdayCalendar(), FakeClock())
    try:
        return [
            dossiers.receive(
                procedure_code=PROCEDURE,
                channel=Channel.COUNTER,
                components=[],
                applicant=Applicant(id_number=f"07919500{n:04d}", name="Lê Thị Vy", phone="0901000101"),
                actor=OFFICER,
            )[0]
            for n in range(first, first + count)
        ]
    finally:
        dossiers.app.close()


def count_events(pg: PrivatePostgres, schema: str, dbname: str = "postgres") -> int:
    with psycopg.connect(autocommit=True, **(pg.conninfo | {"dbname": dbname})) as conn:
        return conn.execute(f"SELECT count(*) FROM {schema}.onestop_events").fetchone()[0]


def run_as_postgres(*command: str) -> None:
    done = subprocess.run(["runuser", "-u", "postgres", "--", *command], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{command[0]} failed: {done.stderr[-2000:]}"
