"""Builders for the kiosk-bus tests: a core with one unpaid dossier, device events, private NATS names and servers."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import nats

from application.base import OneStop
from application.device_events import DeviceEvents
from application.dossiers import Dossiers
from application.kiosks import Kiosks
from domain.kiosk_wire import CashInserted, TrayOpened
from infrastructure.kiosk_bus import DeviceEventConsumer, KioskBusSettings
from tests.fakes import FakeClock, FakeOtp, WeekdayCalendar
from tests.kiosk_support import KIOSK_ACTOR, STAFF_ACTOR, Citizen, kiosks_app, vn

KIOSK = "Q6-01"
PROCEDURE = "1.001612.000.00.00.H29"  # kiosk-enabled, fee 100 000 đồng, no face check
SHARED_NATS = "nats://127.0.0.1:4222"
NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


@dataclass
class Core:
    """The core applications over one store, with one submitted dossier that still owes its fee."""

    dossiers: Dossiers
    kiosks: Kiosks
    device_events: DeviceEvents
    code: str

    def paid(self) -> int:
        return self.dossiers.get_dossier(self.code).paid

    def cash_expected(self) -> int:
        return self.kiosks.get_kiosk(KIOSK).cash_expected

    def last_position(self) -> int:
        return self.dossiers.app.recorder.max_notification_id() or 0

    def close(self) -> None:
        self.dossiers.app.close()


def make_core(env: dict[str, str], catalogue: Any) -> Core:
    """Install the kiosk, register envelopes and submit one dossier of PROCEDURE, unpaid."""
    clock, otp, citizen = FakeClock(vn(date(2026, 5, 20), 9)), FakeOtp(), Citizen(7)
    dossiers = Dossiers(OneStop(env), catalogue=catalogue, calendar=WeekdayCalendar(), clock=clock)
    kiosks = kiosks_app(dossiers, otp, clock)
    kiosks.install_kiosk(KIOSK, name="Kiosk 24/7 UBND Quận 6", agency="H29.06", actor=STAFF_ACTOR, tray_count=3)
    kiosks.register_envelopes(KIOSK, barcodes=["Q6PB000001"], actor=STAFF_ACTOR)
    kiosks.request_otp(citizen.phone)
    proof = kiosks.verify_phone(citizen.phone, otp.code_for(citizen.phone, "submit"))
    submitted = kiosks.submit(
        KIOSK,
        procedure_code=PROCEDURE,
        qr_payload=citizen.qr,
        phone=citizen.phone,
        phone_proof=proof,
        envelope="Q6PB000001",
        actor=KIOSK_ACTOR,
    )
    events = DeviceEvents(dossiers.app, clock=clock)  # the same application: one cache
    return Core(dossiers=dossiers, kiosks=kiosks, device_events=events, code=submitted.dossier_code)


def cash(code: str, amount: int, denomination: int = 10_000, kiosk: str = KIOSK) -> CashInserted:
    return CashInserted(
        event_id=str(uuid.uuid4()),
        kiosk=kiosk,
        at=datetime.now().astimezone(),
        dossier_code=code,
        denomination=denomination,
        amount=amount,
    )


def tray_opened(tray: int) -> TrayOpened:
    return TrayOpened(event_id=str(uuid.uuid4()), kiosk=KIOSK, at=datetime.now().astimezone(), tray=tray)


def private_settings(servers: str = SHARED_NATS) -> KioskBusSettings:
    """Stream, consumer and subject prefix of this test alone, so runs never collide."""
    tag = uuid.uuid4().hex[:10]
    return KioskBusSettings(
        servers=[servers],
        stream=f"KIOSK_EVENTS_T{tag.upper()}",
        prefix=f"t{tag}.kiosk",
        durable=f"core-{tag}",
        ack_wait=2.0,
        retry_delay=0.2,
    )


@asynccontextmanager
async def bus(settings: KioskBusSettings, core: Core | None = None):
    """A connection and (given a core) a started consumer; the stream is deleted afterwards."""
    nc = await nats.connect(servers=settings.servers, connect_timeout=2)
    consumer = DeviceEventConsumer(nc, core.device_events, settings) if core else None
    try:
        if consumer:
            await consumer.start()
        yield nc, consumer
    finally:
        with contextlib.suppress(Exception):  # a test without a stream has nothing to delete
            await nc.jetstream().delete_stream(settings.stream)
        await nc.close()


async def consume(consumer: DeviceEventConsumer, count: int, deadline: float = 10.0) -> list[str]:
    """Poll until `count` messages were handled (or the deadline passes)."""
    outcomes: list[str] = []
    until = time.monotonic() + deadline
    while len(outcomes) < count and time.monotonic() < until:
        outcomes += await consumer.poll(batch=count - len(outcomes), timeout=0.5)
    return outcomes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateNats:
    """A nats-server of this test alone (JetStream on a temporary directory), to stop and restart."""

    def __init__(self, store: Path) -> None:
        self.port, self.store, self.process = free_port(), store, None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.process = subprocess.Popen(
            [NATS_SERVER, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.05)
        raise RuntimeError("private nats-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
