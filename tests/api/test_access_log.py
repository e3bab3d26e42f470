"""Every officer read of a citizen's data is recorded; the citizen sees who read or changed it after an OTP."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from litestar.testing import TestClient

from api.app import create_app
from tests.api.test_dossier_api import BODY
from tests.auth_support import bearer

COUNTER = bearer("reception_officer", "officer-1")
CLERK = bearer("department_officer", "clerk-7", department="H29.06.1.TPHT")
ID, PHONE = BODY["applicant"]["id_number"], BODY["applicant"]["phone"]


@pytest.fixture
def client(system):
    with TestClient(create_app(system)) as client:
        yield client


def ask_code(client: TestClient, phone: str = PHONE):
    return client.post("/citizens/access-log/code", json={"id_number": ID, "phone": phone})


def test_a_citizen_sees_who_read_and_who_changed_their_dossier(client: TestClient, otp) -> None:
    code = client.post("/dossiers", json=BODY, headers=COUNTER).json()["code"]
    client.post(f"/dossiers/{code}/accept", json={}, headers=CLERK)
    assert client.get(f"/dossiers/{code}", headers={**CLERK, "X-Purpose": quote("thẩm định hồ sơ")}).status_code == 200
    assert client.get(f"/dossiers/{code}/history", headers=COUNTER).status_code == 200
    assert ask_code(client).status_code == 202
    answer = client.post(
        "/citizens/access-log", json={"id_number": ID, "phone": PHONE, "code": otp.code_for(PHONE, "access_log")}
    )
    assert answer.status_code == 200, answer.text
    lines = answer.json()
    reads = [(line["account_id"], line["what"], line["purpose"]) for line in lines if line["kind"] == "read"]
    assert reads == [("clerk-7", "xem hồ sơ", "thẩm định hồ sơ"), ("officer-1", "xem lịch sử hồ sơ", "xử lý hồ sơ")]
    changes = [(line["account_id"], line["what"]) for line in lines if line["kind"] == "change"]
    assert changes == [("officer-1", "Received"), ("clerk-7", "Accepted")]
    assert [line["at"] for line in lines] == sorted(line["at"] for line in lines)
    assert all(ID not in str(line) and PHONE not in str(line) for line in lines)


def test_a_wrong_code_or_a_phone_not_on_the_dossiers_shows_nothing(client: TestClient, otp) -> None:
    code = client.post("/dossiers", json=BODY, headers=COUNTER).json()["code"]
    client.get(f"/dossiers/{code}", headers=COUNTER)
    assert ask_code(client, "0987654321").status_code == 202 and ("0987654321", "access_log") not in otp.sent
    ask_code(client)
    wrong = client.post("/citizens/access-log", json={"id_number": ID, "phone": PHONE, "code": "000000"})
    assert wrong.status_code == 403 and wrong.json()["error"] == "access_log_refused" and wrong.json()["message_vi"]
    stranger = client.post("/citizens/access-log", json={"id_number": "079000000999", "phone": PHONE, "code": "123456"})
    assert stranger.status_code == 403
    malformed = client.post("/citizens/access-log", json={"id_number": "12", "phone": PHONE, "code": "1"})
    assert malformed.status_code == 400


def test_the_code_request_answers_the_same_whether_or_not_the_pair_is_on_a_dossier(client: TestClient, otp) -> None:
    code = client.post("/dossiers", json=BODY, headers=COUNTER).json()["code"]
    client.get(f"/dossiers/{code}", headers=COUNTER)
    stranger = {"id_number": "079000000999", "phone": "0912345678"}
    for _ in range(3):
        known, unknown = ask_code(client), client.post("/citizens/access-log/code", json=stranger)
        assert (known.status_code, known.content) == (unknown.status_code, unknown.content)
        assert known.status_code == 202
    known, unknown = ask_code(client), client.post("/citizens/access-log/code", json=stranger)
    assert (known.status_code, known.content, known.headers["retry-after"]) == (
        unknown.status_code,
        unknown.content,
        unknown.headers["retry-after"],
    )
    assert known.status_code == 429 and known.json()["error"] == "too_many_attempts"
