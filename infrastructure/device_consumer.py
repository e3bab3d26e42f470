"""`python -m infrastructure.device_consumer`: the core's consumer of kiosk device events (its own process)."""

from __future__ import annotations

import asyncio
import signal

import nats

from application.device_events import DeviceEvents
from infrastructure.bootstrap import build
from infrastructure.kiosk_bus import DeviceEventConsumer, KioskBusSettings
from infrastructure.logs import setup_logging
from infrastructure.natsconf.client import connect_options
from infrastructure.settings import NatsSettings, Settings, SettingsError, private_files


def bus_settings(nats: NatsSettings) -> KioskBusSettings:
    """MOTCUA_NATS_URL (comma-separated servers), MOTCUA_NATS_STREAM, MOTCUA_NATS_PREFIX, MOTCUA_NATS_DURABLE."""
    if not nats.servers or not all(url.startswith(("nats://", "tls://")) for url in nats.servers):
        raise SettingsError("MOTCUA_NATS_URL must be nats:// or tls:// URLs separated by commas")
    return KioskBusSettings(servers=list(nats.servers), stream=nats.stream, prefix=nats.prefix, durable=nats.durable,
                            replicas=nats.replicas, options=connect_options(nats))


async def consume(settings: Settings, bus: KioskBusSettings) -> None:
    """Apply device events until SIGTERM or SIGINT."""
    system = build(settings)
    device_events = DeviceEvents(settings.event_store_env(), clock=system.clock, share_cache_with=system.kiosks)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    connection = await nats.connect(servers=bus.servers, max_reconnect_attempts=-1, **bus.options)
    try:
        consumer = DeviceEventConsumer(connection, device_events, bus)
        await consumer.start()
        await consumer.run(stop)
    finally:
        # close, not drain: draining a JetStream pull subscription waits for fetches that never come.
        await asyncio.wait_for(connection.close(), timeout=10)
        device_events.close()
        system.close()


def main() -> None:
    private_files()
    setup_logging("device-consumer")
    settings = Settings.from_env()
    asyncio.run(consume(settings, bus_settings(settings.nats)))


if __name__ == "__main__":
    main()
