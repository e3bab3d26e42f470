"""The kiosk process put together: outbox, devices, core client, session flow, screen, NATS publisher and
command responder, with the settings its entry point read once from the environment.

A kiosk that shares the core's process (`make run`'s demo kiosk) is given the core's in-process bus instead of
NATS: an `OutboxPublisher` factory and a `CommandLine` (implemented in infrastructure/inprocess_bus.py; this
package imports nothing of the core but the wire messages, so the two meet only through these Protocols)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import nats

from domain.kiosk_wire import CommandReply, Heartbeat, KioskCommand, encode, heartbeat_subject
from kiosk_edge.auth import device_auth
from kiosk_edge.bus_auth import bus_options
from kiosk_edge.catalogue import DEFAULT_CATALOGUE, Usage, kiosk_procedures
from kiosk_edge.code_feed import CodeCameraThread, CodeFeed
from kiosk_edge.commands import CommandResponder
from kiosk_edge.core_client import CoreClient, CoreUnreachableError
from kiosk_edge.devices.camera import model_camera
from kiosk_edge.devices.log import DeviceLog
from kiosk_edge.devices.ports import FaceConfig
from kiosk_edge.devices.simulated import SimulatedKiosk
from kiosk_edge.flow import DEFAULT_HOTLINE, DEMO_ACCOUNT, KioskFlow
from kiosk_edge.outbox import Outbox, Publisher
from kiosk_edge.screen.server import ScreenServer
from kiosk_edge.vietqr import BankAccount

log = logging.getLogger(__name__)


class OutboxPublisher(Protocol):
    """Drains the outbox in order and moves its cursor only once the core has the event (outbox.Publisher: NATS)."""

    @property
    def wake(self) -> asyncio.Event: ...

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None: ...

    async def close(self) -> None: ...


class CommandLine(Protocol):
    """The core's commands to a kiosk in the same process, instead of NATS request/reply."""

    def attach(self, kiosk: str, execute: Callable[[KioskCommand], CommandReply]) -> None: ...

    def detach(self, kiosk: str) -> None: ...


class KioskConfigError(ValueError):
    """An environment variable of the kiosk process is missing or unusable; the message names it."""


@dataclass(frozen=True)
class KioskSettings:
    """MOTCUA_KIOSK_*, MOTCUA_CORE_URL, MOTCUA_NATS_URL / _PREFIX and MOTCUA_CATALOGUE."""

    kiosk: str
    secret: str
    core_url: str = "http://127.0.0.1:8000"
    nats_servers: tuple[str, ...] = ("nats://127.0.0.1:4222",)
    nats_prefix: str = "kiosk"
    nats_seed: str = ""  # MOTCUA_NATS_NKEY_SEED: this kiosk's own NKEY user (kiosk_edge/bus_auth.py)
    nats_ca: Path | None = None  # MOTCUA_NATS_CA
    outbox: Path = Path("var/kiosk-outbox.sqlite3")
    screen_host: str = "127.0.0.1"
    screen_port: int = 8100
    screen_hosts: tuple[str, ...] = ()  # names the screen may be reached by besides loopback (Host header check)
    catalogue: Path = DEFAULT_CATALOGUE
    trays: int = 90
    publish_idle: float = 1.0
    heartbeat_every: float = 15.0  # seconds between heartbeats to the core's fleet monitor (infrastructure/fleet)
    faces: FaceConfig | None = None  # MOTCUA_FACE_*; without a model dir the camera is simulated
    hotline: str = DEFAULT_HOTLINE  # shown in the footer of every screen
    bank: BankAccount = DEMO_ACCOUNT  # the agency's account the VietQR pays into
    demo: bool = False  # MOTCUA_DEMO=1: the device panel on the citizen screen
    code_camera: str = ""  # MOTCUA_KIOSK_CODE_CAMERA: a camera number, video or folder of frames; "" for none


class KioskProcess:
    """Everything one kiosk runs, on simulated devices; `start()` then `stop()` (tests run it in-process)."""

    def __init__(
        self,
        settings: KioskSettings,
        *,
        faulty_trays: frozenset[int] = frozenset(),
        release_wait: float = 3.0,
        publisher: Callable[[Outbox], OutboxPublisher] | None = None,
        commands: CommandLine | None = None,
    ) -> None:
        """Without `publisher` and `commands` the kiosk talks to the core over NATS (MOTCUA_NATS_URL)."""
        self.settings = s = settings
        s.outbox.parent.mkdir(parents=True, exist_ok=True)
        self.outbox = Outbox(s.outbox, prefix=s.nats_prefix)  # the devices' connection; the publisher has its own
        self._published = Outbox(s.outbox, prefix=s.nats_prefix)  # the publisher's own connection to the outbox
        self.publisher: OutboxPublisher = (publisher or self._nats_publisher)(self._published)
        self.commands = commands
        self.log = DeviceLog(s.kiosk, self.outbox, wake=self._wake)
        self.devices = SimulatedKiosk(self.log, s.trays, faulty_trays)
        camera = model_camera(s.kiosk, s.faces, s.outbox.parent / f"faces-{s.kiosk}", self.log)
        if camera is not None:  # MOTCUA_FACE_MODEL_DIR: the real face pipeline instead of the simulated one
            self.devices.camera = camera
        core = CoreClient(s.core_url, s.kiosk, device_auth(s.core_url, s.kiosk, s.secret), backlog=self.log.backlog)
        usage = Usage(s.outbox.parent / f"usage-{s.kiosk}.json")
        self.flow = KioskFlow(
            s.kiosk,
            core,
            self.devices,
            kiosk_procedures(s.catalogue),
            release_wait=release_wait,
            account=s.bank,
            hotline=s.hotline,
            usage=usage,
        )
        self.screen = ScreenServer(
            self.flow,
            simulated=self.devices,
            host=s.screen_host,
            port=s.screen_port,
            backlog=self.log.backlog,
            allowed_hosts=s.screen_hosts,
            demo=s.demo,
        )
        # Without it envelopes come only by the slot and cards by the typed (demo panel) entry, as before.
        feed = CodeFeed(self.flow)
        self.code_camera = CodeCameraThread(s.code_camera, feed, wanted=feed.wanted) if s.code_camera else None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._threads: list[threading.Thread] = []
        self._ticking = threading.Event()

    def _nats_publisher(self, outbox: Outbox) -> Publisher:
        return Publisher(
            outbox,
            list(self.settings.nats_servers),
            ack_timeout=1.0,
            min_backoff=0.2,
            max_backoff=5.0,
            options=self._bus_options(),
        )

    def _bus_options(self) -> dict[str, Any]:
        return bus_options(self.settings.kiosk, self.settings.nats_seed, self.settings.nats_ca)

    def wait_for_core(self, stop: threading.Event, every: float = 0.2) -> bool:
        """Block until the core answers and takes the device login (False if `stop` is set first)."""
        reason = ""
        while not stop.is_set():
            try:
                self.flow.core.health()  # logs in first: the device token is fetched on first use
                return True
            except CoreUnreachableError as error:
                if str(error) != reason:
                    reason = str(error)
                    log.info("kiosk %s: waiting for the core (%s)", self.settings.kiosk, reason)
            stop.wait(every)
        return False

    def start(self) -> None:
        ready = threading.Event()
        self._threads = [
            threading.Thread(target=lambda: asyncio.run(self._bus(ready)), name="kiosk-bus", daemon=True),
            threading.Thread(target=self._tick, name="kiosk-timeouts", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        ready.wait(timeout=10)
        if self.commands is not None:
            # execute() drives the devices and never touches the NATS connection, so there is none to give it.
            responder = CommandResponder(None, self.settings.kiosk, self.devices)
            self.commands.attach(self.settings.kiosk, responder.execute)
        self.screen.start()
        if self.code_camera is not None:
            self.code_camera.start()
        log.info("kiosk %s: screen on %s", self.settings.kiosk, self.screen.url)

    def stop(self) -> None:
        """Stop what start() started and close the outbox (also for a process that never started)."""
        if self.commands is not None:
            self.commands.detach(self.settings.kiosk)
        if self.code_camera is not None:
            self.code_camera.stop()
        if self._threads:
            self.screen.stop()
        else:  # shutdown() would wait forever for a serve_forever() that never ran
            self.screen.httpd.server_close()
        self._ticking.set()
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        for thread in self._threads:
            thread.join(timeout=10)
        self._published.close()
        self.outbox.close()

    def _wake(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.publisher.wake.set)

    def _tick(self) -> None:
        while not self._ticking.wait(0.5):
            self.flow.tick()

    async def _bus(self, ready: threading.Event) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        ready.set()
        tasks = [asyncio.create_task(self.publisher.run(self._stop, idle=self.settings.publish_idle))]
        if self.commands is None:
            tasks.append(asyncio.create_task(self._answer_commands(self._stop)))
        await asyncio.gather(*tasks)
        await self.publisher.close()

    async def _answer_commands(self, stop: asyncio.Event) -> None:
        """Answer the core's commands whenever NATS is reachable (the client reconnects by itself)."""
        s = self.settings
        while not stop.is_set():
            try:  # with endless reconnects nats-py would also retry the first connect forever: bound it
                nc = await asyncio.wait_for(
                    nats.connect(
                        servers=list(s.nats_servers),
                        connect_timeout=1,
                        max_reconnect_attempts=-1,
                        reconnect_time_wait=0.5,
                        error_cb=_quiet,
                        **self._bus_options(),
                    ),
                    timeout=3,
                )
            except Exception as error:  # NATS down at start: try again shortly
                log.info("commands: NATS not reachable (%s)", type(error).__name__)
                await _wait(stop, 2.0)
                continue
            responder = CommandResponder(nc, s.kiosk, self.devices, prefix=s.nats_prefix)
            await responder.start()
            await self._heartbeats(nc, stop)
            await nc.close()

    async def _heartbeats(self, nc: nats.NATS, stop: asyncio.Event) -> None:
        """Tell the core this kiosk is alive, with what only it knows: its outbox backlog and its door faults."""
        s = self.settings
        while not stop.is_set():
            beat = Heartbeat(
                kiosk=s.kiosk,
                at=datetime.now(UTC),
                outbox_backlog=self.log.backlog(),
                door_faults=sorted(self.devices.trays.faulty),
            )
            try:
                await nc.publish(heartbeat_subject(s.kiosk, s.nats_prefix), encode(beat))
            except Exception as error:  # noqa: BLE001 - NATS away: the next beat tries again; the core sees a gap
                log.info("heartbeat not sent (%s)", type(error).__name__)
            await _wait(stop, s.heartbeat_every)


async def _quiet(error: Exception) -> None:
    log.debug("nats (commands): %s", type(error).__name__)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
