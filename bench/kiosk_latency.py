"""Kiosk envelope decision: from the camera frame of an envelope to the kiosk pulling it in or pushing it out.

Run by hand:  .venv/bin/python -m bench.kiosk_latency [--envelopes 200]
Last line:    ratio <p99 ours / p99 of a bare NATS request/reply>   (lower is better; goal: our p99 ≤ 300 ms)

The core runs as in production: `python -m api` (uvicorn, PostgreSQL in a scratch schema) and
`python -m infrastructure.device_consumer` (the KIOSK_EVENTS stream on the local NATS JetStream, under a private
subject prefix and stream name). The kiosk is `kiosk_edge.runtime.KioskProcess` in this process: its outbox and
NATS publisher, simulated devices, the HTTP core client and the session flow. For each envelope a session is first
brought to the envelope screen (card read, phone verified; the OTP code is not driven: the phone proof is signed
with the core's secret as `POST /otp/verify` would, as bench.soak does), then timed:

  decode   the camera (1280×720 frames of the envelope's Code 128 label, bench/frames_hard.py's printer, paper,
           camera and lighting) delivers a frame every 33 ms from the first one; the kiosk's code camera
           (kiosk_edge/code_camera.py) reads every frame with the fast pass and, after a fast miss (`--misses`),
           the newest frame with the slow steps on its workers (`--workers`; code_camera.py says which steps on
           which frame); each frame is another drawing of the same label (`--frames` drawn before the envelope is timed,
           then shown again in turn); a frame the loop had no time for is skipped, as a camera keeps only its
           newest; timed from the first frame to the read;
  kiosk    `KioskFlow.envelope_inserted`: the envelope_scanned device event into the outbox, then the session;
  core     the core's answer over HTTP (`POST /kiosks/<key>/submissions`: it checks the envelope first);
  reply    from the core's answer to the slot's pull-in (accepted) or push-out (refused).

Baseline readers in the same minutes: envelopes take `--readers` in turn; `inline` reads every frame with all the
steps on the frame loop (the reader as the kiosk used it before the code camera), same camera, same core.
Per stage and per reader: p50 and p99; an envelope never decided counts as infinitely slow.

One envelope in five is one already used, which the core refuses: the kiosk ejects it. Off the decision path,
the envelope_scanned device event is followed over NATS: `publish` (outbox → JetStream, seen by a subscriber) and
`consumer` (→ committed by the device consumer, seen on PostgreSQL NOTIFY of the events table).
Baseline in the same run: a bare NATS request/reply round trip (a responder on another connection).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from application.kiosks import SUBMIT  # noqa: E402
from application.proofs import Proofs  # noqa: E402
from bench import hard_symbols  # noqa: E402
from bench.api import api_env, free_port, serve  # noqa: E402
from bench.common import machine, progress, scratch_schema  # noqa: E402
from bench.kiosk_bus_watch import (  # noqa: E402
    NATS_URL,
    DeviceEventWatch,
    delete_stream,
    nats_round_trips,
    serve_consumer,
    stream_made,
)
from bench.kiosk_camera import FRAME_PERIOD, frame_of, paced, timed  # noqa: E402
from domain.values import Actor, Role  # noqa: E402
from infrastructure.bootstrap import build  # noqa: E402
from infrastructure.readstore.wake import install_log_trigger  # noqa: E402
from infrastructure.settings import Settings  # noqa: E402
from infrastructure.signing.pki import ensure_dev_pki  # noqa: E402
from kiosk_edge.code_camera import ESCALATE_AFTER, SLOW_STEPS, SLOW_WORKERS, CodeCamera, envelope_feed  # noqa: E402
from kiosk_edge.flow import HOME, Citizen  # noqa: E402
from kiosk_edge.readers import Symbol, read_symbols  # noqa: E402
from kiosk_edge.runtime import KioskProcess, KioskSettings  # noqa: E402
from kiosk_edge.session.screens import Screen  # noqa: E402

KEY, SECRET = "LT-01", "bench-kiosk-secret-0123456789"
PROCEDURE = "2.000815.000.00.00.H29"  # kiosk-enabled, no face check
ADMIN = Actor(account_id="bench", role=Role.ADMINISTRATOR)
STAFF = Actor(account_id="tuvan.bench", role=Role.CONSULTANT)
STAGES = ("decode", "kiosk", "core", "reply")


@dataclass
class Envelope:
    barcode: str
    used: bool  # already used: the core refuses it and the kiosk ejects it
    frames: int = 0  # camera frames the code camera's loop read
    via: str = ""  # the pass that read the label: fast (on the frame loop) or slow (the worker)
    reader: str = ""  # code-camera or inline
    slow_reads: list[float] = field(default_factory=list)  # s of each slow read (the worker's, or inline's)
    stages: dict[str, float] = field(default_factory=dict)
    total: float = 0.0
    decision: str = ""
    event_id: str = ""
    scanned_at: float = 0.0  # perf_counter when envelope_scanned went into the outbox


@dataclass
class Read:
    """The first label the code camera read for an envelope, and when."""

    at: float = 0.0
    barcode: str = ""


class Timings:
    """Hooks on the kiosk's core client and intake slot: when the core answered and when the slot moved."""

    def __init__(self, process: KioskProcess) -> None:
        self.core_seconds, self.last_answer, self.moved, self.move = 0.0, 0.0, 0.0, ""
        self.scanned: tuple[str, float] | None = None
        core, intake, log = process.flow.core, process.devices.intake, process.log
        call, pull_in, push_out, record = core.call, intake.pull_in, intake.push_out, log.record

        def timed_call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                self.last_answer = time.perf_counter()
                self.core_seconds += self.last_answer - started

        def moved(name: str, act: Callable[..., None]) -> Callable[..., None]:
            def run(*args: Any, **kwargs: Any) -> None:
                act(*args, **kwargs)
                self.moved, self.move = time.perf_counter(), name

            return run

        def recorded(kind: Any, **fields: Any) -> Any:
            event = record(kind, **fields)
            if kind.__name__ == "EnvelopeScanned":
                self.scanned = (event.event_id, time.perf_counter())
            return event

        core.call = timed_call  # type: ignore[method-assign]
        intake.pull_in = moved("accepted", pull_in)  # type: ignore[method-assign]
        intake.push_out = moved("ejected", push_out)  # type: ignore[method-assign]
        log.record = recorded  # type: ignore[method-assign]
        proofs = Proofs(os.environ["MOTCUA_SECRET_KEY"].encode())
        core.send_otp = lambda phone: None  # type: ignore[method-assign]
        core.verify_otp = lambda phone, code: proofs.issue(phone, SUBMIT, datetime.now(UTC))  # type: ignore[method-assign]

    def reset(self) -> None:
        self.core_seconds, self.last_answer, self.moved, self.move, self.scanned = 0.0, 0.0, 0.0, "", None


def to_envelope_screen(process: KioskProcess, n: int) -> None:
    flow = process.flow
    with flow.lock:  # the last envelope's session ends here (its payment is not part of this bench)
        flow.state, flow.citizen = HOME, Citizen()
    flow.begin("submit")
    flow.choose_procedure(PROCEDURE)
    flow.cccd_scanned(hard_symbols.cccd_payload(np.random.default_rng(n)))
    flow.enter_phone(f"09{n:08d}")
    flow.enter_otp("000000")
    if flow.state.screen is not Screen.ENVELOPE:
        raise RuntimeError(f"the session reached {flow.state.screen} instead of the envelope screen")


def code_camera(envelope: Envelope, found: Callable[[list[Symbol]], None], args: argparse.Namespace) -> CodeCamera:
    """The kiosk's code camera, or for `inline` every step on the frame loop; the slow reads timed."""
    if envelope.reader == "inline":
        return CodeCamera(found, fast=timed(read_symbols, envelope.slow_reads), misses=sys.maxsize)
    slow = SLOW_STEPS if args.slow == "staged" else (read_symbols,)
    return CodeCamera(
        found,
        slow=[timed(read, envelope.slow_reads) for read in slow],
        misses=args.misses,
        fast_beside_slow=not args.pause_fast,
        workers=args.workers,
    )


def one(process: KioskProcess, timings: Timings, envelope: Envelope, first_seed: int, args: argparse.Namespace) -> None:
    """Time one envelope from its first camera frame to the slot's move (drawing the frames is not timed)."""
    frames = [frame_of(envelope.barcode, seed) for seed in range(first_seed, first_seed + args.frames)]
    timings.reset()
    stop, read = threading.Event(), Read()
    feed = envelope_feed(process.flow.envelope_inserted)

    def found(symbols: list[Symbol]) -> None:
        barcodes = [symbol.payload for symbol in symbols if symbol.kind == "code128"]
        if barcodes and not read.barcode:
            read.at, read.barcode = time.perf_counter(), barcodes[0]
            envelope.via = "slow" if threading.current_thread().name.startswith("kiosk-code-reader") else "fast"
            feed(symbols)
            stop.set()

    camera = code_camera(envelope, found, args)
    started = time.perf_counter()
    camera.run(paced(frames, started, stop), stop)
    envelope.frames = camera.seen
    if not read.barcode:
        envelope.decision = "unread"
        return
    if not timings.move:
        envelope.decision = f"no move ({process.flow.state.screen})"
        return
    envelope.total = timings.moved - started
    envelope.decision = timings.move if read.barcode == envelope.barcode else f"misread:{timings.move}"
    envelope.stages = {
        "decode": read.at - started,
        "kiosk": timings.moved - read.at - timings.core_seconds - (timings.moved - timings.last_answer),
        "core": timings.core_seconds,
        "reply": timings.moved - timings.last_answer,
    }
    if timings.scanned is not None:
        envelope.event_id, envelope.scanned_at = timings.scanned


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def ms(values: list[float]) -> str:
    return f"n {len(values):4}  p50 {pct(values, 0.5) * 1000:8.1f} ms  p99 {pct(values, 0.99) * 1000:8.1f} ms"


def setup(count: int, seed: int) -> list[str]:
    """The kiosk, its device login and `count` registered envelope barcodes (in the environment's store)."""
    rng = np.random.default_rng(seed)
    barcodes = list(dict.fromkeys(hard_symbols.envelope_barcode(rng) for _ in range(count * 2)))[:count]
    system = build(Settings.from_env(os.environ | {"MOTCUA_PROJECTIONS": "external"}))
    try:
        system.accounts.create_device(KEY, SECRET, agency="H29.06", actor=ADMIN)
        system.kiosks.install_kiosk(KEY, name="Kiosk đo độ trễ", agency="H29.06", actor=STAFF, tray_count=10)
        system.kiosks.register_envelopes(KEY, barcodes=barcodes, actor=STAFF)
        install_log_trigger(system.app.recorder)
    finally:
        system.close()
    return barcodes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--envelopes", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--seed", type=int, default=3_000_000, help="first frame seed (held-out range)")
    parser.add_argument("--frames", type=int, default=4, help="drawings of each label the camera shows in turn")
    parser.add_argument(
        "--readers",
        default="code-camera,inline",
        help="comma-separated, taken in turn per envelope: code-camera (the kiosk's) and inline (all steps on the "
        "frame loop, the baseline in the same minutes)",
    )
    parser.add_argument("--misses", type=int, default=ESCALATE_AFTER, help="fast misses before the slow steps")
    parser.add_argument("--pause-fast", action="store_true", help="no fast passes while a slow read is under way")
    parser.add_argument(
        "--slow", choices=("staged", "full"), default="staged", help="staged: the camera's ladder; full: all steps"
    )
    parser.add_argument("--workers", type=int, default=SLOW_WORKERS, help="the code camera's slow-read threads")
    args = parser.parse_args()
    readers = args.readers.split(",")
    progress(f"machine: {machine()}; load average before the run {os.getloadavg()[0]:.2f}")
    tag = uuid.uuid4().hex[:8]
    prefix = f"benchlat{tag}"
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    envelopes: list[Envelope] = []
    with tempfile.TemporaryDirectory(prefix="bench-kiosk-") as tmp, scratch_schema() as schema:
        port = free_port()
        os.environ.update(
            api_env(schema, tmp, port)
            | {
                "MOTCUA_PROJECTIONS": "external",
                "MOTCUA_NATS_URL": NATS_URL,
                "MOTCUA_NATS_PREFIX": prefix,
                "MOTCUA_NATS_STREAM": f"BENCH_LAT_{tag}",
                "MOTCUA_NATS_DURABLE": f"bench-lat-{tag}",
                "MOTCUA_DEV_PKI_DIR": str(Path(tmp) / "pki"),  # production mode makes no signing keys itself
            }
        )
        ensure_dev_pki(Path(tmp) / "pki")
        fresh = setup(args.envelopes + args.warmup, args.seed)
        watch = DeviceEventWatch(schema, prefix, KEY)
        watch.start(loop)
        with (
            serve(["-m", "api"], dict(os.environ), port, "/health", Path(tmp) / "api.log"),
            serve_consumer(Path(tmp) / "consumer.log"),
        ):
            asyncio.run_coroutine_threadsafe(stream_made(f"BENCH_LAT_{tag}"), loop).result(120)
            process = KioskProcess(
                KioskSettings(
                    kiosk=KEY,
                    secret=SECRET,
                    core_url=f"http://127.0.0.1:{port}",
                    nats_servers=(NATS_URL,),
                    nats_prefix=prefix,
                    outbox=Path(tmp) / "kiosk" / "outbox.sqlite3",
                    screen_port=free_port(),
                    publish_idle=1.0,
                )
            )
            process.start()
            timings = Timings(process)
            accepted: list[str] = []
            try:
                for n in range(args.warmup + args.envelopes):
                    used = n % 5 == 4 and bool(accepted)
                    envelope = Envelope(
                        barcode=accepted[-1] if used else fresh[n], used=used, reader=readers[n % len(readers)]
                    )
                    to_envelope_screen(process, n)
                    one(process, timings, envelope, args.seed + 10 * n, args)
                    if envelope.decision == "accepted":
                        accepted.append(envelope.barcode)
                    if envelope.event_id:
                        watch.want(envelope.event_id)
                    if n >= args.warmup:
                        envelopes.append(envelope)
                deadline = time.monotonic() + 30
                while watch.wanted and time.monotonic() < deadline:
                    time.sleep(0.1)
            finally:
                process.stop()
                watch.stop(loop)
        baseline = asyncio.run_coroutine_threadsafe(nats_round_trips(max(200, args.envelopes)), loop).result(120)
        asyncio.run_coroutine_threadsafe(delete_stream(f"BENCH_LAT_{tag}"), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    report(envelopes, watch, baseline, args)


def report(envelopes: list[Envelope], watch: DeviceEventWatch, baseline: list[float], args: argparse.Namespace) -> None:
    print()
    print(
        f"camera: a frame every {FRAME_PERIOD * 1000:.0f} ms, {args.frames} drawings per label shown in turn; the "
        f"code camera's slow steps {args.slow} on {args.workers} workers, after {args.misses} fast misses in a row"
    )
    p99s = {reader: summary([e for e in envelopes if e.reader == reader], args) for reader in args.readers.split(",")}
    decided = [e for e in envelopes if e.decision in ("accepted", "ejected")]
    published = [watch.on_nats[e.event_id] - e.scanned_at for e in decided if e.event_id in watch.on_nats]
    applied = [
        watch.committed[e.event_id] - watch.on_nats[e.event_id]
        for e in decided
        if e.event_id in watch.committed and e.event_id in watch.on_nats
    ]
    print(f"{'device event: outbox → on NATS':36} {ms(published)}")
    print(f"{'device event: NATS → core commit':36} {ms(applied)}")
    print(f"{'baseline: NATS request/reply':36} {ms(baseline)}")
    print(f"load average after the run {os.getloadavg()[0]:.2f}")
    reader, p99 = next(iter(p99s.items()))
    print(f"goal p99 ≤ 300 ms ({reader}): {'met' if p99 <= 0.3 else 'MISSED'} ({p99 * 1000:.1f} ms)")
    print(f"ratio {p99 / pct(baseline, 0.99):.2f}")


def summary(envelopes: list[Envelope], args: argparse.Namespace) -> float:
    """Print one reader's figures; its p99 from frame to decision (an envelope never decided counts as infinite)."""
    decided = [e for e in envelopes if e.decision in ("accepted", "ejected")]
    wrong = [e for e in decided if (e.decision == "ejected") != e.used]
    totals = [e.total if e in decided else float("inf") for e in envelopes]
    shown = args.frames * FRAME_PERIOD
    print(
        f"[{envelopes[0].reader if envelopes else '-'}] envelopes {len(envelopes)}: accepted "
        f"{sum(e.decision == 'accepted' for e in envelopes)}, "
        f"ejected {sum(e.decision == 'ejected' for e in envelopes)}, "
        f"unread {sum(e.decision == 'unread' for e in envelopes)}, "
        f"misread {sum(e.decision.startswith('misread') for e in envelopes)}, wrong decision {len(wrong)}; frames read "
        f"per envelope {statistics.mean(e.frames for e in envelopes) if envelopes else 0:.2f}; read by the fast pass "
        f"{sum(e.via == 'fast' for e in decided)}, by the slow steps {sum(e.via == 'slow' for e in decided)}; "
        f"read once every drawing had been shown {sum(e.stages['decode'] > shown for e in decided)}"
    )
    for stage in STAGES:
        values = [e.stages[stage] for e in decided]
        print(f"  {stage:8} p50 {pct(values, 0.5) * 1000:7.1f} ms  p99 {pct(values, 0.99) * 1000:7.1f} ms")
    print(f"  {'slow read':8} {ms([t for e in envelopes for t in e.slow_reads])}")
    print(f"  {'frame → decision (accepted)':34} {ms([e.total for e in decided if e.decision == 'accepted'])}")
    print(f"  {'frame → decision (ejected)':34} {ms([e.total for e in decided if e.decision == 'ejected'])}")
    print(f"  {'frame → decision (all)':34} {ms(totals)}")
    for e in sorted(envelopes, key=lambda e: -(e.total if e in decided else float("inf")))[:3]:
        reads = " ".join(f"{t * 1000:.0f}" for t in e.slow_reads)
        print(f"  slowest: {e.total * 1000:.0f} ms, {e.frames} frames, read by {e.via or '-'}, slow reads {reads} ms")
    return pct(totals, 0.99)


if __name__ == "__main__":
    main()
