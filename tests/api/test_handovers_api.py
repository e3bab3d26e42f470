"""Handovers over HTTP bound to real accounts: the giver is the caller, the receiver an active account in scope who
confirms on their own login; every refusal names its reason and records nothing."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from api.app import create_app
from domain.kiosk import kiosk_id
from tests.api.test_dossier_api import BODY
from tests.auth_support import bearer, enrol

RECEPTION = bearer("reception_officer", "tiepnhan.lan")
TEAM = bearer("consultant", "tuvan.tuan")
OTHER_TEAM = bearer("consultant", "tuvan.hoa")
ACCOUNTS = [  # (username, role, agency, department, enabled)
    ("tiepnhan.lan", "reception_officer", "H29.06", None, True),
    ("tuvan.tuan", "consultant", "H29.06", None, True),
    ("tuvan.hoa", "consultant", "H29.06", None, True),
    ("hotich.hai", "department_officer", "H29.06", "H29.06.1.TPHT", True),
    ("congan.long", "police_officer", "H29.06", "H29.06.CA.QLHC", True),
    ("tuvan.nghi", "consultant", "H29.06", None, False),
    ("tuvan.q7", "consultant", "H29.07", None, True),
    ("kiemtra.mai", "auditor", "H29.06", None, True),
]
NAMES = {"tiepnhan.lan": "Phạm Thị Lan", "tuvan.tuan": "Trần Minh Tuấn"}


@pytest.fixture
def client(system):
    for username, role, agency, department, enabled in ACCOUNTS:
        enrol(
            system.accounts,
            username,
            role,
            name=NAMES.get(username),
            agency=agency,
            department=department,
            enabled=enabled,
        )
    with TestClient(create_app(system)) as client:
        client.headers.update(RECEPTION)
        yield client


def received(client: TestClient) -> str:
    return client.post("/dossiers", json=BODY).json()["code"]


def events(client: TestClient) -> int:
    return client.get("/health").json()["events"]


def hand_over(client: TestClient, code: str, receiver, **extra) -> object:
    return client.post(f"/dossiers/{code}/handovers", json={"item": "Hồ sơ giấy", "receiver": receiver, **extra})


def handovers_in_history(client: TestClient, code: str) -> list[dict]:
    return [e["data"] for e in client.get(f"/dossiers/{code}/history").json() if e["type"] == "HandedOver"]


def test_the_receiver_list_holds_active_staff_in_scope_who_can_take_the_dossier(client: TestClient) -> None:
    listed = client.get(f"/dossiers/{received(client)}/handover-receivers").json()
    assert [(r["account_id"], r["role"]) for r in listed] == [
        ("hotich.hai", "department_officer"),
        ("tuvan.hoa", "consultant"),
        ("tuvan.tuan", "consultant"),
    ]
    assert listed[2]["name"] == "Trần Minh Tuấn" and listed[2]["unit"]


@pytest.mark.parametrize(
    "receiver, reason",
    [
        ("khong.ton.tai", "receiver_unknown"),
        ("tuvan.nghi", "receiver_disabled"),
        ("tuvan.q7", "receiver_out_of_scope"),
        ("congan.long", "receiver_out_of_scope"),
        ("kiemtra.mai", "receiver_not_staff"),
    ],
)
def test_a_receiver_that_cannot_take_the_dossier_is_refused_with_the_reason(
    client: TestClient, receiver, reason
) -> None:
    code = received(client)
    before = events(client)
    refused = hand_over(client, code, receiver)
    assert refused.status_code == 422 and refused.json()["error"] == reason, refused.text
    assert refused.json()["message_vi"].startswith(f"Người nhận {receiver}")
    assert events(client) == before


INVENTED = {"account_id": "ai.do", "name": "Người Bịa", "role": "consultant", "unit": "Tổ tư vấn"}


@pytest.mark.parametrize(
    "body",
    [
        {
            "item": "Hồ sơ giấy",
            "giver": {**INVENTED, "account_id": "tuvan.hoa"},
            "receiver": INVENTED,
        },  # the old free text
        {"item": "Hồ sơ giấy", "receiver": "tuvan.tuan", "giver": {**INVENTED, "account_id": "tuvan.hoa"}},
    ],
)
def test_typed_parties_are_refused_and_nothing_is_recorded(client: TestClient, body) -> None:
    code = received(client)
    before = events(client)
    assert client.post(f"/dossiers/{code}/handovers", json=body).status_code == 400
    assert events(client) == before


def test_the_giver_is_always_the_caller(client: TestClient) -> None:
    code = received(client)
    assert hand_over(client, code, "tuvan.tuan").status_code == 201
    [line] = handovers_in_history(client, code)
    assert line["giver"]["account_id"] == "tiepnhan.lan" and line["giver"]["role"] == "reception_officer"
    assert line["receiver"] == {**line["receiver"], "account_id": "tuvan.tuan", "name": "Trần Minh Tuấn"}
    assert client.get(f"/dossiers/{code}").json()["holder"]["account_id"] == "tuvan.tuan"


def test_only_the_receiver_confirms_and_only_once(client: TestClient) -> None:
    code = received(client)
    assert hand_over(client, code, "tuvan.tuan").status_code == 201
    before = events(client)
    for caller in (RECEPTION, OTHER_TEAM):
        refused = client.post(f"/dossiers/{code}/handovers/1/confirm", json={}, headers=caller)
        assert refused.status_code == 403 and refused.json()["error"] == "not_the_receiver"
    missing = client.post(f"/dossiers/{code}/handovers/2/confirm", json={}, headers=TEAM)
    assert missing.status_code == 422 and events(client) == before
    assert client.get(f"/dossiers/{code}").json()["unconfirmed_handovers"] == [{"line": 1, "receiver": "tuvan.tuan"}]
    assert client.post(f"/dossiers/{code}/handovers/1/confirm", json={}, headers=TEAM).status_code == 201
    assert client.get(f"/dossiers/{code}").json()["unconfirmed_handovers"] == []
    again = client.post(f"/dossiers/{code}/handovers/1/confirm", json={}, headers=TEAM)
    assert again.status_code == 409 and again.json()["error"] == "handover_already_confirmed"


def test_a_batch_goes_to_one_receiver_who_confirms_it_at_once(client: TestClient) -> None:
    codes = [received(client), received(client)]
    batch = {"codes": codes, "item": "Phong bì", "receiver": "tuvan.tuan"}
    assert client.post("/kiosks/handovers", json=batch, headers=TEAM).status_code == 422  # to oneself
    assert (
        client.post("/kiosks/handovers", json={**batch, "receiver": "congan.long"}).json()["error"]
        == "receiver_out_of_scope"
    )
    assert client.post("/kiosks/handovers", json={**batch, "giver": {"account_id": "x"}}).status_code == 400
    assert client.post("/kiosks/handovers", json=batch).status_code == 201
    before = events(client)
    refused = client.post("/kiosks/handovers/confirmations", json={"codes": codes}, headers=OTHER_TEAM)
    assert refused.status_code == 403 and events(client) == before
    assert client.post("/kiosks/handovers/confirmations", json={"codes": codes}, headers=TEAM).status_code == 201
    assert events(client) == before + 2
    for code in codes:
        assert [line["giver"]["account_id"] for line in handovers_in_history(client, code)] == ["tiepnhan.lan"]


def test_pull_back_receivers_are_accounts_of_the_kiosk_agency_and_typed_parties_are_refused(client: TestClient) -> None:
    assert (
        client.post(
            "/kiosks", json={"key": "Q6-01", "name": "Kiosk 24/7 Quận 6", "agency": "H29.06"}, headers=TEAM
        ).status_code
        == 201
    )
    before = events(client)
    url = "/kiosks/Q6-01/overdue/pull-back"
    typed = {"staff": INVENTED, "one_stop": INVENTED, "police": {**INVENTED, "role": "police_officer"}}  # the old body
    assert client.post(url, json=typed, headers=TEAM).status_code == 400
    refused = client.post(url, json={"one_stop": "tiepnhan.lan", "police": "khong.ton.tai"}, headers=TEAM)
    assert refused.status_code == 422 and refused.json()["error"] == "receiver_unknown"
    outside = client.post(url, json={"one_stop": "tuvan.q7", "police": "congan.long"}, headers=TEAM)
    assert outside.status_code == 422 and outside.json()["error"] == "receiver_out_of_scope"
    assert events(client) == before
    assert client.post(url, json={"one_stop": "tiepnhan.lan", "police": "congan.long"}, headers=TEAM).json() == []


def test_collections_and_loads_are_recorded_as_the_caller_and_a_typed_collector_is_refused(
    client: TestClient, system
) -> None:
    assert (
        client.post(
            "/kiosks", json={"key": "Q6-01", "name": "Kiosk 24/7 Quận 6", "agency": "H29.06"}, headers=TEAM
        ).status_code
        == 201
    )
    before = events(client)
    typed = client.post("/kiosks/Q6-01/collections", json={"cash_counted": 0, "collector": INVENTED}, headers=TEAM)
    loads = client.post("/kiosks/Q6-01/loads", json={"codes": [received(client)], "staff": INVENTED}, headers=TEAM)
    assert typed.status_code == 400 and loads.status_code == 400 and events(client) == before + 1  # + the dossier
    assert client.post("/kiosks/Q6-01/collections", json={"cash_counted": 0}, headers=TEAM).status_code == 201
    collected = list(system.app.events.get(kiosk_id("Q6-01")))[-1]
    assert (collected.collector.account_id, collected.collector.name) == ("tuvan.tuan", "tuvan.tuan")
