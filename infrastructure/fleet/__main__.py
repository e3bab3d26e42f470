"""`python -m infrastructure.fleet`: the kiosk fleet monitor (heartbeats in, alerts out); stops on SIGTERM."""

from __future__ import annotations

import asyncio
import signal

import nats

from infrastructure.bootstrap import build
from infrastructure.device_consumer import bus_settings
from infrastructure.fleet.process import HeartbeatListener, fleet_for, run
from infrastructure.logs import setup_logging
from infrastructure.settings import Settings, private_files


async def monitor(settings: Settings) -> None:
    system, bus = build(settings), bus_settings(settings.nats)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    nc = await nats.connect(servers=bus.servers, max_reconnect_attempts=-1, **bus.options)
    try:
        fleet = fleet_for(system, settings.fleet)
        await run(
            fleet,
            HeartbeatListener(nc, fleet.store, system.clock.now, bus.prefix),
            system.clock.now,
            settings.fleet.every,
            stop,
        )
    finally:
        await asyncio.wait_for(nc.close(), timeout=10)
        system.close()


def main() -> None:
    private_files()
    setup_logging("fleet")
    asyncio.run(monitor(Settings.from_env()))


if __name__ == "__main__":
    main()
