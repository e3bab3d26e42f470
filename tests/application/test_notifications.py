"""Notifications on SQLite and PostgreSQL: the policy requests exactly once, the dispatcher retries and falls back."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest

from application.base import OneStop
from application.dossiers import Dossiers
from domain.codes import dossier_id
from domain.dossier import Dossier
from domain.notification import Notification, NotificationStatus, Recipient, notification_id
from domain.values import Actor, Role
from infrastructure.calendar import load_calendar
from tests.application.test_kiosk_day import KIOSK_PROCEDURES, process, submit
from tests.fakes import FakeClock, FakeNotifier, FakeOtp
from tests.kiosk_support import STAFF, STAFF_ACTOR, Citizen, kiosks_app, vn
from tests.onestop_support import notifications_on

DAY = date(2026, 5, 20)
SYSTEM = Actor(account_id="test", role=Role.SYSTEM)


@pytest.fixture
def world(store_env, catalogue):
    clock, otp, notifier = FakeClock(vn(DAY, 7)), FakeOtp(), FakeNotifier()
    dossiers = Dossiers(OneStop(store_env), catalogue=catalogue, calendar=load_calendar(), clock=clock)
    kiosks = kiosks_app(dossiers, otp, clock)
    notifications = notifications_on(dossiers.app, notifier, catalogue=catalogue)
    yield dossiers, kiosks, notifications, notifier, clock, otp
    dossiers.app.close()


def results_in_trays(world, catalogue, count: int) -> list[str]:
    dossiers, kiosks, _, _, clock, otp = world
    kiosks.install_kiosk("Q6-01", name="Kiosk 24/7 UBND Quận 6", agency="H29.06", actor=STAFF_ACTOR)
    kiosks.register_envelopes("Q6-01", barcodes=[f"Q6PB{n:06d}" for n in range(1, count + 1)], actor=STAFF_ACTOR)
    codes = [
        submit(kiosks, otp, catalogue, Citizen(n), KIOSK_PROCEDURES[0], f"Q6PB{n + 1:06d}", []) for n in range(count)
    ]
    process(dossiers, codes, catalogue)
    kiosks.load_results("Q6-01", codes, staff=STAFF, actor=STAFF_ACTOR)
    return codes


def requested_version(dossiers: Dossiers, code: str) -> int:
    return next(
        e.originator_version
        for e in dossiers.app.events.get(dossier_id(code))
        if isinstance(e, Dossier.NotificationRequested)
    )


def test_each_step_becomes_exactly_one_notification(world, catalogue):
    dossiers, _, notifications, notifier, clock, _ = world
    codes = results_in_trays(world, catalogue, 3)
    assert notifications.follow_requests(clock.now()) == 6  # received, and in a tray (a kiosk result: no counter one)
    assert notifications.follow_requests(clock.now()) == 0
    twin = notifications_on(OneStop(dossiers.app.env), notifier)  # a second process, or a restart, runs the policy
    try:
        assert twin.follow_requests(clock.now()) == 0
    finally:
        twin.app.close()
    stored = [
        n
        for n in notifications.app.recorder.select_notifications(1, 10000)
        if n.topic.endswith("Notification.Requested")
    ]
    assert len(stored) == 6
    expected = {notification_id(c, v) for c in codes for v in (1, requested_version(dossiers, c))}
    assert {n.originator_id for n in stored} == expected


def test_the_dispatcher_sends_the_pickup_sms_with_code_kiosk_and_tray(world, catalogue, caplog):
    caplog.set_level(logging.DEBUG)
    _, _, notifications, notifier, clock, _ = world
    [code] = results_in_trays(world, catalogue, 1)
    notifications.follow_requests(clock.now())
    assert notifications.dispatch_due(clock.now()) == 2
    assert [s[2] for s in notifier.sent] == ["received", "pickup_ready"]
    channel, address, template, version, params = notifier.sent[-1]
    assert (channel, address, template, version) == ("sms", Citizen(0).phone, "pickup_ready", 2)
    assert notifier.senders == ["UBNDQUAN6", "UBNDQUAN6"]
    assert params == {
        "code": code,
        "tray": "1",
        "kiosk": "Kiosk 24/7 UBND Quận 6",
        "agency": "Ủy ban nhân dân Quận 6",
        "days": "5",
    }
    assert notifications.dispatch_due(clock.now() + timedelta(hours=1)) == 0
    nid = notification_id(code, requested_version(world[0], code))
    assert notifications.get_status(nid) == (NotificationStatus.SENT, "sms", 1)
    notifications.confirm_delivered(nid, "sms", clock.now())
    assert notifications.get_status(nid)[0] is NotificationStatus.DELIVERED
    assert "sent by sms" in caplog.text and Citizen(0).phone not in caplog.text and Citizen(0).name not in caplog.text


def test_a_failing_channel_is_retried_with_backoff_then_the_next_one_is_used(world):
    _, _, notifications, notifier, clock, _ = world
    notifier.failing = {"sms": "transient", "zalo": "rejected"}
    nid = notification_id("H29.06-260520-0001", 9)
    notifications.request(
        id=nid,
        channels=["sms", "zalo", "email"],
        template="pickup_ready.v1",
        dossier_code="H29.06-260520-0001",
        params={"code": "H29.06-260520-0001", "tray": "4", "kiosk": "Kiosk", "agency": "UBND", "days": "5"},
        recipient=Recipient(phone="0901234101", email="an@example.vn"),
        actor=SYSTEM,
        at=clock.now(),
    )
    t = clock.now()
    assert notifications.dispatch_due(t) == 1
    for wait in (1, 2, 4, 8):  # minutes after each failure: nothing before the time, then one attempt
        assert notifications.dispatch_due(t + timedelta(minutes=wait, seconds=-1)) == 0
        t += timedelta(minutes=wait)
        assert notifications.dispatch_due(t) == (1 if wait < 8 else 3)  # the 5th: zalo refuses, e-mail at once
    assert notifier.tries == ["sms"] * 5 + ["zalo", "email"] and notifier.sent[-1][:2] == ("email", "an@example.vn")
    events = list(notifications.app.events.get(nid))
    failed = [e for e in events if isinstance(e, Notification.Failed)]
    assert [(e.channel, e.attempt, e.error_kind.value) for e in failed] == [
        ("sms", n, "transient") for n in range(1, 6)
    ] + [("zalo", 1, "rejected")]
    assert [e.next_attempt_at - e.at for e in failed] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 0, 0)]
    assert isinstance(events[-1], Notification.Sent) and events[-1].channel == "email"


def test_when_every_channel_fails_the_notification_gives_up(world):
    _, _, notifications, notifier, clock, _ = world
    notifier.failing = {"sms": "rejected", "zalo": "rejected"}
    nid = notification_id("H29.06-260520-0002", 9)
    notifications.request(
        id=nid,
        channels=["sms", "zalo", "email"],
        template="pickup_ready.v1",
        dossier_code="H29.06-260520-0002",
        params={},
        recipient=Recipient(phone="0901234101"),
        actor=SYSTEM,
        at=clock.now(),
    )
    assert notifications.dispatch_due(clock.now()) == 2
    assert notifications.get_status(nid)[0] is NotificationStatus.GAVE_UP
    assert isinstance(list(notifications.app.events.get(nid))[-1], Notification.GaveUp)
    assert notifications.list_pending() == [] and notifications.dispatch_due(clock.now() + timedelta(days=1)) == 0


def test_a_repeated_request_is_ignored(world):
    _, _, notifications, _, clock, _ = world
    args = dict(
        id=notification_id("H29.06-260520-0003", 9),
        channels=["sms"],
        template="pickup_ready.v1",
        dossier_code="H29.06-260520-0003",
        params={},
        recipient=Recipient(phone="0901234101"),
        actor=SYSTEM,
        at=clock.now(),
    )
    assert notifications.request(**args) is not None
    assert notifications.request(**args) is None


def test_the_embedded_thread_sends_the_pickup_message_without_being_asked(world, catalogue):
    import time

    from infrastructure.notifications.process import start_in_thread

    _, _, notifications, notifier, clock, _ = world
    [code] = results_in_trays(world, catalogue, 1)
    thread, stop = start_in_thread(notifications, clock, poll=0.05)
    deadline = time.monotonic() + 10
    while len(notifier.sent) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert [(s[0], s[2], s[4]["code"]) for s in notifier.sent] == [
        ("sms", "received", code),
        ("sms", "pickup_ready", code),
    ]
