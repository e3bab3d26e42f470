"""The routes of the console's working-day pages: counter helpers, refunds, contact outcomes, search, envelope labels,
account history. Each was missing before issue [12] part B (a 404 on the old code)."""

from __future__ import annotations

import base64

import pytest
from litestar.testing import TestClient

from api.app import create_app
from tests.api.test_kiosk_api import COPY, STAFF
from tests.auth_support import bearer
from tests.kiosk_support import Citizen

RECEPTION = bearer("reception_officer", "officer-1")
ADMIN = bearer("administrator", "admin")
OTHER_AGENCY = bearer("reception_officer", "officer-9", agency="H29.07")
CITIZEN = Citizen(7)


def applicant(citizen: Citizen = CITIZEN) -> dict:
    return {"id_number": citizen.id_number, "name": citizen.name, "phone": citizen.phone}


@pytest.fixture
def client(system):
    with TestClient(create_app(system)) as client:
        yield client


def receive(client: TestClient, who: dict | None = None) -> str:
    body = {
        "procedure_code": COPY,
        "channel": "counter",
        "applicant": who or applicant(),
        "components": [{"name": "Tờ khai", "form": "original", "count": 1}],
    }
    answer = client.post("/dossiers", json=body, headers=RECEPTION)
    assert answer.status_code == 201, answer.text
    return answer.json()["code"]


def caught_up(client: TestClient, system) -> None:
    assert system.projector.wait_for(system.app.recorder.max_notification_id(), None, 30)


def test_the_counter_reads_the_applicant_from_a_scanned_cccd_qr_and_refuses_a_bad_one(client: TestClient) -> None:
    read = client.post("/counter/identity", json={"qr_payload": CITIZEN.qr}, headers=RECEPTION)
    assert (
        read.status_code == 200
        and read.json()["id_number"] == CITIZEN.id_number
        and read.json()["name"] == CITIZEN.name
    )
    bad = client.post("/counter/identity", json={"qr_payload": "079|x"}, headers=RECEPTION)
    assert 400 <= bad.status_code < 500 and "7 trường" in bad.text
    assert client.post("/counter/identity", json={"qr_payload": CITIZEN.qr}, headers=STAFF).status_code == 403


def test_the_counter_sees_the_fee_and_the_components_to_tick_of_a_procedure(client: TestClient, system) -> None:
    details = client.get(f"/counter/procedures/{COPY}", headers=RECEPTION).json()
    procedure = system.catalogue.procedure(COPY)
    assert details["fee"] == procedure.fee and [c["name"] for c in details["components"]] == [
        c.name for c in procedure.components
    ]
    unknown = client.get("/counter/procedures/9.999999.000.00.00.H29", headers=RECEPTION)
    assert unknown.status_code == 422 and unknown.json()["error"] == "unknown_reference"


def test_an_excess_is_refunded_once_at_the_counter_and_the_cash_ledger_no_longer_owes_it(
    client: TestClient, system
) -> None:
    code = receive(client)
    for path, body in (
        (f"/dossiers/{code}/fee", {"amount": 8000}),
        (f"/dossiers/{code}/payments", {"method": "cash", "amount": 10000}),
        (f"/dossiers/{code}/reject", {"reason": "Thiếu giấy tờ"}),
    ):
        assert client.post(path, json=body, headers=RECEPTION).status_code == 201
    refunded = client.post(f"/counter/dossiers/{code}/refund", json={}, headers=RECEPTION)
    assert refunded.status_code == 201, refunded.text
    again = client.post(f"/counter/dossiers/{code}/refund", json={}, headers=RECEPTION)
    assert again.status_code == 422 and "nộp thừa" in again.json()["message_vi"]
    assert client.post(f"/counter/dossiers/{code}/refund", json={}, headers=STAFF).status_code == 403
    caught_up(client, system)
    row = system.projector.store.query("SELECT paid_cash, excess FROM cash_ledger_dossiers WHERE code = ?", [code])[0]
    assert (row["paid_cash"], row["excess"]) == (8000, 0)
    assert [e["type"] for e in client.get(f"/dossiers/{code}/history", headers=RECEPTION).json()][
        -1
    ] == "ExcessRefunded"


def test_a_contact_outcome_is_recorded_only_for_a_result_waiting_for_its_citizen(client: TestClient) -> None:
    code = receive(client)
    early = client.post(f"/counter/dossiers/{code}/contacts", json={"outcome": "no_answer"}, headers=STAFF)
    assert early.status_code == 409
    assert (
        client.post(f"/counter/dossiers/{code}/contacts", json={"outcome": "made_up"}, headers=STAFF).status_code == 400
    )


def test_search_finds_a_code_in_any_case_and_spacing_and_people_by_accent_free_name_id_and_phone(
    client: TestClient, system
) -> None:
    code = receive(client)
    receive(client, applicant(Citizen(8)))
    caught_up(client, system)
    found = lambda kind, text, purpose="Công dân hỏi tại quầy": client.post(  # noqa: E731
        "/search", json={"kind": kind, "text": text, "purpose": purpose}, headers=RECEPTION
    )
    assert [d["code"] for d in found("code", f"  {code.lower()[:8]} {code.lower()[8:]} ").json()] == [code]
    plain = CITIZEN.name.lower().replace("đ", "d")
    import unicodedata

    plain = "".join(ch for ch in unicodedata.normalize("NFD", plain) if not unicodedata.combining(ch))
    assert [d["code"] for d in found("name", plain.upper()).json()] == [code]
    assert [d["code"] for d in found("id_number", " ".join([CITIZEN.id_number[:6], CITIZEN.id_number[6:]])).json()] == [
        code
    ]
    assert [d["code"] for d in found("phone", "+84 " + CITIZEN.phone[1:]).json()] == [code]
    assert found("name", plain, purpose="").status_code == 422  # personal data needs a purpose
    assert found("phone", "12345").status_code == 422
    assert (
        client.post(
            "/search",
            json={"kind": "id_number", "text": CITIZEN.id_number, "purpose": "Kiểm tra hồ sơ"},
            headers=OTHER_AGENCY,
        ).json()
        == []
    )


def test_a_search_by_personal_data_is_recorded_with_its_purpose_in_the_persons_access_log(
    client: TestClient, system
) -> None:
    code = receive(client)
    caught_up(client, system)
    assert (
        client.post(
            "/search",
            json={"kind": "phone", "text": CITIZEN.phone, "purpose": "Gọi lại cho công dân"},
            headers=RECEPTION,
        ).status_code
        == 200
    )
    from domain.access import access_log_id

    logs = system.access_logs
    entries = list(logs.app.events.get(access_log_id(logs.subject(CITIZEN.id_number))))
    assert any(
        getattr(e, "purpose", None) == "Gọi lại cho công dân" and getattr(e, "dossier_code", None) == code
        for e in entries
    )


def test_the_search_table_holds_no_name_id_number_or_phone(client: TestClient, system) -> None:
    receive(client)
    caught_up(client, system)
    rows = system.projector.store.query("SELECT * FROM search_terms") + system.projector.store.query(
        "SELECT * FROM search_dossiers"
    )
    text = repr(rows)
    assert rows and all(needle not in text for needle in (CITIZEN.id_number, CITIZEN.phone, *CITIZEN.name.split()))


def test_envelope_labels_are_code_128_images_for_the_crew_only(client: TestClient) -> None:
    assert (
        client.post("/kiosks", json={"key": "Q6-01", "name": "Kiosk", "agency": "H29.06"}, headers=STAFF).status_code
        == 201
    )
    labels = client.post("/kiosks/Q6-01/envelope-labels", json={"barcodes": ["Q6PB000777"]}, headers=STAFF)
    assert labels.status_code == 200 and labels.json()[0]["barcode"] == "Q6PB000777"
    assert base64.b64decode(labels.json()[0]["svg_base64"]).lstrip().startswith(b"<?xml")
    assert client.post("/kiosks/Q6-01/envelope-labels", json={"barcodes": ["X"]}, headers=RECEPTION).status_code == 403


def test_an_accounts_history_shows_its_creation_reset_and_disabling_without_the_hash(client: TestClient) -> None:
    created = client.post(
        "/accounts",
        json={
            "username": "moi.nv",
            "password": "mat-khau-that-dai-2026",
            "name": "Nhân viên mới",
            "role": "reception_officer",
            "agency": "H29.06",
        },
        headers=ADMIN,
    )
    assert created.status_code == 201, created.text
    assert (
        client.post(
            "/accounts/moi.nv/password", json={"password": "mat-khau-moi-rat-dai-2026"}, headers=ADMIN
        ).status_code
        == 201
    )
    assert (
        client.post(
            "/accounts/moi.nv/enabled", json={"enabled": False, "reason": "Chuyển công tác"}, headers=ADMIN
        ).status_code
        == 201
    )
    history = client.get("/accounts/moi.nv/history", headers=ADMIN)
    assert history.status_code == 200, history.text
    assert [e["label"] for e in history.json()["entries"]] == ["Tạo tài khoản", "Đặt lại mật khẩu", "Khóa tài khoản"]
    assert "argon2" not in history.text and "Chuyển công tác" in history.text
    assert client.get("/accounts/moi.nv/history", headers=RECEPTION).status_code == 403


def test_an_officer_moved_to_another_role_loses_their_sessions_and_the_move_is_audited(
    client: TestClient, system
) -> None:
    from tests.auth_support import STAFF_PASSWORD, enrol

    enrol(system.accounts, "dieu.dong", "department_officer", department="H29.06.TP")
    session = system.accounts.login("dieu.dong", STAFF_PASSWORD)
    old = {"Authorization": f"Bearer {session.token}"}
    assert client.get("/auth/me", headers=old).status_code == 200
    no_department = client.post(
        "/accounts/dieu.dong/assignment", json={"role": "police_officer", "agency": "H29.06"}, headers=ADMIN
    )
    assert no_department.status_code == 422 and client.get("/auth/me", headers=old).status_code == 200
    moved = client.post(
        "/accounts/dieu.dong/assignment", json={"role": "reception_officer", "agency": "H29.06"}, headers=ADMIN
    )
    assert moved.status_code == 201 and (moved.json()["role"], moved.json()["department"]) == (
        "reception_officer",
        None,
    )
    assert client.get("/auth/me", headers=old).status_code == 401
    for wrong in (
        {"role": "kiosk", "agency": "H29.06"},
        {"role": "reception_officer", "agency": "X99"},
        {"role": "department_officer", "agency": "H29.06.1", "department": "H29.06.TP"},
    ):
        assert client.post("/accounts/dieu.dong/assignment", json=wrong, headers=ADMIN).status_code == 422, wrong
    kiosk = client.post("/accounts/dieu.dong/assignment", json={"role": "kiosk", "agency": "H29.06"}, headers=ADMIN)
    assert kiosk.status_code == 422
    assert (
        client.post(
            "/accounts/dieu.dong/assignment", json={"role": "signer", "agency": "H29.06"}, headers=RECEPTION
        ).status_code
        == 403
    )
    labels = [e["label"] for e in client.get("/accounts/dieu.dong/history", headers=ADMIN).json()["entries"]]
    assert labels == ["Tạo tài khoản", "Đổi vai trò, đơn vị"]
