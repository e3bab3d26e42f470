"""Officer queues, the tray grid and the overdue list over HTTP, with read-your-writes."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from api.app import create_app
from tests.api.test_kiosk_api import CLERK, STAFF, enrol_team, submit
from tests.auth_support import bearer
from tests.kiosk_support import Citizen


@pytest.fixture
def client(system):
    with TestClient(create_app(system)) as client:
        client.headers.update(bearer("auditor", "auditor-1"))
        client.post("/kiosks", json={"key": "Q6-01", "name": "Kiosk 24/7 Quận 6", "agency": "H29.06"}, headers=STAFF)
        client.post(
            "/kiosks/Q6-01/envelope-batches", json={"barcodes": [f"Q6PB{n:06d}" for n in range(1, 11)]}, headers=STAFF
        )
        enrol_team(system)  # after the kiosk: tests wait for the kiosk's first positions
        yield client


def test_a_dossier_moves_through_the_queues(client: TestClient, otp) -> None:
    submitted = submit(client, otp, Citizen(3)).json()
    code, position = submitted["dossier_code"], submitted["position"]
    counts = client.get("/views/queues", params={"after": position}).json()
    assert counts["kiosk_bin"] == 1
    collected = client.post("/kiosks/Q6-01/collections", json={"cash_counted": 0}, headers=STAFF).json()
    department = collected["envelopes"][0]["department"]
    moved = client.post(
        "/kiosks/handovers", json={"codes": [code], "item": "Phong bì", "receiver": "officer.tp"}, headers=STAFF
    ).json()
    page = client.get("/views/queues/to_accept", params={"after": moved["position"], "department": department}).json()
    assert [item["code"] for item in page["items"]] == [code] and page["total"] == 1
    assert page["items"][0]["applicant"] != Citizen(3).name and page["items"][0]["days_left"] >= 0
    accepted = client.post(f"/dossiers/{code}/accept", json={}, headers=CLERK).json()
    routed = client.post(f"/dossiers/{code}/route", json={"department": department}, headers=CLERK).json()
    assert routed["position"] > accepted["position"]
    processing = client.get("/views/queues/in_processing", params={"after": routed["position"]}).json()
    assert processing["items"][0]["code"] == code and processing["items"][0]["overdue"] is False
    assert client.get("/views/queues/to_accept", params={"after": routed["position"]}).json()["total"] == 0


def test_tray_grid_and_overdue_list_come_from_the_read_models(client: TestClient) -> None:
    grid = client.get("/views/kiosks/Q6-01/trays", params={"after": 1}).json()
    assert len(grid) == 90 and {t["status"] for t in grid} == {"empty"}
    overdue = client.get("/views/kiosks/Q6-01/overdue", params={"after": 1}).json()
    assert overdue == {**overdue, "kiosk_full": False, "free_trays": 90, "items": []}


def test_lag_and_wait_answer_for_each_read_model(client: TestClient, system) -> None:
    head = client.get("/health").json()["events"]
    waited = client.get("/views/trays/wait", params={"position": head})
    assert waited.status_code == 200 and waited.json()["caught_up"] is True
    lags = {lag["name"]: lag for lag in client.get("/views/lag").json()}
    assert set(lags) >= {"dossiers", "trays"} and all(lag["head"] == head for lag in lags.values())
    assert client.get("/views/nope/wait", params={"position": 1}).status_code == 404
    beyond = client.get("/views/trays/wait", params={"position": head + 1000, "timeout": 0.2})
    assert beyond.status_code == 400 and "beyond the end" in beyond.json()["message"]
    system.projector.stop()  # the runner is down: a new write stays unprocessed
    written = client.post("/kiosks/Q6-01/envelope-batches", json={"barcodes": ["Q6PB999999"]}, headers=STAFF).json()
    behind = client.get("/views/trays/wait", params={"position": written["position"], "timeout": 0.2})
    assert behind.status_code == 503 and behind.headers["retry-after"] == "1"
    new_head = client.get("/health").json()["events"]  # the kiosk and the envelope's own aggregate
    assert new_head > head
    assert {lag["name"]: lag for lag in client.get("/views/lag").json()}["trays"]["events_behind"] == new_head - head


@pytest.mark.parametrize(
    "path",
    [
        "/views/queues/nope",
        "/views/queues/in_processing?page=0",
        "/views/queues/in_processing?order=drop",
        "/views/queues/in_processing?page_size=1000",
    ],
)
def test_bad_queue_requests_are_refused_clearly(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code in (400, 404) and answer.json()["message"]
