"""Kiosks: the 24/7 kiosk's submission and pickup flows (seed 000, sections 1 and 2)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import msgspec

from application.base import OneStop, Written, command
from application.dossiers import DOSSIER, Dossiers
from application.errors import (
    FaceMismatchError,
    KioskRefusal,
    NotFoundError,
    NotReadyError,
    PickupRefusedError,
    ProcedureNotAtKioskError,
    WrongOtpError,
)
from application.kiosk_office import KioskOffice
from application.kiosk_supplements import KioskSupplements
from application.kiosk_views import Balance, LentFace, PickupTicket, Receipt, Released, Submitted, receipt_text
from application.ports import Attempts, Clock, KioskDoors, Otp
from application.proofs import Proofs
from application.throttling import PICKUP_DOSSIER, PICKUP_KIOSK, PickupLockedError, Throttle, seconds_until
from domain.cccd import CitizenIdentity, parse_cccd_qr, parse_cmnd
from domain.codes import dossier_id, parse_code
from domain.dossier import Dossier, Status
from domain.envelope import EnvelopeBarcode, envelope_id
from domain.kiosk import check_envelope_barcode
from domain.procedures import ComponentForm
from domain.tray import PickupMethod
from domain.values import (
    Actor,
    Applicant,
    Channel,
    Component,
    DeliveryChannel,
    FaceCheck,
    PaymentMethod,
    Rating,
    check_phone,
    mask_phone,
)

SUBMIT, PICKUP = "submit", "pickup"


class Kiosks(KioskSupplements, KioskOffice):
    """Commands and queries of the kiosk, for the kiosk device and for the consultant team."""

    def __init__(
        self,
        app: OneStop,
        *,
        dossiers: Dossiers,
        otp: Otp,
        proofs: Proofs,
        clock: Clock,
        attempts: Attempts,
        doors: KioskDoors,
        overdue_days: int = 5,
    ) -> None:
        self.app, self.dossiers, self.otp, self.proofs, self.clock = app, dossiers, otp, proofs, clock
        self.throttle, self.doors, self.overdue_days = Throttle(attempts), doors, overdue_days

    # ----- submission -------------------------------------------------------------------
    def read_identity(self, qr_payload: str, at: datetime | None = None) -> CitizenIdentity:
        """Parse the CCCD QR strictly; nothing is recorded."""
        return parse_cccd_qr(qr_payload, today=self._local_day(self._at(at)))

    def request_otp(self, phone: str, at: datetime | None = None, *, kiosk: str | None = None) -> None:
        """Send an OTP to the phone the citizen typed."""
        self.otp.send(check_phone(phone), SUBMIT, self._at(at), kiosk=kiosk)

    def verify_phone(self, phone: str, code: str, at: datetime | None = None) -> str:
        """Check the OTP; returns a short-lived proof that the phone is the citizen's."""
        at = self._at(at)
        if not self.otp.check(check_phone(phone), SUBMIT, code, at):
            raise WrongOtpError("wrong or expired OTP", "Mã OTP không đúng hoặc đã hết hạn, vui lòng thử lại.")
        return self.proofs.issue(phone, SUBMIT, at)

    @command
    def check_envelope(self, kiosk: str, barcode: str) -> None:
        """Raise UnknownEnvelopeError if the envelope must be pushed back out."""
        self._usable_envelope(kiosk, barcode)

    @command
    def submit(
        self,
        kiosk: str,
        *,
        procedure_code: str,
        qr_payload: str,
        phone: str,
        phone_proof: str,
        envelope: str,
        actor: Actor,
        face: FaceCheck | None = None,
        quantity: int = 1,
        at: datetime | None = None,
        channels: list[str] | None = None,
    ) -> Submitted:
        """The envelope goes into the bin: the dossier is received (a ward procedure by the citizen's ward), its fee
        assessed for `quantity` units (pages, copies), the barcode used up; `channels` (sms, zalo) is how the citizen
        chose to be told of each step, first choice first."""
        at, dossiers = self._at(at), self.dossiers
        # First, so an envelope that must be pushed out is refused as such whatever else is wrong (the kiosk asks
        # no separate check); the kiosk's save below checks it again against the write.
        self._usable_envelope(kiosk, envelope)
        procedure = dossiers.procedure(procedure_code)
        if not procedure.kiosk_submission:
            raise ProcedureNotAtKioskError(
                f"{procedure.code} is not handled at the kiosk",
                "Thủ tục này chưa được tiếp nhận tại kiosk, vui lòng nộp tại quầy Một cửa.",
            )
        fee = procedure.fee_for(quantity)
        identity = self.read_identity(qr_payload, at)
        procedure = dossiers.procedure_for(procedure.code, identity.address)
        self.proofs.check(phone_proof, check_phone(phone), SUBMIT, at)
        self._require_face(procedure.high_legal_value, face)
        applicant = Applicant(
            id_number=identity.id_number,
            name=identity.name,
            phone=phone,
            address=identity.address,
            date_of_birth=identity.date_of_birth,
        )
        components = [Component(name=c.name, form=ComponentForm(c.form), count=c.count) for c in procedure.components]
        due_on = dossiers.appointment(procedure, at)

        def make(code: str) -> list[Any]:
            dossier = Dossier.receive(
                code=code,
                procedure_code=procedure.code,
                channel=Channel.KIOSK,
                applicant=applicant,
                components=components,
                due_on=due_on,
                actor=actor,
                at=at,
                face=face,
            )
            if channels:
                dossier.choose_channels(channels=channels, actor=actor, at=at)
            dossier.assess_fee(amount=fee, actor=actor, at=at)
            machine, barcode = self._kiosk(kiosk), self._envelope(kiosk, envelope)
            machine.accept_envelope(barcode=envelope, envelope=barcode, dossier_code=code, actor=actor, at=at)
            return [dossier, machine] + ([barcode] if barcode is not None else [])

        code, written = dossiers.create(procedure.agency, at, make)
        return Submitted(dossier_code=code, due_on=due_on, fee=fee, version=written.version, position=written.position)

    @command
    def pay(
        self,
        kiosk: str,
        code: str,
        *,
        method: PaymentMethod,
        amount: int,
        actor: Actor,
        reference: str | None = None,
        at: datetime | None = None,
    ) -> Balance:
        """Cash notes or a bank-QR confirmation for a dossier; cash also goes into the kiosk's cash box."""
        at = self._at(at)
        for _ in range(5):
            dossier = self._dossier(code)
            dossier.record_payment(method=method, amount=amount, reference=reference, actor=actor, at=at)
            changed: list[Any] = [dossier]
            if PaymentMethod(method) is PaymentMethod.CASH:
                machine = self._kiosk(kiosk)
                machine.accept_cash(dossier_code=code, amount=amount, actor=actor, at=at)
                changed.append(machine)
            written = self.app.commit_or_evict(*changed)
            if written is not None:
                return Balance(
                    dossier_code=code,
                    fee=dossier.fee,
                    paid=dossier.paid,
                    shortfall=dossier.shortfall,
                    excess=dossier.excess,
                    version=written.version,
                    position=written.position,
                )
        raise self.app.conflict(code)

    def get_receipt(self, kiosk: str, code: str) -> Receipt:
        """The receipt to print: code, procedure, appointment date, amounts, shortfall or excess."""
        dossier, dossiers = self._dossier(code, fresh=True), self.dossiers
        if dossier.due_on is None:  # registered online and not yet accepted: no appointment to print
            raise KioskRefusal(
                "a dossier registered online has no kiosk receipt until it is accepted",
                "Hồ sơ đăng ký trực tuyến chưa được tiếp nhận nên chưa có biên nhận để in.",
            )
        procedure = dossiers.procedure(dossier.procedure_code)
        agency = dossiers.catalogue.agency(dossiers.handled_as(dossier).agency)
        draft = Receipt(
            dossier_code=code,
            procedure_code=procedure.code,
            procedure_name=procedure.name,
            applicant_name=dossier.applicant.name,
            kiosk=kiosk,
            received_at=dossier.received_at,
            due_on=dossier.due_on,
            fee=dossier.fee,
            paid=dossier.paid,
            shortfall=dossier.shortfall,
            excess=dossier.excess,
            text="",
        )
        return msgspec.structs.replace(draft, text=receipt_text(agency.name, draft))

    # ----- pickup -----------------------------------------------------------------------
    # Identity checks are counted per dossier and per kiosk outside the commands (a command may run twice on stale
    # state, and a refusal must count once); a locked dossier or kiosk is refused before the dossier is even read.
    def start_pickup_with_receipt(
        self, kiosk: str, *, id_number: str, code: str, at: datetime | None = None
    ) -> PickupTicket:
        """District results: the citizen types the CCCD number and the receipt number (the dossier code)."""
        at = self._at(at)
        return self._guarded(
            kiosk, code, at, lambda: self._pickup_with_receipt(kiosk, id_number=id_number, code=code, at=at)
        )

    def request_pickup_otp(self, kiosk: str, code: str, at: datetime | None = None) -> str:
        """CCCD-card returns: send the OTP to the phone on the dossier; returns that phone masked (090****101), for
        the screen to say where the code went."""
        at = self._at(at)
        self._check_pickup_open(kiosk, code, at)
        return self._send_pickup_otp(kiosk, code, at)

    def start_pickup_with_otp(
        self, kiosk: str, *, code: str, otp_code: str, at: datetime | None = None
    ) -> PickupTicket:
        """The citizen typed the dossier code from the SMS, then the OTP."""
        at = self._at(at)
        return self._guarded(kiosk, code, at, lambda: self._pickup_with_otp(kiosk, code=code, otp_code=otp_code, at=at))

    @command
    def _pickup_with_receipt(self, kiosk: str, *, id_number: str, code: str, at: datetime) -> PickupTicket:
        dossier = self._ready_dossier(kiosk, code)
        if dossier.applicant.id_number != id_number:
            raise PickupRefusedError(
                "ID number does not match the dossier", "Số CCCD không khớp với biên nhận, vui lòng kiểm tra lại."
            )
        return self._ticket(dossier, PickupMethod.CCCD_AND_RECEIPT, at)

    @command
    def _send_pickup_otp(self, kiosk: str, code: str, at: datetime) -> str:
        dossier = self._ready_dossier(kiosk, code)
        self.otp.send(dossier.applicant.phone or "", f"{PICKUP}:{code}", at, kiosk=kiosk)
        return mask_phone(dossier.applicant.phone)

    @command
    def _pickup_with_otp(self, kiosk: str, *, code: str, otp_code: str, at: datetime) -> PickupTicket:
        dossier = self._ready_dossier(kiosk, code)
        if not self.otp.check(dossier.applicant.phone or "", f"{PICKUP}:{code}", otp_code, at):
            raise WrongOtpError("wrong or expired OTP", "Mã OTP không đúng hoặc đã hết hạn, vui lòng thử lại.")
        return self._ticket(dossier, PickupMethod.CODE_AND_OTP, at)

    # ----- pickup by the old 9-digit ID card (CMND) and the receipt, then an OTP (issue [14]) ----------
    def request_pickup_otp_by_cmnd(self, kiosk: str, *, cmnd: str, code: str, at: datetime | None = None) -> str:
        """A citizen without a chip card: the CMND number typed and the receipt's code must name the dossier's
        applicant (the CMND recorded at receipt); then a code goes to the dossier's phone, returned masked."""
        at, number = self._at(at), parse_cmnd(cmnd)
        return self._guarded(kiosk, code, at, lambda: self._send_cmnd_otp(kiosk, cmnd=number, code=code, at=at))

    def start_pickup_with_cmnd(
        self, kiosk: str, *, code: str, otp_code: str, at: datetime | None = None
    ) -> PickupTicket:
        """The code sent after the CMND check: the right to open the tray."""
        at = self._at(at)
        return self._guarded(
            kiosk, code, at, lambda: self._pickup_with_cmnd(kiosk, code=code, otp_code=otp_code, at=at)
        )

    @command
    def _send_cmnd_otp(self, kiosk: str, *, cmnd: str, code: str, at: datetime) -> str:
        dossier = self._ready_dossier(kiosk, code)
        if dossier.applicant.old_id_number != cmnd:
            raise PickupRefusedError(
                "CMND number does not match the dossier", "Số CMND không khớp với biên nhận, vui lòng kiểm tra lại."
            )
        self.otp.send(dossier.applicant.phone or "", f"{PICKUP}:cmnd:{code}", at, kiosk=kiosk)
        return mask_phone(dossier.applicant.phone)

    @command
    def _pickup_with_cmnd(self, kiosk: str, *, code: str, otp_code: str, at: datetime) -> PickupTicket:
        dossier = self._ready_dossier(kiosk, code)
        if not self.otp.check(dossier.applicant.phone or "", f"{PICKUP}:cmnd:{code}", otp_code, at):
            raise WrongOtpError("wrong or expired OTP", "Mã OTP không đúng hoặc đã hết hạn, vui lòng thử lại.")
        return self._ticket(dossier, PickupMethod.CMND_AND_RECEIPT, at)

    def _guarded(self, kiosk: str, code: str, at: datetime, check: Callable[[], Any]) -> Any:
        """Run one identity check unless locked; a wrong identity, code or OTP counts against the dossier and kiosk."""
        self._check_pickup_open(kiosk, code, at)
        try:
            ticket = check()
        except (PickupRefusedError, WrongOtpError):
            self.throttle.failed(
                [(f"pickup:dossier:{code}", PICKUP_DOSSIER), (f"pickup:kiosk:{kiosk}", PICKUP_KIOSK)], at
            )
            raise
        self.throttle.clear(f"pickup:dossier:{code}")
        return ticket

    def _check_pickup_open(self, kiosk: str, code: str, at: datetime) -> None:
        locked = self.throttle.locked_until([f"pickup:dossier:{code}", f"pickup:kiosk:{kiosk}"], at)
        if locked is not None:
            raise PickupLockedError(seconds_until(locked, at))

    @command
    def release(
        self,
        kiosk: str,
        code: str,
        *,
        ticket: str,
        method: PickupMethod,
        actor: Actor,
        face: FaceCheck | None = None,
        at: datetime | None = None,
    ) -> Released:
        """Open the tray: the ticket is valid, the face matches if required, nothing is owed."""
        at = self._at(at)
        self.proofs.check(ticket, code, f"{PICKUP}:{PickupMethod(method).value}", at)
        for _ in range(5):
            dossier = self._ready_dossier(kiosk, code)
            self._require_face(self.dossiers.procedure(dossier.procedure_code).high_legal_value, face)
            tray = self._tray(kiosk, _tray_number(dossier))
            if dossier.returning_rejected:
                dossier.return_rejected(receiver_name=dossier.applicant.name, actor=actor, at=at)
            else:
                dossier.deliver_result(
                    channel=DeliveryChannel.KIOSK, receiver_name=dossier.applicant.name, actor=actor, at=at
                )
            tray.release(dossier_code=code, method=method, face_checked=face is not None, actor=actor, at=at)
            written = self.app.commit_or_evict(dossier, tray)
            if written is not None:
                return Released(dossier_code=code, tray=tray.number, version=written.version, position=written.position)
        raise self.app.conflict(code)

    @command
    def rate(self, code: str, *, rating: Rating, actor: Actor, at: datetime | None = None) -> Written:
        """The citizen's rating on the last screen."""
        at = self._at(at)
        parse_code(code)
        return self.app.update(
            dossier_id(code), DOSSIER, code, None, lambda d: d.rate(rating=rating, actor=actor, at=at)
        )

    # ----- scope queries (for access checks) ----------------------------------------------
    def agency_of(self, key: str) -> str:
        """The agency a kiosk was installed for; NotFoundError for an unknown kiosk."""
        return self._kiosk(key).agency

    def serves(self, key: str, code: str) -> bool:
        """Whether the kiosk received the dossier (its envelope is still in the bin), sent it to the portal from its
        online corner, or a tray of it holds or held the result: the only dossiers that kiosk's device may read, pay
        for or rate."""
        if any(envelope.dossier_code == code for envelope in self._kiosk(key).bin):
            return True
        self._dossier(code)  # unknown or malformed codes answer 404/422 like every other dossier route
        here = (Dossier.LoadedIntoTray, Dossier.PortalSubmitted)  # [14] or sent to the portal from its online corner
        return any(isinstance(e, here) and e.kiosk == key for e in self.app.events.get(dossier_id(code)))

    # ----- helpers ----------------------------------------------------------------------
    def _ticket(self, dossier: Dossier, method: PickupMethod, at: datetime) -> PickupTicket:
        procedure = self.dossiers.procedure(dossier.procedure_code)
        token = self.proofs.issue(dossier.code, f"{PICKUP}:{method.value}", at)
        rejected = dossier.returning_rejected
        return PickupTicket(
            dossier_code=dossier.code,
            tray=_tray_number(dossier),
            shortfall=0 if rejected else dossier.shortfall,  # nothing is owed for a dossier that was not resolved
            face_required=procedure.high_legal_value,
            token=token,
            rejected=rejected,
            reason=dossier.reason if rejected else None,
            face_template=_lent_face(dossier) if procedure.high_legal_value else None,
        )

    def _ready_dossier(self, kiosk: str, code: str) -> Dossier:
        try:
            dossier = self._dossier(code)
        except Exception as error:  # unknown or malformed codes look the same to the citizen
            raise PickupRefusedError(
                f"no dossier {code!r}", "Không tìm thấy hồ sơ, vui lòng kiểm tra mã hồ sơ."
            ) from error
        in_tray = dossier.status is Status.IN_TRAY or dossier.returning_rejected
        if not in_tray or dossier.tray is None or dossier.tray[0] != kiosk:
            raise NotReadyError(
                f"{code} is not in a tray of {kiosk}", "Hồ sơ chưa được xử lý xong hoặc chưa có tại kiosk này."
            )
        return dossier

    @staticmethod
    def _require_face(required: bool, face: FaceCheck | None) -> None:
        if required and (face is None or not face.matched):
            raise FaceMismatchError(
                "face verification failed or missing",
                "Xác thực khuôn mặt không thành công. Vui lòng thử lại hoặc liên hệ quầy Một cửa.",
            )

    def _envelope(self, key: str, barcode: str) -> EnvelopeBarcode | None:
        try:
            return self.app.load(envelope_id(key, barcode), ("envelope", "phong bì"), barcode)
        except NotFoundError:
            return None

    def _usable_envelope(self, key: str, barcode: str) -> None:
        """Decided on the envelope's own tiny stream; only a barcode without one (unknown, or registered before
        envelopes were aggregates) needs the kiosk."""
        check_envelope_barcode(barcode)
        envelope = self._envelope(key, barcode)
        if envelope is not None:
            envelope.check()
        else:
            self._kiosk(key).check_envelope(barcode, None)


def _lent_face(dossier: Dossier) -> LentFace | None:
    """The template enrolled at the counter, for the kiosk to compare with (none for a kiosk submission: its kiosk
    keeps its own, sealed; none once erased)."""
    template = dossier.face_template
    if template is None or not template.embedding:
        return None
    return LentFace(embedding=list(template.embedding), model_id=template.model_id)


def _tray_number(dossier: Dossier) -> int:
    """The tray holding the dossier's result; only called after `_ready_dossier` checked it is in one."""
    if dossier.tray is None:
        raise NotReadyError(f"{dossier.code} is not in a tray", "Hồ sơ chưa có tại kiosk này.")
    return dossier.tray[1]
