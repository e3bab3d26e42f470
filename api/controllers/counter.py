"""Counter work helpers of the console: one procedure of the catalogue, the applicant from a CCCD QR, refunds of an
excess, and the outcome of calling a citizen about an overdue result."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from api.auth import COUNTER, PULL_BACK, READERS, authorize, current_actor, rules
from api.controllers.dossiers import result
from api.routing import get, post
from api.schemas import MAX_COMMAND_BODY, ActionBody, Body, CommandResult
from application.dossiers import Dossiers
from domain.cccd import CitizenIdentity, parse_cccd_qr
from domain.clock import VIETNAM
from domain.dossier import ContactOutcome
from domain.values import Actor
from infrastructure.bootstrap import System


class ComponentRef(msgspec.Struct, frozen=True):
    name: str
    form: str
    count: int


class ProcedureDetails(msgspec.Struct, frozen=True):
    """What the counter needs to receive a dossier of this procedure: fee, time and the components to tick."""

    code: str
    name: str
    agency: str
    department: str
    fee: int
    processing_days: int
    high_legal_value: bool
    components: list[ComponentRef]


class QrBody(msgspec.Struct, forbid_unknown_fields=True):
    """What a USB scanner typed from the CCCD's QR code."""

    qr_payload: Annotated[str, msgspec.Meta(max_length=600)]


class ContactBody(Body):
    outcome: ContactOutcome


class CounterController(Controller):
    """Quầy một cửa — counter helpers."""

    path = "/counter"
    request_max_body_size = MAX_COMMAND_BODY
    tags = ["counter"]
    guards = [authorize]
    dependencies = {"actor": Provide(current_actor, sync_to_thread=False)}

    @get(
        "/procedures/{procedure:str}",
        sync_to_thread=False,
        summary="Thủ tục và thành phần / Procedure details",
        opt=rules(READERS, "agency"),
    )
    def procedure(self, procedure: FromPath[str], dossiers: NamedDependency[Dossiers]) -> ProcedureDetails:
        """Fee, processing days and required components of one procedure of the catalogue (422 if unknown)."""
        p = dossiers.procedure(procedure)
        return ProcedureDetails(
            code=p.code,
            name=p.name,
            agency=p.agency,
            department=p.department,
            fee=p.fee,
            processing_days=p.processing_days,
            high_legal_value=p.high_legal_value,
            components=[ComponentRef(name=c.name, form=str(c.form), count=c.count) for c in p.components],
        )

    @post(
        "/identity",
        sync_to_thread=False,
        status_code=200,
        summary="Đọc QR căn cước / Read a CCCD QR",
        opt=rules(COUNTER, "agency"),
    )
    def identity(self, data: JSONBody[QrBody], system: NamedDependency[System]) -> CitizenIdentity:
        """The fields of a CCCD QR (strict parser); nothing is stored or logged."""
        return parse_cccd_qr(data.qr_payload, today=system.clock.now().astimezone(VIETNAM).date())

    @post(
        "/dossiers/{code:str}/refund",
        sync_to_thread=True,
        summary="Hoàn trả tiền nộp thừa / Refund the excess",
        opt=rules(COUNTER, "dossier"),
    )
    def refund(
        self,
        code: FromPath[str],
        data: JSONBody[ActionBody],
        dossiers: NamedDependency[Dossiers],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """Hand back in cash all that was paid beyond the fee (cash ledger); 422 when nothing is owed back."""
        return result(code, dossiers.refund_excess(code, actor=actor, expected_version=data.expected_version))

    @post(
        "/dossiers/{code:str}/contacts",
        sync_to_thread=True,
        summary="Kết quả liên hệ công dân / Contact outcome",
        opt=rules(PULL_BACK, "dossier"),
    )
    def contact(
        self,
        code: FromPath[str],
        data: JSONBody[ContactBody],
        dossiers: NamedDependency[Dossiers],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """Record what came of calling the applicant about an overdue result (only the outcome is kept)."""
        return result(
            code,
            dossiers.record_contact(code, outcome=data.outcome, actor=actor, expected_version=data.expected_version),
        )
