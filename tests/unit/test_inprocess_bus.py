"""The in-process kiosk bus (MOTCUA_BUS=inprocess) against the real event stores: a kiosk's outbox drains straight
into DeviceEvents exactly once in effect, and the core's commands reach a kiosk of the same process, with timeouts."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from application.device_events import DUPLICATE
from domain.device_event import APPLIED, REFUSED
from domain.kiosk_wire import CommandReply, KioskCommand, OpenTray, encode
from infrastructure.inprocess_bus import InProcessBus, InProcessKioskCommands, InProcessPublisher
from infrastructure.kiosk_bus import BAD, KioskNotAnsweringError
from infrastructure.settings import Settings, SettingsError
from kiosk_edge.outbox import Outbox, Pending
from kiosk_edge.runtime import KioskProcess, KioskSettings
from tests.kiosk_bus_support import KIOSK, cash, make_core, tray_opened
from tests.kiosk_edge.live import wait_for


@pytest.fixture
def core(store_env, catalogue):
    core = make_core(store_env, catalogue)
    yield core
    core.close()


@pytest.fixture
def outbox(tmp_path: Path):
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    yield outbox
    outbox.close()


class CrashingOutbox(Outbox):
    """An outbox whose process dies once right after the core's commit, before the cursor moves."""

    crashed = False

    def mark_published(self, seq: int) -> None:
        if not self.crashed:
            self.crashed = True
            raise RuntimeError("power cut")
        super().mark_published(seq)


def test_the_outbox_drains_into_the_core_in_order_and_moves_its_cursor(core, outbox) -> None:
    payment, opened = cash(core.code, 20_000), tray_opened(2)
    outbox.append(payment)
    outbox.append(opened)
    assert asyncio.run(InProcessPublisher(outbox, core.device_events).drain()) == [APPLIED, APPLIED]
    assert outbox.backlog() == 0 and outbox.published_seq() == 2
    assert core.paid() == 20_000 and core.cash_expected() == 20_000
    assert core.device_events.get_device_event(opened.event_id).type == "tray_opened"


def test_a_duplicate_event_id_is_applied_once(core, outbox, tmp_path: Path) -> None:
    payment = cash(core.code, 50_000, denomination=50_000)
    restored = Outbox(tmp_path / "restored-from-backup.sqlite3")  # the same event, replayed by a restored kiosk
    for box in (outbox, restored):
        box.append(payment)
    assert asyncio.run(InProcessPublisher(outbox, core.device_events).drain()) == [APPLIED]
    assert asyncio.run(InProcessPublisher(restored, core.device_events).drain()) == [DUPLICATE]
    assert core.paid() == 50_000 and core.cash_expected() == 50_000 and restored.backlog() == 0
    restored.close()


def test_a_crash_between_the_commit_and_the_cursor_delivers_again_and_changes_nothing(core, tmp_path: Path) -> None:
    outbox = CrashingOutbox(tmp_path / "outbox.sqlite3")
    outbox.append(cash(core.code, 20_000))
    publisher = InProcessPublisher(outbox, core.device_events)
    with pytest.raises(RuntimeError, match="power cut"):
        asyncio.run(publisher.drain())
    assert outbox.backlog() == 1 and core.paid() == 20_000
    assert asyncio.run(publisher.drain()) == [DUPLICATE]
    assert outbox.backlog() == 0 and core.paid() == 20_000 and core.cash_expected() == 20_000
    outbox.close()


def test_an_event_the_domain_refuses_is_recorded_and_does_not_block_the_outbox(core, outbox) -> None:
    stray, payment = cash("H29.06-260520-9999", 10_000), cash(core.code, 10_000)
    outbox.append(stray)
    outbox.append(payment)
    assert asyncio.run(InProcessPublisher(outbox, core.device_events).drain()) == [REFUSED, APPLIED]
    assert core.device_events.get_device_event(stray.event_id).outcome == REFUSED
    assert core.paid() == 10_000 and core.cash_expected() == 10_000 and outbox.backlog() == 0


def test_an_undecodable_outbox_row_is_dropped_and_the_next_event_applied(core) -> None:
    payment = cash(core.code, 10_000)

    class OldOutbox:  # rows written by a kiosk version whose events the core no longer reads
        rows = [
            Pending(1, "x", "kiosk.Q6-01.events.coin_inserted", "coin_inserted", b'{"type": "coin_inserted"}'),
            Pending(2, payment.event_id, "kiosk.Q6-01.events.cash_inserted", "cash_inserted", encode(payment)),
        ]
        published = 0

        def pending(self, limit: int = 100) -> list[Pending]:
            return [row for row in self.rows if row.seq > self.published][:limit]

        def mark_published(self, seq: int) -> None:
            self.published = seq

        def backlog(self) -> int:
            return len(self.pending())

    assert asyncio.run(InProcessPublisher(OldOutbox(), core.device_events).drain()) == [BAD, APPLIED]
    assert core.paid() == 10_000


def test_run_applies_events_as_the_kiosk_records_them_until_stopped(core, outbox) -> None:
    publisher = InProcessPublisher(outbox, core.device_events)

    async def scenario() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(publisher.run(stop, idle=30))  # only the wake-up can make it drain in time
        outbox.append(cash(core.code, 20_000))
        publisher.wake.set()
        while outbox.backlog():
            await asyncio.sleep(0.02)
        stop.set()
        await asyncio.wait_for(running, 10)

    asyncio.run(scenario())
    assert core.paid() == 20_000


def kiosk_process(core, tmp_path: Path, commands: InProcessKioskCommands) -> KioskProcess:
    """The kiosk process on the in-process bus (its core URL is never called: commands and events only)."""
    settings = KioskSettings(
        kiosk=KIOSK,
        secret="unused",
        core_url="http://127.0.0.1:9",
        outbox=tmp_path / "kiosk.sqlite3",
        screen_port=0,
        trays=3,
        publish_idle=0.1,
    )
    bus = InProcessBus(device_events=core.device_events, commands=commands)
    return KioskProcess(settings, faulty_trays=frozenset({3}), publisher=bus.publisher, commands=bus.commands)


def test_a_command_to_the_kiosk_is_answered_and_its_device_event_reaches_the_core(core, tmp_path: Path) -> None:
    commands = InProcessKioskCommands(timeout=5.0)
    process = kiosk_process(core, tmp_path, commands)
    process.start()
    try:
        assert asyncio.run(commands.open_tray(KIOSK, 2)) == CommandReply(ok=True, detail="open_tray")
        assert process.devices.trays.is_open(2)
        jammed = asyncio.run(commands.open_tray(KIOSK, 3))
        assert not jammed.ok and jammed.detail.startswith("device_fault")
        assert asyncio.run(commands.open_tray(KIOSK, 0)) == CommandReply(ok=False, detail="bad_device_message")
        assert asyncio.run(commands.print_text(KIOSK, "Biên nhận")).ok
        assert process.devices.printer.printed == ["Biên nhận"]
        wait_for(lambda: process.log.backlog() == 0, "the tray's events to reach the core")
        with closing(sqlite3.connect(tmp_path / "kiosk.sqlite3")) as db:
            recorded = [event_id for (event_id,) in db.execute("SELECT event_id FROM outbox_events ORDER BY seq")]
        kinds = [core.device_events.get_device_event(event_id).type for event_id in recorded]
        assert kinds == ["tray_opened", "door_fault"]
    finally:
        process.stop()
    with pytest.raises(KioskNotAnsweringError):  # the kiosk is gone: at once, like NATS's "no responders"
        asyncio.run(commands.open_tray(KIOSK, 2))


def test_the_bus_is_in_process_by_default_and_a_wrong_choice_is_named() -> None:
    assert Settings.from_env({}).bus == "inprocess" and Settings.from_env({"MOTCUA_BUS": "nats"}).bus == "nats"
    with pytest.raises(SettingsError, match="MOTCUA_BUS must be one of inprocess, nats, not 'kafka'"):
        Settings.from_env({"MOTCUA_BUS": "kafka"})


def test_a_kiosk_that_does_not_answer_in_time_gives_kiosk_not_answering() -> None:
    commands, release = InProcessKioskCommands(timeout=0.2), threading.Event()

    def hung(command: KioskCommand) -> CommandReply:
        release.wait(10)
        return CommandReply(ok=True)

    async def ask() -> CommandReply:
        try:
            return await commands.send(KIOSK, OpenTray(tray=1))
        finally:
            release.set()  # let the hung call end, or asyncio.run would wait for its thread

    commands.attach(KIOSK, hung)
    with pytest.raises(KioskNotAnsweringError, match="did not answer open_tray within 0.2s"):
        asyncio.run(ask())
