"""The kiosk process against the live core and a NATS server of its own that goes down mid-session.

The citizen keeps paying cash while NATS is down (the notes' events wait in the kiosk's SQLite outbox, the
receipt is printed from the kiosk's own count); once NATS is back the outbox drains in order and the core ends
in exactly the state a run without the outage reaches.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from domain.device_event import APPLIED
from kiosk_edge.scenarios import CITIZEN_QR, FEE, PHONE, PROCEDURE
from tests.kiosk_bus_support import PrivateNats, private_settings
from tests.kiosk_edge.live import ConsumerThread, kiosk_process, kiosk_settings, live_core, simulator, wait_for

BARCODE = "Q6PB000150"  # registered by the demo data


def run_day(tmp_path: Path, *, outage: bool) -> dict[str, object]:
    """Submit and pay the fee in two notes; with `outage`, NATS stops before the notes and restarts after the
    receipt."""
    server = PrivateNats(tmp_path / "jetstream")
    asyncio.run(server.start())
    bus = private_settings(server.url)
    try:
        with (
            live_core(tmp_path / "core") as core,
            ConsumerThread(core, bus) as consumer,
            kiosk_process(kiosk_settings(core, bus, tmp_path / "outbox.sqlite3")) as kiosk,
        ):
            sim = simulator(core, kiosk)
            sim.run(
                [
                    {"do": {"action": "begin", "flow": "submit"}, "expect": "procedures"},
                    {"do": {"action": "procedure", "code": PROCEDURE}, "expect": "scan_cccd"},
                    {"do": {"action": "scan_cccd", "payload": CITIZEN_QR}, "expect": "phone"},
                    {"do": {"action": "phone", "phone": PHONE}, "expect": "otp"},
                    {"do": {"action": "otp", "otp": "$otp"}, "expect": "envelope"},
                    {"do": {"action": "insert_envelope", "barcode": BARCODE}, "expect": "payment"},
                ]
            )
            code = sim.names["dossier"]
            wait_for(lambda: kiosk.log.backlog() == 0, "the envelope's events to reach JetStream")
            if outage:
                server.stop()
            sim.run(
                [
                    {"do": {"action": "insert_cash", "denomination": 1_000}, "expect": "payment"},
                    {"do": {"action": "insert_cash", "denomination": 1_000}, "expect": "receipt"},
                ]
            )
            during = (kiosk.log.backlog(), core.paid(code), kiosk.devices.printer.printed[-1])
            sim.run([{"do": {"action": "finish"}, "expect": "home"}])
            if outage:
                asyncio.run(server.start())  # same port, same JetStream directory
            wait_for(lambda: kiosk.log.backlog() == 0 and core.paid(code) == FEE, "the outbox to drain into the core")
            wait_for(lambda: _all_recorded(consumer, tmp_path), "every device event to be recorded by the core")
            dossier, machine = core.system.dossiers.get_dossier(code), core.system.kiosks.get_kiosk("Q6-01")
            return {
                "during": during,
                "dossier": (dossier.status, dossier.fee, dossier.paid, dossier.shortfall, dossier.excess),
                "kiosk": (len(machine.bin), machine.cash_expected, machine.unused_envelopes),
                "device_events": sorted(_records(consumer, tmp_path)),
            }
    finally:
        server.stop()


def _records(consumer: ConsumerThread, tmp_path: Path) -> list[tuple[str, str]]:
    """(type, outcome) of every event the kiosk wrote, as the core recorded it."""
    with sqlite3.connect(tmp_path / "outbox.sqlite3") as db:
        rows = db.execute("SELECT event_id, type FROM outbox_events ORDER BY seq").fetchall()
    return [(kind, consumer.device_events.get_device_event(event_id).outcome) for event_id, kind in rows]


def _all_recorded(consumer: ConsumerThread, tmp_path: Path) -> bool:
    try:
        return all(outcome == APPLIED for _, outcome in _records(consumer, tmp_path))
    except Exception:  # noqa: BLE001 - not arrived yet
        return False


def test_a_nats_outage_mid_payment_ends_in_the_same_core_state_as_no_outage(tmp_path: Path) -> None:
    calm = run_day(tmp_path / "calm", outage=False)
    stormy = run_day(tmp_path / "stormy", outage=True)
    backlog, paid_meanwhile, receipt = stormy["during"]
    assert backlog >= 3 and paid_meanwhile == 0  # two notes and the receipt wait in the outbox
    assert "Đã nộp tại kiosk: 2.000 đồng" in receipt and "Còn thiếu" not in receipt
    assert {k: v for k, v in stormy.items() if k != "during"} == {k: v for k, v in calm.items() if k != "during"}
    assert calm["dossier"][2:] == (FEE, 0, 0)
    assert [kind for kind, _ in calm["device_events"]].count("cash_inserted") == 2
