"""A live core for kiosk tests: the real app under uvicorn on a free port (SQLite in a temp dir, demo data and
logins, OTPs to the simulator's SMS sink), the device-event consumer in a thread, and the kiosk process."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import nats
import uvicorn

from api.app import create_app
from infrastructure.bootstrap import System, build
from infrastructure.demo import KIOSK_KEY, seed
from infrastructure.kiosk_bus import DeviceEventConsumer, KioskBusSettings
from infrastructure.settings import Settings
from kiosk_edge.runtime import KioskProcess, KioskSettings
from kiosk_edge.simulator import Simulator, SmsSink
from tests.kiosk_bus_support import free_port

KIOSK_SECRET = f"demo-kiosk-{KIOSK_KEY}"


@dataclass
class LiveCore:
    """The running core: its URL, the System behind it and the SMS sink its OTPs go to."""

    url: str
    system: System
    sms: SmsSink

    def paid(self, code: str) -> int:
        return self.system.dossiers.get_dossier(code).paid


@contextmanager
def serve(app) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a thread on 127.0.0.1 and a port the OS picked."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the API did not start; see the log above")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


@contextmanager
def live_core(data_dir: Path) -> Iterator[LiveCore]:
    """`python -m api` with demo data, its SMS gateway pointing at a sink the test reads OTPs from."""
    sms = SmsSink()
    system = build(
        Settings.from_env(
            {"MOTCUA_DATA_DIR": str(data_dir), "MOTCUA_NOTIFICATIONS": "external", "MOTCUA_SMS_URL": sms.url}
        )
    )
    seed(system)
    try:
        with serve(create_app(system)) as url:  # the app's shutdown hook closes the system
            yield LiveCore(url=url, system=system, sms=sms)
    finally:
        sms.close()


class ConsumerThread:
    """The core's device-event consumer (as `python -m infrastructure.device_consumer`) on its own loop;
    it rides out NATS restarts, polling again until stopped."""

    def __init__(self, core: LiveCore, bus: KioskBusSettings) -> None:
        self.core, self.bus = core, bus
        self.device_events = core.system.device_events  # the core process's own service: one application, one cache
        self.outcomes: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), name="device-consumer", daemon=True)

    def __enter__(self) -> ConsumerThread:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=20)

    async def _run(self) -> None:
        nc = await nats.connect(servers=self.bus.servers, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
        consumer = DeviceEventConsumer(nc, self.device_events, self.bus)
        await consumer.start()
        while not self._stop.is_set():
            try:
                self.outcomes += await consumer.poll(timeout=0.3)
            except Exception:  # noqa: BLE001 - NATS is down for a while: poll again once it is back
                await asyncio.sleep(0.2)
        with contextlib.suppress(Exception):  # the server may already be gone
            await nc.jetstream().delete_stream(self.bus.stream)
        await nc.close()


def kiosk_settings(core: LiveCore, bus: KioskBusSettings, outbox: Path, **changes: object) -> KioskSettings:
    """The demo kiosk Q6-01 against the live core and the given bus, screen on a free port."""
    settings = KioskSettings(
        kiosk=KIOSK_KEY,
        secret=KIOSK_SECRET,
        core_url=core.url,
        nats_servers=tuple(bus.servers),
        nats_prefix=bus.prefix,
        outbox=outbox,
        screen_port=free_port(),
        publish_idle=0.1,
    )
    return replace(settings, **changes)


@contextmanager
def kiosk_process(settings: KioskSettings, **options: object) -> Iterator[KioskProcess]:
    process = KioskProcess(settings, **options)
    process.start()
    try:
        yield process
    finally:
        process.stop()


def simulator(core: LiveCore, process: KioskProcess) -> Simulator:
    return Simulator(process.screen.url, core.url, kiosk=KIOSK_KEY, sms=core.sms)


def wait_for(condition, what: str, deadline: float = 20.0) -> None:
    """Poll until `condition()` holds (a wait for asynchronous delivery, not a timed assertion)."""
    until = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > until:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)
