"""Kiosk crew's printed envelope labels and the administrator's account history."""

from __future__ import annotations

import base64

import msgspec
from barcode import Code128
from barcode.writer import SVGWriter
from litestar import Controller
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from api.auth import ADMINS, CREW, PULL_BACK, authorize, current_actor, current_principal, rules
from api.controllers.auth import Short
from api.controllers.dossiers import handovers
from api.kiosk_schemas import EnvelopeBatchBody
from api.routing import get, post
from api.schemas import MAX_COMMAND_BODY
from application.accounts import Accounts, AccountView
from application.errors import UnknownReferenceError
from application.handovers import Handovers, Receiver
from application.history import AuditHistory, History
from application.kiosks import Kiosks
from application.tokens import Principal
from domain.errors import InvalidValueError
from domain.procedures import Catalogue
from domain.values import Actor, Role
from infrastructure.bootstrap import System

LABEL_OPTIONS = {"module_height": 12.0, "module_width": 0.3, "quiet_zone": 3.0, "write_text": False}


class EnvelopeLabel(msgspec.Struct, frozen=True):
    """One envelope label: its barcode text and a Code 128 image (SVG, base64) to print."""

    barcode: str
    svg_base64: str


def code128_svg(text: str) -> bytes:
    """Code 128 of `text` as an SVG image (python-barcode), without the human-readable line (the page prints it)."""
    return Code128(text, writer=SVGWriter()).render(LABEL_OPTIONS)


class EnvelopeLabelController(Controller):
    """In nhãn phong bì — envelope labels."""

    path = "/kiosks/{key:str}/envelope-labels"
    request_max_body_size = MAX_COMMAND_BODY
    tags = ["kiosk staff"]
    guards = [authorize]

    @post(
        "/",
        sync_to_thread=True,
        status_code=200,
        summary="Nhãn mã vạch phong bì / Envelope barcode labels",
        opt=rules(CREW, "kiosk"),
    )
    def labels(self, key: FromPath[str], data: JSONBody[EnvelopeBatchBody]) -> list[EnvelopeLabel]:
        """A Code 128 label per barcode, to print on a sheet before the batch is registered; nothing is recorded."""
        return [
            EnvelopeLabel(barcode=code, svg_base64=base64.b64encode(code128_svg(code)).decode())
            for code in data.barcodes
        ]


class PullBackReceiversController(Controller):
    """Người nhận kết quả thu hồi — whom overdue results of a kiosk may go back to."""

    path = "/kiosks/{key:str}/pull-back-receivers"
    tags = ["kiosk staff"]
    guards = [authorize]
    dependencies = {
        "principal": Provide(current_principal, sync_to_thread=False),
        "handovers": Provide(handovers, sync_to_thread=False),
    }

    @get(
        "/",
        sync_to_thread=True,
        summary="Người nhận kết quả thu hồi / Pull-back receivers",
        opt=rules(PULL_BACK, "kiosk"),
    )
    def receivers(
        self,
        key: FromPath[str],
        kiosks: NamedDependency[Kiosks],
        principal: NamedDependency[Principal],
        handovers: NamedDependency[Handovers],
    ) -> list[Receiver]:
        """Active staff of the kiosk's agency (any department) to pick the one-stop officer and the police from."""
        return handovers.list_receivers(principal, (kiosks.get_kiosk(key).agency, None))


class AssignmentBody(msgspec.Struct, forbid_unknown_fields=True):
    """Điều động: the account's new role and unit (agency and department of the catalogue)."""

    role: Role
    agency: Short
    department: Short | None = None


def check_unit(catalogue: Catalogue, agency: str, department: str | None) -> None:
    """The agency exists in the catalogue and the department, if any, is one of its own (422 otherwise)."""
    try:
        catalogue.agency(agency)
        unit = catalogue.department(department) if department else None
    except LookupError:
        raise UnknownReferenceError(
            f"unknown unit {department or agency!r}", f"Không có đơn vị mã {department or agency} trong danh mục."
        ) from None
    if unit is not None and unit.agency != agency:
        raise InvalidValueError("department", "belongs to another agency", "phòng ban này thuộc cơ quan khác")


class AccountAssignmentController(Controller):
    """Đổi vai trò, đơn vị — move an officer to another role or unit."""

    path = "/accounts/{username:str}/assignment"
    request_max_body_size = MAX_COMMAND_BODY
    tags = ["accounts"]
    guards = [authorize]
    dependencies = {"actor": Provide(current_actor, sync_to_thread=False)}

    @post("/", sync_to_thread=True, summary="Đổi vai trò, đơn vị / Reassign an account", opt=rules(ADMINS, "global"))
    def reassign(
        self,
        username: FromPath[str],
        data: JSONBody[AssignmentBody],
        accounts: NamedDependency[Accounts],
        system: NamedDependency[System],
        actor: NamedDependency[Actor],
    ) -> AccountView:
        """A new role, agency and department of the catalogue; the account's sessions end at once (audited)."""
        check_unit(system.catalogue, data.agency, data.department)
        return accounts.reassign(username, role=data.role, agency=data.agency, department=data.department, actor=actor)


class AccountHistoryController(Controller):
    """Lịch sử tài khoản — the audited changes of one account."""

    path = "/accounts/{username:str}/history"
    tags = ["accounts"]
    guards = [authorize]
    dependencies = {"principal": Provide(current_principal, sync_to_thread=False)}

    @get("/", sync_to_thread=True, summary="Lịch sử tài khoản / Account history", opt=rules(ADMINS, "global"))
    def history(self, username: FromPath[str], history: NamedDependency[History]) -> AuditHistory:
        """Who created, reset, disabled or enabled the account, and when (never a password or its hash)."""
        return history.history("account", username)
