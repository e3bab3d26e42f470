"""The auditors' API: histories as JSON and as a printable page, aggregates and read models as of an instant,
Vietnamese refusals of bad input (never a 5xx), and 403 for everyone but auditors (and reception officers reading a
dossier's history)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from api.app import create_app
from tests.application.test_kiosk_day import KIOSK_PROCEDURES, process, submit
from tests.auth_support import bearer
from tests.kiosk_support import STAFF, STAFF_ACTOR, Citizen, vn

DAY = datetime(2026, 5, 20).date()
AUDITOR = bearer("auditor", "kiemtra.an")
OTHER_AUDITOR = bearer("auditor", "kiemtra.q1", agency="H29.01")
RECEPTION = bearer("reception_officer", "motcua.lan")
CONSULTANT = bearer("consultant", "tuvan.tuan")
CLERK = bearer("department_officer", "clerk.hotich", department="H29.06.1.TPHT")
FEE = 8000  # KIOSK_PROCEDURES[0]


@pytest.fixture
def client(system):
    app = create_app(system)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def code(system, otp, catalogue, clock) -> str:
    """Kiosk Q6-01 installed at 08:00; a dossier submitted at 09:00 and paid in cash; the 14:00 collection; the
    result processed and loaded into tray 1 at 16:00; now it is 17:00."""
    kiosks = system.kiosks
    clock.current = vn(DAY, 8)
    kiosks.install_kiosk("Q6-01", name="Kiosk 24/7 UBND Quận 6", agency="H29.06", actor=STAFF_ACTOR)
    kiosks.register_envelopes("Q6-01", barcodes=["Q6PB000001"], actor=STAFF_ACTOR)
    clock.current = vn(DAY, 9)
    code = submit(kiosks, otp, catalogue, Citizen(0), KIOSK_PROCEDURES[0], "Q6PB000001", [("cash", FEE)])
    clock.current = vn(DAY, 14)
    kiosks.collect("Q6-01", cash_counted=FEE, collector=STAFF, actor=STAFF_ACTOR)
    clock.current = vn(DAY, 15)
    process(system.dossiers, [code], catalogue)
    clock.current = vn(DAY, 16)
    kiosks.load_results("Q6-01", [code], staff=STAFF, actor=STAFF_ACTOR)
    clock.current = vn(DAY, 17)
    return code


def at(hour: int, minute: int = 0) -> str:
    return quote(vn(DAY, hour, minute).isoformat())


def refused(response, status: int, error: str, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error and body["message_vi"], body
    if field:
        assert body["details"]["field"] == field


def test_a_dossiers_history_names_who_did_what_and_when(client: TestClient, code: str) -> None:
    for headers in (AUDITOR, RECEPTION):
        answer = client.get(f"/audit/dossier/{code}/history", headers=headers)
        assert answer.status_code == 200, answer.text
        entries = answer.json()["entries"]
        assert entries[0] | {"position": 0, "at": "", "recorded_at": ""} == {
            "position": 0,
            "version": 1,
            "type": "Dossier.Received",
            "label": "Tiếp nhận hồ sơ giấy",
            "summary": f"Hồ sơ {code} qua kiosk 24/7, thủ tục {KIOSK_PROCEDURES[0]}, "
            f"hẹn trả {entries[0]['summary'][-10:]}",
            "account_id": "kiosk-Q6-01",
            "role": "kiosk",
            "role_label": "Kiosk",
            "at": "",
            "recorded_at": "",
        }
        assert entries[0]["at"].startswith("2026-05-20T02:00:00") and entries[-1]["label"] == "Yêu cầu gửi thông báo"
    page = client.get(f"/audit/dossier/{code}/history?format=html", headers=AUDITOR)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f"LỊCH SỬ HỒ SƠ {code}" in page.text and "Nạp kết quả vào khay" in page.text
    assert Citizen(0).name not in page.text and Citizen(0).id_number not in page.text


def test_state_and_read_models_as_of_instants_of_the_day(client: TestClient, code: str) -> None:
    def as_of(path: str, when: str) -> dict:
        answer = client.get(f"{path}{'&' if '?' in path else '?'}at={when}", headers=AUDITOR)
        assert answer.status_code == 200, answer.text
        return answer.json()

    assert as_of(f"/audit/dossier/{code}/as-of", at(10))["state"]["status"] == "received"
    assert as_of(f"/audit/dossier/{code}/as-of", at(16, 5))["state"]["status"] == "in_tray"
    assert as_of("/audit/kiosk/Q6-01/as-of", at(13, 59))["state"]["cash_expected"] == FEE
    assert as_of("/audit/kiosk/Q6-01/as-of", at(14))["state"]["bin"] == []
    assert as_of("/audit/tray/Q6-01:1/as-of", at(16, 5))["state"]["dossier_code"] == code
    assert as_of("/audit/views/cash-box/as-of?kiosk=Q6-01", at(13, 59))["data"]["cash_in_box"] == FEE
    assert as_of("/audit/views/cash-box/as-of?kiosk=Q6-01", at(14))["data"]["last_collection"]["cash_counted"] == FEE
    trays = as_of("/audit/views/trays/as-of?kiosk=Q6-01", at(16, 5))["data"]
    assert len(trays) == 90 and [(t["tray"], t["dossier_code"]) for t in trays if t["status"] == "loaded"] == [
        (1, code)
    ]
    assert all(t["status"] == "empty" for t in as_of("/audit/views/trays/as-of?kiosk=Q6-01", at(15, 59))["data"])
    queues = as_of("/audit/views/queues/as-of", at(10))["data"]
    assert queues["kiosk_bin"] == 1 and queues["ready_for_pickup"] == 0
    assert as_of("/audit/views/queues/as-of", at(16, 5))["data"]["ready_for_pickup"] == 1
    assert as_of("/audit/views/overdue/as-of?kiosk=Q6-01", at(16, 5))["data"]["free_trays"] == 89


def test_only_auditors_of_the_agency_may_look(client: TestClient, code: str) -> None:
    refused(client.get(f"/audit/dossier/{code}/history", headers=CLERK), 403, "forbidden")
    refused(client.get(f"/audit/dossier/{code}/history", headers=OTHER_AUDITOR), 403, "forbidden")
    refused(client.get("/audit/kiosk/Q6-01/history", headers=RECEPTION), 403, "forbidden")
    refused(client.get("/audit/kiosk/Q6-01/history", headers=OTHER_AUDITOR), 403, "forbidden")
    refused(client.get(f"/audit/dossier/{code}/as-of?at={at(10)}", headers=RECEPTION), 403, "forbidden")
    refused(client.get(f"/audit/views/trays/as-of?kiosk=Q6-01&at={at(10)}", headers=CONSULTANT), 403, "forbidden")
    refused(client.get(f"/audit/views/trays/as-of?kiosk=Q6-01&at={at(10)}", headers=OTHER_AUDITOR), 403, "forbidden")
    refused(client.get("/audit/kiosk/Q6-01/history"), 401, "unauthenticated")
    assert client.get("/audit/kiosk/Q6-01/history", headers=AUDITOR).json()["entries"][0]["label"] == "Lắp đặt kiosk"


def test_bad_input_is_refused_with_a_vietnamese_reason(client: TestClient, code: str, system) -> None:
    before = system.app.recorder.max_notification_id()
    refused(client.get("/audit/truck/Q6-01/history", headers=AUDITOR), 422, "invalid_value", "kind")
    refused(client.get("/audit/tray/Q6-01/history", headers=AUDITOR), 422, "invalid_value", "key")
    refused(client.get(f"/audit/dossier/{code}/history?format=pdf", headers=AUDITOR), 422, "invalid_value", "format")
    refused(client.get(f"/audit/dossier/{code}/as-of?at=2026-05-20T16:05", headers=AUDITOR), 422, "invalid_value", "at")
    refused(
        client.get(f"/audit/dossier/{code}/as-of?at={at(18)}", headers=AUDITOR), 422, "invalid_value", "at"
    )  # future
    refused(client.get(f"/audit/dossier/{code}/as-of?at={at(8)}", headers=AUDITOR), 404, "not_yet_existing")
    refused(client.get("/audit/dossier/H29.06-260520-0999/history", headers=AUDITOR), 404, "not_found")
    refused(client.get("/audit/kiosk/Q6-99/as-of?at=" + at(10), headers=AUDITOR), 404, "not_found")
    refused(client.get(f"/audit/views/books/as-of?at={at(10)}", headers=AUDITOR), 422, "invalid_value", "model")
    refused(client.get(f"/audit/views/trays/as-of?at={at(10)}", headers=AUDITOR), 422, "invalid_value", "kiosk")
    refused(client.get(f"/audit/views/trays/as-of?kiosk=q6&at={at(10)}", headers=AUDITOR), 422, "invalid_value")
    assert (
        client.get(f"/audit/views/trays/as-of?kiosk=Q6-01&at={at(18)}", headers=AUDITOR).json()["message_vi"]
        == "at: thời điểm 18:00 20/05/2026 còn ở tương lai"
    )
    assert system.app.recorder.max_notification_id() == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(["dossier", "kiosk", "tray", "vault", "views"]),
    key=st.text(min_size=1, max_size=20),
    instant=st.text(max_size=30),
)
def test_no_input_gives_a_server_error(client: TestClient, kind: str, key: str, instant: str) -> None:
    path = f"/audit/{kind}/{quote(key, safe='')}"
    for url in (f"{path}/history", f"{path}/as-of?at={quote(instant)}"):
        assert client.get(url, headers=AUDITOR).status_code < 500, url
