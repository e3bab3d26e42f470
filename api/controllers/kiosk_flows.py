"""[14] Routes of the kiosk flows added by issue [14] item 4 (part B): the police ID-card return (the kiosk registers
the holder, the police officer records the card under the police's own code), the counter's face template for a
high-legal-value result, and the kiosk's online-submission corner."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

import msgspec
from litestar import Controller
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from api.auth import COUNTER, DEVICE, authorize, current_actor, rules
from api.kiosk_schemas import Strict
from api.routing import get, post
from api.schemas import CommandResult
from application.card_returns import CardReturns, FaceImageError, ReturnSlip
from application.online_corner import OnlineCorner, SentOnline
from domain.limits import Code
from domain.values import Actor, Role
from infrastructure.bootstrap import System

POLICE = frozenset({Role.POLICE_OFFICER})  # the police's own officers hand over ID cards; nobody else may
Phone = Annotated[str, msgspec.Meta(max_length=20)]
Proof = Annotated[str, msgspec.Meta(max_length=200)]
FormValue = Annotated[str, msgspec.Meta(max_length=500)]
MAX_FACE_PHOTO = 6 * 1024 * 1024  # base64 of the 4 MiB the embedder takes


class CardProcedure(msgspec.Struct, frozen=True):
    code: str
    name: str


class CardReturnBody(Strict):
    """The card's QR, or (cannot scan) the typed 12-digit number, or for a holder of only the old card the 9-digit
    CMND, and the name; the phone proven by the OTP step."""

    procedure_code: Code
    phone: Phone
    phone_proof: Proof
    qr_payload: Annotated[str, msgspec.Meta(max_length=600)] | None = None
    id_number: Annotated[str, msgspec.Meta(max_length=20)] | None = None
    cmnd: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    name: Annotated[str, msgspec.Meta(max_length=100)] | None = None


class OnlineBody(Strict):
    procedure_code: Code
    qr_payload: Annotated[str, msgspec.Meta(max_length=600)]
    phone: Phone
    phone_proof: Proof
    pages: Annotated[int, msgspec.Meta(ge=0, le=1000)]
    form: Annotated[dict[Annotated[str, msgspec.Meta(max_length=40)], FormValue], msgspec.Meta(max_length=20)] = {}


class PoliceCardBody(Strict):
    """The police's own dossier code of the card, kept verbatim (1-40 printable characters)."""

    police_code: Annotated[str, msgspec.Meta(max_length=200)]


class FacePhotoBody(Strict):
    """One photo of the applicant (JPEG or PNG, base64); only its embedding is kept."""

    image: Annotated[str, msgspec.Meta(max_length=MAX_FACE_PHOTO)]


class KioskFlowsDeviceController(Controller):
    """Kiosk 24/7 — trả thẻ Căn cước, nộp trực tuyến / the kiosk's ID-card return and online corner."""

    path = "/kiosks/{key:str}"
    tags = ["kiosk device"]
    guards = [authorize]
    dependencies = {"actor": Provide(current_actor, sync_to_thread=False)}

    @get(
        "/card-procedures",
        sync_to_thread=False,
        summary="Thủ tục trả thẻ Căn cước / ID-card procedures returned at the kiosk",
        opt=rules(DEVICE, "device"),
    )
    def card_procedures(self, key: FromPath[str], system: NamedDependency[System]) -> list[CardProcedure]:
        """Return-only: these are never offered for submission."""
        return [CardProcedure(code=p.code, name=p.name) for p in system.card_returns.card_procedures()]

    @post(
        "/card-returns",
        sync_to_thread=True,
        summary="Đăng ký nhận thẻ Căn cước tại kiosk / Register an ID card's return",
        opt=rules(DEVICE, "device"),
    )
    def register(
        self,
        key: FromPath[str],
        data: JSONBody[CardReturnBody],
        system: NamedDependency[System],
        actor: NamedDependency[Actor],
    ) -> ReturnSlip:
        """The holder's registration; the slip names the dossier code the SMS will carry."""
        returns: CardReturns = system.card_returns
        return returns.register(
            key,
            procedure_code=data.procedure_code,
            phone=data.phone,
            phone_proof=data.phone_proof,
            qr_payload=data.qr_payload,
            id_number=data.id_number,
            cmnd=data.cmnd,
            name=data.name,
            actor=actor,
        )

    @post(
        "/online-submissions",
        sync_to_thread=True,
        summary="Nộp hồ sơ trực tuyến tại kiosk / Submit online from the kiosk",
        opt=rules(DEVICE, "device"),
    )
    def submit_online(
        self,
        key: FromPath[str],
        data: JSONBody[OnlineBody],
        system: NamedDependency[System],
        actor: NamedDependency[Actor],
    ) -> SentOnline:
        """Sent to the national portal; the answer carries the portal's code and the fee to pay online."""
        corner: OnlineCorner = system.online_corner
        return corner.submit(
            key,
            procedure_code=data.procedure_code,
            qr_payload=data.qr_payload,
            phone=data.phone,
            phone_proof=data.phone_proof,
            pages=data.pages,
            form=data.form,
            actor=actor,
        )


class KioskFlowsStaffController(Controller):
    """Hồ sơ — bàn giao thẻ Căn cước, mẫu khuôn mặt / police card handover and counter face template."""

    path = "/dossiers"
    request_max_body_size = MAX_FACE_PHOTO + 1024
    tags = ["dossiers"]
    guards = [authorize]
    dependencies = {"actor": Provide(current_actor, sync_to_thread=False)}

    @post(
        "/{code:str}/police-card",
        sync_to_thread=True,
        summary="Công an bàn giao thẻ Căn cước / The police record an ID card for kiosk return",
        opt=rules(POLICE, "dossier"),
    )
    def record_card(
        self,
        code: FromPath[str],
        data: JSONBody[PoliceCardBody],
        system: NamedDependency[System],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """The card of a return registered at the kiosk reached the office, under the police's own dossier code."""
        written = system.card_returns.record_card(code, police_code=data.police_code, actor=actor)
        return CommandResult(code=code, version=written.version, position=written.position)

    @post(
        "/{code:str}/face-template",
        sync_to_thread=True,
        summary="Lấy mẫu khuôn mặt tại quầy / Enrol the applicant's face at the counter",
        opt=rules(COUNTER, "dossier"),
    )
    def enrol_face(
        self,
        code: FromPath[str],
        data: JSONBody[FacePhotoBody],
        system: NamedDependency[System],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """The photo becomes an embedding kept sealed with the applicant's personal data; the photo is not kept."""
        try:
            image = base64.b64decode(data.image, validate=True)
        except binascii.Error:
            raise FaceImageError("the photo is not base64", "Ảnh khuôn mặt không đúng định dạng.") from None
        written = system.card_returns.enrol_face(code, image=image, actor=actor)
        return CommandResult(code=code, version=written.version, position=written.position)
