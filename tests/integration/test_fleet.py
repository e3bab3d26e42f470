"""The kiosk fleet: heartbeats and the kiosk's containers give its health; each problem alerts the team once per
crossing (SQLite and PostgreSQL read stores)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.kiosk_wire import Heartbeat
from domain.values import Actor, Role
from infrastructure.fleet import Fleet, FleetStore, Thresholds
from infrastructure.fleet.process import kiosk_view

STAFF = Actor(account_id="tuvan", role=Role.CONSULTANT)
T0 = datetime(2026, 5, 20, 1, 0, tzinfo=UTC)


@pytest.fixture
def fleet(system):
    system.kiosks.install_kiosk("Q6-01", name="Kiosk Quận 6", agency="H29.06", actor=STAFF, tray_count=10)
    system.kiosks.install_kiosk("Q1-01", name="Kiosk Quận 1", agency="H29.01", actor=STAFF, tray_count=10)
    written = system.kiosks.register_envelopes("Q6-01", barcodes=[f"Q6PB{n:06d}" for n in range(1, 31)], actor=STAFF)
    assert system.read_side.wait_for(written.position, "trays", 30)
    sent: list[tuple[str, str]] = []
    thresholds = Thresholds(offline_after=60, min_envelopes=20, max_cash=1_000_000, min_free_trays=5, max_outbox=10)
    return Fleet(
        FleetStore(system.projector.store),
        kiosk_view(system.kiosks),
        thresholds,
        lambda kiosk, text: sent.append((kiosk, text)),
    ), sent


def beat(at: datetime, kiosk: str = "Q6-01", backlog: int = 0, faults: list[int] | None = None) -> Heartbeat:
    return Heartbeat(kiosk=kiosk, at=at, outbox_backlog=backlog, door_faults=faults or [])


def test_a_kiosk_with_a_recent_heartbeat_is_online_and_shows_its_containers(fleet) -> None:
    monitor, _ = fleet
    monitor.store.record(beat(T0, backlog=3), T0)
    health = {h.kiosk: h for h in monitor.health(T0 + timedelta(seconds=30))}
    q6 = health["Q6-01"]
    assert (q6.online, q6.last_seen, q6.outbox_backlog, q6.unused_envelopes, q6.free_trays) == (True, T0, 3, 30, 10)
    assert q6.problems == [] and health["Q1-01"].online is False and health["Q1-01"].last_seen is None


def test_a_kiosk_is_offline_once_its_last_heartbeat_is_older_than_the_bound(fleet) -> None:
    monitor, _ = fleet
    monitor.store.record(beat(T0), T0)
    assert [h.online for h in monitor.health(T0 + timedelta(seconds=60), within=lambda agency: agency == "H29.06")] == [
        True
    ]
    assert [h.online for h in monitor.health(T0 + timedelta(seconds=61), within=lambda agency: agency == "H29.06")] == [
        False
    ]


def test_each_problem_alerts_once_per_crossing(fleet) -> None:
    monitor, sent = fleet
    monitor.store.record(beat(T0, faults=[7]), T0)
    first = monitor.check(T0)
    assert first == [("Q1-01", "envelopes_low"), ("Q1-01", "offline"), ("Q6-01", "door_fault")]
    assert ("Q6-01", "lỗi cửa khay 7") in sent
    assert monitor.check(T0 + timedelta(seconds=15)) == []  # still wrong: no second alert
    monitor.store.record(beat(T0 + timedelta(seconds=20)), T0 + timedelta(seconds=20))  # the door is fixed
    assert monitor.check(T0 + timedelta(seconds=30)) == []
    assert monitor.check(T0 + timedelta(seconds=81)) == [("Q6-01", "offline")]  # a new crossing
    monitor.store.record(beat(T0 + timedelta(seconds=90), faults=[7]), T0 + timedelta(seconds=90))
    assert monitor.check(T0 + timedelta(seconds=95)) == [("Q6-01", "door_fault")]  # the same fault, again: alerted
    assert len(sent) == 5


def test_a_late_older_heartbeat_does_not_replace_the_newer_one(fleet) -> None:
    monitor, _ = fleet
    monitor.store.record(beat(T0 + timedelta(seconds=10), backlog=1), T0 + timedelta(seconds=10))
    monitor.store.record(beat(T0, backlog=99), T0 + timedelta(seconds=11))
    assert [
        h.outbox_backlog for h in monitor.health(T0 + timedelta(seconds=12), within=lambda agency: agency == "H29.06")
    ] == [1]


def test_a_heartbeat_of_a_kiosk_never_installed_shows_nothing(fleet) -> None:
    monitor, _ = fleet
    monitor.store.record(beat(T0, kiosk="Q9-99"), T0)
    assert "Q9-99" not in {h.kiosk for h in monitor.health(T0)}


def test_the_fleet_view_shows_the_kiosks_of_the_callers_agency_only(fleet, system) -> None:
    from litestar.testing import TestClient

    from api.app import create_app
    from tests.auth_support import bearer

    monitor, _ = fleet
    monitor.store.record(beat(system.clock.now()), system.clock.now())
    with TestClient(create_app(system)) as client:
        district = client.get("/views/kiosks/fleet", headers=bearer("consultant", "tuvan", agency="H29.06"))
        other = client.get("/views/kiosks/fleet", headers=bearer("consultant", "tuvan.q1", agency="H29.01"))
        citizen_desk = client.get("/views/kiosks/fleet", headers=bearer("reception_officer", "tiepnhan"))
    assert district.status_code == 200 and [(k["kiosk"], k["online"]) for k in district.json()] == [("Q6-01", True)]
    assert [k["kiosk"] for k in other.json()] == ["Q1-01"] and other.json()[0]["problems"][0] == "offline"
    assert citizen_desk.status_code == 403
