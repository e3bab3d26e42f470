"""Wire messages between a kiosk and the core (NATS JetStream): device events, kiosk commands, replies.

This module is the only code the kiosk process (kiosk_edge) and the core share, so it imports nothing
of ours but domain.errors. Every device event is made at the kiosk with its own uuid4 `event_id`; the
core applies each event_id at most once however often NATS delivers it. No message carries personal
data (no ID numbers, names, phones or QR payloads): only barcodes, dossier codes, amounts and scores.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, TypeVar

import msgspec

from domain.errors import DomainError

EventId = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
KioskKey = Annotated[str, msgspec.Meta(pattern=r"^[A-Z0-9][A-Z0-9-]{1,30}$")]
Aware = Annotated[datetime, msgspec.Meta(tz=True)]
Barcode = Annotated[str, msgspec.Meta(pattern=r"^[A-Z0-9]{4,24}$")]
DossierCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Z0-9.-]{6,60}$")]
# The same bounds as domain.money.MAX_AMOUNT and domain.limits.ONE_LINE, written out: this module imports nothing
# else of ours (tests/unit/test_kiosk_wire.py checks they stay equal).
Amount = Annotated[int, msgspec.Meta(gt=0, le=100_000_000)]
TrayNumber = Annotated[int, msgspec.Meta(ge=1, le=500)]
Short = Annotated[
    str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*\Z")
]
# Vietnamese banknotes the cash acceptor takes (polymer and cotton), in đồng.
BANKNOTES = frozenset({1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000})


class BadDeviceMessageError(DomainError):
    """A message from a kiosk could not be decoded: malformed, unknown type or invalid field."""

    code = "bad_device_message"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"bad device message: {reason}", "Thông điệp từ kiosk không hợp lệ.")


class _Wire(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag_field="type"):
    """Base of every tagged wire message."""


class DeviceEvent(_Wire, frozen=True, kw_only=True):
    """Something a kiosk device did or saw, stamped at the kiosk."""

    event_id: EventId
    kiosk: KioskKey
    at: Aware


class EnvelopeScanned(DeviceEvent, frozen=True, kw_only=True, tag="envelope_scanned"):
    """The intake slot read an envelope's barcode."""

    barcode: Barcode


class EnvelopeAccepted(DeviceEvent, frozen=True, kw_only=True, tag="envelope_accepted"):
    """The envelope was pulled into the intake bin."""

    barcode: Barcode


class EnvelopeEjected(DeviceEvent, frozen=True, kw_only=True, tag="envelope_ejected"):
    """The envelope was pushed back out, with the reason code."""

    reason: Short


class CashInserted(DeviceEvent, frozen=True, kw_only=True, tag="cash_inserted"):
    """The cash acceptor took notes of one denomination for a dossier's fee."""

    dossier_code: DossierCode
    denomination: int
    amount: Amount

    def __post_init__(self) -> None:
        if self.denomination not in BANKNOTES:
            raise ValueError(f"denomination {self.denomination} is not a Vietnamese banknote")
        if self.amount % self.denomination:
            raise ValueError("amount must be a whole number of notes of the denomination")


class QrPaymentConfirmed(DeviceEvent, frozen=True, kw_only=True, tag="qr_payment_confirmed"):
    """The bank confirmed a QR transfer shown on the kiosk's screen."""

    dossier_code: DossierCode
    amount: Amount
    reference: Short


class TrayOpened(DeviceEvent, frozen=True, kw_only=True, tag="tray_opened"):
    """A tray door opened."""

    tray: TrayNumber


class TrayClosed(DeviceEvent, frozen=True, kw_only=True, tag="tray_closed"):
    """A tray door closed."""

    tray: TrayNumber


class ReceiptPrinted(DeviceEvent, frozen=True, kw_only=True, tag="receipt_printed"):
    """The printer printed a dossier's receipt."""

    dossier_code: DossierCode


class FaceVerified(DeviceEvent, frozen=True, kw_only=True, tag="face_verified"):
    """A 1:1 face comparison ended: score, decision and model only, never an image."""

    score: Annotated[float, msgspec.Meta(ge=-1.0, le=1.0)]
    matched: bool
    model_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class DoorFault(DeviceEvent, frozen=True, kw_only=True, tag="door_fault"):
    """A tray door or its sensor failed."""

    tray: TrayNumber
    detail: Short


AnyDeviceEvent = (
    EnvelopeScanned
    | EnvelopeAccepted
    | EnvelopeEjected
    | CashInserted
    | QrPaymentConfirmed
    | TrayOpened
    | TrayClosed
    | ReceiptPrinted
    | FaceVerified
    | DoorFault
)
DEVICE_EVENTS: tuple[type[DeviceEvent], ...] = AnyDeviceEvent.__args__


class KioskCommand(_Wire, frozen=True, kw_only=True):
    """An order from the core to one kiosk, answered by a CommandReply."""


class OpenTray(KioskCommand, frozen=True, kw_only=True, tag="open_tray"):
    """Open a tray door (pickup, loading, maintenance)."""

    tray: TrayNumber


class EjectEnvelope(KioskCommand, frozen=True, kw_only=True, tag="eject_envelope"):
    """Push the envelope in the intake slot back out."""

    reason: Short


class Print(KioskCommand, frozen=True, kw_only=True, tag="print"):
    """Print a text (receipt, slip) on the kiosk's printer."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]


AnyKioskCommand = OpenTray | EjectEnvelope | Print


class Heartbeat(_Wire, frozen=True, kw_only=True, tag="heartbeat"):
    """A kiosk's periodic sign of life with what only it knows (plain NATS, not stored: the latest one counts)."""

    kiosk: KioskKey
    at: Aware
    outbox_backlog: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)]
    door_faults: Annotated[list[TrayNumber], msgspec.Meta(max_length=500)] = []


class CommandReply(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The kiosk's answer to a command: done or not, with a short reason code or detail."""

    ok: bool
    detail: str = ""


_T = TypeVar("_T")
_event_decoder: msgspec.json.Decoder[AnyDeviceEvent] = msgspec.json.Decoder(AnyDeviceEvent)
_command_decoder: msgspec.json.Decoder[AnyKioskCommand] = msgspec.json.Decoder(AnyKioskCommand)
_reply_decoder = msgspec.json.Decoder(CommandReply)
_heartbeat_decoder = msgspec.json.Decoder(Heartbeat)
_encoder = msgspec.json.Encoder()


def encode(message: msgspec.Struct) -> bytes:
    """The JSON bytes of a wire message (with its `type` tag)."""
    return _encoder.encode(message)


def _decode(decoder: msgspec.json.Decoder[_T], data: bytes) -> _T:
    try:
        return decoder.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise BadDeviceMessageError(str(error)[:200]) from None


def decode_device_event(data: bytes) -> AnyDeviceEvent:
    """The device event in `data`, or BadDeviceMessageError (malformed JSON, unknown type, bad field)."""
    return _decode(_event_decoder, data)


def decode_command(data: bytes) -> AnyKioskCommand:
    """The kiosk command in `data`, or BadDeviceMessageError."""
    return _decode(_command_decoder, data)


def decode_reply(data: bytes) -> CommandReply:
    """The command reply in `data`, or BadDeviceMessageError."""
    return _decode(_reply_decoder, data)


def decode_heartbeat(data: bytes) -> Heartbeat:
    """The heartbeat in `data`, or BadDeviceMessageError."""
    return _decode(_heartbeat_decoder, data)


def event_type(event: DeviceEvent) -> str:
    """The `type` tag of a device event (the last token of its subject)."""
    return str(type(event).__struct_config__.tag)


def event_subject(event: DeviceEvent, prefix: str = "kiosk") -> str:
    """`kiosk.<kiosk>.events.<type>`: the JetStream subject of a device event."""
    return f"{prefix}.{event.kiosk}.events.{event_type(event)}"


def command_subject(kiosk: str, prefix: str = "kiosk") -> str:
    """`kiosk.<kiosk>.commands`: the request/reply subject of a kiosk's commands."""
    return f"{prefix}.{kiosk}.commands"


def heartbeat_subject(kiosk: str, prefix: str = "kiosk") -> str:
    """`kiosk.<kiosk>.heartbeat`: where a kiosk says it is alive (outside the device-event stream's subjects)."""
    return f"{prefix}.{kiosk}.heartbeat"
