"""Kiosk aggregate (hệ thống tiếp nhận và trả hồ sơ tự động 24/7): envelope stock, intake bin and cash box.

Sized for decades: the state holds only the configuration, the count of unused envelopes, the bin and the cash box since
the last collection (both emptied twice a day). Each envelope barcode is its own EnvelopeBarcode aggregate
(domain/envelope.py); only barcodes registered before that change (stored `EnvelopesRegistered` version 1) are still
kept here, a set that no longer grows. The stream itself grows with every intake and payment, so the application
snapshots it (application/snapshots.py).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from eventsourcing.domain import Aggregate, event

from domain.copying import FlatCopy
from domain.errors import DomainError, InvalidValueError
from domain.money import MAX_CASH_COUNT
from domain.timing import ActedEvent, MonotonicTime
from domain.values import Actor, Party, check_amount

if TYPE_CHECKING:
    from domain.envelope import EnvelopeBarcode

KIOSK_ID = re.compile(r"[A-Z0-9][A-Z0-9-]{1,30}", re.ASCII)
ENVELOPE_BARCODE = re.compile(r"[A-Z0-9]{4,24}", re.ASCII)
DEFAULT_TRAYS = 90


def kiosk_id(key: str) -> UUID:
    """The aggregate id of the kiosk named `key`."""
    return uuid5(NAMESPACE_URL, f"/kiosks/{key}")


def check_kiosk_key(key: str) -> str:
    """A kiosk key: upper-case letters, digits and dashes (it appears in NATS subjects)."""
    if not isinstance(key, str) or not KIOSK_ID.fullmatch(key):
        raise InvalidValueError(
            "kiosk_id", "must be 2-31 upper-case letters, digits or dashes", "mã kiosk không hợp lệ"
        )
    return key


def check_envelope_barcode(barcode: str) -> str:
    """An envelope barcode: 4-24 upper-case letters and digits (Code128 printed on the envelope)."""
    if not isinstance(barcode, str) or not ENVELOPE_BARCODE.fullmatch(barcode):
        raise UnknownEnvelopeError(
            str(barcode)[:40], "not a valid envelope barcode", "mã vạch phong bì không đúng định dạng"
        )
    return barcode


def already_registered(barcode: str) -> InvalidValueError:
    """The refusal of a batch holding a barcode registered before."""
    return InvalidValueError("barcodes", f"{barcode} is already registered", f"mã {barcode} đã được đăng ký")


class UnknownEnvelopeError(DomainError):
    """The envelope is pushed back out: its barcode is not registered, or already used."""

    code = "envelope_rejected"

    def __init__(self, barcode: str, reason: str, reason_vi: str) -> None:
        self.barcode = barcode
        super().__init__(
            f"envelope {barcode}: {reason}", f"Phong bì bị trả lại: {reason_vi}. Vui lòng kiểm tra lại phong bì."
        )


class Envelope(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An envelope in the intake bin, with the dossier it carries."""

    barcode: str
    dossier_code: str


class Kiosk(MonotonicTime, FlatCopy, Aggregate):
    """The machine's consumables and containers: envelope stock, intake bin, cash box."""

    class State(TypedDict):
        key: str
        name: str
        agency: str
        tray_count: int
        unused_count: int
        legacy_unused: set[str]
        legacy_used: set[str]
        bin: list[Envelope]
        cash_expected: int
        last_at: datetime | None

    class Event(ActedEvent):
        """Every kiosk event: who acted, and when."""

    class Installed(Aggregate.Created, Event):
        """A kiosk was set up for an agency, with its tray count."""

        key: str
        name: str
        agency: str
        tray_count: int

    class EnvelopesRegistered(Event):
        """Staff printed a batch of envelope barcodes; they become valid for intake."""

        barcodes: list[str]
        own_aggregates: bool  # each barcode is an EnvelopeBarcode aggregate; version 1 kept them in the kiosk
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["own_aggregates"] = False

    class EnvelopeAccepted(Event):
        """An envelope was pulled into the intake bin for a dossier."""

        envelope: Envelope

    class CashAccepted(Event):
        """Notes went into the cash box for a dossier."""

        dossier_code: str
        amount: int

    class Collected(Event):
        """Staff emptied the bin and the cash box (08:00 and 14:00); any cash discrepancy is recorded."""

        envelopes: list[Envelope]
        cash_expected: int
        cash_counted: int
        collector: Party

    def __init__(self, *, key: str, name: str, agency: str, tray_count: int, actor: Actor, at: datetime) -> None:
        self.key, self.name, self.agency, self.tray_count = key, name, agency, tray_count
        self.unused_count = 0
        # Barcodes registered before they were aggregates (empty for kiosks installed since): frozen in size.
        self.legacy_unused: set[str] = set()
        self.legacy_used: set[str] = set()
        self.bin: list[Envelope] = []
        self.cash_expected = 0

    @classmethod
    def install(
        cls, *, key: str, name: str, agency: str, actor: Actor, at: datetime, tray_count: int = DEFAULT_TRAYS
    ) -> Kiosk:
        """A new kiosk with an empty bin and cash box."""
        if not 1 <= tray_count <= 500:
            raise InvalidValueError("tray_count", "must be 1..500", "số khay phải từ 1 đến 500")
        return cls._create(
            cls.Installed,
            id=kiosk_id(check_kiosk_key(key)),
            key=key,
            name=name,
            agency=agency,
            tray_count=tray_count,
            actor=actor,
            at=at,
        )

    def register_envelopes(self, *, barcodes: list[str], actor: Actor, at: datetime) -> list[EnvelopeBarcode]:
        """Make a printed batch valid for intake: one new EnvelopeBarcode each, saved with the kiosk. A barcode
        registered before makes the save conflict (the application names it)."""
        from domain.envelope import EnvelopeBarcode

        if not barcodes or len(set(barcodes)) != len(barcodes):
            raise InvalidValueError("barcodes", "give distinct barcodes", "danh sách mã vạch trống hoặc bị trùng")
        for barcode in barcodes:
            check_envelope_barcode(barcode)
            if barcode in self.legacy_unused or barcode in self.legacy_used:
                raise already_registered(barcode)
        self._envelopes_registered(barcodes=list(barcodes), actor=actor, at=at, own_aggregates=True)
        return [EnvelopeBarcode.register(kiosk=self.key, barcode=b, actor=actor, at=at) for b in barcodes]

    def check_envelope(self, barcode: str, envelope: EnvelopeBarcode | None) -> None:
        """Refuse an envelope not registered for this kiosk (`envelope` is its aggregate, if any) or used before."""
        check_envelope_barcode(barcode)
        if envelope is not None:
            envelope.check()
        elif barcode in self.legacy_used:
            raise UnknownEnvelopeError(barcode, "barcode already used", "mã vạch này đã được sử dụng")
        elif barcode not in self.legacy_unused:
            raise UnknownEnvelopeError(barcode, "barcode not registered", "mã vạch không có trong hệ thống")

    def accept_envelope(
        self, *, barcode: str, envelope: EnvelopeBarcode | None, dossier_code: str, actor: Actor, at: datetime
    ) -> None:
        """Pull a valid envelope into the bin; its barcode is used up."""
        self.check_envelope(barcode, envelope)
        if envelope is not None:
            envelope.use(dossier_code=dossier_code, actor=actor, at=at)
        self._envelope_accepted(envelope=Envelope(barcode=barcode, dossier_code=dossier_code), actor=actor, at=at)

    def accept_cash(self, *, dossier_code: str, amount: int, actor: Actor, at: datetime) -> None:
        """Notes for a dossier went into the cash box."""
        self._cash_accepted(dossier_code=dossier_code, amount=check_amount("amount", amount), actor=actor, at=at)

    def collect(self, *, cash_counted: int, collector: Party, actor: Actor, at: datetime) -> None:
        """Empty the bin and cash box; the count is recorded beside what the events expect."""
        counted = check_amount("cash_counted", cash_counted, minimum=0, ceiling=MAX_CASH_COUNT)
        self._collected(
            envelopes=list(self.bin),
            cash_expected=self.cash_expected,
            cash_counted=counted,
            collector=collector,
            actor=actor,
            at=at,
        )

    @event(EnvelopesRegistered)
    def _envelopes_registered(self, barcodes: list[str], actor: Actor, at: datetime, own_aggregates: bool) -> None:
        self.unused_count += len(barcodes)
        if not own_aggregates:
            self.legacy_unused.update(barcodes)

    @event(EnvelopeAccepted)
    def _envelope_accepted(self, envelope: Envelope, actor: Actor, at: datetime) -> None:
        self.unused_count -= 1
        if envelope.barcode in self.legacy_unused:
            self.legacy_unused.discard(envelope.barcode)
            self.legacy_used.add(envelope.barcode)
        self.bin.append(envelope)

    @event(CashAccepted)
    def _cash_accepted(self, dossier_code: str, amount: int, actor: Actor, at: datetime) -> None:
        self.cash_expected += amount

    @event(Collected)
    def _collected(
        self,
        envelopes: list[Envelope],
        cash_expected: int,
        cash_counted: int,
        collector: Party,
        actor: Actor,
        at: datetime,
    ) -> None:
        self.bin, self.cash_expected = [], 0
