"""The minimal API end to end: receive, act, read, history; bad input gives 4xx, never 500."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from api.app import create_app
from infrastructure.bootstrap import System
from tests.auth_support import bearer

HEADERS = bearer("reception_officer", "officer-1")
BIRTH = "1.001193.000.00.00.H29"
BODY = {
    "procedure_code": BIRTH,
    "channel": "counter",
    "applicant": {"id_number": "079195000101", "name": "Nguyễn Thị Hồng Nhung", "phone": "0901000101"},
    "components": [{"name": "Tờ khai", "form": "original", "count": 1}],
}


@pytest.fixture
def client(system: System):
    with TestClient(create_app(system)) as client:
        client.headers.update(HEADERS)
        yield client


def test_health_answers_ok(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_receive_act_and_read_a_dossier(client: TestClient) -> None:
    created = client.post("/dossiers", json=BODY, headers=HEADERS)
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    accepted = client.post(f"/dossiers/{code}/accept", json={"expected_version": 1}, headers=HEADERS)
    assert accepted.status_code == 201 and accepted.json()["version"] == 2
    dossier = client.get(f"/dossiers/{code}").json()
    assert dossier["status"] == "accepted" and dossier["applicant"]["name"] == "Nguyễn Thị Hồng Nhung"
    assert "route" in dossier["allowed_actions"]
    history = client.get(f"/dossiers/{code}/history").json()
    assert [h["type"] for h in history] == ["Received", "Accepted"]
    assert history[1]["actor"] == {"account_id": "officer-1", "role": "reception_officer"}


def test_a_stale_version_gives_409_and_changes_nothing(client: TestClient) -> None:
    code = client.post("/dossiers", json=BODY, headers=HEADERS).json()["code"]
    client.post(f"/dossiers/{code}/accept", json={}, headers=HEADERS)
    stale = client.post(f"/dossiers/{code}/reject", json={"reason": "x", "expected_version": 1}, headers=HEADERS)
    assert stale.status_code == 409 and stale.json()["error"] == "version_conflict"
    assert client.get(f"/dossiers/{code}").json()["version"] == 2


def test_an_action_not_allowed_names_the_state_and_the_allowed_actions(client: TestClient) -> None:
    code = client.post("/dossiers", json=BODY, headers=HEADERS).json()["code"]
    clerk = bearer("department_officer", "clerk-1", department="H29.06.1.TPHT")
    refused = client.post(f"/dossiers/{code}/result", json={"summary": "x"}, headers=clerk)
    body = refused.json()
    assert refused.status_code == 409 and body["error"] == "action_not_allowed"
    assert body["details"]["state"] == "received" and "accept" in body["details"]["allowed"]
    assert "Không thể" in body["message_vi"]


@pytest.mark.parametrize(
    ("path", "payload", "status"),
    [
        ("/dossiers", {**BODY, "extra": 1}, 400),
        ("/dossiers", {**BODY, "channel": "online"}, 400),
        ("/dossiers", {**BODY, "applicant": {**BODY["applicant"], "id_number": "12345"}}, 400),
        ("/dossiers", {**BODY, "applicant": {**BODY["applicant"], "phone": "0123"}}, 400),
        ("/dossiers", {**BODY, "procedure_code": "1.999999.000.00.00.H29"}, 422),
        ("/dossiers", [], 400),
        ("/dossiers/H29.06-260520-0001/accept", {}, 404),
        ("/dossiers/not-a-code/accept", {}, 422),
        ("/dossiers/H29.06-260520-0001/payments", {"method": "cash", "amount": -5}, 404),  # scope check first
    ],
)
def test_bad_input_gets_a_clear_4xx_and_records_nothing(
    client: TestClient, path: str, payload: object, status: int
) -> None:
    response = client.post(path, json=payload, headers=HEADERS)
    assert response.status_code == status, response.text
    assert response.json()["message"] and response.json()["message_vi"]
    assert client.get("/health").json()["events"] == 0


def test_invalid_json_and_missing_caller_are_refused(client: TestClient) -> None:
    garbage = client.post("/dossiers", content=b"\xff\xfe{", headers={**HEADERS, "Content-Type": "application/json"})
    assert garbage.status_code == 400
    anonymous = client.post("/dossiers", json=BODY, headers={"Authorization": ""})
    assert anonymous.status_code == 401
    assert client.get("/health").json()["events"] == 0


def test_openapi_document_lists_the_dossier_paths(client: TestClient) -> None:
    document = client.get("/schema/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert "/dossiers/{code}/history" in document["paths"]
