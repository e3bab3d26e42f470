"""Refused scans over HTTP (seed 002): recorded once per component with its reason, refused for a paper dossier or
an unknown component, and counted per unit and month in the digitization report."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from api.app import create_app
from tests.api.test_kiosk_api import COPY, STAFF
from tests.api.test_workday_api import RECEPTION, applicant, caught_up, receive


@pytest.fixture
def client(system):
    with TestClient(create_app(system)) as client:
        yield client


def test_a_refused_scan_of_an_online_dossier_is_recorded_once_and_counted_in_the_report(client, system) -> None:
    body = {"procedure_code": COPY, "applicant": applicant(), "components": [{"name": "Tờ khai", "form": "original"}]}
    online = client.post("/dossiers/online", json=body, headers=RECEPTION)
    assert online.status_code == 201, online.text
    code, paper = online.json()["code"], receive(client)
    path = f"/dossiers/{code}/scan-refusals"
    head = system.app.recorder.max_notification_id()
    for where, sent in (
        (path, {"component": "Giấy khác", "reason": "received_online"}),  # not a component of the dossier
        (path, {"component": "Tờ khai", "reason": "lazy"}),
        (f"/dossiers/{paper}/scan-refusals", {"component": "Tờ khai", "reason": "received_online"}),  # paper: scan it
    ):
        answer = client.post(where, json=sent, headers=RECEPTION)
        assert answer.status_code in (400, 422), answer.text
    assert system.app.recorder.max_notification_id() == head
    assert (
        client.post(path, json={"component": "Tờ khai", "reason": "received_online"}, headers=STAFF).status_code == 403
    )
    done = client.post(path, json={"component": "Tờ khai", "reason": "received_online"}, headers=RECEPTION)
    assert done.status_code == 201, done.text
    again = client.post(path, json={"component": "Tờ khai", "reason": "received_online"}, headers=RECEPTION)
    assert again.status_code == 422 and again.json()["error"] == "scan_refused_before"
    caught_up(client, system)
    report = client.get("/views/reports/month", params={"date": "2026-05-20"}, headers=STAFF).json()
    assert sum(row["online_scans_refused"] for row in report["digitization"]) == 1
    csv = client.get("/views/reports/month", params={"date": "2026-05-20", "format": "csv"}, headers=STAFF).text
    assert "Lượt từ chối sao chụp hồ sơ trực tuyến" in csv
