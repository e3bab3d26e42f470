"""One request id from the API's request through the core's kiosk command line (NATS headers) into the kiosk's log."""

from __future__ import annotations

import asyncio
import logging
import threading

import nats
import pytest

from infrastructure.kiosk_doors import nats_doors
from infrastructure.logs import REQUEST_ID
from kiosk_edge.commands import CommandResponder, SimulatedDevices
from tests.kiosk_bus_support import KIOSK, private_settings

pytestmark = pytest.mark.nats


def test_the_request_id_of_a_core_request_reaches_the_kiosk_log(caplog: pytest.LogCaptureFixture) -> None:
    settings, devices = private_settings(), SimulatedDevices(tray_count=90)
    loop = asyncio.new_event_loop()
    kiosk_thread = threading.Thread(target=loop.run_forever, daemon=True)
    kiosk_thread.start()

    async def start_kiosk() -> nats.NATS:
        nc = await nats.connect(servers=settings.servers, connect_timeout=2)
        await CommandResponder(nc, KIOSK, devices, prefix=settings.prefix).start()
        return nc

    kiosk_nc = asyncio.run_coroutine_threadsafe(start_kiosk(), loop).result(10)
    doors = nats_doors(settings, timeout=2)
    caplog.set_level(logging.INFO, logger="kiosk_edge.commands")
    token = REQUEST_ID.set("req-trace-42")  # as the API's middleware sets it for a handler
    try:
        assert doors.open_tray(KIOSK, 7) == "opened"
    finally:
        REQUEST_ID.reset(token)
        doors.close()
        asyncio.run_coroutine_threadsafe(kiosk_nc.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        kiosk_thread.join(5)
    lines = [record for record in caplog.records if record.name == "kiosk_edge.commands"]
    assert [(record.getMessage(), getattr(record, "request_id", None)) for record in lines] == [
        ("command open_tray: ok", "req-trace-42")
    ]
    assert devices.calls == [("open_tray", 7)]
