"""A 3-node NATS JetStream cluster (TLS, per-kiosk NKEY users, the stream with 3 replicas) loses the node that leads
the device-event stream mid-day: the kiosk's outbox keeps going to the two others and the core applies every note
exactly once, in order."""

from __future__ import annotations

import asyncio
from pathlib import Path

from infrastructure.kiosk_bus import KioskBusSettings
from kiosk_edge.outbox import Outbox, Publisher
from tests.conftest import PG, postgres_env
from tests.faults.nats_cluster import SecuredNats
from tests.faults.support import Process, process_env, stored_events, wait_until
from tests.kiosk_bus_support import KIOSK, cash, make_core, private_settings

NOTES = [10_000, 20_000, 50_000, 5_000, 100_000, 2_000, 1_000, 200_000] * 3  # 24 notes, 1 164 000 đồng


def test_a_cluster_that_loses_the_stream_leader_mid_day_loses_and_doubles_no_kiosk_event(
    fault_schema: str, catalogue, tmp_path: Path
) -> None:
    core = make_core(postgres_env(fault_schema), catalogue)
    names = private_settings()
    cluster = SecuredNats(tmp_path / "nats", [KIOSK], names.prefix, nodes=3)
    (tmp_path / "core.seed").write_text(cluster.seeds["core"] + "\n")
    consumer = Process(
        ["infrastructure.device_consumer"],
        process_env(
            PG,
            fault_schema,
            tmp_path,
            MOTCUA_NATS_URL=",".join(cluster.urls),
            MOTCUA_NATS_STREAM=names.stream,
            MOTCUA_NATS_PREFIX=names.prefix,
            MOTCUA_NATS_DURABLE=names.durable,
            MOTCUA_NATS_REPLICAS="3",
            MOTCUA_NATS_NKEY_SEED_FILE=str(tmp_path / "core.seed"),
            MOTCUA_NATS_CA=str(cluster.ca),
        ),
        tmp_path / "consumer.log",
    )
    outbox = Outbox(tmp_path / "outbox.sqlite3", prefix=names.prefix)
    events = [cash(core.code, amount, denomination=amount) for amount in NOTES]
    lost: list[str] = []

    async def stream_leader(bus: KioskBusSettings) -> tuple[str, int]:
        nc = await cluster.connect_core()
        try:
            info = await nc.jetstream().stream_info(bus.stream)
            return info.cluster.leader, info.config.num_replicas
        finally:
            await nc.close()

    async def kiosk_day() -> None:
        """Insert notes one by one; after the first third the node leading the stream dies."""
        publisher = Publisher(
            outbox,
            cluster.urls,
            ack_timeout=1.0,
            min_backoff=0.05,
            max_backoff=0.5,
            options=cluster.kiosk_options(KIOSK),
        )
        stop = asyncio.Event()
        running = asyncio.create_task(publisher.run(stop, idle=0.05))
        try:
            for n, event in enumerate(events):
                if n == 8:
                    await _until(lambda: outbox.backlog() == 0)
                    leader, replicas = await stream_leader(names)
                    assert replicas == 3
                    lost.append(leader)
                    cluster.kill(leader)
                outbox.append(event)
                publisher.wake.set()
                await asyncio.sleep(0.05)
            await _until(lambda: outbox.backlog() == 0, seconds=90)
        finally:
            stop.set()
            await running
            await publisher.close()

    try:
        cluster.start()
        consumer.start()
        wait_until(lambda: _stream_exists(cluster, names) or not consumer.running(), 60, "the consumer made the stream")
        asyncio.run(kiosk_day())
        wait_until(lambda: core.paid() >= sum(NOTES) or not consumer.running(), 90, "the core applied every note")
        assert consumer.running(), f"the consumer died when a node went:\n{consumer.tail()}"
        paid, cash_box = core.paid(), core.cash_expected()
    finally:
        consumer.stop()
        cluster.stop()
        core.close()
    assert lost and lost[0].startswith("n")  # a node (the stream's leader) really went away mid-day
    assert paid == sum(NOTES) == cash_box
    stored = stored_events(PG, fault_schema)
    payments = [state["amount"] for topic, state in stored if topic.endswith("Dossier.PaymentReceived")]
    recorded = [state["event_id"] for topic, state in stored if topic.endswith("KioskDeviceEvent.Recorded")]
    assert payments == NOTES  # none lost, none doubled, in order
    assert recorded == [event.event_id for event in events]


def _stream_exists(cluster: SecuredNats, bus: KioskBusSettings) -> bool:
    async def look() -> bool:
        nc = await cluster.connect_core()
        try:
            await nc.jetstream().stream_info(bus.stream)
            return True
        except Exception:  # noqa: BLE001 - not there yet
            return False
        finally:
            await nc.close()

    return asyncio.run(look())


async def _until(condition, seconds: float = 60) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not drain")
