"""HTTP requests/s and p50/p99 of the API on PostgreSQL at concurrency 16, beside a bare Litestar hello endpoint.

Run by hand:  .venv/bin/python -m bench.api [--seconds 15] [--warmup 3] [--workers N] [--rounds 3]
Last line:    ratio <write rps / hello rps>

Served as production serves them (compose.yaml): bench/hello_app.py and the real API each by uvicorn in their own
process (one worker, or `--workers N` processes for both; uvicorn picks uvloop and httptools, dependencies of the
project, for both), the API with MOTCUA_PROJECTIONS=external on a scratch schema, and the read models kept by their
own process (`python -m projections run`, woken by each commit), whose CPU is reported beside the API's. Hello and
writes are measured in alternating rounds (`--rounds`, `--seconds` split between them; before each hello round the
read models finish the previous writes, so their backlog does not weigh on hello). This process is the
load generator: 16 keep-alive HTTP/1.1 connections on asyncio, each sending its next request as soon as the
answer arrives. Measured: the hello endpoint, POST /dossiers (a paper dossier received, distinct applicants) and
GET /views/queues/to_accept?page_size=20 over the dossiers the writes left there.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import importlib.util
import itertools
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import PG, machine, progress, scratch_schema  # noqa: E402
from domain.values import Actor, Role  # noqa: E402
from infrastructure.bootstrap import build  # noqa: E402
from infrastructure.settings import Settings  # noqa: E402
from infrastructure.signing.pki import ensure_dev_pki  # noqa: E402

HOST = "127.0.0.1"
CONCURRENCY = 16
USERNAME, PASSWORD = "bench.reception", "bench-password-0123456789"
# A code sequence is per agency and day (at most 9,999 codes), so the writes rotate over one procedure per agency.
PROCEDURES = ("1.001193.000.00.00.H29", "2.000815.000.00.00.H29", "2.000200.000.00.00.H29")
QUEUE_READ = "/views/queues/to_accept?page_size=20"
HELLO, WRITE, READ = "GET /hello (bare Litestar)", "POST /dossiers", f"GET {QUEUE_READ}"


@dataclass
class Result:
    """Latencies (ms) of one measured run, its length and the answers that were not the expected status."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    server_cpu: float = 0.0  # CPU seconds the server process used during the run
    projector_cpu: float = 0.0  # CPU seconds the read models' process used during the run

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return statistics.median(ordered) if fraction == 0.5 else ordered[int(len(ordered) * fraction) - 1]

    def line(self, name: str) -> str:
        return (
            f"{name:42} {self.rps:8.0f} /s  p50 {self.percentile(0.5):7.2f} ms  p99 {self.percentile(0.99):7.2f} ms"
            f"  server CPU {1000 * self.server_cpu / len(self.latencies):5.2f} ms/req"
            f"  read models {1000 * self.projector_cpu / len(self.latencies):5.2f} ms/req  errors {len(self.errors)}"
        )


def message(method: str, path: str, port: int, token: str | None = None, body: bytes | None = None) -> bytes:
    """The bytes of one HTTP/1.1 keep-alive request."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[int, bytes]:
    """Send one request and read its answer; Litestar frames every answer with Content-Length."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(head[9:12]), await reader.readexactly(int(value))
    raise ValueError(f"answer without Content-Length: {head[:200]!r}")


async def drive(port: int, make: Callable[[], bytes], expected: int, seconds: float) -> Result:
    """CONCURRENCY connections sending requests back to back for `seconds`."""
    result = Result()
    connections = [await asyncio.open_connection(HOST, port) for _ in range(CONCURRENCY)]
    deadline = time.perf_counter() + seconds

    async def worker(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            status, body = await exchange(reader, writer, make())
            result.latencies.append((time.perf_counter() - started) * 1000)
            if status != expected:
                result.errors.append(f"{status} {body[:300].decode(errors='replace')}")

    started = time.perf_counter()
    await asyncio.gather(*(worker(reader, writer) for reader, writer in connections))
    result.seconds = time.perf_counter() - started
    for _, writer in connections:
        writer.close()
    return result


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its live descendants (the workers of `--workers N`) (/proc)."""
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
    tree, total = {pid}, 0.0
    for child, fields in sorted(stats.items()):  # a parent's pid is lower than its children's, short of wrap-around
        if int(fields[1]) in tree:
            tree.add(child)
    for member in tree & stats.keys():
        total += int(stats[member][11]) + int(stats[member][12])
    return total / os.sysconf("SC_CLK_TCK")


@dataclass
class Target:
    """Where requests go (port) and whose CPU they cost: the server's process tree and the read models' process."""

    port: int
    server: int
    projector: int | None = None


def measure(
    name: str, target: Target, make: Callable[[], bytes], expected: int, args: argparse.Namespace, warmup: float
) -> Result:
    """A warm-up run (its errors count too), then the measured run of `args.seconds / args.rounds`."""
    warm_up = asyncio.run(drive(target.port, make, expected, warmup)) if warmup else Result()
    projector = target.projector
    before, before_projector = cpu_seconds(target.server), cpu_seconds(projector) if projector else 0.0
    result = asyncio.run(drive(target.port, make, expected, args.seconds / args.rounds))
    result.server_cpu = cpu_seconds(target.server) - before
    result.projector_cpu = cpu_seconds(projector) - before_projector if projector else 0.0
    result.errors[:0] = warm_up.errors
    progress(result.line(name))
    for error in result.errors[:5]:
        progress(f"  error: {error}")
    return result


def merged(rounds: list[Result]) -> Result:
    """The rounds of one measurement as one result."""
    return Result(
        seconds=sum(r.seconds for r in rounds),
        latencies=[latency for r in rounds for latency in r.latencies],
        errors=[error for r in rounds for error in r.errors],
        server_cpu=sum(r.server_cpu for r in rounds),
        projector_cpu=sum(r.projector_cpu for r in rounds),
    )


def receive_requests(port: int, token: str) -> Callable[[], bytes]:
    """POST /dossiers bodies, each with its own applicant (synthetic ID number and phone)."""
    numbers = itertools.count(1)

    def make() -> bytes:
        return message("POST", "/dossiers", port, token, receive_body(next(numbers)))

    return make


def receive_body(n: int) -> bytes:
    """The JSON body of the n-th paper dossier received: its own applicant, one procedure per agency in turn."""
    body = {
        "procedure_code": PROCEDURES[n % len(PROCEDURES)],
        "channel": "counter",
        "applicant": {"id_number": f"0791{n:08d}", "name": f"Người Đo Thử {n}", "phone": f"09{n:08d}"},
        "components": [{"name": "Tờ khai", "form": "original", "count": 1}],
    }
    return json.dumps(body, ensure_ascii=False).encode()


def call(port: int, path: str, token: str | None = None, body: dict | None = None, timeout: float = 5.0) -> dict:
    """One plain request outside the measured runs (readiness, login, lag); raises on an error status."""
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    request = urllib.request.Request(
        f"http://{HOST}:{port}{path}", headers=headers, data=json.dumps(body).encode() if body else None
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return json.loads(answer.read())


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def serve(argv: list[str], env: dict[str, str], port: int | None, ready_path: str, log: Path) -> Iterator[int]:
    """A process (its pid), up once `ready_path` answers on `port` (no port: once started); stopped (SIGTERM, then
    SIGKILL) afterwards."""
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, *argv], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while port is not None:
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text()[-2000:]
                raise RuntimeError(f"{' '.join(argv)} did not start (exit {process.poll()}):\n{tail}")
            try:
                call(port, ready_path, timeout=1)
                break
            except OSError:
                time.sleep(0.3)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def server_stack() -> str:
    """uvicorn's choice under `--loop auto --http auto`: uvloop and httptools when installed."""
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"{loop} and {'httptools' if importlib.util.find_spec('httptools') else 'h11'}"


def api_env(schema: str, data_dir: str, port: int) -> dict[str, str]:
    """The API's environment: events and read models in the scratch schema, notifications sent elsewhere."""
    return {
        "MOTCUA_STORE": "postgres",
        "POSTGRES_HOST": PG["host"],
        "POSTGRES_PORT": PG["port"],
        "POSTGRES_DBNAME": PG["dbname"],
        "POSTGRES_USER": PG["user"],
        "POSTGRES_SCHEMA": schema,
        "MOTCUA_READ_SCHEMA": schema,
        "MOTCUA_PROJECTIONS": "external",  # as compose.yaml: the read models are their own process's
        "MOTCUA_NOTIFICATIONS": "external",
        "MOTCUA_SECRET_KEY": secrets.token_hex(32),
        "MOTCUA_DATA_KEY": base64.b64encode(os.urandom(32)).decode(),
        "MOTCUA_DATA_DIR": data_dir,
        "MOTCUA_DEMO": "0",
        "MOTCUA_API_HOST": HOST,
        "MOTCUA_API_PORT": str(port),
        "MOTCUA_DEV_PKI_DIR": str(Path(data_dir) / "pki"),  # made beforehand (make_dev_pki), as `make stack` does
        "MOTCUA_EVENT_MAC_KEY": "bench-event-mac-key",  # production stores every event with its MAC
    }


def make_dev_pki(data_dir: str) -> None:
    """The development PKI the API reads in production mode (no process writes keys at start-up)."""
    ensure_dev_pki(Path(data_dir) / "pki")


def create_officer() -> None:
    """A reception officer of the district (its scope covers the ward and police agencies too)."""
    system = build(Settings.from_env())
    try:
        system.accounts.create_account(
            USERNAME,
            PASSWORD,
            name="Cán bộ đo hiệu năng",
            role=Role.RECEPTION_OFFICER,
            agency="H29.06",
            actor=Actor(account_id="bench", role=Role.ADMINISTRATOR),
        )
    finally:
        system.close()


def caught_up(port: int, token: str) -> float:
    """Wait until the read models have applied every write (so the projector's backlog is not measured with the
    next round); the seconds it took."""
    started = time.perf_counter()
    while any(lag["events_behind"] for lag in call(port, "/views/lag", token)):
        if time.perf_counter() - started > 300:
            raise RuntimeError("read models did not catch up within 5 minutes")
        time.sleep(0.1)
    return time.perf_counter() - started


def settle_read_models(port: int, token: str, schema: str) -> None:
    """Let the read models finish the writes' backlog, so the reads do not compete with it, then give the
    planner the statistics and visibility map that autovacuum would after such a burst (as bench.queues does)."""
    progress(f"read models caught up {caught_up(port, token):.1f} s after the writes")
    with psycopg.connect(autocommit=True, **PG) as conn:
        conn.execute(f"VACUUM ANALYZE {schema}.dossiers")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=1, help="server processes, the same for hello and the API")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of hello and writes")
    args = parser.parse_args()
    progress(f"machine: {machine()}")
    progress(
        f"concurrency {CONCURRENCY}, {args.workers} server process(es), "
        f"{args.warmup:g} s warm-up + {args.seconds:g} s each; "
        f"load average before the run {os.getloadavg()[0]:.2f} (other processes share the cores)"
    )
    progress(f"uvicorn serves both with {server_stack()}")
    results: dict[str, Result] = {}
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp, scratch_schema() as schema:
        hello_port, port = free_port(), free_port()
        hello = ["-m", "uvicorn", "bench.hello_app:app", "--host", HOST, "--port", str(hello_port), "--no-access-log"]
        hello += ["--workers", str(args.workers)] if args.workers > 1 else []
        # This process takes the API's environment, so its build() (to create the officer) sees what the API sees.
        os.environ.update(api_env(schema, tmp, port))
        make_dev_pki(tmp)
        create_officer()
        api = ["-m", "api", "--workers", str(args.workers)]
        with (
            serve(["-m", "projections", "run"], dict(os.environ), None, "", Path(tmp) / "projections.log") as keeper,
            serve(hello, dict(os.environ), hello_port, "/hello", Path(tmp) / "hello.log") as hello_server,
            serve(api, dict(os.environ), port, "/health", Path(tmp) / "api.log") as server,
        ):
            hello_target, target = Target(hello_port, hello_server), Target(port, server, keeper)
            token = call(port, "/auth/login", body={"username": USERNAME, "password": PASSWORD})["token"]
            greeting, writes = message("GET", "/hello", hello_port), receive_requests(port, token)
            # Rounds alternate between the two, so a load that comes and goes on a shared machine weighs on both.
            rounds: dict[str, list[Result]] = {HELLO: [], WRITE: []}
            for n in range(args.rounds):
                warmup = args.warmup if n == 0 else 0.0
                if n:
                    progress(f"read models caught up {caught_up(port, token):.1f} s after the round's writes")
                rounds[HELLO].append(measure(HELLO, hello_target, lambda: greeting, 200, args, warmup))
                rounds[WRITE].append(measure(WRITE, target, writes, 201, args, warmup))
            results[HELLO], results[WRITE] = merged(rounds[HELLO]), merged(rounds[WRITE])
            settle_read_models(port, token, schema)
            progress(f"to_accept holds {call(port, QUEUE_READ, token)['total']} dossiers")
            read = message("GET", QUEUE_READ, port, token)
            results[READ] = measure(READ, target, lambda: read, 200, args, args.warmup)
    print()
    for name, result in results.items():
        print(result.line(name))
    errors = sum(len(result.errors) for result in results.values())
    print(f"errors: {errors}")
    print(f"ratio {results[WRITE].rps / results[HELLO].rps:.2f}")


if __name__ == "__main__":
    main()
