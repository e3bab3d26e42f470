"""Heartbeats over NATS: a kiosk process sends them, the fleet monitor keeps each kiosk's latest and refuses a
heartbeat sent on another kiosk's subject."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import nats
import pytest

from domain.kiosk_wire import Heartbeat, encode, heartbeat_subject
from infrastructure.fleet import FleetStore
from infrastructure.fleet.process import HeartbeatListener
from kiosk_edge.runtime import KioskProcess, KioskSettings
from tests.conftest import read_store_for
from tests.kiosk_bus_support import SHARED_NATS, private_settings

pytestmark = pytest.mark.nats
SEEN = datetime(2026, 5, 20, 1, 0, tzinfo=UTC)


async def until(condition, what: str, seconds: float = 10.0) -> None:
    """Poll `condition` (a generous bound, never a timed assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, f"gave up waiting: {what}"
        await asyncio.sleep(0.05)


def test_the_monitor_keeps_the_latest_heartbeat_and_refuses_one_on_another_kiosks_subject(store_env, tmp_path) -> None:
    store, prefix = FleetStore(read_store_for(store_env, tmp_path)), private_settings().prefix

    async def scenario() -> int:
        nc = await nats.connect(servers=[SHARED_NATS], connect_timeout=2)
        try:
            listener = HeartbeatListener(nc, store, lambda: SEEN, prefix)
            await listener.start()
            beat = Heartbeat(kiosk="Q6-01", at=SEEN, outbox_backlog=4, door_faults=[13])
            await nc.publish(heartbeat_subject("Q6-02", prefix), encode(beat))  # Q6-01 speaking as Q6-02
            await nc.publish(heartbeat_subject("Q6-01", prefix), b'{"type": "heartbeat", "kiosk": "Q6-01"}')
            await nc.publish(heartbeat_subject("Q6-01", prefix), encode(beat))
            await until(lambda: "Q6-01" in store.heartbeats(), "the heartbeat")
            return listener.dropped
        finally:
            await nc.close()

    assert asyncio.run(scenario()) == 2
    assert store.heartbeats() == {"Q6-01": {"seen_at": SEEN, "outbox_backlog": 4, "door_faults": [13]}}


def test_a_kiosk_process_sends_heartbeats_with_its_backlog_and_door_faults(tmp_path) -> None:
    prefix = private_settings().prefix
    settings = KioskSettings(
        kiosk="Q6-01",
        secret="s",
        outbox=tmp_path / "outbox.sqlite3",
        screen_port=0,
        nats_prefix=prefix,
        nats_servers=(SHARED_NATS,),
        heartbeat_every=0.05,
    )
    kiosk = KioskProcess(settings, faulty_trays=frozenset({13}))

    async def scenario() -> list[bytes]:
        received: list[bytes] = []
        nc = await nats.connect(servers=[SHARED_NATS], connect_timeout=2)
        stop = asyncio.Event()
        try:

            async def keep(message) -> None:
                received.append(message.data)

            await nc.subscribe(heartbeat_subject("Q6-01", prefix), cb=keep)
            sending = asyncio.create_task(kiosk._heartbeats(nc, stop))
            await until(lambda: len(received) >= 2, "two heartbeats")
            stop.set()
            await sending
            return received
        finally:
            await nc.close()

    beats = asyncio.run(scenario())
    assert all(b'"door_faults":[13]' in beat and b'"outbox_backlog":0' in beat for beat in beats)
