"""Authentication and authorization: bearer tokens, roles per route, agency/department/kiosk scope.

Every protected handler declares `opt={"roles": ..., "scope": ...}` and its controller carries the
`authorize` guard; a handler without roles is refused to everyone (deny by default). Scope "dossier" checks the
`{code}` path parameter against the caller's agency and department; scope "device" requires the kiosk device
whose key is the `{key}` path parameter.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from application.tokens import Principal, TokenError
from domain.errors import DomainError
from domain.values import Actor, Role

PRINCIPAL = "motcua.principal"
R = Role
COUNTER = frozenset({R.RECEPTION_OFFICER})
PROCESSING = frozenset({R.RECEPTION_OFFICER, R.DEPARTMENT_OFFICER})
OFFICERS = frozenset({R.RECEPTION_OFFICER, R.DEPARTMENT_OFFICER, R.CONSULTANT, R.POLICE_OFFICER, R.SIGNER})
READERS = OFFICERS | {R.AUDITOR}
STAFF = frozenset({R.CONSULTANT, R.ADMINISTRATOR})
DEVICE = frozenset({R.KIOSK})
ANALYSTS = READERS | {R.ANALYST}
ADMINS = frozenset({R.ADMINISTRATOR})
ONLINE = frozenset({R.RECEPTION_OFFICER, R.SYSTEM})  # the national portal's integration account acts as SYSTEM
RESULTS = frozenset({R.DEPARTMENT_OFFICER, R.SIGNER})
DELIVERY = frozenset({R.RECEPTION_OFFICER, R.CONSULTANT, R.POLICE_OFFICER})
PULL_BACK = frozenset({R.CONSULTANT, R.POLICE_OFFICER, R.RECEPTION_OFFICER})
VAULT = frozenset({R.RECEPTION_OFFICER, R.DEPARTMENT_OFFICER, R.SIGNER, R.AUDITOR})
BOOKS = frozenset({R.RECEPTION_OFFICER, R.CONSULTANT, R.AUDITOR, R.DEPARTMENT_OFFICER})


class AccessDeniedError(DomainError):
    """The caller is authenticated but may not do this."""

    code = "forbidden"

    def __init__(self, reason: str, reason_vi: str) -> None:
        self.reason = reason
        super().__init__(f"access denied: {reason}", f"Không có quyền: {reason_vi}")


def rules(roles: frozenset[Role], scope: str | None = None) -> dict[str, Any]:
    """The `opt` of a protected handler."""
    return {"roles": roles, "scope": scope}


def bearer_token(header: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None; TokenError if it is not ASCII (tokens
    never are, and comparing a non-ASCII string with the expected signature raises TypeError, a 500)."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    if not token.isascii():
        raise TokenError("malformed")
    return token.strip()


def authenticate(connection: ASGIConnection) -> Principal:
    """The principal of the request's bearer token (cached on the request); TokenError → 401."""
    cached = connection.scope.get(PRINCIPAL)  # type: ignore[misc]
    if cached is not None:
        return cached
    token = bearer_token(connection.headers.get("authorization", ""))
    if token is None:
        raise TokenError("missing")
    state = connection.app.state
    principal = state.tokens.check(token, state.clock.now())
    connection.scope[PRINCIPAL] = principal  # type: ignore[literal-required]
    return principal


def authorize(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Guard: a valid token, a role the handler allows, and the dossier or kiosk within the caller's scope."""
    principal = authenticate(connection)
    roles = handler.opt.get("roles") or frozenset()
    if principal.role not in roles:
        raise AccessDeniedError(f"role {principal.role.value} may not call this", "vai trò của bạn không được thực hiện thao tác này.")
    scope = handler.opt.get("scope")
    if scope == "device" and principal.kiosk != connection.path_params.get("key"):
        raise AccessDeniedError("a kiosk may only act for itself", "kiosk chỉ được thao tác cho chính mình.")
    if scope == "dossier" and principal.role in OFFICERS | {R.AUDITOR}:
        agency, department = connection.app.state.system.dossiers.scope_of(connection.path_params["code"])
        check_within(principal, agency, department)


def within_agency(principal: Principal, agency: str) -> bool:
    """A district agency covers its wards (H29.06 covers H29.06.1)."""
    return agency == principal.agency or agency.startswith(principal.agency + ".")


def check_within(principal: Principal, agency: str, department: str | None) -> None:
    if not within_agency(principal, agency):
        raise AccessDeniedError("the dossier belongs to another agency", "hồ sơ thuộc cơ quan khác.")
    if principal.department and department != principal.department:
        raise AccessDeniedError("the dossier belongs to another department", "hồ sơ thuộc phòng ban khác.")


def scoped(principal: Principal, filters: dict[str, str | None]) -> dict[str, str | None]:
    """Queue filters limited to the caller's agency (and department, for department roles); 403 for a filter outside."""
    agency, department = filters.get("agency"), filters.get("department")
    if agency and not within_agency(principal, agency):
        raise AccessDeniedError("the agency is outside your scope", "cơ quan này nằm ngoài phạm vi của bạn.")
    if principal.department and department and department != principal.department:
        raise AccessDeniedError("the department is outside your scope", "phòng ban này nằm ngoài phạm vi của bạn.")
    return {**filters, "within": principal.agency, "department": principal.department or department}


def current_principal(request: ASGIConnection) -> Principal:
    return authenticate(request)


def current_actor(request: ASGIConnection) -> Actor:
    """The acting account, for the events a command records."""
    return authenticate(request).actor
