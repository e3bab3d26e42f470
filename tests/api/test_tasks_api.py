"""The day's tasks over HTTP: routines with their status for the caller's agency, and the open follow-ups."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from litestar.testing import TestClient

from api.app import create_app
from domain.dossier import ContactOutcome
from domain.follow_up import FollowUp
from domain.values import Actor, Role
from tests.api.test_kiosk_api import STAFF, enrol_team
from tests.api.test_workday_api import OTHER_AGENCY, RECEPTION, caught_up, receive
from tests.auth_support import bearer

DAY = date(2026, 5, 20)
OTHER_CREW = bearer("consultant", "tuvan.khac", agency="H29.07")


@pytest.fixture
def client(system):
    enrol_team(system)
    with TestClient(create_app(system)) as client:
        yield client


def test_the_days_routines_show_done_late_and_pending_to_the_agencys_crew_only(client, system, clock) -> None:
    installed = client.post("/kiosks", json={"key": "Q6-01", "name": "Kiosk 24/7", "agency": "H29.06"}, headers=STAFF)
    assert installed.status_code == 201
    assert system.routines.schedule_day(["Q6-01"], DAY, at=clock.now()) == 3
    assert client.post("/kiosks/Q6-01/collections", json={"cash_counted": 0}, headers=STAFF).status_code == 201
    clock.advance(hours=6, minutes=15)  # 14:45 in Vietnam
    system.policies.follow(clock.now())
    caught_up(client, system)
    tasks = client.get("/views/tasks/routines", params={"date": DAY.isoformat()}, headers=STAFF)
    assert tasks.status_code == 200, tasks.text
    rows = {t["slot"]: t for t in tasks.json()}
    assert {slot: t["status"] for slot, t in rows.items()} == {
        "collection_morning": "done",
        "collection_afternoon": "late",
        "loading_round": "pending",
    }
    assert rows["collection_morning"]["done_by"] and rows["collection_morning"]["done_at"].startswith(
        "2026-05-20T01:30"
    )
    assert client.get("/views/tasks/routines", headers=STAFF).json() == tasks.json()  # today by default
    assert client.get("/views/tasks/routines", headers=OTHER_CREW).json() == []
    assert client.get("/views/tasks/routines", params={"date": "20-05-2026"}, headers=STAFF).status_code == 400
    assert client.get("/views/tasks/routines", headers=RECEPTION).status_code == 403


def test_open_follow_ups_are_listed_until_their_outcome_closes_them(client, system, clock) -> None:
    code = receive(client)
    team = Actor(account_id="tuvan.tuan", role=Role.CONSULTANT)
    follow_up = FollowUp.open(
        dossier_code=code, kiosk="Q6-01", tray=4, pulled_back_version=9, actor=team, at=clock.now()
    )
    system.app.commit(follow_up)
    caught_up(client, system)
    listed = client.get("/views/tasks/follow-ups", headers=RECEPTION)
    assert [(x["dossier_code"], x["tray"]) for x in listed.json()] == [(code, 4)]
    assert client.get("/views/tasks/follow-ups", headers=OTHER_AGENCY).json() == []
    assert client.get("/views/tasks/follow-ups", headers=bearer("analyst", "a-1")).status_code == 403
    follow_up.close(outcome=ContactOutcome.WILL_COME, contact_version=10, actor=team, at=clock.now())
    system.app.commit(follow_up)
    caught_up(client, system)
    assert client.get("/views/tasks/follow-ups", headers=STAFF).json() == []
    assert datetime.fromisoformat(listed.json()[0]["opened_at"]) - clock.now() < timedelta(seconds=1)
