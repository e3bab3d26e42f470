"""The catalogue over HTTP (issue [13]): the kiosk's procedure list holds only kiosk-submission procedures, the
console's picker carries the new flags and fee units, and the fee is assessed for the quantity given."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from api.app import create_app
from tests.api.test_kiosk_api import KIOSK, STAFF, enrol_team, proof_for
from tests.auth_support import bearer
from tests.kiosk_support import Citizen

COPY = "2.000815.000.00.00.H29"  # chứng thực bản sao: 2.000 đồng/trang, from page 3 1.000, at most 200.000
CARDS = {"2.000200.000.00.00.H29", "2.001195.000.00.00.H29", "2.001194.000.00.00.H29"}
RECEPTION = bearer("reception_officer", "officer-1")


@pytest.fixture
def client(system):
    """The app with kiosk Q6-01 installed and ten envelopes registered (as in test_kiosk_api)."""
    enrol_team(system)
    with TestClient(create_app(system)) as client:
        client.headers.update(RECEPTION)
        assert (
            client.post(
                "/kiosks", json={"key": "Q6-01", "name": "Kiosk 24/7 Quận 6", "agency": "H29.06"}, headers=STAFF
            ).status_code
            == 201
        )
        barcodes = [f"Q6PB{n:06d}" for n in range(1, 11)]
        batch = client.post("/kiosks/Q6-01/envelope-batches", json={"barcodes": barcodes}, headers=STAFF)
        assert batch.status_code == 201
        yield client


def events(client: TestClient) -> int:
    return client.get("/health").json()["events"]


def test_the_kiosk_lists_only_kiosk_submission_procedures_and_no_id_card(client: TestClient, catalogue) -> None:
    answer = client.get("/kiosks/Q6-01/procedures", headers=KIOSK)
    assert answer.status_code == 200, answer.text
    listed = answer.json()
    assert [p["code"] for p in listed] == [p.code for p in catalogue.procedures if p.kiosk_submission]
    assert not CARDS & {p["code"] for p in listed} and len(listed) >= 40
    copy = next(p for p in listed if p["code"] == COPY)
    assert (copy["fee"], copy["fee_unit"], copy["face_required"]) == (2000, "page", False)
    assert copy["fee_text"] == "2.000 đồng/trang; từ trang thứ 3: 1.000 đồng/trang; tối đa 200.000 đồng"
    assert client.get("/kiosks/Q6-01/procedures", headers=RECEPTION).status_code == 403
    assert client.get("/kiosks/Q6-01/procedures", headers={"Authorization": ""}).status_code == 401


def test_the_console_picker_carries_the_kiosk_flags_fee_unit_and_legal_value(client: TestClient) -> None:
    procedures = {p["code"]: p for p in client.get("/console/reference").json()["procedures"]}
    assert len(procedures) >= 52
    card = procedures["2.001195.000.00.00.H29"]
    assert (card["kiosk_submission"], card["kiosk_return"], card["kiosk_enabled"]) == (False, True, False)
    birth = procedures["1.001193.000.00.00.H29"]
    assert (birth["legal_value"], birth["fee_text"], birth["agency"]) == ("high", "Miễn lệ phí", "H29.06.1")
    assert (procedures[COPY]["fee_unit"], procedures[COPY]["fee_unit_label"]) == ("page", "trang")


def test_the_fee_is_assessed_for_the_pages_given_and_a_bad_quantity_changes_nothing(client: TestClient) -> None:
    body = {
        "procedure_code": COPY,
        "channel": "counter",
        "components": [],
        "applicant": {"id_number": "079195000101", "name": "Nguyễn Thị Hồng Nhung", "phone": "0901000101"},
    }
    code = client.post("/dossiers", json=body, headers=RECEPTION).json()["code"]
    assert client.post(f"/dossiers/{code}/fee", json={"quantity": 5}, headers=RECEPTION).status_code == 201
    assert client.get(f"/dossiers/{code}", headers=RECEPTION).json()["fee"] == 7000
    before = events(client)
    for bad in (0, -3, 10_001, 2.5, None, "năm"):
        refused = client.post(f"/dossiers/{code}/fee", json={"quantity": bad}, headers=RECEPTION)
        assert refused.status_code == 400, (bad, refused.text)
    assert events(client) == before and client.get(f"/dossiers/{code}", headers=RECEPTION).json()["fee"] == 7000


def test_a_kiosk_submission_of_an_id_card_is_refused_with_a_vietnamese_reason(client: TestClient, otp) -> None:
    citizen = Citizen(6)
    body = {
        "procedure_code": "2.001195.000.00.00.H29",
        "qr_payload": citizen.qr,
        "phone": citizen.phone,
        "phone_proof": proof_for(client, otp, citizen),
        "envelope": "Q6PB000001",
    }
    before = events(client)
    refused = client.post("/kiosks/Q6-01/submissions", json=body, headers=KIOSK)
    assert refused.status_code == 422 and refused.json()["error"] == "procedure_not_at_kiosk"
    assert "quầy Một cửa" in refused.json()["message_vi"] and events(client) == before


def test_a_kiosk_submission_is_charged_for_the_pages_the_citizen_gives(client: TestClient, otp) -> None:
    citizen = Citizen(7)
    body = {
        "procedure_code": COPY,
        "qr_payload": citizen.qr,
        "phone": citizen.phone,
        "phone_proof": proof_for(client, otp, citizen),
        "envelope": "Q6PB000002",
        "quantity": 3,
    }
    submitted = client.post("/kiosks/Q6-01/submissions", json=body, headers=KIOSK)
    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["fee"] == 5000


def test_a_ward_officer_receives_for_their_own_ward_and_only_that_ward_sees_it(client: TestClient) -> None:
    ward7 = bearer("reception_officer", "motcua.p7", agency="H29.06.7")
    body = {
        "procedure_code": "1.001193.000.00.00.H29",
        "channel": "counter",
        "components": [],
        "applicant": {
            "id_number": "079195000101",
            "name": "Nguyễn Thị Hồng Nhung",
            "phone": "0901000101",
            "address": "45 Hậu Giang, Phường 5, Quận 6",
        },
    }
    created = client.post("/dossiers", json=body, headers=ward7)
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    assert code.startswith("H29.06.7-")  # not Phường 1: the receiving ward handles it
    clerk7 = bearer("department_officer", "tuphap.p7", agency="H29.06.7", department="H29.06.7.TPHT")
    clerk1 = bearer("department_officer", "tuphap.p1", agency="H29.06.1", department="H29.06.1.TPHT")
    assert client.get(f"/dossiers/{code}", headers=clerk7).status_code == 200
    assert client.get(f"/dossiers/{code}", headers=clerk1).status_code == 403
    in_ward7 = {**body["applicant"], "address": "12 Bình Tiên, Phường 7, Quận 6"}
    district = client.post("/dossiers", json={**body, "applicant": in_ward7}, headers=RECEPTION)
    assert district.status_code == 201 and district.json()["code"].startswith("H29.06.7-")  # by the address
    business = client.post("/dossiers", json={**body, "procedure_code": "1.001612.000.00.00.H29"}, headers=ward7)
    assert business.status_code == 403  # a district procedure is not the ward's
