"""Kiosk device endpoints for the seed flows beyond plain submission and pickup (issue [14]): a supplement handed in
at the kiosk, and pickup by the old 9-digit ID card (CMND) with the receipt and an OTP."""

from __future__ import annotations

from litestar import Controller
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from api.auth import DEVICE, authorize, current_actor, rules
from api.kiosk_schemas import (
    CmndPickupBody,
    OtpPickupBody,
    PickupOtpSent,
    SupplementEnvelopeBody,
    SupplementOtpBody,
)
from api.routing import post
from api.schemas import MAX_COMMAND_BODY
from application.kiosk_supplements import SupplementAsked, SupplementReceipt
from application.kiosk_views import PickupTicket
from application.kiosks import Kiosks
from domain.values import Actor


class KioskCitizenController(Controller):
    """Kiosk 24/7 — bổ sung hồ sơ, nhận kết quả bằng CMND / supplements, pickup by CMND."""

    path = "/kiosks/{key:str}"
    request_max_body_size = MAX_COMMAND_BODY
    tags = ["kiosk device"]
    guards = [authorize]
    dependencies = {"actor": Provide(current_actor, sync_to_thread=False)}

    @post(
        "/supplements/otp",
        sync_to_thread=True,
        summary="Gửi OTP nộp bổ sung / Send the supplement OTP",
        opt=rules(DEVICE, "device"),
    )
    def supplement_otp(
        self, key: FromPath[str], data: JSONBody[SupplementOtpBody], kiosks: NamedDependency[Kiosks]
    ) -> PickupOtpSent:
        """The citizen's dossier waits for a supplement: a code goes to its phone (answered masked); 409
        `supplement_not_requested` when it waits for none, `supplement_refused` when it is not the citizen's."""
        return PickupOtpSent(masked_phone=kiosks.request_supplement_otp(key, id_number=data.id_number, code=data.code))

    @post(
        "/supplements/otp/verify",
        sync_to_thread=True,
        summary="Xác thực OTP nộp bổ sung / Verify the supplement OTP",
        opt=rules(DEVICE, "device"),
    )
    def supplement_verify(
        self, key: FromPath[str], data: JSONBody[OtpPickupBody], kiosks: NamedDependency[Kiosks]
    ) -> SupplementAsked:
        """The code from the SMS: what is asked, the new appointment date and a proof for the envelope."""
        return kiosks.check_supplement_otp(key, code=data.code, otp_code=data.otp_code)

    @post(
        "/dossiers/{code:str}/supplements",
        sync_to_thread=True,
        summary="Nộp bổ sung tại kiosk / Hand in a supplement",
        opt=rules(DEVICE, "device"),
    )
    def supplement(
        self,
        key: FromPath[str],
        code: FromPath[str],
        data: JSONBody[SupplementEnvelopeBody],
        kiosks: NamedDependency[Kiosks],
        actor: NamedDependency[Actor],
    ) -> SupplementReceipt:
        """The supplement envelope goes into the bin; the dossier's appointment date restarts."""
        return kiosks.supplement_at_kiosk(key, code, proof=data.proof, envelope=data.envelope, actor=actor)

    @post(
        "/pickups/cmnd",
        sync_to_thread=True,
        summary="Gửi OTP nhận kết quả bằng CMND / Send the pickup OTP after a CMND check",
        opt=rules(DEVICE, "device"),
    )
    def pickup_cmnd(
        self, key: FromPath[str], data: JSONBody[CmndPickupBody], kiosks: NamedDependency[Kiosks]
    ) -> PickupOtpSent:
        """The CMND number and the receipt's code name the dossier's applicant: a code goes to its phone."""
        return PickupOtpSent(masked_phone=kiosks.request_pickup_otp_by_cmnd(key, cmnd=data.cmnd, code=data.code))

    @post(
        "/pickups/cmnd/verify",
        sync_to_thread=True,
        summary="Nhận kết quả bằng CMND và OTP / Pick up by CMND, receipt and OTP",
        opt=rules(DEVICE, "device"),
    )
    def pickup_by_cmnd(
        self, key: FromPath[str], data: JSONBody[OtpPickupBody], kiosks: NamedDependency[Kiosks]
    ) -> PickupTicket:
        """The code sent after the CMND check: the ticket to open the tray."""
        return kiosks.start_pickup_with_cmnd(key, code=data.code, otp_code=data.otp_code)
