"""A dossier's notifications and contact channels over HTTP: chosen at receipt, changed by an officer, and the
messages listed with step, channel and status (no address, no text)."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from api.app import create_app
from tests.api.test_kiosk_api import COPY
from tests.api.test_workday_api import OTHER_AGENCY, RECEPTION, applicant, caught_up


@pytest.fixture
def client(system):
    with TestClient(create_app(system)) as client:
        yield client


def test_channels_chosen_at_receipt_are_used_and_the_messages_are_listed(client, system) -> None:
    body = {
        "procedure_code": COPY,
        "channel": "counter",
        "applicant": applicant(),
        "components": [{"name": "Tờ khai", "form": "original", "count": 1}],
        "channels": ["zalo"],
    }
    answer = client.post("/dossiers", json=body, headers=RECEPTION)
    assert answer.status_code == 201, answer.text
    code = answer.json()["code"]
    now = system.clock.now()
    assert system.notifications.follow_requests(now) == 1 and system.notifications.dispatch_due(now) == 1
    caught_up(client, system)
    listed = client.get(f"/dossiers/{code}/notifications", headers=RECEPTION)
    assert listed.status_code == 200, listed.text
    [line] = listed.json()
    assert (line["step"], line["template"], line["channel"], line["status"], line["attempts"]) == (
        "received",
        "received.v1",
        "zalo",
        "sent",
        1,
    )
    assert applicant()["phone"] not in listed.text
    assert client.get(f"/dossiers/{code}/notifications", headers=OTHER_AGENCY).status_code == 403


def test_an_officer_changes_the_channels_and_bad_choices_change_nothing(client, system) -> None:
    body = {
        "procedure_code": COPY,
        "channel": "counter",
        "applicant": applicant(),
        "components": [{"name": "Tờ khai", "form": "original", "count": 1}],
    }
    code = client.post("/dossiers", json=body, headers=RECEPTION).json()["code"]
    head = system.app.recorder.max_notification_id()
    for bad in ({"channels": ["fax"]}, {"channels": []}, {"channels": ["email"]}, {"channels": ["sms"], "x": 1}):
        refused = client.post(f"/dossiers/{code}/channels", json=bad, headers=RECEPTION)
        assert 400 <= refused.status_code < 500, (bad, refused.text)
    assert system.app.recorder.max_notification_id() == head
    assert (
        client.post(f"/dossiers/{code}/channels", json={"channels": ["sms"]}, headers=OTHER_AGENCY).status_code == 403
    )
    changed = client.post(f"/dossiers/{code}/channels", json={"channels": ["zalo", "sms"]}, headers=RECEPTION)
    assert changed.status_code == 201, changed.text
    dossier = client.get(f"/dossiers/{code}", headers=RECEPTION).json()
    assert dossier["contact_channels"] == ["zalo", "sms"]
