"""The kiosk over HTTP: a submission and a pickup, and every refusal with its code, Vietnamese text and no event."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from api.app import create_app
from tests.auth_support import bearer, enrol
from tests.kiosk_support import Citizen

KIOSK = bearer("kiosk", "kiosk.q6-01", kiosk="Q6-01")
STAFF = bearer("consultant", "tuvan.tuan")
CLERK = bearer("department_officer", "officer.tp", department="H29.06.1.TPHT")
TEAM = {"account_id": "tuvan.tuan", "name": "Trần Minh Tuấn", "role": "consultant", "unit": "Tổ tư vấn"}
DEPT = {"account_id": "officer.tp", "name": "Lê Thị Thu", "role": "department_officer", "unit": "Phòng Tư pháp"}
COPY = "2.000635.000.00.00.H29"  # extract copy: 8,000 đồng, no face check
BIRTH = "1.001193.000.00.00.H29"  # birth registration: face check required
MATCH = {"score": 0.8, "matched": True, "model_id": "arcface-test"}


def enrol_team(system) -> None:
    """The accounts behind TEAM and DEPT, so handovers can name them."""
    enrol(system.accounts, "tuvan.tuan", "consultant", name=TEAM["name"])
    enrol(system.accounts, "officer.tp", "department_officer", name=DEPT["name"], department="H29.06.1.TPHT")


@pytest.fixture
def client(system):
    enrol_team(system)
    with TestClient(create_app(system)) as client:
        client.headers.update(bearer("reception_officer", "officer-1"))
        assert (
            client.post(
                "/kiosks", json={"key": "Q6-01", "name": "Kiosk 24/7 Quận 6", "agency": "H29.06"}, headers=STAFF
            ).status_code
            == 201
        )
        barcodes = [f"Q6PB{n:06d}" for n in range(1, 11)]
        assert (
            client.post("/kiosks/Q6-01/envelope-batches", json={"barcodes": barcodes}, headers=STAFF).status_code == 201
        )
        yield client


def events(client: TestClient) -> int:
    return client.get("/health").json()["events"]


def proof_for(client: TestClient, otp, citizen: Citizen) -> str:
    assert client.post("/kiosks/Q6-01/otp", json={"phone": citizen.phone}, headers=KIOSK).status_code == 201
    answer = client.post(
        "/kiosks/Q6-01/otp/verify",
        json={"phone": citizen.phone, "code": otp.code_for(citizen.phone, "submit")},
        headers=KIOSK,
    )
    return answer.json()["proof"]


def submit(client: TestClient, otp, citizen: Citizen, procedure: str = COPY, envelope: str = "Q6PB000001", face=None):
    body = {
        "procedure_code": procedure,
        "qr_payload": citizen.qr,
        "phone": citizen.phone,
        "phone_proof": proof_for(client, otp, citizen),
        "envelope": envelope,
    }
    if face:
        body["face"] = face
    return client.post("/kiosks/Q6-01/submissions", json=body, headers=KIOSK)


def test_a_citizen_submits_pays_and_gets_a_receipt_with_the_shortfall(client: TestClient, otp) -> None:
    citizen = Citizen(5)
    identity = client.post("/kiosks/Q6-01/identity", json={"qr_payload": citizen.qr}, headers=KIOSK).json()
    assert identity["name"] == citizen.name
    submitted = submit(client, otp, citizen)
    assert submitted.status_code == 201, submitted.text
    code = submitted.json()["dossier_code"]
    paid = client.post(
        f"/kiosks/Q6-01/dossiers/{code}/payments", json={"method": "cash", "amount": 5000}, headers=KIOSK
    ).json()
    assert (paid["paid"], paid["shortfall"], paid["excess"]) == (5000, 3000, 0)
    receipt = client.get(f"/kiosks/Q6-01/dossiers/{code}/receipt", headers=KIOSK).json()
    assert receipt["dossier_code"] == code and receipt["shortfall"] == 3000
    assert "Còn thiếu: 3.000 đồng" in receipt["text"] and "Ngày hẹn trả" in receipt["text"]
    assert client.get("/kiosks/Q6-01", headers=STAFF).json()["cash_expected"] == 5000


def test_results_are_loaded_and_picked_up_over_http(client: TestClient, otp, system) -> None:
    doors = system.kiosks.doors  # tests.fakes.FakeDoors: every door opens
    citizen = Citizen(8)
    code = submit(client, otp, citizen).json()["dossier_code"]
    client.post(
        f"/kiosks/Q6-01/dossiers/{code}/payments",
        json={"method": "bank_qr", "amount": 8000, "reference": "FT1"},
        headers=KIOSK,
    )
    report = client.post("/kiosks/Q6-01/collections", json={"cash_counted": 0}, headers=STAFF).json()
    assert [e["dossier_code"] for e in report["envelopes"]] == [code] and report["discrepancy"] == 0
    department = report["envelopes"][0]["department"]
    handed = client.post(
        "/kiosks/handovers", json={"codes": [code], "item": "Phong bì", "receiver": "officer.tp"}, headers=STAFF
    )
    assert handed.status_code == 201, handed.text
    for path, body in [
        ("accept", {}),
        ("route", {"department": department}),
        ("result", {"summary": "Bản sao trích lục"}),
        ("handovers", {"item": "Kết quả", "receiver": "tuvan.tuan"}),
    ]:
        assert client.post(f"/dossiers/{code}/{path}", json=body, headers=CLERK).status_code == 201
    slip = client.post("/kiosks/Q6-01/loads", json={"codes": [code]}, headers=STAFF).json()
    assert slip["loaded"][0]["tray"] == 1 and "PHIẾU NẠP KẾT QUẢ" in slip["text"]
    assert slip["doors"] == {"1": "opened"} and doors.opened == [("Q6-01", 1)]  # the core opened the tray's door
    grid = client.get("/kiosks/Q6-01", headers=STAFF).json()["trays"]
    assert grid[0] == {**grid[0], "status": "loaded", "dossier_code": code}
    ticket = client.post(
        "/kiosks/Q6-01/pickups/receipt", json={"id_number": citizen.id_number, "code": code}, headers=KIOSK
    ).json()
    released = client.post(
        "/kiosks/Q6-01/pickups/release",
        json={"code": code, "ticket": ticket["token"], "method": "cccd_and_receipt"},
        headers=KIOSK,
    )
    assert released.status_code == 201 and released.json()["tray"] == 1
    assert (
        client.post(
            f"/kiosks/Q6-01/dossiers/{code}/rating", json={"rating": {"level": "satisfied"}}, headers=KIOSK
        ).status_code
        == 201
    )
    assert client.get(f"/dossiers/{code}", headers=CLERK).json()["status"] == "rated"


def refusals(client: TestClient, otp):
    """(name, request thunk, expected status, expected error code)."""
    good = Citizen(11)
    yield (
        "bad QR",
        lambda: client.post("/kiosks/Q6-01/identity", json={"qr_payload": "abc|def"}, headers=KIOSK),
        422,
        "invalid_cccd_qr",
    )
    yield "unknown envelope", lambda: submit(client, otp, good, envelope="ZZ000001"), 422, "envelope_rejected"
    yield (
        "envelope check",
        lambda: client.post("/kiosks/Q6-01/envelopes/check", json={"barcode": "Q6PB999999"}, headers=KIOSK),
        422,
        "envelope_rejected",
    )
    yield (
        "wrong OTP",
        lambda: client.post("/kiosks/Q6-01/otp/verify", json={"phone": good.phone, "code": "000000"}, headers=KIOSK),
        403,
        "otp_wrong",
    )
    yield "no face", lambda: submit(client, otp, good, procedure=BIRTH), 403, "face_mismatch"
    yield (
        "face mismatch",
        lambda: submit(client, otp, good, procedure=BIRTH, face={**MATCH, "matched": False, "score": 0.1}),
        403,
        "face_mismatch",
    )
    yield (
        "not at kiosk",
        lambda: submit(client, otp, good, procedure="2.000884.000.00.00.H29"),
        422,
        "procedure_not_at_kiosk",
    )
    yield (
        "forged proof",
        lambda: client.post(
            "/kiosks/Q6-01/submissions",
            json={
                "procedure_code": COPY,
                "qr_payload": good.qr,
                "phone": good.phone,
                "phone_proof": "999.abc",
                "envelope": "Q6PB000002",
            },
            headers=KIOSK,
        ),
        403,
        "proof_invalid",
    )
    yield (
        "not processed yet",
        lambda: client.post(
            "/kiosks/Q6-01/pickups/receipt",
            json={"id_number": good.id_number, "code": "H29.06.1-260520-0001"},
            headers=KIOSK,
        ),
        403,
        "pickup_refused",
    )
    yield (
        "unknown field",
        lambda: client.post("/kiosks/Q6-01/identity", json={"qr_payload": good.qr, "x": 1}, headers=KIOSK),
        400,
        "invalid_request",
    )


def test_every_refusal_has_a_code_a_vietnamese_message_and_records_nothing(client: TestClient, otp) -> None:
    for name, request, status, code in refusals(client, otp):
        before = events(client)
        answer = request()
        body = answer.json()
        assert (answer.status_code, body["error"]) == (status, code), (name, answer.text)
        assert body["message_vi"] and any(ch in body["message_vi"] for ch in "ăâđêôơưáàảãạ"), name
        assert events(client) == before, name


def test_not_processed_yet_when_no_tray_holds_the_result(client: TestClient, otp) -> None:
    citizen = Citizen(12)
    code = submit(client, otp, citizen).json()["dossier_code"]
    before = events(client)
    answer = client.post(
        "/kiosks/Q6-01/pickups/receipt", json={"id_number": citizen.id_number, "code": code}, headers=KIOSK
    )
    assert answer.status_code == 404 and answer.json()["error"] == "not_processed_yet"
    assert "chưa" in answer.json()["message_vi"] and events(client) == before


def test_the_channel_chosen_at_the_kiosk_is_recorded_with_the_submission(client: TestClient, otp, system) -> None:
    citizen = Citizen(6)
    body = {
        "procedure_code": COPY,
        "qr_payload": citizen.qr,
        "phone": citizen.phone,
        "phone_proof": proof_for(client, otp, citizen),
        "envelope": "Q6PB000001",
    }
    assert (
        client.post("/kiosks/Q6-01/submissions", json=body | {"channels": ["email"]}, headers=KIOSK).status_code == 400
    )
    submitted = client.post("/kiosks/Q6-01/submissions", json=body | {"channels": ["zalo"]}, headers=KIOSK)
    assert submitted.status_code == 201, submitted.text
    assert system.dossiers.get_dossier(submitted.json()["dossier_code"]).contact_channels == ["zalo"]
