"""The access-control matrix, built from the app's own route table: every route × every role × own/other agency,
department, kiosk and vault owner → allowed (anything but 401/403) or refused (401/403, no event recorded).

A route added without roles and a declared scope fails `test_every_route_declares_roles_and_a_scope`; a scope rule
that stops holding fails the matrix. "Other" callers are of agency H29.01, of another department of the district,
or the kiosk Q6-02; the world (one kiosk dossier, its applicant's vault, kiosk Q6-01) all belongs to H29.06. The app
runs in demo mode, so that the routes registered only there are in the table too.
"""

from __future__ import annotations

import base64
import re
import uuid

import pytest
from litestar.testing import TestClient
from msgspec.structs import replace

from api.app import create_app
from api.auth import SCOPES, authorize
from tests.api.test_kiosk_api import COPY, STAFF, enrol_team, submit
from tests.auth_support import bearer
from tests.kiosk_support import Citizen

ROLES = (
    "reception_officer",
    "department_officer",
    "consultant",
    "police_officer",
    "signer",
    "auditor",
    "analyst",
    "administrator",
    "kiosk",
    "system",
)
RESOURCE_SCOPES = {"dossier", "device", "device_dossier", "vault", "vault_dossier"}
# Routes of scope "agency" that name a resource of the district in their path, query or body (see BODIES, QUERIES):
# callers of another agency (or department, where the resource is a dossier) must be refused there.
NAMES_A_RESOURCE = {
    ("POST", "/dossiers"),
    ("POST", "/dossiers/online"),
    ("POST", "/kiosks"),
    ("POST", "/kiosks/handovers"),
    ("GET", "/audit/{kind}/{key}/history"),
    ("GET", "/audit/{kind}/{key}/as-of"),
    ("GET", "/audit/views/{model}/as-of"),
    *(
        (m, f"/money/fee-receipts/{{agency}}/{{year}}/{{number}}{tail}")
        for m, tail in (("GET", ""), ("GET", "/pdf"), ("POST", "/cancel"), ("POST", "/replace"))
    ),
}
# Renewal reads the account again (role or scope may have changed): the matrix's callers hold tokens of accounts that
# were never created, so renewal refuses them all; tests/api/test_sessions.py renews real accounts.
ACCOUNT_BOUND = {("POST", "/auth/renew")}
FRAMEWORK = "/schema"  # Litestar's own OpenAPI document and viewers: public by design, no data
A_PDF = base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode()


class Caller:
    """One column of the matrix."""

    def __init__(self, role: str | None, relation: str, dossier_department: str) -> None:
        self.role, self.relation = role, relation
        agency = "H29.01" if relation == "other agency" else "H29.06"
        department = None
        if role == "department_officer":
            department = "H29.06.TP" if relation == "other department" else dossier_department
        kiosk = {"other kiosk": "Q6-02", "other agency": "Q1-01"}.get(relation, "Q6-01") if role == "kiosk" else None
        self.headers = (
            bearer(role, f"{role}.{relation}".replace(" ", "-"), agency=agency, department=department, kiosk=kiosk)
            if role
            else {}
        )

    def __repr__(self) -> str:
        return f"{self.role or 'anonymous'} ({self.relation})"


def callers(department: str) -> list[Caller]:
    found = [Caller(None, "anonymous", department)]
    for role in ROLES:
        found.append(Caller(role, "own", department))
        if role != "system":  # the national portal's account serves every agency
            found.append(Caller(role, "other agency", department))
    return found + [
        Caller("department_officer", "other department", department),
        Caller("kiosk", "other kiosk", department),
    ]


def routes(app) -> list[tuple[str, str, object]]:
    """(method, path template, handler) of every operation the app serves, static files included."""
    found = []
    for route in app.routes:
        if route.path.startswith(FRAMEWORK):
            continue
        for handler in getattr(route, "route_handlers", ()):
            for method in sorted(getattr(handler, "http_methods", ()) - {"HEAD", "OPTIONS"}):
                found.append((method, re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path), handler))
    return found


def expected_allowed(method: str, path: str, opt: dict, caller: Caller) -> bool:
    scope = opt["scope"]
    if scope == "public":
        return True
    if caller.role is None or caller.role not in {r.value for r in opt["roles"]} or (method, path) in ACCOUNT_BOUND:
        return False
    if caller.relation == "own":
        return True
    if scope in RESOURCE_SCOPES:
        return False
    if scope == "kiosk":
        return caller.relation != "other agency"  # a kiosk belongs to an agency, not to a department
    # self, global, and agency-filtered reads (their answer must not show the district's dossier)
    return not (scope == "agency" and (method, path) in NAMES_A_RESOURCE)


@pytest.fixture
def world(system, store_env, clock, otp, tmp_path):
    system.settings = replace(system.settings, demo=True, data_dir=tmp_path)  # so the demo-only routes are in the table
    enrol_team(system)  # the accounts a handover names
    with TestClient(create_app(system)) as client:
        assert (
            client.post(
                "/kiosks", json={"key": "Q6-01", "name": "Kiosk 24/7 Quận 6", "agency": "H29.06"}, headers=STAFF
            ).status_code
            == 201
        )
        assert (
            client.post("/kiosks/Q6-01/envelope-batches", json={"barcodes": ["Q6PB000001"]}, headers=STAFF).status_code
            == 201
        )
        citizen = Citizen(5)
        submitted = submit(client, otp, citizen, COPY)
        assert submitted.status_code == 201, submitted.text
        code = submitted.json()["dossier_code"]
        yield client, system, code, citizen.id_number


def concrete(path: str, code: str, owner: str) -> str:
    values = {
        "code": code,
        "key": "Q6-01",
        "owner_kind": "citizen",
        "owner_id": owner,
        "document_id": str(uuid.uuid4()),
        "number": "1",
        "line": "1",
        "queue": "to_route",
        "period": "week",
        "model": "trays",
        "kind": "dossier",
        "name": "dossiers",
        "username": "ai.do",
        "file_path": "index.html",
        "procedure": COPY,
        "agency": "H29.06",
        "year": "2026",
    }
    if path.startswith("/audit/{kind}"):
        values["key"] = code
    return re.sub(r"\{(\w+)\}", lambda m: values[m[1]], path)


def bodies(code: str) -> dict[tuple[str, str], dict]:
    applicant = {"id_number": "079195000101", "name": "Nguyễn Thị Hồng Nhung", "phone": "0901000101"}
    components = [{"name": "Tờ khai", "form": "original", "count": 1}]
    metadata = {"type_code": "KQ.GKS", "name": "Giấy khai sinh"}
    return {
        ("POST", "/dossiers"): {
            "procedure_code": COPY,
            "channel": "counter",
            "applicant": applicant,
            "components": components,
        },
        ("POST", "/dossiers/online"): {"procedure_code": COPY, "applicant": applicant, "components": components},
        ("POST", "/kiosks"): {"key": "Q6-09", "name": "Kiosk mới", "agency": "H29.06", "tray_count": 2},
        ("POST", "/kiosks/handovers"): {"codes": [code], "item": "Hồ sơ giấy", "receiver": "tuvan.tuan"},
        ("POST", "/vaults/{owner_kind}/{owner_id}/documents"): {
            "metadata": metadata,
            "pdf": A_PDF,
            "dossier_code": code,
        },
        ("POST", "/vaults/{owner_kind}/{owner_id}/digitize"): {
            "dossier_code": code,
            "metadata": metadata,
            "declared_pages": 1,
            "pdf": A_PDF,
        },
        ("POST", "/vaults/{owner_kind}/{owner_id}/reuse"): {"type_code": "KQ.GKS", "dossier_code": code},
        ("POST", "/money/fee-receipts/{agency}/{year}/{number}/cancel"): {"reason": "Sai nội dung"},
        ("POST", "/money/fee-receipts/{agency}/{year}/{number}/replace"): {
            "reason": "Sai",
            "content": "Lệ phí",
            "amount": 1,
        },
        ("POST", "/money/dossiers/{code}/refunds"): {"method": "cash"},
        ("POST", "/dossiers/{code}/channels"): {"channels": ["zalo", "sms"]},
    }


def queries(code: str, now: str) -> dict[str, dict[str, str]]:
    period = {"from": "2020-01-01", "to": "2020-12-31"}
    return {
        "/views/books/handover": period,
        "/views/books/tracking": period,
        "/views/books/cash": period,
        "/money/reconciliation": period,
        "/verify": {"code": code},
        "/views/{name}/wait": {"position": "0", "timeout": "0.1"},
        "/audit/{kind}/{key}/as-of": {"at": now},
        "/audit/views/{model}/as-of": {"at": now, "kiosk": "Q6-01"},
    }


def test_every_route_declares_roles_and_a_scope(world) -> None:
    client = world[0]
    for method, path, handler in routes(client.app):
        scope = handler.opt.get("scope")
        assert scope in SCOPES, f"{method} {path} declares no scope rule (opt=rules(roles, scope) or PUBLIC)"
        if scope != "public":
            assert handler.opt.get("roles"), f"{method} {path} declares no roles"
            guards = [getattr(guard, "func", guard) for guard in handler.resolve_guards()]
            assert authorize in guards, f"{method} {path} is not guarded by api.auth.authorize"


def test_every_route_allows_exactly_its_roles_within_their_scope_and_refusals_record_nothing(world) -> None:
    client, system, code, owner = world
    department = system.dossiers.scope_of(code)[1]
    sent_bodies, sent_queries, wrong = bodies(code), queries(code, system.clock.now().isoformat()), []
    for method, path, handler in routes(client.app):
        url = concrete(path, code, owner)
        params = dict(sent_queries.get(path, {}))
        if path.startswith("/vaults"):
            params["dossier"] = code
        # refusals first: an allowed command may change the world the later requests see
        for caller in sorted(callers(department), key=lambda c: expected_allowed(method, path, handler.opt, c)):
            allowed = expected_allowed(method, path, handler.opt, caller)
            before = system.app.recorder.max_notification_id()
            answer = client.request(
                method,
                url,
                params=params,
                headers=caller.headers,
                json=sent_bodies.get((method, path), {}) if method == "POST" else None,
            )
            denied = answer.status_code in (401, 403)
            if allowed == denied:
                wrong.append(f"{method} {path} {caller}: {answer.status_code} {answer.text[:120]}")
            elif denied and system.app.recorder.max_notification_id() != before:
                wrong.append(f"{method} {path} {caller}: refused but recorded an event")
            elif (
                allowed
                and caller.relation == "other agency"
                and handler.opt["scope"] != "public"
                and code in answer.text
            ):
                wrong.append(f"{method} {path} {caller}: answered the district's dossier to another scope")
    assert not wrong, "\n".join(wrong)
