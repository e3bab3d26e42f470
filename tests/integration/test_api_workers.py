"""`python -m api --workers 2` on PostgreSQL: both worker processes serve writes, the read models are kept by the
parent alone, and login throttling, sessions and logout hold across the workers.

Which worker holds a connection is read from /proc (the process owning the server side of the TCP connection), so
the test knows it sent requests to both workers instead of hoping the kernel spread them.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PG, fresh_schema
from tests.faults.support import Api, process_env, wait_until

pytestmark = pytest.mark.postgres

USERNAME, PASSWORD = "lan.workers", "Lan-tiep-nhan-quay-3"
SCRAPER = "scraper-token-of-the-workers-test-0123456789"
WRITES = 'motcua_http_requests_total{method="POST",route="/dossiers",status="201"}'
PROCEDURES = ("1.001193.000.00.00.H29", "2.000815.000.00.00.H29", "2.000200.000.00.00.H29")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    data_dir = tmp_path_factory.mktemp("workers")
    with fresh_schema("w", ("_read", "_read_private")) as schema:
        env = process_env(
            PG, schema, data_dir, MOTCUA_PROJECTIONS="inprocess", MOTCUA_API_WORKERS="2", MOTCUA_METRICS_TOKEN=SCRAPER
        )
        create_officer(env)
        server = Api(env, data_dir / "api.log")
        server.args = ["api"]  # the worker count comes from MOTCUA_API_WORKERS
        server.start()
        try:
            server.wait_healthy()
            wait_until(lambda: len(worker_pids(server)) == 2, 120, "two workers serving")
            yield server
        finally:
            server.stop()


def create_officer(env: dict[str, str]) -> None:
    """A reception officer of the district, made through the application before the API starts."""
    script = (
        "from infrastructure.bootstrap import build\n"
        "from infrastructure.settings import Settings\n"
        "from domain.values import Actor, Role\n"
        "system = build(Settings.from_env())\n"
        f"system.accounts.create_account({USERNAME!r}, {PASSWORD!r}, name='Lan', role=Role.RECEPTION_OFFICER, "
        "agency='H29.06', actor=Actor(account_id='setup', role=Role.ADMINISTRATOR))\n"
        "system.close()\n"
    )
    subprocess.run(
        [sys.executable, "-c", script], env=env | {"MOTCUA_PROJECTIONS": "external"}, check=True, cwd=env["PYTHONPATH"]
    )


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def worker_pids(api: Api) -> set[int]:
    """The API processes among the parent's children (not multiprocessing's helpers)."""
    assert api.popen is not None
    return {pid for pid in children(api.popen.pid) if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text()}


def owner(conn: http.client.HTTPConnection, pids: set[int]) -> int:
    """The worker holding the server side of this keep-alive connection (/proc/net/tcp, then the workers' fds)."""
    assert conn.sock is not None
    client_port = conn.sock.getsockname()[1]
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        remote_port = int(fields[2].split(":")[1], 16)
        if remote_port == client_port:
            inodes.add(fields[9])
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return pid
    raise AssertionError(f"no worker holds the connection from port {client_port}")


def request(conn: http.client.HTTPConnection, method: str, path: str, body: Any = None, token: str | None = None):
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    answer = conn.getresponse()
    return answer.status, json.loads(answer.read() or b"null")


def on_worker(api: Api, pid: int) -> http.client.HTTPConnection:
    """A fresh keep-alive connection held by worker `pid` (new connections until the kernel hands one to it); used
    at once, well within the server's keep-alive timeout."""
    for _ in range(400):
        conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=60)
        assert request(conn, "GET", "/health/live")[0] == 200
        if owner(conn, worker_pids(api)) == pid:
            return conn
        conn.close()
    raise AssertionError(f"the kernel never gave worker {pid} a connection")


def login(conn: http.client.HTTPConnection, password: str = PASSWORD) -> tuple[int, Any]:
    return request(conn, "POST", "/auth/login", {"username": USERNAME, "password": password})


def write(conn: http.client.HTTPConnection, n: int, token: str) -> tuple[int, Any]:
    """POST /dossiers: a paper dossier of its own applicant, one procedure per agency in turn."""
    body = {
        "procedure_code": PROCEDURES[n % 3],
        "channel": "counter",
        "applicant": {"id_number": f"0791{n:08d}", "name": f"Người Thử {n}", "phone": f"09{n:08d}"},
        "components": [{"name": "Tờ khai", "form": "original", "count": 1}],
    }
    return request(conn, "POST", "/dossiers", body, token)


def test_writes_from_both_workers_land_and_are_projected_by_the_parent_only(api: Api) -> None:
    workers = sorted(worker_pids(api))
    status, session = login(on_worker(api, workers[0]))
    assert status == 200, session
    token, codes = session["token"], []
    for n in range(20):
        status, body = write(on_worker(api, workers[n % 2]), n, token)
        assert status == 201, body  # a token issued by one worker is accepted by the other
        codes.append(body["code"])
    assert len(set(codes)) == 20  # twenty dossiers, whichever worker received them

    # Only the parent keeps the read models: the workers run with MOTCUA_PROJECTIONS=external.
    assert api.popen is not None
    assert environ(api.popen.pid)["MOTCUA_PROJECTIONS"] == "inprocess"
    assert {environ(pid)["MOTCUA_PROJECTIONS"] for pid in worker_pids(api)} == {"external"}
    conn = on_worker(api, workers[1])
    wait_until(
        lambda: all(lag["events_behind"] == 0 for lag in request(conn, "GET", "/views/lag", token=token)[1]),
        60,
        "the read models to catch up",
    )
    status, page = request(conn, "GET", "/views/queues/to_accept?page_size=200", token=token)
    assert status == 200 and page["total"] == 20, page  # every write is in the officers' queue, once
    assert sorted(row["code"] for row in page["items"]) == sorted(codes)

    # Whichever worker answers the scrape counts the writes of both.
    for pid in workers:
        assert f"{WRITES} 20.0" in scrape(on_worker(api, pid)).splitlines()


def scrape(conn: http.client.HTTPConnection) -> str:
    conn.request("GET", "/metrics", headers={"Authorization": f"Bearer {SCRAPER}"})
    answer = conn.getresponse()
    assert answer.status == 200
    return answer.read().decode()


def test_login_throttle_and_logout_hold_across_workers(api: Api) -> None:
    first, second = sorted(worker_pids(api))
    status, session = login(on_worker(api, first))
    assert status == 200
    assert request(on_worker(api, second), "GET", "/auth/me", token=session["token"])[0] == 200
    assert request(on_worker(api, first), "POST", "/auth/logout", {}, token=session["token"])[0] == 204
    # revoked on the other worker too (its own "not revoked" answer is trusted for at most a second)
    wait_until(
        lambda: request(on_worker(api, second), "GET", "/auth/me", token=session["token"])[0] == 401,
        30,
        "logout on the other worker",
    )

    # Five wrong passwords spread over both workers lock the account on both.
    for pid in (first, second, first, second, first):
        assert login(on_worker(api, pid), "sai-mat-khau-roi")[0] == 401
    for pid in (second, first):
        status, body = login(on_worker(api, pid))
        assert status == 429 and body["error"] == "too_many_attempts", body


def test_the_parent_and_every_worker_log_json_lines(api: Api) -> None:
    """uvicorn's supervisor (parent) and server (each spawned worker) lines go through the JSON log set-up too."""
    lines = api.log.read_text(encoding="utf-8").splitlines()
    entries = [parsed(line, lines) for line in lines]
    started = {e["message"].split(" [")[0] for e in entries if e["logger"].startswith("uvicorn")}
    assert {"Started parent process", "Started server process"} <= started
    # One start per worker, and one more for each worker that failed to start and was replaced (it logs why).
    replaced = sum(e["message"] == "API worker did not start" for e in entries)
    assert sum(e["message"].startswith("Started server process") for e in entries) == 2 + replaced, entries


def test_a_worker_that_cannot_start_stops_the_api_with_a_json_line_saying_why(tmp_path: Path) -> None:
    """A setting only the workers use (the counter's face models) is wrong: each worker logs why in one JSON line
    and the API exits with uvicorn's start-up failure code instead of restarting workers for good. (A worker's
    failure used to reach the log as multiprocessing's bare traceback, 'Process SpawnProcess-2:'.)"""
    models = tmp_path / "no-models"
    models.mkdir()
    with fresh_schema("wf", ("_read", "_read_private")) as schema:
        env = process_env(PG, schema, tmp_path, MOTCUA_API_WORKERS="2", MOTCUA_FACE_MODEL_DIR=str(models))
        server = Api(env, tmp_path / "api.log")
        server.args = ["api"]
        server.start()
        try:
            assert server.popen is not None
            assert server.popen.wait(120) == 3, server.tail()
        finally:
            server.stop()
    lines = server.log.read_text(encoding="utf-8").splitlines()
    entries = [parsed(line, lines) for line in lines]
    refused = [e for e in entries if e["message"].startswith("API worker cannot start")]
    assert refused and all("face detection model not found" in e["message"] for e in refused), entries
    assert any("stopping the parent process" in e["message"] for e in entries), entries


def parsed(line: str, lines: list[str]) -> dict[str, Any]:
    """One JSON log line; a line that is not JSON fails with the whole log, to show what printed it."""
    try:
        entry: dict[str, Any] = json.loads(line)
    except json.JSONDecodeError:
        raise AssertionError("a log line is not JSON:\n" + "\n".join(lines)) from None
    return entry
