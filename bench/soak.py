"""Soak test of a running `make stack`: kiosk submissions, officer actions and queue reads for N minutes.

Run by hand:  make stack            (in another terminal; the defaults below match scripts/stack.sh)
              .venv/bin/python -m bench.soak [--minutes 10] [--workers 4] [--urls http://127.0.0.1:8000,...]
Reports requests/s, p50/p99 per request kind, every error (there must be none) and the resident memory (VmRSS)
of each stack process at the start and the end. Last line: `errors <n>`.

Each worker acts at a kiosk of its own (installed by the soak, 3,000 envelopes). The OTP step is not driven:
its per-phone and per-kiosk quotas are the point of it; the worker signs the phone proof with the stack's secret,
as `POST /otp/verify` would after a correct code. Tokens are signed with the same secret, as `/auth/login` does.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from application.kiosks import SUBMIT  # noqa: E402
from application.proofs import Proofs  # noqa: E402
from application.tokens import Principal, Tokens  # noqa: E402
from bench.common import machine  # noqa: E402
from domain.values import Role  # noqa: E402

STACK_SECRET = "stack-development-secret-key-0123456789"  # scripts/stack.sh's development default
COPY, DEPARTMENT = "2.000635.000.00.00.H29", "H29.06.1.TPHT"  # extract copy, 8,000 đồng, Phòng Tư pháp - Hộ tịch
TEAM = {"account_id": "soak.tuvan", "name": "Tổ tư vấn (soak)", "role": "consultant", "unit": "Tổ tư vấn"}
WEIGHTS = {"submit": 3, "officer": 3, "read": 4}


def auth(tokens: Tokens, role: str, kiosk: str | None = None) -> dict[str, str]:
    """The Authorization header of an account of `role` in the demo district (the one place that authenticates)."""
    principal = Principal(account_id=f"soak-{role}", name=f"soak {role}", role=Role(role), agency="H29.06", kiosk=kiosk)
    token, _ = tokens.issue(principal, datetime.now(UTC))
    return {"Authorization": f"Bearer {token}"}


def citizen(n: int) -> tuple[str, str, str]:
    """ID number, phone and a valid CCCD QR payload of a fictitious citizen."""
    year = 1960 + n % 40
    id_number = f"079{n % 2}{year % 100:02d}{n % 1_000_000:06d}"
    name, sex = ("Nguyễn Thị Soak", "Nữ") if n % 2 else ("Trần Văn Soak", "Nam")
    qr = f"{id_number}||{name}|{date(year, 1 + n % 12, 1 + n % 28):%d%m%Y}|{sex}|{n} Hậu Giang, Quận 6|01072021"
    return id_number, f"09{n % 100_000_000:08d}", qr


class Stats:
    """Latencies per request kind and errors, shared by the workers."""

    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.samples: list[str] = []
        self.lock = threading.Lock()

    def record(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latency[kind].append(seconds)
            if error:
                self.errors[f"{kind}: {error[:60]}"] += 1
                if len(self.samples) < 5:
                    self.samples.append(f"{kind}: {error[:300]}")


class Worker:
    """One client: a kiosk of its own, a queue of submitted dossiers for the officers, reads in between."""

    def __init__(self, n: int, urls: list[str], secret: str, stats: Stats, tag: str) -> None:
        self.n, self.stats, self.kiosk = n, stats, f"SK{tag}{n}"
        self.tokens, self.proofs = Tokens(secret.encode()), Proofs(secret.encode())
        self.urls, self.client = itertools.cycle(urls), httpx.Client(timeout=60)
        self.random, self.citizens = random.Random(n), itertools.count(n * 1_000_000 + int(tag, 16) % 1000 * 1000)
        self.envelopes, self.to_process = (f"{self.kiosk}E{i:05d}" for i in range(3000)), []

    def call(
        self, kind: str, method: str, path: str, role: str, body: dict | None = None, **params
    ) -> dict | list | None:
        headers = auth(self.tokens, role, self.kiosk if role == "kiosk" else None)
        started = time.perf_counter()
        try:
            answer = self.client.request(method, next(self.urls) + path, json=body, params=params, headers=headers)
            error = None if answer.is_success else f"{answer.status_code} {answer.text}"
        except httpx.HTTPError as failure:
            answer, error = None, type(failure).__name__
        self.stats.record(kind, time.perf_counter() - started, error)
        return answer.json() if answer is not None and answer.is_success else None

    def setup(self) -> None:
        self.call(
            "setup",
            "POST",
            "/kiosks",
            "consultant",
            {"key": self.kiosk, "name": "Kiosk soak", "agency": "H29.06", "tray_count": 10},
        )
        self.call(
            "setup",
            "POST",
            f"/kiosks/{self.kiosk}/envelope-batches",
            "consultant",
            {"barcodes": [f"{self.kiosk}E{i:05d}" for i in range(3000)]},
        )

    def run(self, until: float) -> None:
        while time.monotonic() < until:
            action = self.random.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
            getattr(self, action)()

    def submit(self) -> None:
        id_number, phone, qr = citizen(next(self.citizens))
        base, envelope = f"/kiosks/{self.kiosk}", next(self.envelopes)
        self.call("kiosk identity", "POST", f"{base}/identity", "kiosk", {"qr_payload": qr})
        self.call("kiosk envelope", "POST", f"{base}/envelopes/check", "kiosk", {"barcode": envelope})
        proof = self.proofs.issue(phone, SUBMIT, datetime.now(UTC))
        done = self.call(
            "kiosk submit",
            "POST",
            f"{base}/submissions",
            "kiosk",
            {"procedure_code": COPY, "qr_payload": qr, "phone": phone, "phone_proof": proof, "envelope": envelope},
        )
        if done:
            code = done["dossier_code"]
            self.call(
                "kiosk pay", "POST", f"{base}/dossiers/{code}/payments", "kiosk", {"method": "cash", "amount": 8000}
            )
            self.to_process.append(code)

    def officer(self) -> None:
        if not self.to_process:
            id_number, _, _ = citizen(next(self.citizens))
            self.call(
                "counter receive",
                "POST",
                "/dossiers",
                "reception_officer",
                {
                    "procedure_code": COPY,
                    "channel": "counter",
                    "components": [],
                    "applicant": {"id_number": id_number, "name": "Lê Văn Soak"},
                },
            )
            return
        code = self.to_process.pop(0)
        for step, body in [("accept", {}), ("route", {"department": DEPARTMENT}), ("result", {"summary": "Bản sao"})]:
            self.call(f"officer {step}", "POST", f"/dossiers/{code}/{step}", "department_officer", body)

    def read(self) -> None:
        choice = self.random.randrange(3)
        if choice == 0:
            self.call("read queue counts", "GET", "/views/queues", "reception_officer", agency="H29.06")
        elif choice == 1:
            self.call("read queue page", "GET", "/views/queues/in_processing", "department_officer", page_size=50)
        else:
            self.call("read tray grid", "GET", f"/views/kiosks/{self.kiosk}/trays", "consultant")


def stack_processes(schema: str) -> dict[str, int]:
    """name -> pid of the processes started with POSTGRES_SCHEMA=schema (scripts/stack.sh exports it to each)."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            environ = dict(
                line.split(b"=", 1) for line in (entry / "environ").read_bytes().split(b"\0") if b"=" in line
            )
        except (OSError, ValueError):
            continue
        if b"-m" in argv and environ.get(b"POSTGRES_SCHEMA") == schema.encode():
            module = argv[argv.index(b"-m") + 1].decode()
            port = environ.get(b"MOTCUA_API_PORT", b"").decode() if module == "api" else ""
            found[f"{module}:{port}" if port else module] = int(entry.name)
    return found


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--urls", default="http://127.0.0.1:8000,http://127.0.0.1:8001")
    parser.add_argument("--secret", default=os.environ.get("MOTCUA_SECRET_KEY", STACK_SECRET))
    parser.add_argument(
        "--schema", default=os.environ.get("POSTGRES_SCHEMA", "stack"), help="finds the stack's processes"
    )
    args = parser.parse_args()
    stats, tag = Stats(), uuid.uuid4().hex[:4].upper()
    processes = stack_processes(args.schema)
    workers = [Worker(n, args.urls.split(","), args.secret, stats, tag) for n in range(args.workers)]
    for worker in workers:
        worker.setup()
    rss_start = {name: rss_kib(pid) for name, pid in processes.items()}
    rss_peak = dict(rss_start)
    started, until = time.monotonic(), time.monotonic() + args.minutes * 60
    threads = [threading.Thread(target=worker.run, args=(until,)) for worker in workers]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        time.sleep(min(10, max(0.1, until - time.monotonic())))
        for name, pid in processes.items():
            rss_peak[name] = max(rss_peak[name], rss_kib(pid))
        done = sum(len(v) for v in stats.latency.values())
        print(f"{time.monotonic() - started:6.0f} s  {done} requests  {sum(stats.errors.values())} errors", flush=True)
    elapsed = time.monotonic() - started
    rss_end = {name: rss_kib(pid) for name, pid in processes.items()}
    report(stats, elapsed, rss_start, rss_peak, rss_end, args)
    return 1 if stats.errors else 0


def report(stats: Stats, elapsed: float, start: dict, peak: dict, end: dict, args) -> None:
    print(f"\n{machine()}; {args.workers} workers, {elapsed / 60:.1f} minutes against {args.urls}")
    measured = {kind: v for kind, v in stats.latency.items() if kind != "setup"}
    total = sum(len(v) for v in measured.values())
    print(f"{'request':<20} {'count':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, values in sorted(measured.items()):
        print(f"{kind:<20} {len(values):>8} {percentile(values, 0.5):>8.1f} {percentile(values, 0.99):>8.1f}")
    every = [v for values in measured.values() for v in values]
    print(
        f"{'all':<20} {total:>8} {percentile(every, 0.5):>8.1f} {percentile(every, 0.99):>8.1f}   "
        f"{total / elapsed:.1f} requests/s"
    )
    print(f"\n{'process':<34} {'RSS start MiB':>14} {'peak':>8} {'end':>8} {'growth':>8}")
    for name in sorted(start):
        print(
            f"{name:<34} {start[name] / 1024:>14.1f} {peak[name] / 1024:>8.1f} {end[name] / 1024:>8.1f} "
            f"{(end[name] - start[name]) / 1024:>+8.1f}"
        )
    if not start:
        print(f"(no process with POSTGRES_SCHEMA={args.schema} found: memory not measured)")
    for error, count in stats.errors.most_common():
        print(f"error {count}x {error}")
    for sample in stats.samples:
        print(f"  e.g. {sample}")
    print(f"errors {sum(stats.errors.values())}")


if __name__ == "__main__":
    sys.exit(main())
