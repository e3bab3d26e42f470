"""Kiosk envelope decision: from the camera frame of an envelope to the kiosk pulling it in or pushing it out.

Run by hand:  .venv/bin/python -m bench.kiosk_latency [--envelopes 200]
Last line:    ratio <p99 ours / p99 of a bare NATS request/reply>   (lower is better; goal: our p99 ≤ 300 ms)

The core runs as in production: `python -m api` (uvicorn, PostgreSQL in a scratch schema) and
`python -m infrastructure.device_consumer` (the KIOSK_EVENTS stream on the local NATS JetStream, under a private
subject prefix and stream name). The kiosk is `kiosk_edge.runtime.KioskProcess` in this process: its outbox and
NATS publisher, simulated devices, the HTTP core client and the session flow. For each envelope a session is first
brought to the envelope screen (card read, phone verified; the OTP code is not driven: the phone proof is signed
with the core's secret as `POST /otp/verify` would, as bench.soak does), then timed:

  decode   a 1280×720 frame of the envelope's Code 128 label (bench/frames_hard.py's printer, paper, camera and
           lighting) read by `kiosk_edge.readers.read_symbols`; a frame that does not read is followed by the
           next one (another drawing of the same label), as the camera would, and counted;
  kiosk    `KioskFlow.envelope_inserted`: the envelope_scanned device event into the outbox, then the session;
  core     the core's answers over HTTP (`POST /kiosks/<key>/envelopes/check`, then `/submissions`);
  reply    from the core's last answer to the slot's pull-in (accepted) or push-out (refused).

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
from bench import frames_hard, hard_symbols  # noqa: E402
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
from domain.values import Actor, Role  # noqa: E402
from infrastructure.bootstrap import build  # noqa: E402
from infrastructure.readstore.wake import install_log_trigger  # noqa: E402
from infrastructure.settings import Settings  # noqa: E402
from infrastructure.signing.pki import ensure_dev_pki  # noqa: E402
from kiosk_edge.flow import HOME, Citizen  # noqa: E402
from kiosk_edge.readers import read_symbols  # noqa: E402
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
    frames: int = 0
    stages: dict[str, float] = field(default_factory=dict)
    total: float = 0.0
    decision: str = ""
    event_id: str = ""
    scanned_at: float = 0.0  # perf_counter when envelope_scanned went into the outbox


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


def frame_of(barcode: str, seed: int) -> np.ndarray:
    """A camera frame of the envelope's printed label (the hard generator's printer, paper, camera and light)."""
    rng = np.random.default_rng(seed)
    label, _, _, anchor = frames_hard._barcode_label(rng, barcode)
    frame, _ = frames_hard._photograph(rng, label, anchor, "code128")
    return frame


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


def one(process: KioskProcess, timings: Timings, envelope: Envelope, first_seed: int) -> None:
    """Time one envelope from its first frame to the slot's move. Rendering a frame is the camera's work and is not
    timed; a frame that does not read is followed by the next drawing of the label (the 33 ms between camera
    frames are not added)."""
    timings.reset()
    decode, barcode = 0.0, ""
    for seed in range(first_seed, first_seed + 5):
        frame = frame_of(envelope.barcode, seed)
        started = time.perf_counter()
        read = [symbol.payload for symbol in read_symbols(frame) if symbol.kind == "code128"]
        decode += time.perf_counter() - started
        envelope.frames += 1
        if read:
            barcode = read[0]
            break
    if not barcode:
        envelope.decision = "unread"
        return
    started = time.perf_counter()
    process.flow.envelope_inserted(barcode)
    if not timings.move:
        envelope.decision = f"no move ({process.flow.state.screen})"
        return
    kiosk_side = timings.moved - started
    envelope.total = decode + kiosk_side
    envelope.decision = timings.move if barcode == envelope.barcode else f"misread:{timings.move}"
    envelope.stages = {
        "decode": decode,
        "kiosk": kiosk_side - timings.core_seconds - (timings.moved - timings.last_answer),
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
    args = parser.parse_args()
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
                    envelope = Envelope(barcode=accepted[-1] if used else fresh[n], used=used)
                    to_envelope_screen(process, n)
                    one(process, timings, envelope, args.seed + 10 * n)
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
    report(envelopes, watch, baseline)


def report(envelopes: list[Envelope], watch: DeviceEventWatch, baseline: list[float]) -> None:
    decided = [e for e in envelopes if e.decision in ("accepted", "ejected")]
    wrong = [e for e in decided if (e.decision == "ejected") != e.used]
    print()
    print(
        f"envelopes: {len(envelopes)}; accepted {sum(e.decision == 'accepted' for e in envelopes)}, ejected "
        f"{sum(e.decision == 'ejected' for e in envelopes)}, unread {sum(e.decision == 'unread' for e in envelopes)}, "
        f"misread {sum(e.decision.startswith('misread') for e in envelopes)}, wrong decision {len(wrong)}; "
        f"frames read per envelope {statistics.mean(e.frames for e in envelopes):.2f}"
    )
    for stage in STAGES:
        values = [e.stages[stage] for e in decided]
        print(f"  {stage:8} median {pct(values, 0.5) * 1000:7.1f} ms  p99 {pct(values, 0.99) * 1000:7.1f} ms")
    first = [e.total for e in decided if e.frames == 1]
    print(f"{'frame → decision (read on 1st frame)':36} {ms(first)}")
    print(f"{'frame → decision (accepted)':36} {ms([e.total for e in decided if e.decision == 'accepted'])}")
    print(f"{'frame → decision (ejected)':36} {ms([e.total for e in decided if e.decision == 'ejected'])}")
    print(f"{'frame → decision (all)':36} {ms([e.total for e in decided])}")
    published = [watch.on_nats[e.event_id] - e.scanned_at for e in decided if e.event_id in watch.on_nats]
    applied = [
        watch.committed[e.event_id] - watch.on_nats[e.event_id]
        for e in decided
        if e.event_id in watch.committed and e.event_id in watch.on_nats
    ]
    print(f"{'device event: outbox → on NATS':36} {ms(published)}")
    print(f"{'device event: NATS → core commit':36} {ms(applied)}")
    print(f"{'baseline: NATS request/reply':36} {ms(baseline)}")
    p99 = pct([e.total for e in decided], 0.99)
    print(f"goal p99 ≤ 300 ms: {'met' if p99 <= 0.3 else 'MISSED'} ({p99 * 1000:.1f} ms)")
    print(f"ratio {p99 / pct(baseline, 0.99):.2f}")


if __name__ == "__main__":
    main()
