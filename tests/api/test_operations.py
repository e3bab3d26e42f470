"""/metrics (not public; series per route template that move with the traffic), request ids, /health/live and /ready."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from litestar.testing import TestClient
from msgspec.structs import replace

from api.app import create_app
from infrastructure.scheduler.jobs import Run
from infrastructure.scheduler.wiring import scheduler_ledger
from tests.api.test_kiosk_api import COPY, KIOSK, STAFF, enrol_team, submit
from tests.auth_support import bearer
from tests.kiosk_support import Citizen

ADMIN = bearer("administrator", "quantri")
SCRAPER_TOKEN = "scrape-token-0123456789abcdef-0123456789"


@pytest.fixture
def client(system, tmp_path):
    system.settings = replace(system.settings, metrics_token=SCRAPER_TOKEN, data_dir=tmp_path)
    enrol_team(system)
    with TestClient(create_app(system)) as client:
        assert (
            client.post(
                "/kiosks", json={"key": "Q6-01", "name": "Kiosk 24/7 Quận 6", "agency": "H29.06"}, headers=STAFF
            ).status_code
            == 201
        )
        assert (
            client.post(
                "/kiosks/Q6-01/envelope-batches", json={"barcodes": ["Q6PB000001", "Q6PB000002"]}, headers=STAFF
            ).status_code
            == 201
        )
        yield client


def value(text: str, name: str, **labels: str) -> float:
    """The sample `name{labels}` of an exposition (0 when absent)."""
    for line in text.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if match and match[1] == name:
            found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match[2] or ""))
            if all(found.get(k) == v for k, v in labels.items()):
                return float(match[3])
    return 0.0


def scrape(client: TestClient) -> str:
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {SCRAPER_TOKEN}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


def test_metrics_are_refused_to_anonymous_callers_staff_and_a_wrong_scraper_token(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer not-the-scraper-token"}).status_code == 401
    assert client.get("/metrics", headers=STAFF).status_code == 403
    assert client.get("/metrics", headers=KIOSK).status_code == 403
    assert client.get("/metrics", headers=ADMIN).status_code == 200


def test_no_scraper_token_configured_means_administrators_only(client: TestClient, system) -> None:
    system.settings = replace(system.settings, metrics_token="")
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401
    assert client.get("/metrics", headers=ADMIN).status_code == 200


def test_request_series_move_per_route_template_and_never_name_a_dossier(client: TestClient, otp) -> None:
    before = scrape(client)
    submitted = submit(client, otp, Citizen(7), COPY)
    assert submitted.status_code == 201, submitted.text
    code = submitted.json()["dossier_code"]
    for _ in range(3):
        assert client.get(f"/dossiers/{code}", headers=bearer("reception_officer", "tiepnhan")).status_code == 200
    refused = submit(client, otp, Citizen(8), COPY, envelope="Q6PB000001")  # the envelope is used already
    assert refused.status_code == 422, refused.text
    after = scrape(client)
    route = "/dossiers/{code}"
    assert (
        value(after, "motcua_http_requests_total", method="GET", route=route, status="200")
        - value(before, "motcua_http_requests_total", method="GET", route=route, status="200")
        == 3
    )
    assert value(after, "motcua_http_request_duration_seconds_count", method="GET", route=route) >= 3
    submissions = "POST /kiosks/{key}/submissions"
    assert value(after, "motcua_commands_total", command=submissions, outcome="done") == 1
    assert value(after, "motcua_commands_total", command=submissions, outcome="refused") == 1
    assert value(after, "motcua_command_refusals_total", command=submissions, reason=refused.json()["error"]) == 1
    assert code not in after and "Q6PB" not in after


def test_store_derived_series_are_in_every_scrape(client: TestClient, system, tmp_path) -> None:
    ledger = scheduler_ledger(system.settings)  # the scheduler process's ledger, read by the API at scrape time
    at = datetime(2026, 5, 20, 1, 0, tzinfo=UTC)
    ledger.record(Run(job="collection_morning", scheduled_for=at), lambda: "done", lambda: at)
    text = scrape(client)
    for model in system.read_side.model_names():
        assert f'motcua_read_model_lag_events{{model="{model}"}}' in text
    assert "motcua_notifications_queued " in text and "motcua_notification_failures_total " in text
    assert value(text, "motcua_scheduler_runs_total", job="collection_morning", outcome="done") == 1


def test_kiosk_heartbeats_show_as_backlog_and_age(client: TestClient, system) -> None:
    from domain.kiosk_wire import Heartbeat
    from infrastructure.fleet import FleetStore

    now = system.clock.now()
    FleetStore(system.projector.store).record(Heartbeat(kiosk="Q6-01", at=now, outbox_backlog=7), now)
    text = scrape(client)
    assert value(text, "motcua_kiosk_heartbeat_outbox_backlog", kiosk="Q6-01") == 7
    assert 'motcua_kiosk_heartbeat_age_seconds{kiosk="Q6-01"}' in text


def test_a_kiosk_reports_its_outbox_depth_and_only_for_itself(client: TestClient) -> None:
    assert client.get("/health", headers=KIOSK | {"X-Kiosk-Outbox-Depth": "4"}).status_code == 200
    client.post(
        "/kiosks/Q6-01/envelopes/check", json={"barcode": "Q6PB000002"}, headers=KIOSK | {"X-Kiosk-Outbox-Depth": "12"}
    )
    client.post(
        "/kiosks/Q6-01/envelopes/check", json={"barcode": "Q6PB000002"}, headers=STAFF | {"X-Kiosk-Outbox-Depth": "999"}
    )  # staff are not a kiosk: ignored
    assert value(scrape(client), "motcua_kiosk_outbox_depth", kiosk="Q6-01") == 12


@pytest.mark.parametrize(("sent", "kept"), [("abc-123", True), ("x" * 129, False), ("a b", False), ("é", False)])
def test_a_request_id_is_echoed_when_acceptable_and_made_otherwise(client: TestClient, sent: str, kept: bool) -> None:
    answer = client.get("/health", headers={"X-Request-ID": sent.encode()})
    assert (answer.headers["X-Request-ID"] == sent) is kept
    assert re.fullmatch(r"[A-Za-z0-9._:/+=@-]{1,128}", answer.headers["X-Request-ID"])


def test_every_answer_names_a_request_id_unknown_paths_included(client: TestClient) -> None:
    first, second = client.get("/no/such/page"), client.get("/health")
    assert first.status_code == 404 and first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_liveness_checks_nothing_and_readiness_checks_the_stores(client: TestClient) -> None:
    assert client.get("/health/live").json() == {"status": "ok"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"event_store": "ok", "read_store": "ok", "read_model_lag": "ok"}
    assert client.get("/health").json()["status"] == "ok"  # unchanged for the clients that use it


def test_readiness_fails_while_a_read_model_is_behind_the_bound(client: TestClient, system, otp) -> None:
    system.projector.stop()
    system.settings = replace(system.settings, ready_max_lag=0)
    assert submit(client, otp, Citizen(9), COPY).status_code == 201  # the stopped runner does not see it
    ready = client.get("/health/ready")
    assert ready.status_code == 503 and ready.json()["status"] == "not_ready"
    assert ready.json()["checks"]["read_model_lag"].startswith("over 0 events")
    assert client.get("/health/live").status_code == 200
