"""The core opens tray doors from synchronous code over the kiosk command line (in-process bus, real kiosk process)."""

from __future__ import annotations

from pathlib import Path

from infrastructure.inprocess_bus import InProcessKioskCommands
from infrastructure.kiosk_doors import local_doors
from tests.kiosk_bus_support import KIOSK
from tests.unit.test_inprocess_bus import core, kiosk_process  # noqa: F401  (the `core` fixture)


def test_doors_open_report_a_jam_and_a_kiosk_that_is_gone(core, tmp_path: Path) -> None:  # noqa: F811
    commands = InProcessKioskCommands(timeout=2.0)
    doors = local_doors(commands, timeout=2.0)
    process = kiosk_process(core, tmp_path, commands)
    process.start()
    try:
        assert doors.open_tray(KIOSK, 2) == "opened" and process.devices.trays.is_open(2)
        assert doors.open_tray(KIOSK, 3).startswith("fault: device_fault")  # tray 3 is jammed in this kiosk
    finally:
        process.stop()
    assert doors.open_tray(KIOSK, 2) == "not_answering"
    assert doors.open_tray("Q6-99", 1) == "not_answering"
    doors.close()
