"""[14] Two kiosk returns the seeds ask for: the police ID card (seed 000 §2.2) and a high-legal-value result received
at the counter, which the kiosk may hand over only against a face template enrolled at the counter.

ID-card return: the holder registers at the kiosk (card QR or typed number, phone, OTP) and takes a registration slip;
when the card reaches the office the police officer records it under the police's own dossier code; the consultant
team loads it into a tray like any result and the holder picks it up by the code in the SMS and an OTP.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from application.base import OneStop, Written, command
from application.dossiers import DOSSIER, Dossiers
from application.errors import KioskRefusal, ProcedureNotAtKioskError
from application.ports import Clock, FaceEmbedder
from application.proofs import Proofs
from domain.cccd import parse_cccd_qr, parse_cmnd
from domain.clock import VIETNAM
from domain.codes import dossier_id, parse_code
from domain.dossier import Dossier
from domain.errors import DomainError
from domain.procedures import Procedure, ResultKind
from domain.values import Actor, Applicant, Channel, FaceTemplate, check_phone, mask_phone

SUBMIT = "submit"  # the purpose of the phone proof the kiosk's OTP step issues (application/kiosks.py)


class FaceTemplateMissingError(KioskRefusal):
    """A high-legal-value result received at the counter has no face template: the kiosk could not check the holder."""

    code = "face_template_missing"


class FaceImageError(DomainError):
    """The photo sent for enrolment holds no single readable face, or no face model is installed."""

    code = "face_image_refused"


class ReturnSlip(msgspec.Struct, frozen=True):
    """What the kiosk prints after an ID-card return registration (phiếu đăng ký nhận thẻ Căn cước)."""

    dossier_code: str
    procedure_name: str
    masked_phone: str
    text: str
    version: int
    position: int


class CardReturns:
    """The police ID-card return path and the counter's face templates."""

    def __init__(self, app: OneStop, *, dossiers: Dossiers, proofs: Proofs, clock: Clock, faces: FaceEmbedder) -> None:
        self.app, self.dossiers, self.proofs, self.clock, self.faces = app, dossiers, proofs, clock, faces

    # ----- the holder registers at the kiosk -----------------------------------------------
    def card_procedures(self) -> list[Procedure]:
        """The ID-card procedures whose cards come back through the kiosk (never offered for submission)."""
        return [
            p
            for p in self.dossiers.catalogue.procedures
            if p.result_kind is ResultKind.CCCD_CARD and p.kiosk_return and not p.kiosk_submission
        ]

    def register(
        self,
        kiosk: str,
        *,
        procedure_code: str,
        phone: str,
        phone_proof: str,
        actor: Actor,
        qr_payload: str | None = None,
        id_number: str | None = None,
        cmnd: str | None = None,
        name: str | None = None,
        at: datetime | None = None,
    ) -> ReturnSlip:
        """Register the card's return at `kiosk`: the card's QR, or the typed 12-digit number (or, for a holder of
        only the old card, the 9-digit CMND) and name; the phone proven by the kiosk's OTP step. The dossier code on
        the slip is what the SMS will name."""
        at = at or self.clock.now()
        procedure = self._card_procedure(procedure_code)
        number = parse_cmnd(cmnd) if cmnd is not None and not qr_payload else None
        self.proofs.check(phone_proof, check_phone(phone), SUBMIT, at)
        if qr_payload:
            identity = parse_cccd_qr(qr_payload, today=at.astimezone(VIETNAM).date())
            applicant = Applicant(
                id_number=identity.id_number,
                name=identity.name,
                phone=phone,
                address=identity.address,
                date_of_birth=identity.date_of_birth,
            )
        elif number is not None:  # the new card's 12-digit number is on the card itself: known by the CMND till then
            applicant = Applicant(id_number="", old_id_number=number, name=_holder(name), phone=phone)
        else:
            applicant = Applicant(id_number=id_number or "", name=_holder(name), phone=phone)
        code, written = self.dossiers.create(
            procedure.agency,
            at,
            lambda code: [
                Dossier.register_return(
                    code=code, procedure_code=procedure.code, applicant=applicant, kiosk=kiosk, actor=actor, at=at
                )
            ],
        )
        masked = mask_phone(phone)
        return ReturnSlip(
            dossier_code=code,
            procedure_name=procedure.name,
            masked_phone=masked,
            text=slip_text(code, procedure.name, masked, cmnd=number is not None),
            version=written.version,
            position=written.position,
        )

    # ----- the police hand over the card ---------------------------------------------------
    @command
    def record_card(self, code: str, *, police_code: str, actor: Actor, at: datetime | None = None) -> Written:
        """The card reached the office: recorded under the police's own dossier code, ready for a tray."""
        at = at or self.clock.now()
        parse_code(code)
        return self.app.update(
            dossier_id(code), DOSSIER, code, None, lambda d: d.record_card(police_code=police_code, actor=actor, at=at)
        )

    # ----- the counter enrols a face ---------------------------------------------------------
    @command
    def enrol_face(self, code: str, *, image: bytes, actor: Actor, at: datetime | None = None) -> Written:
        """The counter officer photographs the applicant: the embedding is kept sealed, the photo is dropped."""
        at = at or self.clock.now()
        parse_code(code)
        dossier: Dossier = self.app.load(dossier_id(code), DOSSIER, code)
        embedding, model_id = self.faces.embed(image)
        template = FaceTemplate(id_number=dossier.applicant.id_number, embedding=embedding, model_id=model_id)
        return self.app.update(
            dossier_id(code), DOSSIER, code, None, lambda d: d.enrol_face(template=template, actor=actor, at=at)
        )

    # ----- helpers ----------------------------------------------------------------------------
    def _card_procedure(self, code: str) -> Procedure:
        procedure = self.dossiers.procedure(code)
        if procedure not in self.card_procedures():
            raise ProcedureNotAtKioskError(
                f"{procedure.code} is not an ID-card procedure returned through the kiosk",
                "Thủ tục này không phải thủ tục trả thẻ Căn cước qua kiosk.",
            )
        return procedure


def require_face_template(dossier: Dossier, high_legal_value: bool) -> None:
    """Loading check: a high-legal-value result not received at the kiosk needs the template enrolled at the counter
    (a kiosk submission's template is the one its kiosk took)."""
    if high_legal_value and dossier.channel is not Channel.KIOSK and dossier.face_template is None:
        raise FaceTemplateMissingError(
            f"{dossier.code} has no face template: a high-legal-value result needs one to be picked up at the kiosk",
            "Hồ sơ chưa có mẫu khuôn mặt nên không thể trả qua kiosk. Bộ phận Một cửa cần lấy mẫu khuôn mặt của "
            "người nộp, hoặc trả kết quả tại quầy.",
            dossier_code=dossier.code,
        )


def slip_text(code: str, procedure_name: str, masked_phone: str, *, cmnd: bool = False) -> str:
    """The registration slip, in Vietnamese; a CMND holder is also told the CMND way (the CMND, this slip's QR)."""
    return "\n".join(
        [
            "PHIẾU ĐĂNG KÝ NHẬN THẺ CĂN CƯỚC TẠI KIOSK 24/7",
            f"Mã hồ sơ: {code}",
            f"Thủ tục: {procedure_name}",
            f"Khi thẻ được đặt vào khay, tin nhắn sẽ gửi đến số {masked_phone}.",
            "Ông/Bà mang phiếu này hoặc tin nhắn đến kiosk, nhập mã hồ sơ và mã xác nhận để nhận thẻ.",
            *(['Hoặc chọn "Tôi dùng CMND 9 số", nhập số CMND và quét mã QR trên phiếu này.'] if cmnd else []),
        ]
    )


def _holder(name: str | None) -> str:
    return (name or "").strip() or "Chủ thẻ"
