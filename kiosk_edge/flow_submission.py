"""The flow driver's part for a submission: the citizen's card, phone and code, face, printed form, the envelope
and the receipt.

`SubmissionFlow` is a mixin of `KioskFlow` (kiosk_edge/flow.py): it uses the same lock, state, citizen, core client
and devices, and keeps the same rule: every input is checked against the current screen before any device or core
is touched.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from kiosk_edge.core_client import CoreRefusal
from kiosk_edge.flow_part import FAILED, FlowPart
from kiosk_edge.receipt import form_text, printed_receipt
from kiosk_edge.session.inputs import (
    EnvelopeTaken,
    FaceMatched,
    IdentityRead,
    OtpSent,
    PhoneVerified,
    Refused,
)
from kiosk_edge.session.machine import InputNotAllowedError
from kiosk_edge.session.screens import Flow, Screen
from kiosk_edge.vietqr import BankAccount

S = Screen
OTP_LIMITS = {"otp_rate_limited", "otp_not_sent"}
FORM_COPIES = 2


def mask_phone(phone: str) -> str:
    """'0901000101' -> '090****101': enough for the citizen to recognise their phone, not to read it."""
    return f"{phone[:3]}****{phone[-3:]}" if len(phone) >= 7 else ""


class SubmissionFlow(FlowPart):
    """Mixin of KioskFlow: the steps of a submission, from the card's QR to the printed receipt."""

    kiosk: str
    account: BankAccount
    last_receipt: str

    def cccd_scanned(self, qr_payload: str) -> None:
        with self.lock:
            self._require(IdentityRead)
            identity = self._ask(lambda: self.core.read_identity(qr_payload), lambda r: S.BAD_QR)
            if identity is not FAILED:
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
                is not FAILED
            ):
                self.citizen.phone, self.citizen.channel = phone, channel
                self._feed(OtpSent(mask_phone(phone)))

    def enter_otp(self, code: str) -> None:
        with self.lock:
            self._require(PhoneVerified)
            proof = self._ask(lambda: self.core.verify_otp(self.citizen.phone, code), lambda r: S.WRONG_OTP)
            if proof is not FAILED:
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
            submitted = self._take_envelope(barcode, lambda: self._submit(barcode), self._envelope_refusal)
            if submitted is FAILED:
                return
            if self.citizen.face is not None:
                self.devices.camera.keep(submitted["dossier_code"])
            self._feed(
                EnvelopeTaken(submitted["dossier_code"], int(submitted["fee"]), date.fromisoformat(submitted["due_on"]))
            )

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

    if TYPE_CHECKING:  # provided by CornerFlow and SeedFlows

        def register_return(self) -> None: ...
        def supplement_envelope(self, barcode: str) -> None: ...
