"""Where the server CPU of one `POST /dossiers` goes: cProfile over the API's ASGI app, in this process.

Run by hand:  .venv/bin/python -m bench.api_profile [--requests 400] [--top 25] [--projector]

The real app (`api.app.create_app` over `infrastructure.bootstrap.build`, PostgreSQL in a scratch schema, production
settings as bench/api.py gives them) is called through its ASGI interface one request after another, with Litestar's
worker-thread hand-off run inline so that the profiler sees the handler too (uvicorn's HTTP parsing is not included:
it is the same for the bare hello of bench/api.py). Printed, per request: CPU time, the profile grouped by layer
(own time of each function, by package), the SQL statements sent, the functions of interest (token checks, JSON
encoding, catalogue and key-ring lookups) and the top functions by cumulative time. `--projector` profiles the
read models' catch-up over the same writes too (what an in-process projector adds per write, off the request path).

cProfile's own overhead inflates each figure roughly alike (about ×1.5–2); the counts (calls per request) are exact.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import PASSWORD, USERNAME, api_env, create_officer, make_dev_pki, receive_body  # noqa: E402
from bench.common import machine, progress, scratch_schema  # noqa: E402

LAYERS = (  # first match wins: (label, path fragment)
    ("uvicorn/h11 (not run here)", "/uvicorn/"),
    ("litestar (routing, DI, msgspec parsing, responses)", "/litestar/"),
    ("psycopg + pool (protocol, adaptation)", "/psycopg"),
    ("eventsourcing (mapper, recorder, aggregate)", "/eventsourcing/"),
    ("msgspec", "msgspec"),
    ("cryptography (personal-data sealing)", "/cryptography/"),
    ("api/ (middleware, guards, controllers)", "/api/"),
    ("application/", "/application/"),
    ("domain/", "/domain/"),
    ("infrastructure/eventstore", "/infrastructure/eventstore/"),
    ("infrastructure/privacy (key ring)", "/infrastructure/privacy/"),
    ("infrastructure/ other", "/infrastructure/"),
    ("projections/", "/projections/"),
    ("python stdlib", "/lib/python3"),
)
WATCH = {  # label: (file fragment, function name)
    "SQL statements (psycopg Cursor.execute)": ("psycopg/cursor.py", "execute"),
    "token checks (Tokens.check)": ("application/tokens.py", "check"),
    "revocation checks (GuardStore.is_revoked)": ("infrastructure/guards.py", "is_revoked"),
    "event store saves (GroupCommit.commit)": ("infrastructure/eventstore/group_commit.py", "commit"),
    "personal-data keys stored on their own (KeyRing._create)": ("infrastructure/privacy/keyring.py", "_create"),
    "personal-data keys made for an append (KeyRing._make)": ("infrastructure/privacy/keyring.py", "_make"),
    "catalogue ward lists (Catalogue.wards)": ("domain/procedures.py", "wards"),
    "procedure lookups (Dossiers.procedure_for)": ("application/dossiers.py", "procedure_for"),
    "JSON encodes (msgspec.json.encode)": ("~", "<method 'encode' of 'msgspec.json.Encoder' objects>"),
    "metrics recorded (Operations._record)": ("api/metrics.py", "_record"),
}


class Inline(ThreadPoolExecutor):
    """Runs Litestar's `sync_to_thread` work on the calling thread, so one profiler sees the whole request."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 - handed to the awaiting coroutine
            future.set_exception(error)
        return future


async def call(app: Any, method: str, path: str, body: bytes, token: str | None) -> tuple[int, bytes]:
    """One request through the ASGI app; its status and body."""
    headers = [
        (b"host", b"bench"),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    answer: dict[str, Any] = {"status": 0, "body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], answer["body"]


@contextmanager
def statements() -> Iterator[Counter[str]]:
    """Counts the SQL statements psycopg sends meanwhile, by their text (the same statement in every request)."""
    import psycopg

    sent: Counter[str] = Counter()
    execute = psycopg.Cursor.execute

    def counted(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        text = query if isinstance(query, str) else getattr(query, "_obj", None) or repr(query)
        sent[" ".join(str(text).split())[:90]] += 1
        return execute(self, query, *args, **kwargs)

    psycopg.Cursor.execute = counted  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        psycopg.Cursor.execute = execute  # type: ignore[method-assign]


def layer_of(filename: str) -> str:
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins (C functions: hashing, I/O waits, encoding)"
    for label, fragment in LAYERS:
        if fragment in filename:
            return label
    return "other"


def report(stats: pstats.Stats, requests: int, top: int) -> None:
    """The profile per request: by layer, watched functions, top cumulative."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values())
    layers: dict[str, float] = defaultdict(float)
    for (filename, _, _), (_, _, tottime, _, _) in raw.items():
        layers[layer_of(filename)] += tottime
    progress(f"\nown time by layer (profiled total {1000 * total / requests:.2f} ms per request):")
    for label, seconds in sorted(layers.items(), key=lambda item: -item[1]):
        progress(f"  {1000 * seconds / requests:6.3f} ms  {100 * seconds / total:5.1f} %  {label}")
    progress("\ncalls per request:")
    for label, (fragment, name) in WATCH.items():
        calls = sum(
            entry[1] for (filename, _, function), entry in raw.items() if fragment in filename and function == name
        )
        progress(f"  {calls / requests:7.2f}  {label}")
    progress(f"\ntop {top} functions by cumulative time (ms per request):")
    rows = sorted(raw.items(), key=lambda item: -item[1][3])[:top]
    for (filename, line, function), (_, calls, _, cumulative, _) in rows:
        where = filename.split("site-packages/")[-1].split(str(ROOT) + "/")[-1]
        progress(f"  {1000 * cumulative / requests:7.3f}  {calls / requests:6.1f}×  {function}  ({where}:{line})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="profiled writes (after 100 unprofiled)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--projector", action="store_true", help="profile the read models' catch-up too")
    parser.add_argument("--dump", type=Path, help="also write the writes' profile here (pstats format)")
    parser.add_argument(
        "--plain",
        action="store_true",
        help="only the unprofiled writes: their CPU per write",
    )
    args = parser.parse_args()
    progress(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    from litestar.concurrency import set_asyncio_executor

    from api.app import create_app
    from infrastructure.bootstrap import build
    from infrastructure.settings import Settings

    set_asyncio_executor(Inline())
    with tempfile.TemporaryDirectory(prefix="bench-api-profile-") as tmp, scratch_schema() as schema:
        os.environ.update(api_env(schema, tmp, 0) | {"MOTCUA_PROJECTIONS": "external"})
        make_dev_pki(tmp)
        create_officer()
        system = build(Settings.from_env())
        app = create_app(system)
        try:
            asyncio.run(profile(app, system, args))
        finally:
            system.close()


async def profile(app: Any, system: Any, args: argparse.Namespace) -> None:
    login = json.dumps({"username": USERNAME, "password": PASSWORD}).encode()
    status, body = await call(app, "POST", "/auth/login", login, None)
    if status != 200:
        raise RuntimeError(f"login failed: {status} {body[:200]!r}")
    token = json.loads(body)["token"]
    numbers = iter(range(1, 10**7))

    async def write() -> None:
        status, body = await call(app, "POST", "/dossiers", receive_body(next(numbers)), token)
        if status != 201:
            raise RuntimeError(f"write failed: {status} {body[:300]!r}")

    for _ in range(100):  # warm: caches, pools, the code allocator's first search
        await write()
    started_cpu, started = time.process_time(), time.perf_counter()
    for _ in range(args.requests):
        await write()
    cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started
    progress(
        f"unprofiled: {1000 * cpu / args.requests:.3f} ms CPU and {1000 * wall / args.requests:.3f} ms wall per "
        f"POST /dossiers (sequential, in this process, no HTTP parsing)"
    )
    if args.plain:
        return
    with statements() as sent:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(args.requests):
            await write()
        profiler.disable()
    if args.dump:
        profiler.dump_stats(args.dump)
    progress("\nSQL statements per request (first 90 characters):")
    for text, count in sent.most_common():
        progress(f"  {count / args.requests:5.2f}  {text}")
    report(pstats.Stats(profiler, stream=io.StringIO()), args.requests, args.top)
    if args.projector:
        projector = system.projector
        profiler = cProfile.Profile(time.process_time)
        started_cpu = time.process_time()
        profiler.enable()
        read = projector.catch_up()
        profiler.disable()
        progress(
            f"\nread models' catch-up over {read} events ({2 * args.requests + 100} writes): "
            f"{1000 * (time.process_time() - started_cpu) / (2 * args.requests + 100):.3f} ms CPU per write "
            "(profiled) — the work an in-process projector adds to the API process"
        )
        report(pstats.Stats(profiler, stream=io.StringIO()), 2 * args.requests + 100, 12)


if __name__ == "__main__":
    main()
