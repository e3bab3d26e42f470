"""What the officer console reads from the API: the caller's capabilities (from the route rules, not a second list),
names in a dossier's timeline, Vietnamese refusals, and the kiosk-bin queue of finished dossiers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.capabilities import operation
from domain.values import Role
from tests.api.test_access_matrix import routes
from tests.api.test_kiosk_api import CLERK, STAFF, enrol_team, submit
from tests.auth_support import bearer
from tests.kiosk_support import Citizen

STAFF_ROLES = [r for r in Role if r not in (Role.CITIZEN,)]


@pytest.fixture
def client(system):
    enrol_team(system)
    with TestClient(create_app(system)) as client:
        client.post("/kiosks", json={"key": "Q6-01", "name": "Kiosk 24/7 Quận 6", "agency": "H29.06"}, headers=STAFF)
        client.post(
            "/kiosks/Q6-01/envelope-batches", json={"barcodes": [f"Q6PB{n:06d}" for n in range(1, 11)]}, headers=STAFF
        )
        yield client


def allowed_by_rules(app, role: Role) -> set[str]:
    """Computed independently, the way the access matrix walks the route table."""
    return {f"{method} {path}" for method, path, handler in routes(app) if role in (handler.opt.get("roles") or ())}


def test_the_capabilities_are_exactly_the_operations_the_route_rules_allow_each_role(client: TestClient) -> None:
    for role in STAFF_ROLES:
        answer = client.get("/console/capabilities", headers=bearer(role, f"{role.value}-1"))
        assert answer.status_code == 200
        body = answer.json()
        assert body["role"] == role.value and body["account_id"] == f"{role.value}-1"
        assert set(body["operations"]) == allowed_by_rules(client.app, role), role


def test_each_role_is_offered_only_its_own_work(client: TestClient) -> None:
    def ops(role: str, **scope) -> set[str]:
        return set(client.get("/console/capabilities", headers=bearer(role, f"{role}-1", **scope)).json()["operations"])

    reception, signer, analyst, admin = ops("reception_officer"), ops("signer"), ops("analyst"), ops("administrator")
    assert "POST /dossiers/{code}/result" not in reception  # the "record result" form reception got a 403 from
    assert (
        "POST /dossiers/{code}/result-document" in signer and "POST /dossiers/{code}/result-document" not in reception
    )
    assert "GET /views/reports/{period}" in analyst and "GET /views/queues/{queue}" not in analyst
    assert "GET /accounts" in admin and "GET /views/queues/{queue}" not in admin
    assert "POST /kiosks/{key}/loads" in ops("consultant") and "POST /kiosks/{key}/loads" not in reception


def test_capabilities_need_a_token(client: TestClient) -> None:
    assert client.get("/console/capabilities").status_code == 401


def test_an_operation_is_named_by_method_and_path_without_parameter_types() -> None:
    assert (
        operation("POST", "/dossiers/{code:str}/handovers/{line:int}/confirm")
        == "POST /dossiers/{code}/handovers/{line}/confirm"
    )


def test_the_reference_says_which_results_need_a_signed_copy(client: TestClient) -> None:
    kinds = {p["code"]: p["result_kind"] for p in client.get("/console/reference").json()["procedures"]}
    assert set(kinds.values()) == {"district_result", "cccd_card"}


def test_the_dossier_history_names_the_people_who_acted(client: TestClient, otp) -> None:
    code = submit(client, otp, Citizen(5)).json()["dossier_code"]
    client.post(f"/dossiers/{code}/reject", json={"reason": "Thiếu giấy tờ"}, headers=CLERK)
    history = client.get(f"/dossiers/{code}/history", headers=CLERK).json()
    rejected = next(e for e in history if e["type"] == "Rejected")
    assert rejected["actor"]["account_id"] == "officer.tp"
    assert rejected["actor_name"] == client.app.state.system.accounts.display_name("officer.tp") != "officer.tp"
    assert next(e for e in history if e["type"] == "Received")["actor_name"] is None  # a kiosk device is no person


def test_an_unknown_queue_is_refused_in_vietnamese(client: TestClient) -> None:
    answer = client.get("/views/queues/no_such_queue", headers=bearer("reception_officer"))
    assert answer.status_code == 404
    assert answer.json()["message_vi"].startswith("Không tìm thấy") and "unknown" not in answer.json()["message_vi"]


def test_a_refused_action_names_the_action_and_state_in_vietnamese(client: TestClient, otp) -> None:
    code = submit(client, otp, Citizen(6)).json()["dossier_code"]
    refused = client.post(f"/dossiers/{code}/route", json={"department": "H29.06.1.TPHT"}, headers=CLERK)
    assert refused.status_code == 409
    message = refused.json()["message_vi"]
    assert "chuyển phòng xử lý" in message and '"Đã tiếp nhận"' in message
    assert "route" not in message and "received" not in message


def test_a_finished_kiosk_dossier_leaves_the_kiosk_bin_queue(client: TestClient, otp) -> None:
    submitted = submit(client, otp, Citizen(7)).json()
    code = submitted["dossier_code"]
    before = client.get("/views/queues", params={"after": submitted["position"]}, headers=CLERK).json()
    rejected = client.post(f"/dossiers/{code}/reject", json={"reason": "Sai thủ tục"}, headers=CLERK).json()
    after = client.get("/views/queues", params={"after": rejected["position"]}, headers=CLERK).json()
    assert before["kiosk_bin"] == 1 and after["kiosk_bin"] == 0 and after["closed"] == before["closed"] + 1


def test_every_operation_the_console_names_is_a_route_of_the_app(client: TestClient) -> None:
    """A page or form that names an operation the API does not have would silently vanish from every menu."""
    static = Path(__file__).resolve().parents[2] / "api" / "console" / "static"
    named = {
        op
        for path in static.rglob("*.js")
        for op in re.findall(r'"((?:GET|POST|PUT|PATCH|DELETE) /[^"]*)"', path.read_text(encoding="utf-8"))
    }
    served = {f"{method} {path}" for method, path, _ in routes(client.app)}
    assert named and named <= served, sorted(named - served)
