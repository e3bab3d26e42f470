"""The NATS and process side of bench/kiosk_latency.py: the device consumer process, its stream, where device events
are seen (on NATS, committed by the core) and the baseline request/reply round trip."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nats
import psycopg

from bench.common import PG
from domain.device_event import device_event_id
from infrastructure.readstore.wake import log_channel

NATS_URL = os.environ.get("BENCH_NATS_URL", "nats://127.0.0.1:4222")
ROOT = Path(__file__).resolve().parent.parent


class DeviceEventWatch:
    """When each device event reached NATS (a plain subscriber on the kiosk's event subjects) and when the device
    consumer committed it: LISTEN on the events table's trigger, and at each notification the time of every record
    stored since the last one (a record is timed when it is committed, not when the bench asks for it: the bench
    names its events only once the envelope is decided, often after their commit)."""

    def __init__(self, schema: str, prefix: str, kiosk: str) -> None:
        self.schema, self.prefix, self.kiosk = schema, prefix, kiosk
        self.on_nats: dict[str, float] = {}
        self.committed: dict[str, float] = {}
        self.wanted: set[str] = set()
        self._stored_at: dict[str, float] = {}  # originator id -> when its first record was seen committed
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self.nc: Any = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        asyncio.run_coroutine_threadsafe(self._subscribe(), loop).result(10)
        threading.Thread(target=self._listen, daemon=True).start()

    async def _subscribe(self) -> None:
        self.nc = nc = await nats.connect(NATS_URL)

        async def seen(message: Any) -> None:
            event_id = (message.headers or {}).get("Nats-Msg-Id")
            if event_id:
                self.on_nats.setdefault(event_id, time.perf_counter())

        await nc.subscribe(f"{self.prefix}.{self.kiosk}.events.>", cb=seen)
        await nc.flush()

    def want(self, event_id: str) -> None:
        with self.lock:
            self.wanted.add(event_id)
            self._match()

    def _match(self) -> None:
        """Move the wanted events already stored to `committed` (under the lock)."""
        for event_id in list(self.wanted):
            stored_at = self._stored_at.get(str(device_event_id(event_id)))
            if stored_at is not None:
                self.committed[event_id] = stored_at
                self.wanted.discard(event_id)

    def _listen(self) -> None:
        last = 0
        with psycopg.connect(autocommit=True, **PG) as conn:
            conn.execute(f'LISTEN "{log_channel(self.schema)}"')
            while not self._stop.is_set():
                for _ in conn.notifies(timeout=0.5, stop_after=1):
                    pass
                now = time.perf_counter()
                found = conn.execute(
                    f"SELECT notification_id, originator_id::text FROM {self.schema}.onestop_events "
                    "WHERE notification_id > %s ORDER BY notification_id",
                    (last,),
                ).fetchall()
                with self.lock:
                    for notification_id, originator in found:
                        self._stored_at.setdefault(originator, now)
                        last = notification_id
                    self._match()

    def stop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._stop.set()
        asyncio.run_coroutine_threadsafe(self.nc.close(), loop).result(10)


async def nats_round_trips(count: int) -> list[float]:
    """The baseline: a bare request/reply between two connections of the local NATS server."""
    responder, requester = await nats.connect(NATS_URL), await nats.connect(NATS_URL)
    subject = f"bench.rtt.{uuid.uuid4().hex}"

    async def answer(message: Any) -> None:
        await message.respond(b"ok")

    await responder.subscribe(subject, cb=answer)
    await responder.flush()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        await requester.request(subject, b"envelope", timeout=5)
        times.append(time.perf_counter() - started)
    await requester.close()
    await responder.close()
    return times


def serve_consumer(log: Path) -> Any:
    """The device consumer process; serve() waits on an HTTP path, so this one is only started and stopped."""

    @contextlib.contextmanager
    def running() -> Iterator[subprocess.Popen[bytes]]:
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "infrastructure.device_consumer"],
                env=dict(os.environ),
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            yield process
        finally:
            process.terminate()
            process.wait(20)

    return running()


async def stream_made(name: str) -> None:
    """Wait until the device consumer has made its stream (a kiosk publishing before would only time out)."""
    nc = await nats.connect(NATS_URL)
    try:
        for _ in range(600):
            try:
                await nc.jetstream().stream_info(name)
                return
            except nats.js.errors.NotFoundError:
                await asyncio.sleep(0.1)
        raise RuntimeError(f"the device consumer made no stream {name} within a minute")
    finally:
        await nc.close()


async def delete_stream(name: str) -> None:
    nc = await nats.connect(NATS_URL)
    with contextlib.suppress(Exception):  # already gone: nothing to clean
        await nc.jetstream().delete_stream(name)
    await nc.close()
