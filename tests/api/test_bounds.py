"""Bounded input: the findings of issue [10] on hostile values, each answered with a clear 4xx and nothing recorded."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from api.app import create_app
from domain.errors import DomainError
from tests.api.test_dossier_api import BODY
from tests.auth_support import bearer

pytestmark = pytest.mark.parametrize(
    "store_env", ["sqlite"], indirect=True
)  # input handling does not depend on the store

COUNTER = bearer("reception_officer", "officer-1")
KIOSK = bearer("kiosk", "kiosk.q6-01", kiosk="Q6-01")
ANALYST = bearer("analyst", "analyst-1")


@pytest.fixture
def client(system):
    with TestClient(create_app(system)) as client:
        client.headers.update(COUNTER)
        yield client


def events(client: TestClient) -> int:
    return client.get("/health").json()["events"]


def assert_refused(answer, *statuses: int) -> None:
    assert answer.status_code in (statuses or range(400, 500)), (answer.status_code, answer.text[:300])
    body = answer.json()
    assert body["error"] and body["message"] and body["message_vi"], body


def received(client: TestClient) -> str:
    answer = client.post("/dossiers", json=BODY)
    assert answer.status_code == 201, answer.text
    return answer.json()["code"]


def test_a_fee_beyond_the_ceiling_is_refused_and_records_nothing(client: TestClient) -> None:
    code = received(client)
    before = events(client)
    for amount in (10**30, 100_000_001, -1):
        assert_refused(client.post(f"/dossiers/{code}/fee", json={"amount": amount}), 400, 422)
    assert events(client) == before


def test_a_non_ascii_bearer_token_is_401(client: TestClient) -> None:
    token = "Bearer v1.body.m\xe4c".encode("latin-1")
    assert_refused(client.get("/dossiers/X", headers={"Authorization": token}), 401)
    before = events(client)  # the idempotency middleware reads the token first, for the key's account
    assert_refused(client.post("/dossiers", json=BODY, headers={"Authorization": token, "Idempotency-Key": "k-1"}), 401)
    assert events(client) == before


def test_deeply_nested_json_on_login_is_400(client: TestClient) -> None:
    body = b'{"username": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert_refused(client.post("/auth/login", content=body, headers={"Content-Type": "application/json"}), 400)


def test_a_report_for_a_date_far_in_the_future_is_400(client: TestClient) -> None:
    for day in ("9999-12-31", "0001-01-01"):
        assert_refused(client.get(f"/views/reports/quarter?date={day}", headers=ANALYST), 400)


def test_a_kiosk_receipt_of_a_dossier_registered_online_is_a_clear_refusal(client: TestClient, system) -> None:
    """It answered 500; now the kiosk is refused (it never received that dossier), and the application itself
    refuses a receipt of a dossier without an appointment date."""
    installed = client.post(
        "/kiosks",
        json={"key": "Q6-01", "name": "Kiosk 24/7 Quận 6", "agency": "H29.06"},
        headers=bearer("consultant", "tuvan.tuan"),
    )
    assert installed.status_code == 201, installed.text
    online = client.post("/dossiers/online", json={k: v for k, v in BODY.items() if k != "channel"})
    assert online.status_code == 201, online.text
    code = online.json()["code"]
    assert_refused(client.get(f"/kiosks/Q6-01/dossiers/{code}/receipt", headers=KIOSK), 403)
    with pytest.raises(DomainError) as refused:
        system.kiosks.get_receipt("Q6-01", code)
    assert refused.value.message_vi


def test_oversized_or_unprintable_intake_is_refused_and_records_nothing(client: TestClient) -> None:
    before = events(client)
    applicant = BODY["applicant"]
    hostile = {
        "9 MB address": {**BODY, "applicant": {**applicant, "address": "Số 1 " * 1_800_000}},
        "50,000 components": {**BODY, "components": [{"name": "Tờ khai", "form": "original"}] * 50_000},
        "NUL in the name": {**BODY, "applicant": {**applicant, "name": "Nguyễn\x00Văn A"}},
        "bidi override in the name": {**BODY, "applicant": {**applicant, "name": "Nguyễn \u202eA nắV"}},
        "line break in the name": {**BODY, "applicant": {**applicant, "name": "Nguyễn Văn A\n"}},
        "C1 control in a component": {**BODY, "components": [{"name": "Tờ\x85khai", "form": "original"}]},
        "birth in year 1": {**BODY, "applicant": {**applicant, "date_of_birth": "0001-01-01"}},
    }
    for case, body in hostile.items():
        for path in ("/dossiers", "/dossiers/online"):
            sent = body if path == "/dossiers" else {k: v for k, v in body.items() if k != "channel"}
            answer = client.post(path, json=sent)
            assert answer.status_code in (400, 413, 422), (case, path, answer.status_code)
            assert_refused(answer)
    assert events(client) == before


def test_bounded_texts_are_refused_on_commands_too(client: TestClient) -> None:
    code = received(client)
    before = events(client)
    for path, body in [
        (f"/dossiers/{code}/reject", {"reason": "x" * 2001}),
        (f"/dossiers/{code}/reject", {"reason": "lý do\x1b[2J"}),
        (f"/dossiers/{code}/supplement-request", {"items": ["Tờ khai"] * 101, "reason": "thiếu"}),
        (f"/dossiers/{code}/payments", {"method": "cash", "amount": 100_000_001}),
        (f"/dossiers/{code}/payments", {"method": "cash", "amount": 0}),
    ]:
        assert_refused(client.post(path, json=body), 400, 422)
    assert events(client) == before
