"""Real processes for the fault tests: environments, start/kill/wait, and a look at the stored events."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[2]
SECRET = "fault-tests-secret-key-0123456789abcdef"
DATA_KEY = "ZmF1bHQtdGVzdHMtZGF0YS1rZXktMzItYnl0ZXMhISE="  # base64 of 32 bytes: the personal-data master key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_env(pg: dict[str, str], schema: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of one production process on `schema` of the database `pg` (host, port, dbname, user)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "POSTGRES_"))}
    return (
        env
        | {
            "PYTHONPATH": str(ROOT),
            "MOTCUA_STORE": "postgres",
            "POSTGRES_HOST": pg["host"],
            "POSTGRES_PORT": str(pg["port"]),
            "POSTGRES_DBNAME": pg["dbname"],
            "POSTGRES_USER": pg["user"],
            "POSTGRES_PASSWORD": "",
            "POSTGRES_SCHEMA": schema,
            "MOTCUA_READ_SCHEMA": f"{schema}_read",
            "MOTCUA_DATA_DIR": str(data_dir),
            "MOTCUA_SECRET_KEY": SECRET,
            "MOTCUA_DATA_KEY": DATA_KEY,
            "MOTCUA_PROJECTIONS": "external",
            "MOTCUA_NOTIFICATIONS": "external",
            "MOTCUA_DEV_PKI_DIR": extra.get("MOTCUA_DEV_PKI_DIR") or str(dev_pki(data_dir)),
        }
        | extra
    )


def dev_pki(data_dir: Path) -> Path:
    """A development PKI made before the processes start: in production mode none of them creates keys."""
    from infrastructure.signing.pki import ensure_dev_pki

    return ensure_dev_pki(data_dir / "pki").directory


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll `condition` until true; fail naming `what` after `seconds` (a generous bound, never a timed assertion)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.1)


class Process:
    """One `python -m ...` child with its output in a log file; killed at the end whatever happened."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        with self.log.open("a") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", *self.args], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        return self

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """kill -9: no shutdown hook runs."""
        if self.running():
            self.popen.send_signal(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(10)

    def stop(self) -> None:
        if self.running():
            self.popen.terminate()
            try:
                self.popen.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


class Api(Process):
    """`python -m api` on a free port."""

    def __init__(self, env: dict[str, str], log: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        super().__init__(["api"], env | {"MOTCUA_API_PORT": str(self.port)}, log)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_healthy(self, seconds: float = 120) -> Api:
        deadline = time.monotonic() + seconds
        while not self.healthy():
            assert self.running() and time.monotonic() < deadline, f"API did not start:\n{self.tail()}"
            time.sleep(0.2)
        return self


def stored_events(pg: dict[str, Any], schema: str) -> list[tuple[str, dict[str, Any]]]:
    """(topic, state) of every stored event, in log order, read straight from the events table."""
    with psycopg.connect(autocommit=True, **pg) as conn:
        rows = conn.execute(f"SELECT topic, state FROM {schema}.onestop_events ORDER BY notification_id").fetchall()
    return [(topic, json.loads(bytes(state))) for topic, state in rows]
