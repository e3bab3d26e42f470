"""The session's inputs: what the citizen did, what a device saw, or what the core answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kiosk_edge.session.screens import Flow, Screen


@dataclass(frozen=True)
class Procedure:
    """A procedure the kiosk offers: what the session needs to know of it."""

    code: str
    name: str
    fee: int
    face_required: bool
    group: str = ""  # the life event it belongs to (kiosk_edge/catalogue.py)
    department: str = ""
    form: str = ""  # the application form of the procedure (a component "theo mẫu"), printed at the kiosk on request


class Event:
    """Something the citizen did, a device saw, or the core answered."""


@dataclass(frozen=True)
class Begin(Event):
    flow: Flow


@dataclass(frozen=True)
class ProcedureChosen(Event):
    procedure: Procedure


@dataclass(frozen=True)
class IdentityRead(Event):
    """The CCCD QR was read and accepted by the core."""


@dataclass(frozen=True)
class OtpSent(Event):
    """The submission OTP went to the phone the citizen typed (`masked`: where, as shown)."""

    masked: str = ""


@dataclass(frozen=True)
class OtpResent(Event):
    """A new code went to the same phone ("Gửi lại mã"); `masked` shows where (e.g. 090****101)."""

    masked: str = ""


@dataclass(frozen=True)
class PhoneVerified(Event):
    """The OTP was right."""


@dataclass(frozen=True)
class FaceMatched(Event):
    """The live face matched."""


@dataclass(frozen=True)
class EnvelopeTaken(Event):
    """The envelope went into the bin: the dossier exists."""

    dossier_code: str
    fee: int
    due_on: date


@dataclass(frozen=True)
class Paid(Event):
    """Notes or a bank-QR transfer were taken."""

    amount: int


@dataclass(frozen=True)
class NoteHeld(Event):
    """The cash acceptor holds a note larger than what is owed; the citizen confirms it (no change is given)."""

    amount: int


@dataclass(frozen=True)
class NoteReturned(Event):
    """The citizen took the held note back."""


@dataclass(frozen=True)
class EndPayment(Event):
    """The citizen stops paying; any shortfall is printed on the receipt."""


@dataclass(frozen=True)
class PickupChosen(Event):
    by_otp: bool


@dataclass(frozen=True)
class PickupOtpSent(Event):
    dossier_code: str
    masked: str = ""  # the phone on the dossier, masked, as the core answered


@dataclass(frozen=True)
class CardRead(Event):
    """At pickup the camera read the citizen's ID card (the number stays in the driver)."""


@dataclass(frozen=True)
class ReceiptRead(Event):
    """At pickup the camera read the dossier code printed on the receipt."""

    dossier_code: str


@dataclass(frozen=True)
class TypeInstead(Event):
    """The citizen cannot scan and types the ID number and the receipt number instead."""


@dataclass(frozen=True)
class TicketIssued(Event):
    """The core found the result in a tray of this kiosk."""

    dossier_code: str
    tray: int
    shortfall: int
    face_required: bool
    rejected: bool = False  # a rejected dossier given back with its notice, not a result
    reason: str = ""  # the rejection's reason, shown to the citizen


@dataclass(frozen=True)
class TrayOpened(Event):
    tray: int


@dataclass(frozen=True)
class TrayClosed(Event):
    """The door sensor saw the tray close."""


@dataclass(frozen=True)
class Rated(Event):
    """The citizen rated the service."""


@dataclass(frozen=True)
class Finish(Event):
    """The citizen is done with the last screen."""


@dataclass(frozen=True)
class Refused(Event):
    """A step was refused; `screen` names the refusal."""

    screen: Screen


@dataclass(frozen=True)
class Retry(Event):
    """Back to the refused step."""


@dataclass(frozen=True)
class Cancel(Event):
    """The citizen pressed 'Về trang chủ'."""


@dataclass(frozen=True)
class Timeout(Event):
    """Nobody touched the screen for TIMEOUTS[screen] seconds."""


@dataclass(frozen=True)
class CoreUnreachable(Event):
    """The core did not answer."""


# ----- [14] kflows2: the ID-card return registration and the online corner ----------------------
@dataclass(frozen=True)
class CardTypingChosen(Event):
    """The citizen cannot scan the card and will type its number and their name."""


@dataclass(frozen=True)
class ReturnRegistered(Event):
    """The core registered the card's return; the slip names `dossier_code`."""

    dossier_code: str


@dataclass(frozen=True)
class PageScanned(Event):
    """The kiosk's scanner took one more page."""


@dataclass(frozen=True)
class ScanDone(Event):
    """The citizen has scanned every document."""


@dataclass(frozen=True)
class SentToPortal(Event):
    """The portal took the dossier: its code, our dossier code (the payment reference) and the fee to pay online."""

    portal_code: str
    dossier_code: str
    fee: int


# ----- issue [14]: a supplement at the kiosk, a rejected dossier given back, pickup by CMND -----------
@dataclass(frozen=True)
class SupplementOtpSent(Event):
    """The card and the receipt name the citizen's dossier waiting for a supplement; a code went to its phone."""

    dossier_code: str
    masked: str = ""


@dataclass(frozen=True)
class SupplementShown(Event):
    """The code was right: what the dossier waits for (component names, never personal data)."""

    items: tuple[str, ...]
    reason: str
    requested_on: date
    due_on: date  # the new appointment date if handed in now


@dataclass(frozen=True)
class SupplementTaken(Event):
    """The supplement envelope went into the bin; the appointment date is `due_on`."""

    due_on: date


@dataclass(frozen=True)
class NoticeRead(Event):
    """The citizen read that the dossier was rejected and asks for it back ("Nhận lại hồ sơ")."""


@dataclass(frozen=True)
class CmndChosen(Event):
    """'Tôi dùng CMND 9 số' at pickup, or 'Sửa số CMND'."""


@dataclass(frozen=True)
class CmndEntered(Event):
    """Nine digits were typed (the number stays in the driver); the receipt comes next."""
