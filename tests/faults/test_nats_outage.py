"""NATS down and back while a kiosk publishes device events: the outbox drains, the core counts every note once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from kiosk_edge.outbox import Outbox, Publisher
from tests.conftest import PG, postgres_env
from tests.faults.support import Process, process_env, stored_events, wait_until
from tests.kiosk_bus_support import PrivateNats, cash, make_core, private_settings

NOTES = [10_000, 20_000, 50_000, 5_000, 100_000, 2_000, 1_000, 200_000] * 4  # 32 notes, 1 552 000 đồng


def test_a_kiosk_outbox_drains_after_a_nats_outage_and_the_core_applies_each_event_once(
    fault_schema: str, catalogue, tmp_path: Path
) -> None:
    core = make_core(postgres_env(fault_schema), catalogue)
    server = PrivateNats(tmp_path / "jetstream")
    bus = private_settings(server.url)
    consumer = Process(
        ["infrastructure.device_consumer"],
        process_env(
            PG,
            fault_schema,
            tmp_path,
            MOTCUA_NATS_URL=server.url,
            MOTCUA_NATS_STREAM=bus.stream,
            MOTCUA_NATS_PREFIX=bus.prefix,
            MOTCUA_NATS_DURABLE=bus.durable,
        ),
        tmp_path / "consumer.log",
    )
    outbox = Outbox(tmp_path / "outbox.sqlite3", prefix=bus.prefix)
    events = [cash(core.code, amount, denomination=amount) for amount in NOTES]

    async def kiosk_day() -> int:
        """Insert notes one by one; NATS stops after the first third and comes back after the second."""
        publisher = Publisher(outbox, bus.servers, ack_timeout=0.5, min_backoff=0.05, max_backoff=0.5)
        stop = asyncio.Event()
        running = asyncio.create_task(publisher.run(stop, idle=0.05))
        waiting = 0
        try:
            for n, event in enumerate(events):
                if n == 11:
                    await _until(lambda: outbox.backlog() == 0)
                    server.stop()
                if n == 22:
                    waiting = outbox.backlog()
                    await server.start()  # same port, same JetStream directory
                outbox.append(event)
                publisher.wake.set()
                await asyncio.sleep(0.05)
            await _until(lambda: outbox.backlog() == 0)
        finally:
            stop.set()
            await running
            await publisher.close()
        return waiting

    try:
        asyncio.run(server.start())
        consumer.start()
        waiting = asyncio.run(kiosk_day())
        wait_until(lambda: core.paid() >= sum(NOTES) or not consumer.running(), 120, "the core applied every note")
        assert consumer.running(), f"the consumer process died with NATS:\n{consumer.tail()}"
        paid, cash_box = core.paid(), core.cash_expected()
    finally:
        consumer.stop()
        server.stop()
        core.close()
    assert waiting == 11  # held in the outbox while NATS was down, nothing dropped
    # The same state as a day without the outage: each note once, in order, in the dossier and in the cash box.
    assert paid == sum(NOTES) == cash_box
    stored = stored_events(PG, fault_schema)
    payments = [state["amount"] for topic, state in stored if topic.endswith("Dossier.PaymentReceived")]
    recorded = [state["event_id"] for topic, state in stored if topic.endswith("KioskDeviceEvent.Recorded")]
    assert payments == NOTES
    assert recorded == [event.event_id for event in events]


async def _until(condition, seconds: float = 60) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not drain")
