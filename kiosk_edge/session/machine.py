"""The citizen's session at the kiosk as a pure state machine (seed 000, sections 1 and 2).

`advance(state, event)` is the whole machine: no I/O, no clock. The flow driver (kiosk_edge/flow.py)
does the talking to the core and the devices and feeds their outcomes back in as events. An event the
current screen does not take raises `InputNotAllowedError` and changes nothing. Every refusal is a
screen of its own with a Vietnamese message; `Retry` goes back to the step that was refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from kiosk_edge.session.inputs import (  # [14] kflows2
    Begin,
    Cancel,
    CardRead,
    CardTypingChosen,
    CmndChosen,
    CmndEntered,
    CoreUnreachable,
    EndPayment,
    EnvelopeTaken,
    Event,
    FaceMatched,
    Finish,
    IdentityRead,
    NoteHeld,
    NoteReturned,
    NoticeRead,
    OtpResent,
    OtpSent,
    PageScanned,
    Paid,
    PhoneVerified,
    PickupChosen,
    PickupOtpSent,
    Procedure,
    ProcedureChosen,
    Rated,
    ReceiptRead,
    Refused,
    Retry,
    ReturnRegistered,
    ScanDone,
    SentToPortal,
    SupplementOtpSent,
    SupplementShown,
    SupplementTaken,
    TicketIssued,
    Timeout,
    TrayClosed,
    TrayOpened,
    TypeInstead,
)
from kiosk_edge.session.screens import FINAL_REFUSALS, OTP_SENDS, OTP_TRIES, REFUSAL_MESSAGES, REFUSALS, Flow, Screen

S = Screen


@dataclass(frozen=True)
class State:
    """A screen and what the session knows so far (no personal data: that stays in the driver)."""

    screen: Screen = S.HOME
    flow: Flow | None = None
    procedure: Procedure | None = None
    dossier_code: str | None = None
    due_on: date | None = None
    tray: int | None = None
    face_required: bool = False
    owed: int = 0
    paid: int = 0
    offline: bool = False
    back: Screen | None = None
    masked_phone: str = ""  # where the last code went, masked (090****101)
    otp_sends: int = 0  # codes sent in this session for the current step
    otp_failures: int = 0  # wrong tries of the current code
    card_read: bool = False  # pickup: the ID card was scanned
    held: int = 0  # a note in the acceptor's escrow, waiting for the citizen's confirmation
    pages: int = 0  # [14] online corner: pages scanned so far
    portal_code: str | None = None  # [14] online corner: the national portal's dossier code
    # issue [14]: what a supplement asks for (component names), a rejected dossier at pickup, a CMND typed
    asked: tuple[str, ...] = ()
    reason: str = ""  # why the supplement is asked, or why the dossier was rejected
    requested_on: date | None = None
    rejected: bool = False
    cmnd_entered: bool = False

    @property
    def shortfall(self) -> int:
        return max(self.owed - self.paid, 0)

    @property
    def excess(self) -> int:
        return max(self.paid - self.owed, 0)

    @property
    def message(self) -> str:
        """The Vietnamese explanation of a refusal or the offline screen; empty elsewhere."""
        return REFUSAL_MESSAGES.get(self.screen, "")


class InputNotAllowedError(Exception):
    """The current screen does not take this input."""

    def __init__(self, screen: Screen, event: str) -> None:
        self.screen, self.event = screen, event
        super().__init__(f"{event} is not allowed on the {screen.value} screen")


# Where each refusal may come from.
REFUSED_FROM: dict[Screen, frozenset[Screen]] = {
    S.BAD_QR: frozenset({S.SCAN_CCCD, S.PICKUP_RECEIPT}),
    S.BAD_PHONE: frozenset({S.PHONE}),
    S.OTP_LIMIT: frozenset({S.PHONE, S.PICKUP_CODE, S.OTP, S.PICKUP_OTP, S.OTP_LOCKED}),
    S.WRONG_OTP: frozenset({S.OTP, S.PICKUP_OTP}),
    S.OTP_LOCKED: frozenset({S.OTP}),
    S.FACE_MISMATCH: frozenset({S.FACE, S.PICKUP_FACE}),
    S.UNKNOWN_ENVELOPE: frozenset({S.ENVELOPE}),
    S.SUBMISSION_REFUSED: frozenset({S.ENVELOPE}),
    S.NOT_PROCESSED_YET: frozenset({S.PICKUP_RECEIPT, S.PICKUP_TYPING, S.PICKUP_CODE, S.PICKUP_OTP}),
    S.PICKUP_REFUSED: frozenset({S.PICKUP_RECEIPT, S.PICKUP_TYPING, S.PICKUP_CODE, S.PICKUP_OTP, S.RELEASE}),
    S.PICKUP_LOCKED: frozenset({S.PICKUP_RECEIPT, S.PICKUP_TYPING, S.PICKUP_CODE, S.PICKUP_OTP}),
    S.PAYMENT_PENDING: frozenset({S.RELEASE}),
    S.TRAY_FAULT: frozenset({S.RELEASE}),
    # [14] kflows2
    S.PORTAL_REFUSED: frozenset({S.PORTAL_FORM}),
    S.CARD_RETURN_REFUSED: frozenset({S.OTP}),
}
# Screens whose step needs the core (the payment screen only for bank-QR: cash needs no core; a rating
# that cannot be sent is dropped rather than shown as an outage).
ASKS_CORE = frozenset(
    {
        S.PROCEDURES,
        S.SCAN_CCCD,
        S.PHONE,
        S.OTP,
        S.ENVELOPE,
        S.PAYMENT,
        S.PICKUP_CHOICE,
        S.PICKUP_RECEIPT,
        S.PICKUP_TYPING,
        S.PICKUP_CODE,
        S.PICKUP_OTP,
        S.PICKUP_PAYMENT,
        S.RELEASE,
        S.OTP_LOCKED,
        S.PORTAL_FORM,  # [14] kflows2
        S.ONLINE_PAYMENT,
    }
)
# ----- issue [14]: a supplement at the kiosk, pickup by CMND ---------------------------------------
_SUPPLEMENT_IDENTIFY = frozenset({S.SUPPLEMENT_SCAN, S.SUPPLEMENT_TYPING})
for _refusal, _sources in {
    S.BAD_QR: {S.SUPPLEMENT_SCAN},
    S.OTP_LIMIT: _SUPPLEMENT_IDENTIFY | {S.SUPPLEMENT_OTP, S.PICKUP_CMND_RECEIPT},
    S.WRONG_OTP: {S.SUPPLEMENT_OTP},
    S.UNKNOWN_ENVELOPE: {S.SUPPLEMENT_ITEMS},
    S.SUBMISSION_REFUSED: {S.SUPPLEMENT_ITEMS},
    S.NOT_PROCESSED_YET: {S.PICKUP_CMND_RECEIPT},
    S.PICKUP_REFUSED: {S.PICKUP_CMND_RECEIPT},
    S.PICKUP_LOCKED: {S.PICKUP_CMND_RECEIPT},
    S.SUPPLEMENT_NOT_AWAITED: _SUPPLEMENT_IDENTIFY | {S.SUPPLEMENT_OTP, S.SUPPLEMENT_ITEMS},
    S.SUPPLEMENT_REFUSED: _SUPPLEMENT_IDENTIFY,
    S.SUPPLEMENT_LOCKED: _SUPPLEMENT_IDENTIFY | {S.SUPPLEMENT_OTP},
    S.CMND_MISMATCH: {S.PICKUP_CMND_RECEIPT},
}.items():
    REFUSED_FROM[_refusal] = REFUSED_FROM.get(_refusal, frozenset()) | _sources
ASKS_CORE |= _SUPPLEMENT_IDENTIFY | {S.SUPPLEMENT_OTP, S.SUPPLEMENT_ITEMS, S.PICKUP_CMND_RECEIPT}
# Screens the citizen may leave with 'Về trang chủ' (not while money or a door is in play).
CANCELLABLE = frozenset(Screen) - {S.HOME, S.PAYMENT, S.CASH_CONFIRM, S.RELEASE, S.TRAY_OPEN, S.ONLINE_PAYMENT}
ALLOWED: dict[type[Event], frozenset[Screen]] = {
    Begin: frozenset({S.HOME}),
    ProcedureChosen: frozenset({S.PROCEDURES, S.CARD_PROCEDURES}),
    IdentityRead: frozenset({S.SCAN_CCCD, S.CARD_TYPING}),
    OtpSent: frozenset({S.PHONE}),
    OtpResent: frozenset({S.OTP, S.PICKUP_OTP, S.OTP_LOCKED}),
    PhoneVerified: frozenset({S.OTP}),
    FaceMatched: frozenset({S.FACE, S.PICKUP_FACE}),
    EnvelopeTaken: frozenset({S.ENVELOPE}),
    Paid: frozenset({S.PAYMENT, S.PICKUP_PAYMENT, S.CASH_CONFIRM, S.ONLINE_PAYMENT}),
    NoteHeld: frozenset({S.PAYMENT, S.PICKUP_PAYMENT}),
    NoteReturned: frozenset({S.CASH_CONFIRM}),
    EndPayment: frozenset({S.PAYMENT, S.ONLINE_PAYMENT}),
    PickupChosen: frozenset({S.PICKUP_CHOICE}),
    PickupOtpSent: frozenset({S.PICKUP_CODE}),
    CardRead: frozenset({S.PICKUP_RECEIPT}),
    ReceiptRead: frozenset({S.PICKUP_RECEIPT}),
    TypeInstead: frozenset({S.PICKUP_RECEIPT}),
    TicketIssued: frozenset({S.PICKUP_RECEIPT, S.PICKUP_TYPING, S.PICKUP_OTP}),
    TrayOpened: frozenset({S.RELEASE}),
    TrayClosed: frozenset({S.TRAY_OPEN}),
    Rated: frozenset({S.RATING}),
    Finish: frozenset({S.RECEIPT, S.THANKS, S.OFFLINE, S.CARD_SLIP, S.ONLINE_DONE}),
    Refused: frozenset().union(*REFUSED_FROM.values()),
    Retry: REFUSALS - FINAL_REFUSALS,
    Cancel: CANCELLABLE,
    Timeout: frozenset(Screen) - {S.HOME},
    CoreUnreachable: ASKS_CORE,
    # [14] kflows2
    CardTypingChosen: frozenset({S.SCAN_CCCD}),
    ReturnRegistered: frozenset({S.OTP}),
    PageScanned: frozenset({S.SCAN_DOCS}),
    ScanDone: frozenset({S.SCAN_DOCS}),
    SentToPortal: frozenset({S.PORTAL_FORM}),
}
# ----- issue [14] -----
for _event, _screens in {
    CardRead: _SUPPLEMENT_IDENTIFY - {S.SUPPLEMENT_TYPING},
    ReceiptRead: {S.SUPPLEMENT_SCAN, S.PICKUP_CMND_RECEIPT},
    TypeInstead: {S.SUPPLEMENT_SCAN},
    PickupOtpSent: {S.PICKUP_CMND_RECEIPT},
    OtpResent: {S.SUPPLEMENT_OTP},
    Finish: {S.SUPPLEMENT_RECEIPT},
    SupplementOtpSent: _SUPPLEMENT_IDENTIFY,
    SupplementShown: {S.SUPPLEMENT_OTP},
    SupplementTaken: {S.SUPPLEMENT_ITEMS},
    NoticeRead: {S.REJECTED_NOTICE},
    CmndChosen: {S.PICKUP_CHOICE, S.PICKUP_CMND_RECEIPT},
    CmndEntered: {S.PICKUP_CMND},
}.items():
    ALLOWED[_event] = ALLOWED.get(_event, frozenset()) | _screens
HOME = State()


def allowed(state: State, event: Event) -> bool:
    """Whether the current screen takes `event`."""
    if type(event) not in ALLOWED or state.screen not in ALLOWED[type(event)]:
        return False
    if isinstance(event, OtpResent) and state.otp_sends >= OTP_SENDS:
        return False
    if not _corner_allows(state, event):  # [14] kflows2
        return False
    return not isinstance(event, Refused) or state.screen in REFUSED_FROM.get(event.screen, frozenset())


def advance(state: State, event: Event) -> State:
    """The state after `event`, or InputNotAllowedError (nothing changes)."""
    if not allowed(state, event):
        raise InputNotAllowedError(state.screen, type(event).__name__)
    return _STEPS[type(event)](state, event)


def _go(state: State, screen: Screen, **changes: Any) -> State:
    return replace(state, screen=screen, back=None, **changes)


FIRST_SCREEN = {
    Flow.SUBMIT: S.PROCEDURES,
    Flow.PICKUP: S.PICKUP_CHOICE,
    Flow.SUPPLEMENT: S.SUPPLEMENT_SCAN,
    Flow.CARD_RETURN: S.CARD_PROCEDURES,
    Flow.ONLINE: S.PROCEDURES,
}
OTP_SCREEN = {
    Flow.SUBMIT: S.OTP,
    Flow.PICKUP: S.PICKUP_OTP,
    Flow.SUPPLEMENT: S.SUPPLEMENT_OTP,
    Flow.CARD_RETURN: S.OTP,
    Flow.ONLINE: S.OTP,
}
# Where the last wrong try of a code leads: a new code at submission, a lock of the dossier's pickup or supplement.
LOCK_SCREEN = {S.OTP: S.OTP_LOCKED, S.SUPPLEMENT_OTP: S.SUPPLEMENT_LOCKED}


def _begin(state: State, event: Begin) -> State:
    return _go(state, FIRST_SCREEN[event.flow], flow=event.flow)


def _after_face(state: State) -> State:
    if state.flow is Flow.SUBMIT:
        return _go(state, S.ENVELOPE)
    return _go(state, S.PICKUP_PAYMENT if state.shortfall else S.RELEASE)


def _sent(state: State, masked: str, **changes: Any) -> State:
    return _go(
        state,
        OTP_SCREEN[state.flow or Flow.PICKUP],
        masked_phone=masked or state.masked_phone,
        otp_failures=0,
        **changes,
    )


def _refused(state: State, event: Refused) -> State:
    """A refusal screen that remembers where it came from; the last wrong try of a code is a lock-out instead."""
    back = state.back if state.screen in REFUSALS and state.back else state.screen
    if event.screen is not S.WRONG_OTP:
        return replace(state, screen=event.screen, back=back)
    failures = state.otp_failures + 1
    screen = S.WRONG_OTP if failures < OTP_TRIES else LOCK_SCREEN.get(state.screen, S.PICKUP_LOCKED)
    return replace(state, screen=screen, back=back, otp_failures=failures)


def _unhold(state: State) -> State:
    return replace(state, screen=state.back or S.PAYMENT, back=None, held=0)


def _paid(state: State, event: Paid) -> State:
    if state.screen is S.CASH_CONFIRM:
        state = _unhold(state)
    state = replace(state, paid=state.paid + event.amount)
    if state.screen is S.PICKUP_PAYMENT:
        return _go(state, S.RELEASE) if not state.shortfall else state
    if state.screen is S.ONLINE_PAYMENT:  # [14] kflows2
        return _go(state, S.ONLINE_DONE) if not state.shortfall else state
    return _go(state, S.RECEIPT) if not state.shortfall else state


def _ticket(state: State, event: TicketIssued) -> State:
    state = replace(
        state,
        dossier_code=event.dossier_code,
        tray=event.tray,
        owed=0 if event.rejected else event.shortfall,  # nothing is owed for a dossier that was not resolved
        paid=0,
        face_required=event.face_required,
        rejected=event.rejected,
        reason=event.reason if event.rejected else "",
    )
    if event.rejected:  # say so, with the reason, before anything opens
        return _go(state, S.REJECTED_NOTICE)
    return _go(state, S.PICKUP_FACE) if event.face_required else _after_face(state)


def _timeout(state: State, _: Event) -> State:
    if state.screen is S.CASH_CONFIRM:  # the acceptor gives the held note back; the payment screen goes on
        return _unhold(state)
    if state.screen is S.ONLINE_PAYMENT:  # [14] the dossier is on the portal: its code is still shown and printed
        return _go(state, S.ONLINE_DONE)
    return _go(state, S.RECEIPT) if state.screen is S.PAYMENT else HOME


def _unreachable(state: State, _: Event) -> State:
    if state.screen is S.PAYMENT:  # cash needs no core: keep taking notes, offer no bank QR
        return replace(state, offline=True)
    return replace(HOME, screen=S.OFFLINE)


# Each step receives the event of its key's type (advance looks it up by type(event)).
_STEPS: dict[type[Event], Callable[[State, Any], State]] = {
    Begin: _begin,
    ProcedureChosen: lambda s, e: _go(s, S.SCAN_CCCD, procedure=e.procedure),
    IdentityRead: lambda s, e: _go(s, S.PHONE),
    OtpSent: lambda s, e: _sent(s, e.masked, otp_sends=1),
    OtpResent: lambda s, e: _sent(s, e.masked, otp_sends=s.otp_sends + 1),
    PhoneVerified: lambda s, e: _verified(s),
    FaceMatched: lambda s, e: _after_face(s),
    EnvelopeTaken: lambda s, e: _go(
        s, S.PAYMENT if e.fee else S.RECEIPT, dossier_code=e.dossier_code, owed=e.fee, due_on=e.due_on
    ),
    Paid: _paid,
    NoteHeld: lambda s, e: replace(s, screen=S.CASH_CONFIRM, back=s.screen, held=e.amount),
    NoteReturned: lambda s, e: _unhold(s),
    EndPayment: lambda s, e: _go(s, S.ONLINE_DONE if s.screen is S.ONLINE_PAYMENT else S.RECEIPT),
    PickupChosen: lambda s, e: _go(s, S.PICKUP_CODE if e.by_otp else S.PICKUP_RECEIPT),
    PickupOtpSent: lambda s, e: _sent(s, e.masked, dossier_code=e.dossier_code, otp_sends=1),
    CardRead: lambda s, e: replace(s, card_read=True),
    ReceiptRead: lambda s, e: replace(s, dossier_code=e.dossier_code),
    TypeInstead: lambda s, e: _go(s, S.SUPPLEMENT_TYPING if s.screen is S.SUPPLEMENT_SCAN else S.PICKUP_TYPING),
    TicketIssued: _ticket,
    TrayOpened: lambda s, e: _go(s, S.TRAY_OPEN, tray=e.tray),
    TrayClosed: lambda s, e: _go(s, S.THANKS if s.rejected else S.RATING),  # a rejected dossier is not rated
    Rated: lambda s, e: _go(s, S.THANKS),
    Finish: lambda s, e: HOME,
    Refused: _refused,
    Retry: lambda s, e: _go(s, s.back or S.HOME),
    Cancel: lambda s, e: HOME,
    Timeout: _timeout,
    CoreUnreachable: _unreachable,
    # [14] kflows2
    CardTypingChosen: lambda s, e: _go(s, S.CARD_TYPING),
    ReturnRegistered: lambda s, e: _go(s, S.CARD_SLIP, dossier_code=e.dossier_code),
    PageScanned: lambda s, e: replace(s, pages=s.pages + 1),
    ScanDone: lambda s, e: _go(s, S.PORTAL_FORM),
    SentToPortal: lambda s, e: _go(
        s,
        S.ONLINE_PAYMENT if e.fee else S.ONLINE_DONE,
        portal_code=e.portal_code,
        dossier_code=e.dossier_code,
        owed=e.fee,
        paid=0,
    ),
}


# ----- [14] kflows2: the ID-card return registration and the online corner -----------------------------
def _verified(state: State) -> State:
    """The phone is proven: the online corner goes on to the scanner; a submission to the face or the envelope."""
    if state.flow is Flow.ONLINE:
        return _go(state, S.SCAN_DOCS)
    return _go(state, S.FACE) if state.procedure and state.procedure.face_required else _go(state, S.ENVELOPE)


def _corner_allows(state: State, event: Event) -> bool:
    """Flow-specific limits: typing a card number is for card returns; a card return ends with its registration,
    never with PhoneVerified; the scan is done only after one page; online, only a bank transfer pays."""
    if isinstance(event, CardTypingChosen):
        return state.flow is Flow.CARD_RETURN
    if isinstance(event, ReturnRegistered):
        return state.flow is Flow.CARD_RETURN
    if isinstance(event, PhoneVerified):
        return state.flow is not Flow.CARD_RETURN
    if isinstance(event, ScanDone):
        return state.pages > 0
    return True


# ----- issue [14]: a supplement at the kiosk, a rejected dossier given back, pickup by CMND -----------
_STEPS |= {
    SupplementOtpSent: lambda s, e: _sent(s, e.masked, dossier_code=e.dossier_code, otp_sends=1),
    SupplementShown: lambda s, e: _go(
        s, S.SUPPLEMENT_ITEMS, asked=e.items, reason=e.reason, requested_on=e.requested_on, due_on=e.due_on
    ),
    SupplementTaken: lambda s, e: _go(s, S.SUPPLEMENT_RECEIPT, due_on=e.due_on),
    NoticeRead: lambda s, e: _go(s, S.PICKUP_FACE) if s.face_required else _after_face(s),
    CmndChosen: lambda s, e: _go(s, S.PICKUP_CMND, cmnd_entered=False, dossier_code=None),
    CmndEntered: lambda s, e: _go(s, S.PICKUP_CMND_RECEIPT, cmnd_entered=True),
}
