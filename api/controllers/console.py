"""The officer console (Vietnamese, plain HTML + JS modules under api/console/static) and the reference data it
needs."""

from __future__ import annotations

from pathlib import Path

import msgspec
from litestar import Request, Response
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from api.auth import PUBLIC, authorize, current_principal, rules
from api.capabilities import operations_for
from api.routing import get
from application.tokens import Principal
from domain.values import Role
from infrastructure.bootstrap import System
from infrastructure.demo import ACCOUNTS as DEMO_ACCOUNTS

STATIC = Path(__file__).resolve().parent.parent / "console" / "static"


class Named(msgspec.Struct, frozen=True):
    code: str
    name: str


class DepartmentRef(msgspec.Struct, frozen=True):
    code: str
    name: str
    agency: str


class ProcedureRef(msgspec.Struct, frozen=True):
    code: str
    name: str
    agency: str
    department: str
    kiosk_enabled: bool  # = kiosk_submission, the name earlier console code reads
    kiosk_submission: bool
    kiosk_return: bool
    field: str
    fee: int
    fee_unit: str
    fee_unit_label: str
    fee_text: str
    legal_value: str
    processing_days: int
    result_kind: str  # district_result needs a signed copy before it goes into a tray; cccd_card does not


class DemoLogin(msgspec.Struct, frozen=True):
    username: str
    password: str
    name: str
    role: str


class Reference(msgspec.Struct, frozen=True):
    """Agencies, departments and procedures of the catalogue: names for codes and choices for the routing form;
    under MOTCUA_DEMO=1 also the demo logins, which the login page lists."""

    catalogue_version: str
    agencies: list[Named]
    departments: list[DepartmentRef]
    procedures: list[ProcedureRef]
    demo_logins: list[DemoLogin]


@get("/", include_in_schema=False, sync_to_thread=False, opt=PUBLIC)
def root() -> Redirect:
    """The console is the home page."""
    return Redirect(path="/console/")


@get(
    "/console/reference",
    sync_to_thread=False,
    summary="Danh mục cho giao diện / Console reference data",
    tags=["console"],
    opt=PUBLIC,
    cache_control=CacheControlHeader(max_age=300),
)
def reference(system: NamedDependency[System]) -> Reference:
    """Agencies, departments and procedures of the loaded catalogue (public reference data, no personal data)."""
    # The demo passwords follow the public "demo-<username>" rule of infrastructure/demo.py; never set in production.
    c = system.catalogue
    return Reference(
        catalogue_version=c.version,
        agencies=[Named(code=a.code, name=a.name) for a in c.agencies],
        departments=[DepartmentRef(code=d.code, name=d.name, agency=d.agency) for d in c.departments],
        procedures=[
            ProcedureRef(
                code=p.code,
                name=p.name,
                agency=p.agency,
                department=p.department,
                kiosk_enabled=p.kiosk_submission,
                kiosk_submission=p.kiosk_submission,
                kiosk_return=p.kiosk_return,
                field=p.field,
                fee=p.fee,
                fee_unit=p.fee_unit.value,
                fee_unit_label=p.fee_unit.label,
                fee_text=p.fee_text,
                legal_value=p.legal_value.value,
                processing_days=p.processing_days,
                result_kind=p.result_kind.value,
            )
            for p in c.procedures
        ],
        demo_logins=[
            DemoLogin(username=u, password=f"demo-{u}", name=name, role=role.value)
            for u, name, role, _ in DEMO_ACCOUNTS
        ]
        if system.settings.demo
        else [],
    )


class Capabilities(msgspec.Struct, frozen=True):
    """Who the caller is and the operations (`METHOD /path/{param}`) their role may call."""

    account_id: str
    name: str
    role: str
    agency: str
    department: str | None
    kiosk: str | None
    operations: list[str]


@get(
    "/console/capabilities",
    sync_to_thread=False,
    summary="Quyền của tài khoản / What the caller may do",
    tags=["console"],
    guards=[authorize],
    opt=rules(frozenset(Role), "self"),
)
def capabilities(request: Request) -> Capabilities:
    """The operations the caller's role may call, from the route table's own rules (the scope of each resource is
    still checked on every call)."""
    p: Principal = current_principal(request)
    return Capabilities(
        account_id=p.account_id,
        name=p.name,
        role=p.role.value,
        agency=p.agency,
        department=p.department,
        kiosk=p.kiosk,
        operations=operations_for(request.app, p.role),
    )


def revalidate(response: Response) -> Response:
    # The console's files change with each deployment and are small: always revalidate.
    response.headers["Cache-Control"] = "no-cache"
    return response


CONSOLE_ROUTES: list[ControllerRouterHandler] = [
    root,
    reference,
    capabilities,
    create_static_files_router(
        path="/console", directories=[STATIC], html_mode=True, name="console", opt=PUBLIC, after_request=revalidate
    ),
]
"""Route handlers to add to the app: `/` → `/console/`, `/console/reference`, `/console/capabilities`, and the
console's files."""
