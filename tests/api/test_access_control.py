"""Accounts, logins and access control over HTTP: every refusal is 401/403 with a Vietnamese message and records
nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar.testing import TestClient

from api.app import create_app
from tests.api.test_dossier_api import BODY
from tests.auth_support import ISSUED, TOKENS, bearer

COUNTER = bearer("reception_officer", "officer-1")
ADMIN = bearer("administrator", "admin-1")
WARD_CLERK = bearer("department_officer", "clerk.hotich", department="H29.06.1.TPHT")
OTHER_CLERK = bearer("department_officer", "clerk.tuphap", department="H29.06.TP")
OTHER_AGENCY = bearer("reception_officer", "officer.q1", agency="H29.01")
DEVICE = bearer("kiosk", "kiosk.q6-01", kiosk="Q6-01")
OTHER_DEVICE = bearer("kiosk", "kiosk.q6-02", kiosk="Q6-02")
ANALYST = bearer("analyst", "analyst-1")
EXPIRED = bearer("reception_officer", "officer-1", at=ISSUED - TOKENS.lifetime - timedelta(seconds=1))
NOBODY = {"Authorization": ""}


@pytest.fixture
def client(system):
    with TestClient(create_app(system)) as client:
        yield client


@pytest.fixture
def code(client: TestClient) -> str:
    created = client.post("/dossiers", json=BODY, headers=COUNTER)
    assert created.status_code == 201, created.text
    return created.json()["code"]


def events(client: TestClient) -> int:
    return client.get("/health").json()["events"]


def refused(response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error and body["message_vi"]


def forged(headers: dict[str, str]) -> dict[str, str]:
    token = headers["Authorization"]
    return {"Authorization": token[:-2] + ("AA" if not token.endswith("AA") else "BB")}


@pytest.mark.parametrize(
    ("headers", "status", "error"),
    [
        (NOBODY, 401, "unauthenticated"),
        ({"Authorization": "Basic b2ZmaWNlcjpwdw=="}, 401, "unauthenticated"),
        ({"Authorization": "Bearer not-a-token"}, 401, "unauthenticated"),
        (EXPIRED, 401, "unauthenticated"),
        (forged(COUNTER), 401, "unauthenticated"),
        (ANALYST, 403, "forbidden"),  # wrong role
        (DEVICE, 403, "forbidden"),  # a kiosk's device token on an officer endpoint
        (OTHER_CLERK, 403, "forbidden"),  # other department
        (OTHER_AGENCY, 403, "forbidden"),  # other agency
    ],
)
def test_an_officer_command_is_refused_and_records_nothing(
    client: TestClient, code: str, headers, status, error
) -> None:
    before = events(client)
    refused(client.post(f"/dossiers/{code}/accept", json={}, headers=headers), status, error)
    assert events(client) == before
    assert (
        client.post(f"/dossiers/{code}/accept", json={}, headers=WARD_CLERK).status_code == 201
    )  # the right officer may


def test_reads_of_personal_data_follow_the_same_scope(client: TestClient, code: str) -> None:
    refused(client.get(f"/dossiers/{code}", headers=OTHER_AGENCY), 403, "forbidden")
    refused(client.get(f"/dossiers/{code}/history", headers=ANALYST), 403, "forbidden")
    refused(client.get(f"/dossiers/{code}", headers=NOBODY), 401, "unauthenticated")
    assert client.get(f"/dossiers/{code}", headers=WARD_CLERK).json()["applicant"]["name"] == BODY["applicant"]["name"]


def test_a_kiosk_acts_only_for_itself_and_only_on_kiosk_endpoints(client: TestClient) -> None:
    before = events(client)
    refused(client.post("/kiosks/Q6-01/otp", json={"phone": "0901000101"}, headers=OTHER_DEVICE), 403, "forbidden")
    refused(client.post("/kiosks/Q6-01/otp", json={"phone": "0901000101"}, headers=COUNTER), 403, "forbidden")
    refused(
        client.post("/kiosks", json={"key": "Q6-09", "name": "x", "agency": "H29.06"}, headers=DEVICE), 403, "forbidden"
    )
    refused(client.get("/views/queues", headers=DEVICE), 403, "forbidden")
    assert events(client) == before


def test_queues_are_limited_to_the_callers_department(client: TestClient, code: str, system) -> None:
    position = client.post(f"/dossiers/{code}/accept", json={}, headers=WARD_CLERK).json()["position"]
    mine = client.get("/views/queues/to_route", params={"after": position}, headers=WARD_CLERK).json()
    others = client.get(
        "/views/queues/to_route", params={"after": position, "department": "H29.06.1.TPHT"}, headers=OTHER_CLERK
    )
    assert [item["code"] for item in mine["items"]] == [code]
    refused(others, 403, "forbidden")


def test_accounts_log_in_with_argon2_passwords_and_get_short_lived_tokens(client: TestClient) -> None:
    body = {
        "username": "lan.pt",
        "password": "mat-khau-dai",
        "name": "Phạm Thị Lan",
        "role": "reception_officer",
        "agency": "H29.06",
    }
    refused(client.post("/accounts", json=body, headers=COUNTER), 403, "forbidden")
    created = client.post("/accounts", json=body, headers=ADMIN)
    assert created.status_code == 201 and "password" not in created.text and created.json()["enabled"] is True
    refused(client.post("/accounts", json=body, headers=ADMIN), 409, "account_exists")
    refused(client.post("/auth/login", json={"username": "lan.pt", "password": "sai-mat-khau"}), 401, "bad_credentials")
    refused(
        client.post("/auth/login", json={"username": "khong.co", "password": "mat-khau-dai"}), 401, "bad_credentials"
    )
    session = client.post("/auth/login", json={"username": "lan.pt", "password": "mat-khau-dai"})
    assert session.status_code == 200, session.text
    token = session.json()["token"]
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert (me["account_id"], me["role"], me["agency"]) == ("lan.pt", "reception_officer", "H29.06")
    created = client.post("/dossiers", json=BODY, headers={"Authorization": f"Bearer {token}"})
    assert created.status_code == 201
    history = client.get(f"/dossiers/{created.json()['code']}/history", headers=COUNTER).json()
    assert history[0]["actor"] == {"account_id": "lan.pt", "role": "reception_officer"}
    disabled = client.post("/accounts/lan.pt/enabled", json={"enabled": False, "reason": "nghỉ việc"}, headers=ADMIN)
    assert disabled.json()["enabled"] is False
    refused(
        client.post("/auth/login", json={"username": "lan.pt", "password": "mat-khau-dai"}), 403, "account_disabled"
    )


def test_a_kiosk_device_logs_in_with_its_secret(client: TestClient, system) -> None:
    system.accounts.create_device("Q6-07", "bi-mat-thiet-bi", agency="H29.06", actor=system_actor())
    refused(client.post("/auth/device", json={"kiosk": "Q6-07", "secret": "sai"}), 401, "bad_credentials")
    session = client.post("/auth/device", json={"kiosk": "Q6-07", "secret": "bi-mat-thiet-bi"}).json()
    assert session["account"]["role"] == "kiosk" and session["account"]["kiosk"] == "Q6-07"
    device = {"Authorization": f"Bearer {session['token']}"}
    refused(client.get("/views/queues", headers=device), 403, "forbidden")


def test_bad_account_data_is_refused_with_a_reason(client: TestClient) -> None:
    base = {
        "username": "ok.name",
        "password": "du-dai-roi-nhe",
        "name": "A",
        "role": "department_officer",
        "agency": "H29.06",
    }
    before = events(client)
    for changes, field in [
        ({"username": "Có Dấu"}, "username"),
        ({"password": "ngan"}, "password"),
        ({}, "department"),
        ({"role": "kiosk", "department": "H29.06.TP"}, "kiosk"),
    ]:
        answer = client.post("/accounts", json={**base, **changes}, headers=ADMIN)
        assert answer.status_code == 422 and answer.json()["details"]["field"] == field, answer.text
    assert events(client) == before


def system_actor():
    from domain.values import Actor, Role

    return Actor(account_id="setup", role=Role.ADMINISTRATOR)
