"""Refused scans (seed 002): a component received electronically, or an agency's verification result, is not
copied; the officer records the refusal and its reason (counted in the digitization report)."""

from __future__ import annotations

import msgspec
from litestar import Controller
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from api.auth import PROCESSING, authorize, current_actor, rules
from api.controllers.dossiers import result
from api.routing import post
from api.schemas import MAX_COMMAND_BODY, CommandResult
from application.scan_refusals import ScanRefusals
from domain.limits import Name
from domain.scan_refusal import ScanRefusalReason
from domain.values import Actor
from infrastructure.bootstrap import System


class ScanRefusalBody(msgspec.Struct, forbid_unknown_fields=True):
    """The component not scanned (its name as on the dossier) and why."""

    component: Name
    reason: ScanRefusalReason


class ScanRefusalController(Controller):
    """`POST /dossiers/{code}/scan-refusals`."""

    path = "/dossiers"
    request_max_body_size = MAX_COMMAND_BODY
    tags = ["digitization"]
    guards = [authorize]
    dependencies = {"actor": Provide(current_actor, sync_to_thread=False)}

    @post(
        "/{code:str}/scan-refusals",
        sync_to_thread=True,
        summary="Từ chối sao chụp thành phần hồ sơ / Refuse a scan",
        opt=rules(PROCESSING, "dossier"),
    )
    def refuse_scan(
        self,
        code: FromPath[str],
        data: JSONBody[ScanRefusalBody],
        system: NamedDependency[System],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """Record that a component is not scanned (received online, or a verification result); 422 for a component
        the dossier lacks, "received online" on a paper dossier, or a refusal recorded before."""
        written = ScanRefusals(system.dossiers).refuse(code, component=data.component, reason=data.reason, actor=actor)
        return result(code, written)
