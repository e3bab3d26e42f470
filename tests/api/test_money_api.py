"""The money routes: refunds by method, electronic fee receipts, bank statement import and the reconciliation view."""

from __future__ import annotations

import base64

import pytest
from litestar.testing import TestClient

from api.app import create_app
from domain.clock import VIETNAM
from tests.api.test_kiosk_api import STAFF
from tests.api.test_workday_api import OTHER_AGENCY, RECEPTION, caught_up, receive
from tests.auth_support import bearer

AUDITOR = bearer("auditor", "auditor-1")


@pytest.fixture
def client(system):
    with TestClient(create_app(system)) as client:
        yield client


def pay(client: TestClient, code: str, method: str, amount: int) -> None:
    for path, body in (
        (f"/dossiers/{code}/fee", {"amount": 8000}),
        (f"/dossiers/{code}/payments", {"method": method, "amount": amount}),
    ):
        assert client.post(path, json=body, headers=RECEPTION).status_code == 201


def test_a_rejected_dossiers_fee_is_refunded_by_transfer_over_http_and_bad_bodies_change_nothing(
    client, system
) -> None:
    code = receive(client)
    pay(client, code, "cash", 8000)
    assert (
        client.post(f"/dossiers/{code}/reject", json={"reason": "Sai thẩm quyền"}, headers=RECEPTION).status_code == 201
    )
    head = system.app.recorder.max_notification_id()
    for body in ({"method": "cheque"}, {"method": "bank_transfer"}, {"method": "cash", "extra": 1}):
        answer = client.post(f"/money/dossiers/{code}/refunds", json=body, headers=RECEPTION)
        assert 400 <= answer.status_code < 500, answer.text
    assert system.app.recorder.max_notification_id() == head
    assert client.post(f"/money/dossiers/{code}/refunds", json={"method": "cash"}, headers=STAFF).status_code == 403
    done = client.post(
        f"/money/dossiers/{code}/refunds", json={"method": "bank_transfer", "bank_reference": "FT9"}, headers=RECEPTION
    )
    assert done.status_code == 201, done.text
    dossier = client.get(f"/dossiers/{code}", headers=RECEPTION).json()
    assert (dossier["paid"], dossier["fee"]) == (0, 0)
    caught_up(client, system)
    day = f"{system.clock.now().astimezone(VIETNAM):%Y-%m-%d}"
    params = {"from": day, "to": day, "format": "csv", "section": "refunds"}
    csv = client.get("/views/books/cash", params=params, headers=RECEPTION)
    assert csv.status_code == 200 and code in csv.text and "Chuyển khoản" in csv.text and "Hồ sơ bị từ chối" in csv.text


def test_fee_receipts_are_issued_read_cancelled_and_replaced_over_http(client, system) -> None:
    code = receive(client)
    pay(client, code, "cash", 8000)
    agency = code.rsplit("-", 2)[0]
    issued = client.post(f"/money/dossiers/{code}/fee-receipts", json={}, headers=RECEPTION)
    year = system.clock.now().astimezone(VIETNAM).year
    assert issued.status_code == 201 and issued.json()["receipts"] == [f"{year}/1"]
    answer = client.get(f"/money/fee-receipts/{agency}/{year}/1", headers=AUDITOR)
    assert answer.status_code == 200, answer.text
    receipt = answer.json()
    assert (receipt["number"], receipt["amount_in_words"], receipt["method"]) == (
        "0000001",
        "Tám nghìn đồng",
        "Tiền mặt",
    )
    assert client.get(f"/money/fee-receipts/{agency}/{year}/1", headers=OTHER_AGENCY).status_code == 403
    assert client.get(f"/money/fee-receipts/{agency}/{year}/9", headers=AUDITOR).status_code == 422
    replaced = client.post(
        f"/money/fee-receipts/{agency}/{year}/1/replace",
        headers=RECEPTION,
        json={"reason": "Sai nội dung", "content": "Lệ phí chứng thực", "amount": 8000},
    )
    assert replaced.status_code == 201 and replaced.json()["replaces"] == "0000001"
    assert client.get(f"/money/fee-receipts/{agency}/{year}/1", headers=RECEPTION).json()["status"] == "cancelled"


def statement(*lines: str) -> dict:
    text = "\ufeffNgày giao dịch,Số tham chiếu,Số tiền ghi có,Nội dung\n" + "\n".join(lines) + "\n"
    return {"content": base64.b64encode(text.encode()).decode()}


def test_a_statement_is_imported_once_and_the_reconciliation_view_lists_its_lines(client, system) -> None:
    code = receive(client)
    pay(client, code, "bank_qr", 8000)
    day = system.clock.now().astimezone(VIETNAM)
    lines = (f"{day:%d/%m/%Y},FT1,8000,{code.replace('-', '').lower()}", f"{day:%d/%m/%Y},FT2,5000,chuyen khoan")
    first = client.post("/money/statements", json=statement(*lines), headers=RECEPTION)
    assert first.status_code == 201, first.text
    assert (first.json()["imported"], first.json()["matched"], first.json()["unmatched"]) == (True, 1, 1)
    head = system.app.recorder.max_notification_id()
    again = client.post("/money/statements", json=statement(*lines), headers=RECEPTION)
    assert again.json()["imported"] is False and system.app.recorder.max_notification_id() == head
    bad = client.post("/money/statements", json=statement(*lines, "31/02/2026,FT3,abc,x"), headers=RECEPTION)
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_statement"
    assert [e["line"] for e in bad.json()["details"]["errors"]] == [4]
    assert system.app.recorder.max_notification_id() == head
    caught_up(client, system)
    period = {"from": f"{day:%Y-%m-%d}", "to": f"{day:%Y-%m-%d}"}
    view = client.get("/money/reconciliation", params=period, headers=RECEPTION).json()
    assert [ln["dossier_code"] for ln in view["matched"]] == [code] and [
        ln["bank_reference"] for ln in view["unmatched"]
    ] == ["FT2"]
    cash = client.get("/views/books/cash", params=period, headers=RECEPTION).json()
    assert [q["reconciled"] for q in cash["bank_qr"]] == [True]
    other = client.get("/money/reconciliation", params=period, headers=OTHER_AGENCY).json()
    assert other["matched"] == [] and other["totals"]["matched_lines"] == 0
    assert (
        client.get(
            "/money/reconciliation", params={"from": "2026-05-02", "to": "2026-05-01"}, headers=RECEPTION
        ).status_code
        == 422
    )


def test_a_kiosk_collection_over_http_splits_the_cash_by_department_into_the_cash_ledger(system, otp) -> None:
    from tests.api.test_kiosk_api import KIOSK, enrol_team, submit
    from tests.kiosk_support import Citizen

    enrol_team(system)
    with TestClient(create_app(system)) as client:
        assert (
            client.post(
                "/kiosks", json={"key": "Q6-01", "name": "Kiosk 24/7 Quận 6", "agency": "H29.06"}, headers=STAFF
            ).status_code
            == 201
        )
        barcodes = [f"Q6PB{n:06d}" for n in range(1, 3)]
        assert (
            client.post("/kiosks/Q6-01/envelope-batches", json={"barcodes": barcodes}, headers=STAFF).status_code == 201
        )
        codes = []
        for n, barcode in enumerate(barcodes):
            code = submit(client, otp, Citizen(n + 1), envelope=barcode).json()["dossier_code"]
            payment = {"method": "cash", "amount": 8000 + 2000 * n}
            assert (
                client.post(f"/kiosks/Q6-01/dossiers/{code}/payments", json=payment, headers=KIOSK).status_code == 201
            )
            codes.append(code)
        report = client.post("/kiosks/Q6-01/collections", json={"cash_counted": 18000}, headers=STAFF).json()
        assert sum(part["amount"] for part in report["by_department"]) == report["cash_expected"] == 18000
        assert sorted(c for part in report["by_department"] for c in part["dossiers"]) == sorted(codes)
        assert all(part["department_name"] for part in report["by_department"])
        caught_up(client, system)
        day = system.clock.now().astimezone(VIETNAM)
        ledger = client.get(
            "/views/books/cash", params={"from": f"{day:%Y-%m-%d}", "to": f"{day:%Y-%m-%d}"}, headers=STAFF
        ).json()
        assert [(d["department"], d["amount"]) for d in ledger["department_cash"]] == [
            (part["department"], part["amount"]) for part in report["by_department"]
        ]


def test_a_dossiers_receipts_are_listed_with_their_series_and_state(client, system) -> None:
    code = receive(client)
    pay(client, code, "cash", 8000)
    assert client.get(f"/money/dossiers/{code}/fee-receipts", headers=RECEPTION).json() == []
    client.post(f"/money/dossiers/{code}/fee-receipts", json={}, headers=RECEPTION)
    listed = client.get(f"/money/dossiers/{code}/fee-receipts", headers=RECEPTION)
    assert listed.status_code == 200, listed.text
    assert [(r["number"], r["amount"], r["status"]) for r in listed.json()] == [(1, 8000, "issued")]
    assert client.get(f"/money/dossiers/{code}/fee-receipts", headers=OTHER_AGENCY).status_code == 403
