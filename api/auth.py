"""Authentication and authorization: bearer tokens, roles per route, and the scope that ties caller to resource.

Every handler declares `opt=rules(roles, scope)` (or `PUBLIC`), and every protected controller carries the `authorize`
guard. Deny by default: a handler without roles or without a known scope is refused to everyone, and the route-table
test (tests/api/test_access_matrix.py) fails on it. The scopes:

- `public`: no token (health, login, verify, the citizen's own access log).
- `self`: the caller's own account.
- `global`: not tied to one agency and no citizen data (read-model lag, account administration, erasures).
- `agency`: the handler limits what it reads or changes to the caller's agency (a district covers its wards) and, for
  department roles, their department; an `agency`/`department` query parameter outside that is refused here.
- `dossier`: the `{code}` dossier belongs to the caller's agency (and department, for department roles).
- `device`: the `{key}` kiosk is the calling kiosk device itself.
- `device_dossier`: as `device`, and that kiosk received the `{code}` dossier or a tray of it holds or held it.
- `kiosk`: the `{key}` kiosk was installed for the caller's agency.
- `vault`: the vault owner has a dossier in the caller's scope: one the vault's documents were stored or reused for,
  or the `dossier` query parameter naming a dossier in scope whose applicant is the owner.
- `vault_dossier`: as `vault`, with the dossier named in the body (the guard cannot read it: the handler calls
  `check_vault`); writing into a dossier outside the caller's scope is refused.
"""

from __future__ import annotations

import hmac
import re
from typing import Any, Literal, get_args

from litestar.concurrency import sync_to_thread
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from application.tokens import Principal, TokenError
from domain.codes import parse_code
from domain.errors import DomainError
from domain.values import Actor, Role
from domain.vault import VaultOwner

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
SIGNERS = frozenset({R.SIGNER})  # a result document is signed by the competent person only
DELIVERY = frozenset({R.RECEPTION_OFFICER, R.CONSULTANT, R.POLICE_OFFICER})
PULL_BACK = frozenset({R.CONSULTANT, R.POLICE_OFFICER, R.RECEPTION_OFFICER})
VAULT = frozenset({R.RECEPTION_OFFICER, R.DEPARTMENT_OFFICER, R.SIGNER, R.AUDITOR})
VAULT_WRITERS = PROCESSING  # auditors read only
CREW = frozenset({R.CONSULTANT})  # kiosk staff: collections, tray service, envelope stock
BOOKS = frozenset({R.RECEPTION_OFFICER, R.CONSULTANT, R.AUDITOR, R.DEPARTMENT_OFFICER})


class AccessDeniedError(DomainError):
    """The caller is authenticated but may not do this."""

    code = "forbidden"

    def __init__(self, reason: str, reason_vi: str) -> None:
        self.reason = reason
        super().__init__(f"access denied: {reason}", f"Không có quyền: {reason_vi}")


Scope = Literal[
    "public", "self", "global", "agency", "dossier", "device", "device_dossier", "kiosk", "vault", "vault_dossier"
]
SCOPES: frozenset[str] = frozenset(get_args(Scope))
# Scopes checked on the token and the request alone (no store read): their guard may run on the event loop.
TOKEN_SCOPES = frozenset({"self", "global", "agency", "device"})
PUBLIC: dict[str, Any] = {"scope": "public"}
SCRAPE = "scrape"  # an opt flag: the metrics scraper's static token (MOTCUA_METRICS_TOKEN) is accepted too
UNIT_CODE = re.compile(r"[A-Za-z0-9.]{1,40}")


def rules(roles: frozenset[Role], scope: Scope) -> dict[str, Any]:
    """The `opt` of a protected handler; an unknown scope fails at import, not at the first request."""
    if scope not in SCOPES or scope == "public" or not roles:
        raise ValueError(f"a protected handler needs roles and one of the scopes {sorted(SCOPES - {'public'})}")
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


def scope_header(scope: Any, name: bytes) -> bytes | None:
    """The raw request header `name` (lower case, as ASGI gives names; the last one if repeated), or None: one pass
    over the header list, where a Litestar `Headers` or a dict of them is built first."""
    found = None
    for key, value in scope.get("headers") or ():
        if key == name:
            found = value
    return found


def authenticate(connection: ASGIConnection) -> Principal:
    """The principal of the request's bearer token (cached on the request); TokenError → 401."""
    cached = connection.scope.get(PRINCIPAL)
    if isinstance(cached, Principal):
        return cached
    token = bearer_token(connection.headers.get("authorization", ""))
    if token is None:
        raise TokenError("missing")
    state = connection.app.state
    principal = state.tokens.check(token, state.clock.now())
    # litestar's Scope TypedDict names no key for an app's own values; the principal is cached there per request.
    connection.scope[PRINCIPAL] = principal  # type: ignore[literal-required]
    return principal


async def authorize(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Guard: a valid token, a role the handler allows, and the resource within the caller's scope (`check_access`).

    On the event loop when that reads nothing (a scope checked on the token alone, and a recent revocation verdict);
    otherwise in a worker thread, since the checks then read the stores."""
    if handler.opt.get("scope") in TOKEN_SCOPES and not handler.opt.get(SCRAPE) and _principal_at_once(connection):
        check_access(connection, handler)
    else:
        await sync_to_thread(check_access, connection, handler)


def _principal_at_once(connection: ASGIConnection) -> bool:
    """Whether the request's principal is known without a store read (then cached on the request as `authenticate`
    does); False leaves every verdict, errors included, to `authenticate` in a thread."""
    if isinstance(connection.scope.get(PRINCIPAL), Principal):
        return True
    try:
        token = bearer_token(connection.headers.get("authorization", ""))
        state = connection.app.state
        principal = None if token is None else state.tokens.check_at_once(token, state.clock.now())
    except TokenError:
        return False
    if principal is None:
        return False
    connection.scope[PRINCIPAL] = principal  # type: ignore[literal-required]
    return True


def check_access(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """A valid token, a role the handler allows, and the resource within the caller's scope; raises otherwise."""
    if handler.opt.get(SCRAPE) and is_scraper(connection):
        return
    principal = authenticate(connection)
    roles, scope = handler.opt.get("roles") or frozenset(), handler.opt.get("scope")
    if principal.role not in roles or scope not in SCOPES - {"public"}:
        raise AccessDeniedError(
            f"role {principal.role.value} may not call this", "vai trò của bạn không được thực hiện thao tác này."
        )
    # a malformed code is left to the handler's own validation, which answers 400 with the reason
    query = connection.query_params if connection.scope.get("query_string") else {}  # most commands have none
    named = {
        name: value for name in ("agency", "department") if (value := query.get(name)) and UNIT_CODE.fullmatch(value)
    }
    scoped(principal, named)
    CHECKS.get(scope, lambda *_: None)(connection, principal)


def is_scraper(connection: ASGIConnection) -> bool:
    """The request carries the metrics scraper's token (none configured: nobody is the scraper)."""
    expected = connection.app.state.system.settings.metrics_token
    scheme, _, given = connection.headers.get("authorization", "").partition(" ")
    return (
        bool(expected)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode("utf-8", "replace"), expected.encode())
    )


def _device(connection: ASGIConnection, principal: Principal) -> None:
    if principal.kiosk is None or principal.kiosk != connection.path_params.get("key"):
        raise AccessDeniedError("a kiosk may only act for itself", "kiosk chỉ được thao tác cho chính mình.")


def _device_dossier(connection: ASGIConnection, principal: Principal) -> None:
    _device(connection, principal)
    if not connection.app.state.system.kiosks.serves(principal.kiosk, connection.path_params["code"]):
        raise AccessDeniedError(
            "this kiosk neither received nor holds the dossier", "hồ sơ không được nộp hoặc trả tại kiosk này."
        )


def _dossier(connection: ASGIConnection, principal: Principal) -> None:
    if principal.role is not R.SYSTEM:
        check_dossier(connection, principal, connection.path_params["code"])


def _kiosk(connection: ASGIConnection, principal: Principal) -> None:
    if not within_agency(principal, connection.app.state.system.kiosks.agency_of(connection.path_params["key"])):
        raise AccessDeniedError("the kiosk belongs to another agency", "kiosk thuộc cơ quan khác.")


def _vault(connection: ASGIConnection, principal: Principal) -> None:
    check_vault(connection, principal, connection.query_params.get("dossier"))


def check_vault(connection: ASGIConnection, principal: Principal, named: str | None) -> None:
    """403 unless the vault owner is the applicant of `named` (a dossier in scope) or the vault refers to one."""
    system, params = connection.app.state.system, connection.path_params
    if named:
        check_dossier(connection, principal, named)
        applicant = system.dossiers.applicant_of(named)
        if params["owner_kind"] == "citizen" and applicant.id_number == params["owner_id"]:
            return
    owner = VaultOwner(kind=params["owner_kind"], id_number=params["owner_id"])
    if not any(in_scope(system, principal, code) for code in system.vaults.dossier_codes(owner)):
        raise AccessDeniedError(
            "the vault's owner has no dossier in your scope", "chủ kho dữ liệu không có hồ sơ thuộc phạm vi của bạn."
        )


CHECKS = {"device": _device, "device_dossier": _device_dossier, "dossier": _dossier, "kiosk": _kiosk, "vault": _vault}


def check_dossier(connection: ASGIConnection, principal: Principal, code: str) -> tuple[str, str | None]:
    """403 unless the dossier belongs to the caller's agency (and department, for department roles); its scope."""
    if not within_agency(
        principal, parse_code(code)[0]
    ):  # before the lookup: no 404/403 oracle on other agencies' codes
        raise AccessDeniedError("the dossier belongs to another agency", "hồ sơ thuộc cơ quan khác.")
    agency, department = connection.app.state.system.dossiers.scope_of(code)
    check_within(principal, agency, department)
    return agency, department


def in_scope(system: Any, principal: Principal, code: str) -> bool:
    """Whether a dossier the caller did not name (one a vault refers to) is within the caller's scope."""
    try:
        check_within(principal, *system.dossiers.scope_of(code))
    except (AccessDeniedError, DomainError):
        return False
    return True


def check_agency(principal: Principal, agency: str) -> None:
    """403 unless the agency a command names is the caller's own or one of its wards."""
    if not within_agency(principal, agency):
        raise AccessDeniedError("the agency is outside your scope", "cơ quan này nằm ngoài phạm vi của bạn.")


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
