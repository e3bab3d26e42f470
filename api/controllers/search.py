"""Search everywhere (tra cứu): by dossier code, or by citizen name, ID number or phone with a stated purpose."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from api.auth import READERS, authorize, current_principal, rules, scoped
from api.routing import post
from api.schemas import MAX_COMMAND_BODY
from application.access_log import AccessLogs
from application.tokens import Principal
from domain.clock import VIETNAM
from domain.errors import InvalidValueError
from infrastructure.bootstrap import System
from projections.queries import QueueItem
from projections.search import SearchInputError

PERSONAL = ("name", "id_number", "phone")


class SearchBody(msgspec.Struct, forbid_unknown_fields=True):
    """What to look for; searches by personal data need the purpose (ghi vào nhật ký truy cập của công dân).
    A POST, so names, ID numbers and phones never travel in a URL (and so never in a proxy's log)."""

    kind: Literal["code", "name", "id_number", "phone"]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    purpose: Annotated[str, msgspec.Meta(max_length=200)] = ""


class SearchController(Controller):
    """Tra cứu hồ sơ — search."""

    path = "/search"
    request_max_body_size = MAX_COMMAND_BODY
    tags = ["search"]
    guards = [authorize]
    dependencies = {"principal": Provide(current_principal, sync_to_thread=False)}

    @post(
        "/",
        sync_to_thread=True,
        status_code=200,
        summary="Tra cứu hồ sơ / Search dossiers",
        opt=rules(READERS, "agency"),
    )
    def search(
        self,
        data: JSONBody[SearchBody],
        system: NamedDependency[System],
        principal: NamedDependency[Principal],
        access_logs: NamedDependency[AccessLogs | None],
    ) -> list[QueueItem]:
        """Dossiers of your agency (and department) matching the code, or every word of the name, the ID number or
        the phone (accent, case and spacing ignored); applicants masked. A search by personal data needs a purpose
        and is recorded in the access log of each person found."""
        purpose = " ".join(data.purpose.split())
        if data.kind in PERSONAL and len(purpose) < 5:
            raise InvalidValueError(
                "purpose",
                "state why you search by personal data",
                "cần ghi mục đích tra cứu (ít nhất 5 ký tự); mục đích được ghi vào nhật ký truy cập của công dân",
            )
        assert system.search is not None
        try:
            found = system.search.find(
                data.kind,
                data.text,
                today=system.clock.now().astimezone(VIETNAM).date(),
                filters=scoped(principal, {"agency": None, "department": None}),
            )
        except SearchInputError as error:
            raise InvalidValueError(error.field, str(error), error.message_vi) from None
        if data.kind in PERSONAL and access_logs is not None:
            for item in found:
                applicant = system.dossiers.applicant_of(item.code)
                access_logs.record_read(
                    id_number=applicant.known_by,
                    phone=applicant.phone,
                    dossier_code=item.code,
                    what="tra cứu hồ sơ",
                    purpose=purpose,
                    actor=principal.actor,
                )
        return found
