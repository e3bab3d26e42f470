"""Device events over the real NATS JetStream into the real stores (SQLite and PostgreSQL), exactly once in effect."""

from __future__ import annotations

import asyncio
import uuid

import msgspec
import nats.errors
import pytest

from application.device_events import DUPLICATE
from domain.device_event import APPLIED, REFUSED
from domain.kiosk_wire import encode, event_subject
from infrastructure.kiosk_bus import BAD, WRONG_SUBJECT, KioskCommands, KioskNotAnsweringError
from kiosk_edge.commands import CommandResponder, SimulatedDevices
from kiosk_edge.outbox import Outbox, Publisher
from tests.kiosk_bus_support import (
    KIOSK,
    PrivateNats,
    bus,
    cash,
    consume,
    make_core,
    private_settings,
    tray_opened,
)


@pytest.fixture
def core(store_env, catalogue):
    core = make_core(store_env, catalogue)
    yield core
    core.close()


def test_a_device_event_goes_from_the_kiosk_outbox_to_the_core(core, tmp_path) -> None:
    settings = private_settings()
    outbox = Outbox(tmp_path / "outbox.sqlite3", prefix=settings.prefix)
    payment, opened = cash(core.code, 100_000, denomination=50_000), tray_opened(2)

    async def scenario() -> list[str]:
        async with bus(settings, core) as (_, consumer):
            outbox.append(payment)
            outbox.append(opened)
            publisher = Publisher(outbox, settings.servers)
            assert await publisher.drain() == 2
            await publisher.close()
            return await consume(consumer, 2)

    assert asyncio.run(scenario()) == [APPLIED, APPLIED]
    assert outbox.backlog() == 0 and outbox.published_seq() == 2
    assert core.paid() == 100_000 and core.cash_expected() == 100_000
    record = core.device_events.get_device_event(opened.event_id)
    assert (record.kiosk, record.type, record.outcome, record.payload["tray"]) == (KIOSK, "tray_opened", APPLIED, 2)


def test_a_republished_message_a_redelivery_and_a_late_replay_are_applied_once(core) -> None:
    settings = private_settings()
    first, second = cash(core.code, 20_000), cash(core.code, 30_000)

    async def scenario() -> tuple[list[str], ...]:
        async with bus(settings, core) as (nc, consumer):
            js = nc.jetstream()
            acks = [
                await js.publish(
                    event_subject(first, settings.prefix), encode(first), headers={"Nats-Msg-Id": first.event_id}
                )
                for _ in range(2)
            ]
            assert [ack.duplicate for ack in acks] == [None, True]  # JetStream's duplicate window
            assert (await js.stream_info(settings.stream)).state.messages == 1
            once = await consume(consumer, 1)
            # The second event is committed, then the consumer "crashes" before its ack: JetStream redelivers.
            await js.publish(
                event_subject(second, settings.prefix), encode(second), headers={"Nats-Msg-Id": second.event_id}
            )
            [message] = await consumer._sub.fetch(1, timeout=2)
            assert core.device_events.apply(second).outcome == APPLIED
            await message.nak()
            redelivered = await consume(consumer, 1)
            # Long after the duplicate window, the kiosk replays the first event in a new NATS message.
            await js.publish(
                event_subject(first, settings.prefix), encode(first), headers={"Nats-Msg-Id": str(uuid.uuid4())}
            )
            replayed = await consume(consumer, 1)
            return once, redelivered, replayed

    assert asyncio.run(scenario()) == ([APPLIED], [DUPLICATE], [DUPLICATE])
    assert core.paid() == 50_000 and core.cash_expected() == 50_000
    payments = [e.data["amount"] for e in core.dossiers.list_history(core.code) if e.type.endswith("PaymentReceived")]
    assert payments == [20_000, 30_000]


def test_malformed_or_misaddressed_messages_are_refused_and_change_nothing(core) -> None:
    settings = private_settings()
    valid = cash(core.code, 10_000)
    other_kiosk = cash(core.code, 10_000, kiosk="Q1-09")
    bad_amount = msgspec.json.encode(msgspec.to_builtins(valid) | {"amount": 15_000})
    before = (core.last_position(), core.paid())

    async def scenario() -> tuple[list[str], list[str]]:
        async with bus(settings, core) as (nc, consumer):
            js, subject = nc.jetstream(), event_subject(valid, settings.prefix)
            garbage = (b"not json", b'{"type":"cash_withdrawn"}', b"\xff\xfe\x00", bad_amount, encode(other_kiosk))
            for payload in garbage:
                await js.publish(subject, payload)
            refused = await consume(consumer, 5)
            return refused, await consumer.poll(timeout=0.5)  # terminated: never redelivered

    refused, later = asyncio.run(scenario())
    assert refused == [BAD, BAD, BAD, BAD, WRONG_SUBJECT] and later == []
    assert (core.last_position(), core.paid()) == before


def test_a_payment_for_an_unknown_dossier_is_recorded_as_refused_without_effect(core) -> None:
    stray = cash("H29.06-260520-0999", 10_000)
    applied = core.device_events.apply(stray)
    assert (applied.outcome, applied.reason) == (REFUSED, "not_found")
    assert core.device_events.apply(stray).outcome == DUPLICATE
    assert core.cash_expected() == 0 and core.device_events.get_device_event(stray.event_id).outcome == REFUSED


def test_the_outbox_keeps_events_while_nats_is_down_and_drains_them_in_order(core, tmp_path) -> None:
    server = PrivateNats(tmp_path / "jetstream")
    amounts = [10_000, 20_000, 5_000, 40_000, 25_000]
    events = [cash(core.code, amount, denomination=5_000) for amount in amounts]
    settings = private_settings(server.url)
    outbox = Outbox(tmp_path / "outbox.sqlite3", prefix=settings.prefix)

    async def scenario() -> tuple[list[str], list[str], int]:
        await server.start()
        publisher = Publisher(outbox, settings.servers, ack_timeout=0.5, min_backoff=0.05, max_backoff=0.2)
        try:
            async with bus(settings, core) as (nc, consumer):
                outbox.append(events[0])
                outbox.append(events[1])
                assert await publisher.drain() == 2
                server.stop()  # the network goes down mid-session
                for event in events[2:]:
                    outbox.append(event)
                with pytest.raises(nats.errors.Error):  # no ack: a timeout, or the connection closed
                    await publisher.drain()
                stop = asyncio.Event()
                running = asyncio.create_task(publisher.run(stop, idle=0.05))
                await asyncio.sleep(0.5)  # retries with backoff; nothing is lost meanwhile
                waiting = outbox.backlog()
                await server.start()  # same port, same JetStream directory
                for _ in range(100):
                    if outbox.backlog() == 0:
                        break
                    await asyncio.sleep(0.05)
                stop.set()
                await running
                stored = [await nc.jetstream().get_msg(settings.stream, seq) for seq in range(1, 6)]
                order = [msgspec.json.decode(m.data)["event_id"] for m in stored]
                return order, await consume(consumer, 5), waiting
        finally:
            await publisher.close()
            server.stop()

    order, outcomes, waiting = asyncio.run(scenario())
    assert waiting == 3 and outbox.backlog() == 0
    assert order == [e.event_id for e in events]
    assert outcomes == [APPLIED] * 5
    # The same state as without the outage: every note counted once, in the dossier and in the cash box.
    assert core.paid() == sum(amounts) == core.cash_expected()


def test_open_tray_is_answered_by_the_kiosk_and_silence_is_a_clear_error() -> None:
    settings = private_settings()
    devices = SimulatedDevices(tray_count=90, faulty=frozenset({13}))

    async def scenario() -> None:
        async with bus(settings) as (nc, _):
            responder = CommandResponder(nc, KIOSK, devices, prefix=settings.prefix)
            await responder.start()
            commands = KioskCommands(nc, prefix=settings.prefix, timeout=0.5)
            assert (await commands.open_tray(KIOSK, 7)).ok
            jammed = await commands.open_tray(KIOSK, 13)
            assert not jammed.ok and jammed.detail.startswith("device_fault")
            assert (await commands.print_text(KIOSK, "Biên nhận hồ sơ")).ok
            with pytest.raises(KioskNotAnsweringError, match="Q1-09 did not answer open_tray within 0.5s"):
                await commands.open_tray("Q1-09", 1)
            await nc.subscribe(f"{settings.prefix}.Q2-01.commands", cb=_never_answer)  # a hung kiosk
            with pytest.raises(KioskNotAnsweringError) as hung:
                await commands.eject_envelope("Q2-01", "unknown_envelope")
            assert hung.value.code == "kiosk_not_answering"
            await responder.stop()

    asyncio.run(scenario())
    assert devices.calls == [("open_tray", 7), ("print", len("Biên nhận hồ sơ"))]


async def _never_answer(message) -> None:
    return None
