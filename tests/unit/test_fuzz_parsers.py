"""Near-valid input for every parser of outside data: each is accepted whole or refused with its documented error.

Random text rarely gets past a parser's first check, so these start from valid input and break one part of it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.cccd import BadQrPayloadError, CitizenIdentity, parse_cccd_qr
from domain.codes import format_code, parse_code
from domain.errors import InvalidValueError
from domain.kiosk import UnknownEnvelopeError, check_envelope_barcode
from domain.kiosk_wire import (
    BadDeviceMessageError,
    CashInserted,
    DoorFault,
    FaceVerified,
    QrPaymentConfirmed,
    TrayOpened,
    decode_command,
    decode_device_event,
    decode_reply,
    encode,
)
from domain.values import check_phone
from tests.kiosk_support import Citizen

TODAY = date(2026, 5, 20)
AT = datetime(2026, 5, 20, 9, 30, tzinfo=timezone(timedelta(hours=7)))
FIELD_TEXT = st.one_of(st.text(max_size=40), st.text("0123456789", max_size=14), st.sampled_from(["Nam", "Nữ", ""]))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@given(st.integers(0, 99_999), st.integers(0, 6), FIELD_TEXT)
@settings(max_examples=400)
def test_a_cccd_qr_with_one_field_changed_is_read_whole_or_refused_with_the_reason(
    n: int, field: int, value: str
) -> None:
    fields = Citizen(n).qr.split("|")
    fields[field] = value
    try:
        identity = parse_cccd_qr("|".join(fields), today=TODAY)
    except BadQrPayloadError as error:
        assert error.code == "invalid_cccd_qr" and error.message_vi.startswith("Mã QR trên thẻ căn cước không hợp lệ")
        return
    assert isinstance(identity, CitizenIdentity)
    assert len(identity.id_number) == 12 and identity.id_number.isdigit() and identity.issued_on <= TODAY


@given(st.integers(0, 99_999), st.sampled_from(["|", "||", "\x00", "\n", "\ufeff", "|" * 7]), st.integers(0, 200))
def test_separators_and_control_characters_inside_a_cccd_qr_are_refused_or_harmless(
    n: int, inserted: str, at: int
) -> None:
    qr = Citizen(n).qr
    try:
        identity = parse_cccd_qr(qr[:at] + inserted + qr[at:], today=TODAY)
    except BadQrPayloadError:
        return
    assert "|" not in identity.name + identity.address


@given(st.text(alphabet="ABHQ0123456789.-", max_size=30))
@settings(max_examples=400)
def test_dossier_codes_parse_to_their_parts_or_are_refused(text: str) -> None:
    try:
        agency, day, sequence = parse_code(text)
    except InvalidValueError as error:
        assert error.field == "code"
        return
    assert format_code(agency, day, sequence) == text


@given(st.text(max_size=30))
def test_envelope_barcodes_are_accepted_only_in_the_printed_format(text: str) -> None:
    try:
        assert check_envelope_barcode(text) == text
    except UnknownEnvelopeError:
        return
    assert text.isascii() and text.isalnum() and text == text.upper() and 4 <= len(text) <= 24


@given(st.text("0123456789 +-", max_size=14))
def test_phone_numbers_are_vietnamese_mobiles_or_refused(text: str) -> None:
    try:
        assert check_phone(text) == text
    except InvalidValueError as error:
        assert error.field == "phone"
        return
    assert len(text) == 10 and text[:2] in ("03", "05", "07", "08", "09")


def _device_events() -> list:
    common = lambda: {"event_id": str(uuid.uuid4()), "kiosk": "Q6-01", "at": AT}  # noqa: E731
    return [
        CashInserted(**common(), dossier_code="H29.06-260520-0001", denomination=50_000, amount=100_000),
        QrPaymentConfirmed(**common(), dossier_code="H29.06-260520-0001", amount=8000, reference="FT1"),
        TrayOpened(**common(), tray=7),
        DoorFault(**common(), tray=3, detail="sensor"),
        FaceVerified(**common(), score=0.8, matched=True, model_id="arcface"),
    ]


@given(st.sampled_from(_device_events()), st.data())
@settings(max_examples=400)
def test_a_device_message_with_one_field_changed_decodes_whole_or_is_refused(event, data) -> None:
    message = msgspec.json.decode(encode(event))
    field = data.draw(st.sampled_from(sorted(message)))
    action = data.draw(st.sampled_from(["replace", "delete", "add"]))
    if action == "replace":
        message[field] = data.draw(JSON_VALUES)
    elif action == "delete":
        del message[field]
    else:
        message[data.draw(st.text(max_size=10))] = data.draw(JSON_VALUES)
    try:
        decoded = decode_device_event(msgspec.json.encode(message))
    except BadDeviceMessageError as error:
        assert error.code == "bad_device_message" and len(error.reason) <= 200
        return
    assert decode_device_event(encode(decoded)) == decoded


@given(st.binary(max_size=200) | st.sampled_from([b"\xff\xfe{}", b'{"type":"tray_opened"\xc3}', b"\xed\xa0\x80"]))
def test_arbitrary_bytes_are_decoded_or_refused_as_bad_device_messages_by_every_decoder(data: bytes) -> None:
    for decode in (decode_device_event, decode_command, decode_reply):
        try:
            decode(data)
        except BadDeviceMessageError:
            continue
