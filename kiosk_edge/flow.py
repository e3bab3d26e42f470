"""The flow driver: turns the citizen's touches and the devices' readings into core calls and session events.

`KioskFlow` holds the session state (kiosk_edge/session.py) and, apart from it, the citizen's personal data
for the current session only (QR payload, phone, proofs), dropped on the way back to the home screen and
never logged. Each input is checked against the current screen before any device or core is touched.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.kiosk_wire import BadDeviceMessageError
from kiosk_edge.catalogue import Usage
from kiosk_edge.core_client import CoreClient, CoreRefusal, CoreUnreachableError
from kiosk_edge.devices.ports import DeviceFaultError, Devices, LentTemplate
from kiosk_edge.flow_corner import CornerFlow
from kiosk_edge.receipt import form_text, printed_receipt
from kiosk_edge.seed_flows import FAILED, SeedFlows
from kiosk_edge.session.inputs import (
    Begin,
    Cancel,
    CardRead,
    CoreUnreachable,
    EndPayment,
    EnvelopeTaken,
    Event,
    FaceMatched,
    Finish,
    IdentityRead,
    NoteHeld,
    NoteReturned,
    OtpResent,
    OtpSent,
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
    SupplementOtpSent,
    TicketIssued,
    Timeout,
    TrayClosed,
    TrayOpened,
    TypeInstead,
)
from kiosk_edge.session.machine import ALLOWED, HOME, InputNotAllowedError, advance, allowed
from kiosk_edge.session.screens import OTP_VALID_SECONDS, RESEND_AFTER, TIMEOUTS, Flow, Screen
from kiosk_edge.vietqr import BankAccount

log = logging.getLogger(__name__)
_FAILED = FAILED
S = Screen
OTP_LIMITS = {"otp_rate_limited", "otp_not_sent"}
DEMO_ACCOUNT = BankAccount(bin="970415", number="113000006868", name="UBND QUAN 6")  # VietinBank BIN; a demo account
DEFAULT_HOTLINE = "028.39695699"  # District 6's notice (seed 000)
FORM_COPIES = 2


def mask_phone(phone: str) -> str:
    """'0901000101' -> '090****101': enough for the citizen to recognise their phone, not to read it."""
    return f"{phone[:3]}****{phone[-3:]}" if len(phone) >= 7 else ""


@dataclass
class Citizen:
    """What the session learnt about the citizen; kept in memory for one session only."""

    qr_payload: str = ""
    name: str = ""
    id_number: str = ""
    date_of_birth: str = ""
    address: str = ""
    forms_printed: int = 0
    phone: str = ""
    channel: str = "sms"  # how the citizen chose to be told of each step: sms or zalo (the kiosk knows no e-mail)
    proof: str = ""
    face: dict[str, Any] | None = None
    held: tuple[int, int] | None = None  # (denomination, count) in the acceptor's escrow
    ticket: str = ""
    method: str = ""
    printed: bool = False
    cmnd: str = ""  # issue [14]: the 9-digit CMND typed at pickup
    lent_face: LentTemplate | None = None  # [14] the counter's face template the core lent for this pickup
    first_code_at: float = 0.0  # when the session's first code was sent (the phone's codes are counted from it)


class KioskFlow(CornerFlow, SeedFlows):
    """One kiosk's citizen session, driven by the screen and the devices (thread-safe); the ID-card return and
    online-corner steps are CornerFlow's (kiosk_edge/flow_corner.py), the supplement, rejected-return and CMND steps
    SeedFlows' (kiosk_edge/seed_flows.py)."""

    def __init__(
        self,
        kiosk: str,
        core: CoreClient,
        devices: Devices,
        procedures: list[Procedure],
        *,
        clock: Callable[[], float] = time.monotonic,
        release_wait: float = 3.0,
        account: BankAccount = DEMO_ACCOUNT,
        hotline: str = DEFAULT_HOTLINE,
        usage: Usage | None = None,
    ) -> None:
        self.kiosk, self.core, self.devices, self.clock, self.release_wait = kiosk, core, devices, clock, release_wait
        self.account, self.hotline, self.usage = account, hotline, usage or Usage()
        self.procedures = {p.code: p for p in procedures}
        self.state, self.citizen, self.touched = HOME, Citizen(), clock()
        self.otp_sent_at, self.last_receipt = 0.0, ""
        self.wait_until, self.retry_after = 0.0, None  # a lock-out's end (seed_flows.py), the core's Retry-After
        self.lock = threading.RLock()

    # ----- citizen and device inputs ------------------------------------------------------
    def begin(self, flow: str) -> None:
        with self.lock:
            self._feed(Begin(Flow(flow)))
            try:
                self.core.health()
            except CoreUnreachableError:
                self._feed(CoreUnreachable())

    def choose_procedure(self, code: str) -> None:
        with self.lock:
            if code not in self.procedures:
                raise ValueError(f"procedure {code!r} is not offered at this kiosk")
            self._feed(ProcedureChosen(self.procedures[code]))

    def cccd_scanned(self, qr_payload: str) -> None:
        with self.lock:
            self._require(IdentityRead)
            identity = self._ask(lambda: self.core.read_identity(qr_payload), lambda r: S.BAD_QR)
            if identity is not _FAILED:
                self.citizen.qr_payload, self.citizen.name = qr_payload, str(identity["name"])
                self.citizen.id_number = str(identity["id_number"])
                self.citizen.date_of_birth = str(identity.get("date_of_birth") or "")
                self.citizen.address = str(identity.get("address") or "")
                self._feed(IdentityRead())

    def enter_phone(self, phone: str, channel: str = "sms") -> None:
        """The phone the code goes to, and the channel (sms, zalo) the citizen wants to be told of each step on."""
        with self.lock:
            self._require(OtpSent)
            if (
                self._ask(
                    lambda: self.core.send_otp(phone), lambda r: S.OTP_LIMIT if r.code in OTP_LIMITS else S.BAD_PHONE
                )
                is not _FAILED
            ):
                self.citizen.phone, self.citizen.channel = phone, channel
                self._feed(OtpSent(mask_phone(phone)))

    def resend_otp(self) -> None:
        """'Gửi lại mã': a new code to the same phone, once the last one is a minute old (or locked)."""
        with self.lock:
            s = self.state
            if not allowed(s, OtpResent()) or (s.screen is not S.OTP_LOCKED and self.resend_in() > 0):
                raise InputNotAllowedError(s.screen, "OtpResent")
            if s.flow is not Flow.PICKUP:
                sent = self._ask(lambda: self.core.send_otp(self.citizen.phone), lambda r: S.OTP_LIMIT)
                masked = mask_phone(self.citizen.phone)
            elif s.flow is Flow.SUPPLEMENT or self.citizen.cmnd:  # issue [14]: the same checks send a new code
                code = s.dossier_code or ""
                sent = self._ask(
                    lambda: (
                        self.core.request_supplement_otp(self.citizen.id_number, code)
                        if s.flow is Flow.SUPPLEMENT
                        else self.core.request_pickup_otp_by_cmnd(self.citizen.cmnd, code)
                    ),
                    self._supplement_refusal if s.flow is Flow.SUPPLEMENT else self._cmnd_refusal,
                )
                masked = str((sent or {}).get("masked_phone") or "") if sent is not _FAILED else ""
            else:
                code = s.dossier_code or ""
                sent = self._ask(lambda: self.core.send_pickup_otp(code), self._pickup_refusal)
                masked = str((sent or {}).get("masked_phone") or "") if sent is not _FAILED else ""
            if sent is not _FAILED:
                self._feed(OtpResent(masked))

    def resend_in(self) -> int:
        """Seconds before 'Gửi lại mã' may be pressed."""
        return max(0, int(RESEND_AFTER - (self.clock() - self.otp_sent_at) + 0.999))

    def otp_left(self) -> int:
        """Seconds the last code is still valid for."""
        return max(0, int(OTP_VALID_SECONDS - (self.clock() - self.otp_sent_at) + 0.999))

    def enter_otp(self, code: str) -> None:
        with self.lock:
            self._require(PhoneVerified)
            proof = self._ask(lambda: self.core.verify_otp(self.citizen.phone, code), lambda r: S.WRONG_OTP)
            if proof is not _FAILED:
                self.citizen.proof = proof
                if self.state.flow is Flow.CARD_RETURN:  # [14] the registration is the step after the OTP
                    return self.register_return()
                self._feed(PhoneVerified())

    def face_presented(self) -> None:
        with self.lock:
            self._require(FaceMatched)
            code = self.state.dossier_code  # known at pickup; at submission the face becomes the template
            camera = self.devices.camera
            score, matched, model_id = camera.verify(code, self.citizen.lent_face) if code else camera.enroll()
            if not matched:
                self._feed(Refused(S.FACE_MISMATCH))
                return
            self.citizen.face = {"score": score, "matched": True, "model_id": model_id}
            self._feed(FaceMatched())

    def print_form(self) -> None:
        """'In tờ khai': the procedure's form with the card's data filled in (twice at most per session)."""
        with self.lock:
            procedure, c = self.state.procedure, self.citizen
            if self.state.screen is not S.ENVELOPE or procedure is None or not procedure.form:
                raise InputNotAllowedError(self.state.screen, "print_form")
            if c.forms_printed >= FORM_COPIES:
                raise InputNotAllowedError(self.state.screen, "print_form (already printed)")
            self.devices.printer.print_receipt(
                None,
                form_text(
                    procedure=procedure,
                    name=c.name,
                    id_number=c.id_number,
                    date_of_birth=c.date_of_birth,
                    address=c.address,
                    phone=c.phone,
                ),
            )
            c.forms_printed += 1

    def envelope_inserted(self, barcode: str) -> None:
        with self.lock:
            if self.state.screen is S.SUPPLEMENT_ITEMS:
                return self.supplement_envelope(barcode)
            self._require(EnvelopeTaken)
            try:
                self.devices.intake.scanned(barcode)
            except BadDeviceMessageError:  # not one of our barcodes at all
                self.devices.intake.push_out("unreadable_barcode")
                self._feed(Refused(S.UNKNOWN_ENVELOPE))
                return
            submitted = self._ask(lambda: self._submit(barcode), self._envelope_refusal)
            if submitted is _FAILED:
                self.devices.intake.push_out("refused")
                return
            self.devices.intake.pull_in(barcode)
            if self.citizen.face is not None:
                self.devices.camera.keep(submitted["dossier_code"])
            self._feed(
                EnvelopeTaken(submitted["dossier_code"], int(submitted["fee"]), date.fromisoformat(submitted["due_on"]))
            )

    def cash_inserted(self, denomination: int, count: int = 1) -> None:
        """Notes worth more than what is owed wait in escrow for the citizen's word: no change is given."""
        with self.lock:
            self._require(NoteHeld)
            if denomination * count > self.state.shortfall:
                held = self.devices.cash.hold(denomination, count)
                self.citizen.held = (denomination, count)
                self._feed(NoteHeld(held))
                return
            self._feed(Paid(self.devices.cash.take(self.state.dossier_code or "", denomination, count)))

    def keep_note(self) -> None:
        """The citizen pays with the held note anyway (the excess is refunded at the counter)."""
        with self.lock:
            self._require(NoteReturned)
            denomination, count = self.citizen.held or (0, 0)
            self.citizen.held = None
            self._feed(Paid(self.devices.cash.take(self.state.dossier_code or "", denomination, count)))

    def return_note(self) -> None:
        with self.lock:
            self._feed(NoteReturned())

    def qr_confirmed(self, amount: int, reference: str) -> None:
        with self.lock:
            self._require(NoteHeld)
            if self.state.offline:  # no bank QR is shown while the core is out of reach
                raise InputNotAllowedError(self.state.screen, "bank QR payment while offline")
            code = self.state.dossier_code or ""
            self.devices.qr.confirmed(code, amount, reference)
            try:
                self.core.pay_by_qr(code, amount, reference)
            except CoreUnreachableError:
                self._feed(CoreUnreachable())
                return
            self._feed(Paid(amount))

    def end_payment(self) -> None:
        with self.lock:
            self._feed(EndPayment())

    def choose_pickup(self, by_otp: bool) -> None:
        with self.lock:
            self._feed(PickupChosen(by_otp))

    def pickup_by_receipt(self, id_number: str, code: str) -> None:
        """The typed fallback (or a scanner that reads both at once)."""
        with self.lock:
            if self.state.screen not in (S.PICKUP_RECEIPT, S.PICKUP_TYPING):
                raise InputNotAllowedError(self.state.screen, "TicketIssued")
            ticket = self._ask(lambda: self.core.pickup_by_receipt(id_number, code), self._pickup_refusal)
            self._ticket(ticket, "cccd_and_receipt")

    def card_scanned(self, qr_payload: str) -> None:
        """The camera read a CCCD QR: the submitter's identity, or at pickup the first half of the check."""
        with self.lock:
            if self.state.screen is S.SUPPLEMENT_SCAN:
                return self.supplement_card(qr_payload)
            if self.state.screen is not S.PICKUP_RECEIPT:
                return self.cccd_scanned(qr_payload)
            identity = self._ask(lambda: self.core.read_identity(qr_payload), lambda r: S.BAD_QR)
            if identity is not _FAILED:
                self.citizen.id_number = str(identity["id_number"])
                self._feed(CardRead())
                self._pickup_when_both()

    def receipt_scanned(self, code: str) -> None:
        """The camera read the dossier code printed as a QR on the receipt."""
        with self.lock:
            screen = self.state.screen
            self._feed(ReceiptRead(code.strip().upper()))
            next_step = {S.SUPPLEMENT_SCAN: self._supplement_when_both, S.PICKUP_CMND_RECEIPT: self._cmnd_when_receipt}
            next_step.get(screen, self._pickup_when_both)()

    def type_instead(self) -> None:
        with self.lock:
            self._feed(TypeInstead())

    def _pickup_when_both(self) -> None:
        s, c = self.state, self.citizen
        if s.card_read and s.dossier_code and c.id_number:
            code = s.dossier_code
            self._ticket(
                self._ask(lambda: self.core.pickup_by_receipt(c.id_number, code), self._pickup_refusal),
                "cccd_and_receipt",
            )

    def request_pickup_otp(self, code: str) -> None:
        with self.lock:
            self._require(PickupOtpSent)
            sent = self._ask(lambda: self.core.send_pickup_otp(code), self._pickup_refusal)
            if sent is not _FAILED:
                self._feed(PickupOtpSent(code, str((sent or {}).get("masked_phone") or "")))

    def enter_pickup_otp(self, otp_code: str) -> None:
        with self.lock:
            self._require(TicketIssued, S.PICKUP_OTP)
            code = self.state.dossier_code or ""
            if self.citizen.cmnd:  # issue [14]: the code sent after the CMND check
                ticket = self._ask(lambda: self.core.pickup_by_cmnd(code, otp_code), self._pickup_refusal)
                return self._ticket(ticket, "cmnd_and_receipt")
            self._ticket(
                self._ask(lambda: self.core.pickup_by_otp(code, otp_code), self._pickup_refusal), "code_and_otp"
            )

    def tray_closed(self) -> None:
        with self.lock:
            self._require(TrayClosed)
            self.devices.trays.close(self.state.tray or 0)
            self._feed(TrayClosed())

    def rate(self, stars: int | None = None, level: str | None = None) -> None:
        """The citizen's rating: one of the four Circular 01 levels (the screen's choice) or 1-5 stars."""
        with self.lock:
            self._require(Rated)
            try:
                self.core.rate(self.state.dossier_code or "", {"level": level} if level else {"stars": stars})
            except (CoreRefusal, CoreUnreachableError) as error:  # the result is delivered: never block on a rating
                log.warning("rating not recorded: %s", error)
            self._feed(Rated())

    def finish(self) -> None:
        with self.lock:
            self._feed(Finish())

    def cancel(self) -> None:
        with self.lock:
            self._feed(Cancel())

    def retry(self) -> None:
        with self.lock:
            self._feed(Retry())

    def tick(self) -> None:
        """Called every second or so: a screen left alone too long times out."""
        with self.lock:
            limit = TIMEOUTS[self.state.screen]
            if limit and self.clock() - self.touched >= limit:
                self._feed(Timeout())

    # ----- steps --------------------------------------------------------------------------
    def _feed(self, event: Event) -> None:
        before, self.state = self.state, advance(self.state, event)
        self.touched = self.clock()
        if isinstance(event, (OtpSent, OtpResent, PickupOtpSent, SupplementOtpSent)):
            self.otp_sent_at = self.touched
            self.citizen.first_code_at = self.citizen.first_code_at or self.touched
        self._start_wait(before)
        if before.held and not self.state.held and not isinstance(event, Paid):  # taken back, or left too long
            self.devices.cash.give_back()
            self.citizen.held = None
        if isinstance(event, EnvelopeTaken) and self.state.procedure is not None:
            self.usage.add(self.state.procedure.code)
        if self.state.screen in (S.HOME, S.OFFLINE):
            self.citizen = Citizen()
            self.devices.scanner.clear()  # [14] the online corner's scanned pages go with the session
        elif self.state.screen is S.RECEIPT and not self.citizen.printed:
            self._print_receipt()
        elif self.state.screen is S.RELEASE:
            self._release()

    def _require(self, kind: type[Event], screen: Screen | None = None) -> None:
        if self.state.screen not in ALLOWED[kind] or (screen is not None and self.state.screen is not screen):
            raise InputNotAllowedError(self.state.screen, kind.__name__)

    def _ask(self, call: Callable[[], Any], refusal: Callable[[CoreRefusal], Screen]) -> Any:
        try:
            return call()
        except CoreRefusal as error:
            log.info("core refused on %s: %s", self.state.screen.value, error.code)
            self.retry_after = error.retry_after
            self._feed(Refused(refusal(error)))
        except CoreUnreachableError as error:
            log.warning("core unreachable on %s: %s", self.state.screen.value, error)
            self._feed(CoreUnreachable())
        return _FAILED

    def _submit(self, barcode: str) -> dict[str, Any]:
        """One round trip: the core checks the envelope first, as its own part of the submission."""
        c, procedure = self.citizen, self.state.procedure
        assert procedure is not None
        return self.core.submit(
            procedure_code=procedure.code,
            qr_payload=c.qr_payload,
            phone=c.phone,
            phone_proof=c.proof,
            envelope=barcode,
            face=c.face,
            channels=[c.channel],
        )

    @staticmethod
    def _envelope_refusal(error: CoreRefusal) -> Screen:
        return S.UNKNOWN_ENVELOPE if error.code == "envelope_rejected" else S.SUBMISSION_REFUSED

    @staticmethod
    def _pickup_refusal(error: CoreRefusal) -> Screen:
        return {
            "not_processed_yet": S.NOT_PROCESSED_YET,
            "otp_wrong": S.WRONG_OTP,
            "pickup_locked": S.PICKUP_LOCKED,
        }.get(error.code, S.OTP_LIMIT if error.code in OTP_LIMITS else S.PICKUP_REFUSED)

    def _ticket(self, ticket: Any, method: str) -> None:
        if ticket is _FAILED:
            return
        self.citizen.ticket, self.citizen.method = str(ticket["token"]), method
        lent = ticket.get("face_template")
        self.citizen.lent_face = LentTemplate(lent["embedding"], str(lent["model_id"])) if lent else None
        self._feed(
            TicketIssued(
                str(ticket["dossier_code"]),
                int(ticket["tray"]),
                int(ticket["shortfall"]),
                bool(ticket["face_required"]),
                bool(ticket.get("rejected")),
                str(ticket.get("reason") or ""),
            )
        )

    def _print_receipt(self) -> None:
        s, c = self.state, self.citizen
        assert s.procedure is not None and s.dossier_code is not None and s.due_on is not None
        receipt = printed_receipt(
            account=self.account,
            kiosk=self.kiosk,
            dossier_code=s.dossier_code,
            procedure=s.procedure.name,
            applicant=c.name,
            due_on=s.due_on,
            fee=s.owed,
            paid=s.paid,
        )
        self.devices.printer.print_receipt(s.dossier_code, receipt.text, receipt.codes)
        self.last_receipt = s.dossier_code
        c.printed = True

    def _release(self) -> None:
        """Ask the core to release the result (waiting a little for cash still on its way), then open the door."""
        c, code = self.citizen, self.state.dossier_code or ""
        until = self.clock() + self.release_wait
        while True:
            try:
                released = self.core.release(code, c.ticket, c.method, c.face)
                break
            except CoreRefusal as error:
                if error.code == "payment_outstanding" and self.clock() < until:
                    time.sleep(0.2)  # the notes' events are on their way through NATS
                    continue
                self._feed(Refused(S.PAYMENT_PENDING if error.code == "payment_outstanding" else S.PICKUP_REFUSED))
                return
            except CoreUnreachableError:
                self._feed(CoreUnreachable())
                return
        try:
            self.devices.trays.open(int(released["tray"]))
        except DeviceFaultError:
            self._feed(Refused(S.TRAY_FAULT))
            return
        self.devices.camera.forget(code)  # the template taken at submission has served its purpose
        self._feed(TrayOpened(int(released["tray"])))
