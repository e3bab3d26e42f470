"""Read-your-writes on PostgreSQL: how soon a write shows in its officer queue and in the kiosk tray grid.

Run by hand:  .venv/bin/python -m bench.freshness [--rate 300] [--seconds 20] [--runner process|thread]
Last line:    ratio <p99 ours / p99 baseline>   (lower is better; goal: our p99 ≤ 200 ms at 300 writes/s)

Writes go through the application (one `OneStop`, four writer threads sharing its group commit) at a fixed rate:
half are paper dossiers received (`Dossiers.receive`, visible once the `dossiers` read model puts them in the
`to_accept` queue), half load or empty a kiosk tray (visible once the tray grid's row shows that write). The
read-model runner is its own process (`--runner process`, as `python -m projections run` in production) or a thread
of this one. An observer on its own connection LISTENs for the runner's batches (infrastructure/readstore/wake.py),
and after each one reads the queue and the grid for the writes the batch covers; a write's freshness is from the
moment its command started to the moment the observer saw it there. Without a notification it looks every 100 ms.

Baseline in the same run, at the same rate: a raw INSERT + COMMIT into a table whose statement trigger NOTIFYs, heard
by a listener on another connection (the least any write-then-read across processes on PostgreSQL can take).
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import selectors
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from application.base import OneStop  # noqa: E402
from application.dossiers import Dossiers  # noqa: E402
from application.kiosks import Kiosks  # noqa: E402
from application.proofs import Proofs  # noqa: E402
from bench.common import PG, event_store_env, machine, progress, scratch_schema  # noqa: E402
from bench.growth import NoAttempts, NoOtp  # noqa: E402
from domain.procedures import ComponentForm  # noqa: E402
from domain.tray import PickupMethod  # noqa: E402
from domain.values import Actor, Applicant, Channel, Component, Role  # noqa: E402
from infrastructure.bootstrap import projector_over  # noqa: E402
from infrastructure.calendar import load_calendar  # noqa: E402
from infrastructure.catalogue import load_catalogue  # noqa: E402
from infrastructure.clock import SystemClock  # noqa: E402
from infrastructure.kiosk_doors import NoDoors  # noqa: E402
from infrastructure.readstore.runner import Projector  # noqa: E402
from infrastructure.readstore.store import PostgresReadStore  # noqa: E402
from infrastructure.readstore.wake import read_channel  # noqa: E402
from projections.models import read_models  # noqa: E402

CONNINFO = " ".join(f"{k}={v}" for k, v in PG.items())
KEY, TRAYS, WRITERS = "FR-01", 90, 4
PROCEDURES = ("1.001193.000.00.00.H29", "2.000815.000.00.00.H29", "2.000200.000.00.00.H29")  # one per agency
OFFICER = Actor(account_id="bench", role=Role.RECEPTION_OFFICER)
STAFF = Actor(account_id="tuvan.bench", role=Role.CONSULTANT)
KIOSK = Actor(account_id=f"kiosk-{KEY}", role=Role.KIOSK)
FORM = [Component(name="Tờ khai", form=ComponentForm.ORIGINAL)]
SEARCH_KEY = b"f" * 32  # the keyed read models (search index, status lookup) run too, as in production


@dataclass
class Write:
    """One write: when its command started, what shows it, and when it was seen."""

    started: float
    kind: str  # "queue" or "tray"
    position: int = 0
    code: str = ""  # the dossier code (queue writes)
    tray: int = 0  # the tray number (tray writes)
    at: datetime | None = None  # the tray event's business time, written to the grid row's updated_at
    committed: float = 0.0
    seen: float = 0.0


@dataclass
class Observer:
    """Sees writes appear in the read models: woken by the runner's NOTIFY, or every `fallback` seconds."""

    schema: str
    fallback: float = 0.1
    pending: list[Write] = field(default_factory=list)
    done: list[Write] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    notified: int = 0  # the last position the runner announced
    reads: int = 0

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name="observer", daemon=True)
        self.listening = threading.Event()

    def start(self) -> None:
        self._thread.start()
        self.listening.wait(30)

    def add(self, write: Write) -> None:
        with self.lock:
            self.pending.append(write)
        os.write(self._wake_w, b"w")  # it may already be visible: look now rather than at the next batch

    def stop(self) -> None:
        self._stop.set()
        os.write(self._wake_w, b"s")
        self._thread.join(10)

    def _drain(self, conn: psycopg.Connection) -> bool:
        """Take the notifications received so far (psycopg keeps those read during a query); True if any."""
        heard = [int(notice.payload or 0) for notice in conn.notifies(timeout=0)]
        self.notified = max([self.notified, *heard])
        return bool(heard)

    def _run(self) -> None:
        with psycopg.connect(autocommit=True, **PG) as conn:
            conn.execute(f'LISTEN "{read_channel(self.schema)}"')
            selector = selectors.DefaultSelector()
            selector.register(conn.fileno(), selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            self.listening.set()
            while not self._stop.is_set():
                everything = False
                if not self._drain(conn):
                    ready = selector.select(self.fallback)
                    if any(key.fd == self._wake_r for key, _ in ready):
                        os.read(self._wake_r, 4096)
                    self._drain(conn)
                    everything = not ready
                self._look(conn, everything)

    def _look(self, conn: psycopg.Connection, everything: bool) -> None:
        with self.lock:
            due = [w for w in self.pending if everything or w.position <= self.notified]
        if not due:
            return
        self.reads += 1
        codes = [w.code for w in due if w.kind == "queue"]
        visible_codes = {
            row[0]
            for row in conn.execute(
                f"SELECT code FROM {self.schema}.dossiers WHERE code = ANY(%s) AND queue = 'to_accept'", (codes,)
            )
        }
        grid = {
            row[0]: row[1]
            for row in conn.execute(
                f"SELECT tray, updated_at FROM {self.schema}.kiosk_trays WHERE kiosk = %s ORDER BY tray", (KEY,)
            )
        }
        now = time.perf_counter()
        seen = [
            w
            for w in due
            if (w.kind == "queue" and w.code in visible_codes)
            or (w.kind == "tray" and grid.get(w.tray) is not None and w.at is not None and grid[w.tray] >= w.at)
        ]
        for write in seen:
            write.seen = now
        with self.lock:
            gone = {id(w) for w in seen}
            self.pending = [w for w in self.pending if id(w) not in gone]
            self.done += seen


def run_runner(schema: str, poll: float, ready: Any) -> None:
    """The read-model runner process (what `python -m projections run` does, over this scratch schema)."""
    projector = projector_over(
        event_store_env(schema), PostgresReadStore(CONNINFO, schema), read_models(load_catalogue(), SEARCH_KEY)
    )
    projector.catch_up()
    ready.set()
    projector.run_forever(poll)


class Writers:
    """WRITERS threads issuing writes at `rate` per second in total, alternating dossier receptions and tray
    writes (each thread owns its own trays, loading and emptying them in turn)."""

    def __init__(self, app: OneStop, catalogue: Any, observer: Observer) -> None:
        self.dossiers = Dossiers(app, catalogue=catalogue, calendar=load_calendar(), clock=SystemClock())
        self.kiosks = Kiosks(
            app,
            dossiers=self.dossiers,
            otp=NoOtp(),
            proofs=Proofs(b"f" * 32),
            clock=SystemClock(),
            attempts=NoAttempts(),
            doors=NoDoors(),
        )
        self.observer, self.late = observer, 0
        self.loaded: dict[int, str] = {}
        self.numbers = itertools.count(1)

    def install(self) -> None:
        self.kiosks.install_kiosk(KEY, name="Kiosk đo độ tươi", agency="H29.06", actor=STAFF, tray_count=TRAYS)

    def run(self, rate: float, seconds: float, record: bool) -> None:
        first = time.perf_counter() + 0.05
        total = int(rate * seconds)
        threads = [
            threading.Thread(target=self._work, args=(k, first, rate, total, record), name=f"writer-{k}")
            for k in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _work(self, k: int, first: float, rate: float, total: int, record: bool) -> None:
        trays = [n for n in range(1, TRAYS + 1) if n % WRITERS == k]
        for i in range(k, total, WRITERS):
            due = first + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            elif delay < -0.01:
                self.late += 1
            write = self._queue_write() if i % 2 == 0 else self._tray_write(trays[(i // (2 * WRITERS)) % len(trays)])
            if record:
                self.observer.add(write)

    def _queue_write(self) -> Write:
        n = next(self.numbers)
        write = Write(started=time.perf_counter(), kind="queue")
        write.code, written = self.dossiers.receive(
            procedure_code=PROCEDURES[n % len(PROCEDURES)],
            channel=Channel.COUNTER,
            applicant=Applicant(id_number=f"0791{n:08d}", name="Người Đo Thử", phone=f"09{n:08d}"),
            components=FORM,
            actor=OFFICER,
        )
        write.position, write.committed = written.position, time.perf_counter()
        return write

    def _tray_write(self, number: int) -> Write:
        write = Write(started=time.perf_counter(), kind="tray", tray=number)
        tray, at = self.kiosks._tray(KEY, number), datetime.now(UTC)
        held = self.loaded.pop(number, None)
        if held is None:
            self.loaded[number] = f"FRESH-{next(self.numbers)}"
            tray.load(dossier_code=self.loaded[number], actor=STAFF, at=at)
        else:
            tray.release(
                dossier_code=held, method=PickupMethod.CCCD_AND_RECEIPT, face_checked=False, actor=KIOSK, at=at
            )
        written = self.kiosks.app.commit(tray)
        write.at, write.position, write.committed = at, written.position, time.perf_counter()
        return write


def baseline(schema: str, rate: float, seconds: float) -> tuple[list[float], list[float]]:
    """INSERT + COMMIT at `rate` into a table with a NOTIFY trigger; (commit ms, commit-to-heard ms per row)."""
    with psycopg.connect(autocommit=True, **PG) as conn:
        conn.execute(f"CREATE TABLE {schema}.raw (id bigserial PRIMARY KEY, state bytea)")
        conn.execute(
            f"CREATE FUNCTION {schema}.raw_grew() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_notify('bench_raw_' || TG_TABLE_SCHEMA, ''); RETURN NULL; END $$"
        )
        conn.execute(
            f"CREATE TRIGGER raw_grew AFTER INSERT ON {schema}.raw FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {schema}.raw_grew()"
        )
    heard: list[float] = []
    listening, stop = threading.Event(), threading.Event()

    def listen() -> None:
        with psycopg.connect(autocommit=True, **PG) as conn:
            conn.execute(f"LISTEN bench_raw_{schema}")
            listening.set()
            while not stop.is_set():
                heard.extend(time.perf_counter() for _ in conn.notifies(timeout=0.2))

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    listening.wait(30)
    started: list[float] = []
    commits: list[float] = []
    total = int(rate * seconds)

    def work(k: int, first: float) -> None:
        with psycopg.connect(**PG) as conn:
            for i in range(k, total, WRITERS):
                delay = first + i / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                begin = time.perf_counter()
                conn.execute(f"INSERT INTO {schema}.raw (state) VALUES (%s)", (b'{"amount":1000}',))
                conn.commit()
                done = time.perf_counter()
                started.append(begin)
                commits.append(done - begin)

    first = time.perf_counter() + 0.05
    workers = [threading.Thread(target=work, args=(k, first)) for k in range(WRITERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    time.sleep(0.5)
    stop.set()
    listener.join(5)
    # Each write is heard by the first notification after its commit started (NOTIFY is delivered at commit).
    heard.sort()
    latencies, j = [], 0
    for begin in sorted(started):
        while j < len(heard) and heard[j] < begin:
            j += 1
        if j < len(heard):
            latencies.append(heard[j] - begin)
    return [c * 1000 for c in commits], [x * 1000 for x in latencies]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def line(name: str, values: list[float]) -> str:
    return f"{name:52} n {len(values):6}  p50 {pct(values, 0.5):8.1f} ms  p99 {pct(values, 0.99):8.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=300.0, help="writes per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--runner", choices=("process", "thread"), default="process")
    parser.add_argument("--poll", type=float, default=0.5, help="the runner's safety-net poll (production default)")
    args = parser.parse_args()
    progress(f"machine: {machine()}; load average before the run {os.getloadavg()[0]:.2f}")
    catalogue = load_catalogue()
    with scratch_schema() as schema:
        app = OneStop(event_store_env(schema))
        observer = Observer(schema)
        writers = Writers(app, catalogue, observer)
        writers.install()
        runner: Any
        if args.runner == "process":
            context = multiprocessing.get_context("spawn")
            ready = context.Event()
            runner = context.Process(target=run_runner, args=(schema, args.poll, ready), daemon=True)
            runner.start()
            ready.wait(120)
        else:
            runner = projector_over(
                event_store_env(schema), PostgresReadStore(CONNINFO, schema), read_models(catalogue, SEARCH_KEY)
            )
            runner.start(args.poll)
        observer.start()
        writers.run(args.rate, args.warmup, record=False)
        writers.late = 0
        started = time.perf_counter()
        writers.run(args.rate, args.seconds, record=True)
        elapsed = time.perf_counter() - started
        deadline = time.perf_counter() + 30
        while observer.pending and time.perf_counter() < deadline:
            time.sleep(0.05)
        observer.stop()
        if isinstance(runner, Projector):
            runner.stop()
        else:
            runner.terminate()
            runner.join(10)
        writes = observer.done
        progress(
            f"writes: {len(writes) + len(observer.pending)} in {elapsed:.1f} s "
            f"({(len(writes) + len(observer.pending)) / elapsed:.0f}/s, {writers.late} started >10 ms late); "
            f"never seen: {len(observer.pending)}; observer reads: {observer.reads}"
        )
        commit_ms = [(w.committed - w.started) * 1000 for w in writes]
        queue_ms = [(w.seen - w.started) * 1000 for w in writes if w.kind == "queue"]
        tray_ms = [(w.seen - w.started) * 1000 for w in writes if w.kind == "tray"]
        after_commit_ms = [(w.seen - w.committed) * 1000 for w in writes]
        ours = queue_ms + tray_ms
        raw_commit, raw_heard = baseline(schema, args.rate, args.seconds)
        app.close()
    print()
    print(f"runner: {args.runner}, {args.rate:g} writes/s for {args.seconds:g} s")
    print(line("command (start → committed)", commit_ms))
    print(line("visible in its queue (start → seen)", queue_ms))
    print(line("visible in the tray grid (start → seen)", tray_ms))
    print(line("after the commit (committed → seen)", after_commit_ms))
    print(line("all writes (start → seen)", ours))
    print(line("baseline: raw INSERT + COMMIT", raw_commit))
    print(line("baseline: INSERT start → NOTIFY heard", raw_heard))
    p99 = pct(ours, 0.99)
    verdict = "met" if p99 <= 200 and not observer.pending else "MISSED"
    print(f"goal p99 ≤ 200 ms at {args.rate:g} writes/s: {verdict} ({p99:.1f} ms)")
    print(f"ratio {p99 / pct(raw_heard, 0.99):.2f}")


if __name__ == "__main__":
    main()
