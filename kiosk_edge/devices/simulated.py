"""Simulated devices: they behave like the hardware (and record the same device events), driven by the
simulator, the tests and the citizen screen's simulation panel."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.kiosk_wire import (
    BANKNOTES,
    CashInserted,
    DoorFault,
    EnvelopeAccepted,
    EnvelopeEjected,
    EnvelopeScanned,
    FaceVerified,
    QrPaymentConfirmed,
    ReceiptPrinted,
    TrayClosed,
    TrayOpened,
)
from kiosk_edge.devices.ports import DeviceFaultError, EventLog, FaceCamera, LentTemplate, RefusedNoteError
from kiosk_edge.vietqr import png

SIMULATED_MODEL = "simulated-face-v1"


class SimulatedIntake:
    """The envelope slot: the barcode read, the envelope in the slot, and the bin behind it."""

    def __init__(self, log: EventLog) -> None:
        self.log, self.returned = log, 0
        self.slot: str | None = None
        self.bin: list[str] = []

    def scanned(self, barcode: str) -> None:
        self.log.record(EnvelopeScanned, barcode=barcode)
        self.slot = barcode

    def pull_in(self, barcode: str) -> None:
        if self.slot != barcode:
            raise DeviceFaultError("the envelope in the slot is not the one scanned")
        self.log.record(EnvelopeAccepted, barcode=barcode)
        self.bin.append(barcode)
        self.slot = None

    def push_out(self, reason: str) -> None:
        self.log.record(EnvelopeEjected, reason=reason)
        self.slot, self.returned = None, self.returned + 1


class SimulatedTrays:
    """90 tray doors with their sensors; trays in `faulty` jam (a door_fault event, then DeviceFaultError)."""

    def __init__(self, log: EventLog, count: int = 90, faulty: frozenset[int] = frozenset()) -> None:
        self.log, self.count, self.faulty = log, count, faulty
        self.opened: set[int] = set()

    def open(self, tray: int) -> None:
        if not 1 <= tray <= self.count:
            raise DeviceFaultError(f"tray {tray} does not exist")
        if tray in self.faulty:
            self.log.record(DoorFault, tray=tray, detail="door did not open")
            raise DeviceFaultError(f"tray {tray} does not open")
        self.log.record(TrayOpened, tray=tray)
        self.opened.add(tray)

    def is_open(self, tray: int) -> bool:
        return tray in self.opened

    def close(self, tray: int) -> None:
        """The door sensor sees the citizen close the door."""
        if tray not in self.opened:
            raise DeviceFaultError(f"tray {tray} is not open")
        self.opened.discard(tray)
        self.log.record(TrayClosed, tray=tray)


class SimulatedCashAcceptor:
    """Takes Vietnamese banknotes; anything else is pushed back and records nothing."""

    def __init__(self, log: EventLog) -> None:
        self.log, self.total, self.escrow, self.given_back = log, 0, 0, 0

    def hold(self, denomination: int, count: int) -> int:
        """The notes stay in escrow (nothing is recorded until they are taken)."""
        self.escrow = _value(denomination, count)
        return self.escrow

    def take(self, dossier_code: str, denomination: int, count: int) -> int:
        amount = _value(denomination, count)
        self.log.record(CashInserted, dossier_code=dossier_code, denomination=denomination, amount=amount)
        self.total, self.escrow = self.total + amount, 0
        return amount

    def give_back(self) -> None:
        self.given_back, self.escrow = self.given_back + self.escrow, 0


def _value(denomination: int, count: int) -> int:
    if denomination not in BANKNOTES or not 1 <= count <= 100:
        raise RefusedNoteError(f"{count} notes of {denomination} đồng are not accepted")
    return denomination * count


class SimulatedBankQr:
    """The bank's confirmation of a QR transfer."""

    def __init__(self, log: EventLog) -> None:
        self.log = log

    def confirmed(self, dossier_code: str, amount: int, reference: str) -> None:
        self.log.record(QrPaymentConfirmed, dossier_code=dossier_code, amount=amount, reference=reference)


class SimulatedPrinter:
    """Keeps what it printed in memory (receipts name the citizen: never logged), its QR codes as PNG images."""

    def __init__(self, log: EventLog) -> None:
        self.log = log
        self.printed: list[str] = []
        self.pictures: list[dict[str, bytes]] = []

    def print_receipt(self, dossier_code: str | None, text: str, codes: Mapping[str, str] | None = None) -> None:
        self.printed.append(text)
        self.pictures.append({name: png(value) for name, value in (codes or {}).items()})
        if dossier_code is not None:
            self.log.record(ReceiptPrinted, dossier_code=dossier_code)


class SimulatedCamera:
    """Answers with the decisions the simulator queued (a match by default)."""

    def __init__(self, log: EventLog) -> None:
        self.log = log
        self.queued: deque[bool] = deque()

    def present(self, matched: bool) -> None:
        """The next face in front of the camera matches (or not)."""
        self.queued.append(matched)

    def enroll(self) -> tuple[float, bool, str]:
        return self._decide()

    def keep(self, dossier_code: str) -> None:
        """A simulated template needs no storing."""

    def verify(self, dossier_code: str, lent: LentTemplate | None = None) -> tuple[float, bool, str]:
        return self._decide()

    def forget(self, dossier_code: str) -> None:
        """A simulated template needs no deleting."""

    def _decide(self) -> tuple[float, bool, str]:
        matched = self.queued.popleft() if self.queued else True
        score = 0.82 if matched else 0.11
        self.log.record(FaceVerified, score=score, matched=matched, model_id=SIMULATED_MODEL)
        return score, matched, SIMULATED_MODEL


class SimulatedScanner:
    """[14] The online corner's scanner in simulation: each page is a blank A4 image, held for the session only."""

    def __init__(self) -> None:
        self.pages: list[bytes] = []
        self.scanned = 0  # pages ever scanned (no content): for tests and the demo panel

    def scan(self) -> int:
        self.pages.append(b"simulated A4 page")
        self.scanned += 1
        return len(self.pages)

    def clear(self) -> None:
        self.pages.clear()


@dataclass
class SimulatedKiosk:
    """Every simulated device of one kiosk; also the DevicePort the core's commands drive."""

    log: EventLog
    tray_count: int = 90
    faulty: frozenset[int] = frozenset()
    intake: SimulatedIntake = field(init=False)
    trays: SimulatedTrays = field(init=False)
    cash: SimulatedCashAcceptor = field(init=False)
    qr: SimulatedBankQr = field(init=False)
    printer: SimulatedPrinter = field(init=False)
    camera: FaceCamera = field(init=False)  # simulated, or the real pipeline (kiosk_edge/devices/camera.py)
    scanner: SimulatedScanner = field(init=False)  # [14] the online corner's scanner

    def __post_init__(self) -> None:
        self.intake, self.trays = SimulatedIntake(self.log), SimulatedTrays(self.log, self.tray_count, self.faulty)
        self.cash, self.qr = SimulatedCashAcceptor(self.log), SimulatedBankQr(self.log)
        self.printer, self.camera = SimulatedPrinter(self.log), SimulatedCamera(self.log)
        self.scanner = SimulatedScanner()

    def open_tray(self, tray: int) -> None:
        self.trays.open(tray)

    def eject_envelope(self, reason: str) -> None:
        self.intake.push_out(reason)

    def print_text(self, text: str) -> None:
        self.printer.print_receipt(None, text)
