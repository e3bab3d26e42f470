"""The wire messages between kiosk and core: round trips, strict refusals, and fuzzing of the decoder."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.kiosk_wire import (
    DEVICE_EVENTS,
    BadDeviceMessageError,
    CashInserted,
    CommandReply,
    DoorFault,
    EnvelopeAccepted,
    EnvelopeEjected,
    EnvelopeScanned,
    FaceVerified,
    OpenTray,
    Print,
    QrPaymentConfirmed,
    ReceiptPrinted,
    TrayClosed,
    TrayOpened,
    command_subject,
    decode_command,
    decode_device_event,
    decode_reply,
    encode,
    event_subject,
    event_type,
)

AT = datetime(2026, 5, 20, 9, 30, tzinfo=timezone(timedelta(hours=7)))
CODE = "H29.06-260520-0001"


def common() -> dict:
    return {"event_id": str(uuid.uuid4()), "kiosk": "Q6-01", "at": AT}


EXAMPLES = [
    EnvelopeScanned(**common(), barcode="Q6PB000001"),
    EnvelopeAccepted(**common(), barcode="Q6PB000001"),
    EnvelopeEjected(**common(), reason="unknown_envelope"),
    CashInserted(**common(), dossier_code=CODE, denomination=50_000, amount=100_000),
    QrPaymentConfirmed(**common(), dossier_code=CODE, amount=100_000, reference="VCB-123456"),
    TrayOpened(**common(), tray=7),
    TrayClosed(**common(), tray=7),
    ReceiptPrinted(**common(), dossier_code=CODE),
    FaceVerified(**common(), score=0.81, matched=True, model_id="arcface-r100"),
    DoorFault(**common(), tray=13, detail="door sensor stuck"),
]


def test_every_device_event_type_has_an_example() -> None:
    assert {type(e) for e in EXAMPLES} == set(DEVICE_EVENTS)


@pytest.mark.parametrize("event", EXAMPLES, ids=event_type)
def test_device_events_round_trip_with_their_type_tag_and_subject(event) -> None:
    data = encode(event)
    assert decode_device_event(data) == event
    assert msgspec.json.decode(data)["type"] == event_type(event)
    assert event_subject(event) == f"kiosk.Q6-01.events.{event_type(event)}"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"type": "cash_withdrawn"}, "unknown type"),
        ({"at": "2026-05-20T09:30:00"}, "naive time"),
        ({"event_id": "not-a-uuid"}, "event id"),
        ({"kiosk": "q6 01"}, "kiosk key"),
        ({"extra": 1}, "unknown field"),
        ({"denomination": 3_000}, "no such banknote"),
        ({"amount": 75_000}, "not whole notes"),
        ({"amount": -50_000}, "negative"),
        ({"amount": "100000"}, "string amount"),
    ],
)
def test_malformed_device_events_are_refused_with_bad_device_message(change: dict, why: str) -> None:
    valid = msgspec.to_builtins(EXAMPLES[3])
    with pytest.raises(BadDeviceMessageError) as refused:
        decode_device_event(msgspec.json.encode(valid | change))
    assert refused.value.code == "bad_device_message", why


def test_commands_and_replies_round_trip_and_a_command_is_not_an_event() -> None:
    for command in (OpenTray(tray=3), Print(text="Biên nhận")):
        assert decode_command(encode(command)) == command
    reply = CommandReply(ok=False, detail="device_fault")
    assert decode_reply(encode(reply)) == reply
    assert command_subject("Q6-01") == "kiosk.Q6-01.commands"
    with pytest.raises(BadDeviceMessageError):
        decode_device_event(encode(OpenTray(tray=3)))


def _decodes_or_refuses(data: bytes) -> None:
    try:
        event = decode_device_event(data)
    except BadDeviceMessageError as error:
        assert error.code == "bad_device_message"
    else:
        assert isinstance(event, DEVICE_EVENTS) and event.at.tzinfo is not None


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_crash_the_decoder(data: bytes) -> None:
    _decodes_or_refuses(data)


scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(EXAMPLES),
    st.dictionaries(
        st.sampled_from(
            [
                "type",
                "event_id",
                "kiosk",
                "at",
                "amount",
                "denomination",
                "tray",
                "score",
                "barcode",
                "dossier_code",
                "x",
            ]
        ),
        json_values,
        max_size=3,
    ),
)
def test_mutated_valid_events_decode_or_are_refused(example, mutation: dict) -> None:
    _decodes_or_refuses(msgspec.json.encode(msgspec.to_builtins(example) | mutation))


def test_the_wire_bounds_are_the_domain_bounds() -> None:
    import re
    from typing import get_args

    from domain import kiosk_wire
    from domain.limits import ONE_LINE
    from domain.money import MAX_AMOUNT

    assert get_args(kiosk_wire.Amount)[1].le == MAX_AMOUNT
    wire, domain = re.compile(get_args(kiosk_wire.Short)[1].pattern), re.compile(ONE_LINE)
    assert all(bool(wire.match(f"a{chr(c)}")) == bool(domain.match(f"a{chr(c)}")) for c in range(0x2100))
