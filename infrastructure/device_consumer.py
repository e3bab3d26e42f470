"""`python -m infrastructure.device_consumer`: the core's consumer of kiosk device events (its own process)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import nats
import nats.js.errors

from infrastructure.bootstrap import build
from infrastructure.kiosk_bus import DeviceEventConsumer, KioskBusSettings
from infrastructure.logs import setup_logging
from infrastructure.natsconf.client import connect_options
from infrastructure.settings import NatsSettings, Settings, SettingsError, private_files

log = logging.getLogger(__name__)
NOT_READY = (nats.errors.TimeoutError, nats.js.errors.ServiceUnavailableError, nats.errors.NoRespondersError)


def bus_settings(nats: NatsSettings) -> KioskBusSettings:
    """MOTCUA_NATS_URL (comma-separated servers), MOTCUA_NATS_STREAM, MOTCUA_NATS_PREFIX, MOTCUA_NATS_DURABLE."""
    if not nats.servers or not all(url.startswith(("nats://", "tls://")) for url in nats.servers):
        raise SettingsError("MOTCUA_NATS_URL must be nats:// or tls:// URLs separated by commas")
    return KioskBusSettings(
        servers=list(nats.servers),
        stream=nats.stream,
        prefix=nats.prefix,
        durable=nats.durable,
        replicas=nats.replicas,
        options=connect_options(nats),
    )


async def consume(settings: Settings, bus: KioskBusSettings) -> None:
    """Apply device events until SIGTERM or SIGINT."""
    system = build(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    connection = await nats.connect(servers=bus.servers, max_reconnect_attempts=-1, **bus.options)
    try:
        consumer = DeviceEventConsumer(connection, system.device_events, bus)
        if await started(consumer, stop):
            await consumer.run(stop)
    finally:
        # close, not drain: draining a JetStream pull subscription waits for fetches that never come.
        await asyncio.wait_for(connection.close(), timeout=10)
        system.close()


async def started(consumer: DeviceEventConsumer, stop: asyncio.Event, every: float = 2.0) -> bool:
    """Bind to the stream, trying again while JetStream cannot answer yet (a cluster still electing its leaders, a
    node just lost); False if stopped first."""
    while not stop.is_set():
        try:
            await consumer.start()
            return True
        except NOT_READY as error:
            log.warning("JetStream not ready (%s); trying again in %.0f s", type(error).__name__, every)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
    return False


def main() -> None:
    private_files()
    setup_logging("device-consumer")
    settings = Settings.from_env()
    asyncio.run(consume(settings, bus_settings(settings.nats)))


if __name__ == "__main__":
    main()
