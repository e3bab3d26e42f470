"""Ports of the kiosk's devices. Every physical action is stamped as a device event in the outbox first.

The keypad and screen are the citizen's web page (kiosk_edge/screen), so they have no port here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from domain.kiosk_wire import DeviceEvent


class DeviceFaultError(Exception):
    """A device could not do what it was asked (door jammed, printer out of paper)."""


class RefusedNoteError(ValueError):
    """The cash acceptor pushed the notes back (not a Vietnamese banknote, or no fee to pay)."""


class EventLog(Protocol):
    """Where devices write their events (the outbox)."""

    def record(self, kind: type[DeviceEvent], **fields: object) -> DeviceEvent: ...


class IntakeSlot(Protocol):
    """The envelope slot with its barcode reader, and the bin behind it."""

    def scanned(self, barcode: str) -> None: ...

    def pull_in(self, barcode: str) -> None: ...

    def push_out(self, reason: str) -> None: ...


class TrayDoors(Protocol):
    """The return trays' doors and their sensors."""

    def open(self, tray: int) -> None: ...

    def is_open(self, tray: int) -> bool: ...

    def close(self, tray: int) -> None:
        """The door sensor reports the door closed (the flow records it once the citizen took the result)."""


class CashAcceptor(Protocol):
    """Takes banknotes of one denomination at a time for a dossier's fee. Notes worth more than what is owed wait
    in escrow (`hold`) until the citizen confirms (`take`) or takes them back (`give_back`): no change is given."""

    def hold(self, denomination: int, count: int) -> int: ...

    def take(self, dossier_code: str, denomination: int, count: int) -> int: ...

    def give_back(self) -> None: ...


class BankQr(Protocol):
    """Shows the transfer QR and reports the bank's confirmation."""

    def confirmed(self, dossier_code: str, amount: int, reference: str) -> None: ...


class ReceiptPrinter(Protocol):
    """Prints receipts and slips; `codes` are QR codes printed under the text (name -> payload)."""

    def print_receipt(self, dossier_code: str | None, text: str, codes: Mapping[str, str] | None = None) -> None: ...


@dataclass(frozen=True)
class LentTemplate:
    """[14] A face template the core lent for one pickup (enrolled at the counter): held in the session's memory only,
    never written or logged."""

    embedding: Sequence[float] = field(repr=False)
    model_id: str


class FaceCamera(Protocol):
    """The face step: at submission the live face becomes the template of the dossier (sealed at the kiosk once the
    dossier has a code); at pickup the live face is compared 1:1 with that template, or, for a dossier received at the
    counter, with the template the core `lent` for this pickup. Only (score, matched, model id) leave the camera,
    never an image or a template."""

    def enroll(self) -> tuple[float, bool, str]: ...

    def keep(self, dossier_code: str) -> None: ...

    def verify(self, dossier_code: str, lent: LentTemplate | None = None) -> tuple[float, bool, str]: ...

    def forget(self, dossier_code: str) -> None: ...


class DocumentScanner(Protocol):
    """[14] The online corner's flatbed scanner: pages are held for the session, then cleared (personal data)."""

    def scan(self) -> int:
        """Scan one page; the number of pages held."""
        ...

    def clear(self) -> None:
        """Drop every page held."""
        ...


class Devices(Protocol):
    """Every device of one kiosk."""

    @property
    def intake(self) -> IntakeSlot: ...
    @property
    def trays(self) -> TrayDoors: ...
    @property
    def cash(self) -> CashAcceptor: ...
    @property
    def qr(self) -> BankQr: ...
    @property
    def printer(self) -> ReceiptPrinter: ...
    @property
    def camera(self) -> FaceCamera: ...
    @property
    def scanner(self) -> DocumentScanner: ...


class FaceConfig(Protocol):
    """How the real face step is configured (MOTCUA_FACE_*): the entry point hands over its settings tree's part."""

    @property
    def model_dir(self) -> str: ...
    @property
    def det_model(self) -> str: ...
    @property
    def rec_model(self) -> str: ...
    @property
    def det_size(self) -> int: ...
    @property
    def threshold(self) -> float: ...
    @property
    def template_key(self) -> str: ...
    @property
    def camera(self) -> str: ...
