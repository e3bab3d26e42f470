"""Kiosk device endpoints: what the kiosk calls while a citizen submits or picks up (seed 000, sections 1-2)."""

from __future__ import annotations

from litestar import Controller
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from api.auth import DEVICE, authorize, current_actor, rules
from api.kiosk_schemas import (
    Accepted,
    CodeBody,
    EnvelopeBody,
    IdentityBody,
    KioskPaymentBody,
    KioskProcedure,
    KioskRatingBody,
    OtpBody,
    OtpPickupBody,
    PhoneBody,
    PickupOtpSent,
    ProofResult,
    ReceiptPickupBody,
    ReleaseBody,
    SubmissionBody,
    Versioned,
    kiosk_procedures,
)
from api.routing import get, post
from api.schemas import MAX_COMMAND_BODY
from application.kiosk_views import Balance, PickupTicket, Receipt, Released, Submitted
from application.kiosks import Kiosks
from domain.cccd import CitizenIdentity
from domain.values import Actor


class KioskDeviceController(Controller):
    """Kiosk 24/7 — thiết bị / kiosk device."""

    path = "/kiosks/{key:str}"
    request_max_body_size = MAX_COMMAND_BODY
    tags = ["kiosk device"]
    guards = [authorize]
    dependencies = {"actor": Provide(current_actor, sync_to_thread=False)}

    @get(
        "/procedures",
        sync_to_thread=False,
        summary="Thủ tục nộp tại kiosk / Procedures offered for submission",
        opt=rules(DEVICE, "device"),
    )
    def procedures(self, key: FromPath[str], kiosks: NamedDependency[Kiosks]) -> list[KioskProcedure]:
        """The procedures the kiosk may offer on its submission screen: only those the catalogue marks
        kiosk_submission (ID-card procedures are return-only at the kiosk, seed 000 §2.2)."""
        catalogue = kiosks.dossiers.catalogue if kiosks.dossiers else None
        return kiosk_procedures(catalogue) if catalogue else []

    @post(
        "/identity", sync_to_thread=True, summary="Đọc QR thẻ căn cước / Read the CCCD QR", opt=rules(DEVICE, "device")
    )
    def identity(
        self, key: FromPath[str], data: JSONBody[IdentityBody], kiosks: NamedDependency[Kiosks]
    ) -> CitizenIdentity:
        """Parse the CCCD QR payload strictly; refused payloads say why. Nothing is recorded."""
        return kiosks.read_identity(data.qr_payload)

    @post("/otp", sync_to_thread=True, summary="Gửi OTP / Send an OTP", opt=rules(DEVICE, "device"))
    def send_otp(self, key: FromPath[str], data: JSONBody[PhoneBody], kiosks: NamedDependency[Kiosks]) -> Accepted:
        """Send an OTP to the phone the citizen typed."""
        kiosks.request_otp(data.phone, kiosk=key)
        return Accepted()

    @post("/otp/verify", sync_to_thread=True, summary="Xác thực OTP / Verify the OTP", opt=rules(DEVICE, "device"))
    def verify_otp(self, key: FromPath[str], data: JSONBody[OtpBody], kiosks: NamedDependency[Kiosks]) -> ProofResult:
        """A correct OTP gives a short-lived proof that the phone is the citizen's."""
        return ProofResult(proof=kiosks.verify_phone(data.phone, data.code))

    @post(
        "/envelopes/check",
        sync_to_thread=True,
        summary="Kiểm tra phong bì / Check an envelope",
        opt=rules(DEVICE, "device"),
    )
    def check_envelope(
        self, key: FromPath[str], data: JSONBody[EnvelopeBody], kiosks: NamedDependency[Kiosks]
    ) -> Accepted:
        """200 if the envelope may be pulled in; 422 `envelope_rejected` with the reason if it must be pushed out."""
        kiosks.check_envelope(key, data.barcode)
        return Accepted()

    @post(
        "/submissions",
        sync_to_thread=True,
        summary="Nộp hồ sơ tại kiosk / Submit at the kiosk",
        opt=rules(DEVICE, "device"),
    )
    def submit(
        self,
        key: FromPath[str],
        data: JSONBody[SubmissionBody],
        kiosks: NamedDependency[Kiosks],
        actor: NamedDependency[Actor],
    ) -> Submitted:
        """The envelope goes into the bin: the dossier is received and its fee assessed."""
        return kiosks.submit(
            key,
            procedure_code=data.procedure_code,
            qr_payload=data.qr_payload,
            phone=data.phone,
            phone_proof=data.phone_proof,
            envelope=data.envelope,
            face=data.face,
            quantity=data.quantity,
            channels=data.channels,
            actor=actor,
        )

    @post(
        "/dossiers/{code:str}/payments",
        sync_to_thread=True,
        summary="Thanh toán tại kiosk / Pay at the kiosk",
        opt=rules(DEVICE, "device_dossier"),
    )
    def pay(
        self,
        key: FromPath[str],
        code: FromPath[str],
        data: JSONBody[KioskPaymentBody],
        kiosks: NamedDependency[Kiosks],
        actor: NamedDependency[Actor],
    ) -> Balance:
        """Cash or bank-QR payment; the answer carries the running shortfall or excess."""
        return kiosks.pay(key, code, method=data.method, amount=data.amount, reference=data.reference, actor=actor)

    @get(
        "/dossiers/{code:str}/receipt",
        sync_to_thread=True,
        summary="Biên nhận / Receipt",
        opt=rules(DEVICE, "device_dossier"),
    )
    def receipt(self, key: FromPath[str], code: FromPath[str], kiosks: NamedDependency[Kiosks]) -> Receipt:
        """The receipt to print, with its Vietnamese text."""
        return kiosks.get_receipt(key, code)

    @post(
        "/pickups/receipt",
        sync_to_thread=True,
        summary="Nhận kết quả bằng CCCD và biên nhận / Pick up by CCCD and receipt",
        opt=rules(DEVICE, "device"),
    )
    def pickup_by_receipt(
        self, key: FromPath[str], data: JSONBody[ReceiptPickupBody], kiosks: NamedDependency[Kiosks]
    ) -> PickupTicket:
        """District results: CCCD number and receipt number; 404 `not_processed_yet` if no tray holds it."""
        return kiosks.start_pickup_with_receipt(key, id_number=data.id_number, code=data.code)

    @post(
        "/pickups/otp",
        sync_to_thread=True,
        summary="Gửi OTP nhận kết quả / Send the pickup OTP",
        opt=rules(DEVICE, "device"),
    )
    def pickup_otp(
        self, key: FromPath[str], data: JSONBody[CodeBody], kiosks: NamedDependency[Kiosks]
    ) -> PickupOtpSent:
        """CCCD-card returns: send an OTP to the phone on the dossier; the answer names that phone masked."""
        return PickupOtpSent(masked_phone=kiosks.request_pickup_otp(key, data.code))

    @post(
        "/pickups/otp/verify",
        sync_to_thread=True,
        summary="Nhận kết quả bằng mã hồ sơ và OTP / Pick up by code and OTP",
        opt=rules(DEVICE, "device"),
    )
    def pickup_by_otp(
        self, key: FromPath[str], data: JSONBody[OtpPickupBody], kiosks: NamedDependency[Kiosks]
    ) -> PickupTicket:
        """The dossier code from the SMS and the OTP."""
        return kiosks.start_pickup_with_otp(key, code=data.code, otp_code=data.otp_code)

    @post("/pickups/release", sync_to_thread=True, summary="Mở khay / Release the result", opt=rules(DEVICE, "device"))
    def release(
        self,
        key: FromPath[str],
        data: JSONBody[ReleaseBody],
        kiosks: NamedDependency[Kiosks],
        actor: NamedDependency[Actor],
    ) -> Released:
        """Open the tray once the ticket is valid, the face matches if required and nothing is owed."""
        return kiosks.release(key, data.code, ticket=data.ticket, method=data.method, face=data.face, actor=actor)

    @post(
        "/dossiers/{code:str}/rating",
        sync_to_thread=True,
        summary="Đánh giá / Rate",
        opt=rules(DEVICE, "device_dossier"),
    )
    def rate(
        self,
        key: FromPath[str],
        code: FromPath[str],
        data: JSONBody[KioskRatingBody],
        kiosks: NamedDependency[Kiosks],
        actor: NamedDependency[Actor],
    ) -> Versioned:
        """The rating screen after pickup."""
        written = kiosks.rate(code, rating=data.rating, actor=actor)
        return Versioned(version=written.version, position=written.position)
