"""`python -m infrastructure.device_consumer` as its own process: a kiosk's cash reaches the dossier; SIGTERM stops
it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nats

from domain.kiosk_wire import encode, event_subject
from tests.conftest import COMMON
from tests.kiosk_bus_support import cash, make_core, private_settings

ROOT = Path(__file__).resolve().parents[2]


def test_the_consumer_process_applies_a_kiosk_payment_and_stops_on_sigterm(tmp_path: Path, catalogue) -> None:
    env = COMMON | {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "events.sqlite3")}
    core = make_core(env, catalogue)
    settings = private_settings()
    process_env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "POSTGRES_"))} | {
        "PYTHONPATH": str(ROOT),
        "MOTCUA_STORE": "sqlite",
        "MOTCUA_DATA_DIR": str(tmp_path),
        "MOTCUA_PROJECTIONS": "external",
        "MOTCUA_NOTIFICATIONS": "external",
        "MOTCUA_NATS_URL": settings.servers[0],
        "MOTCUA_NATS_STREAM": settings.stream,
        "MOTCUA_NATS_PREFIX": settings.prefix,
        "MOTCUA_NATS_DURABLE": settings.durable,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "infrastructure.device_consumer"],
        cwd=ROOT,
        env=process_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    payment = cash(core.code, 50_000, denomination=50_000)

    async def publish() -> None:
        nc = await nats.connect(servers=settings.servers)
        js = nc.jetstream()
        try:
            deadline = time.monotonic() + 30
            while True:  # the process creates the stream when it starts
                try:
                    await js.stream_info(settings.stream)
                    break
                except Exception:  # noqa: BLE001 - not there yet
                    assert time.monotonic() < deadline and process.poll() is None, "consumer did not start"
                    await asyncio.sleep(0.2)
            await js.publish(
                event_subject(payment, settings.prefix), encode(payment), headers={"Nats-Msg-Id": payment.event_id}
            )
        finally:
            await nc.close()

    try:
        asyncio.run(publish())
        deadline = time.monotonic() + 30
        while core.paid() < 50_000 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert core.paid() == 50_000 and core.cash_expected() == 50_000
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(30)
        asyncio.run(_delete_stream(settings))
        core.close()
    assert code == 0, process.stderr.read().decode()[-2000:]


async def _delete_stream(settings) -> None:
    nc = await nats.connect(servers=settings.servers)
    try:
        await nc.jetstream().delete_stream(settings.stream)
    finally:
        await nc.close()
