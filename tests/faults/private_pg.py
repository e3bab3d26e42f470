"""A PostgreSQL cluster of one test alone, to stop and start without disturbing the shared one."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from tests.faults.support import free_port

BIN = Path("/usr/lib/postgresql/15/bin")


class PrivatePostgres:
    """initdb into a temporary directory owned by user postgres; pg_ctl start/stop on a free port."""

    def __init__(self) -> None:
        # Not under pytest's tmp_path: its parents are private to root and user postgres could not enter them.
        self.dir = Path(tempfile.mkdtemp(prefix="motcua-pg-"))
        self.dir.chmod(0o755)
        self.port = free_port()
        shutil.chown(self.dir, "postgres", "postgres")
        self._as_postgres(str(BIN / "initdb"), "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres", "-N")

    @property
    def conninfo(self) -> dict[str, str]:
        return {"host": "127.0.0.1", "port": str(self.port), "dbname": "postgres", "user": "postgres"}

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._as_postgres(
            str(BIN / "pg_ctl"),
            "-D",
            str(self.dir / "data"),
            "-o",
            options,
            "-l",
            str(self.dir / "server.log"),
            "-w",
            "start",
        )

    def create_schema(self, name: str) -> None:
        with psycopg.connect(autocommit=True, **self.conninfo) as conn:
            conn.execute(f"CREATE SCHEMA {name}")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (fast: open sessions are cut, as in a restart for maintenance)."""
        self._as_postgres(str(BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        """Stop if running and delete the cluster."""
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(BIN / "pg_ctl"),
                "-D",
                str(self.dir / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.dir, ignore_errors=True)

    def _as_postgres(self, *command: str) -> None:
        done = subprocess.run(
            ["runuser", "-u", "postgres", "--", *command], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"{command[0]} failed: {done.stderr[-2000:]}"
