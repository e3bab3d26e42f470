"""Citizens told at every step (seed 003 Đ4.2đ, Đ5.2, Đ8.3, Đ9.2b, Đ17.5): each step of a dossier becomes exactly
one Notification with its template and values, in the channels the citizen chose, on SQLite and PostgreSQL, even
when the policy runs twice or in two processes at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from application.base import OneStop
from domain.errors import InvalidValueError
from domain.notification import Notification, PolicyPosition, notification_id, policy_position_id
from domain.values import Actor, Applicant, Channel, Component, ComponentForm, Role
from infrastructure.calendar import load_calendar
from infrastructure.readstore.runner import Projector
from projections.notifications import NotificationsReadModel, notifications_of
from tests.application.test_kiosk_day import KIOSK_PROCEDURES, process, submit
from tests.application.test_notifications import results_in_trays, world  # noqa: F401 (fixture)
from tests.conftest import read_store_for
from tests.fakes import FakeNotifier
from tests.kiosk_support import ONE_STOP, POLICE, STAFF, STAFF_ACTOR, Citizen, vn
from tests.onestop_support import notifications_on

BIRTH = "1.001193.000.00.00.H29"
OFFICER = Actor(account_id="officer-1", role=Role.RECEPTION_OFFICER)
PERSON = Applicant(id_number="079195000101", name="Nguyễn Văn An", phone="0901234101", email="an.nguyen@example.vn")
FORM = [Component(name="Tờ khai", form=ComponentForm.ORIGINAL)]


def requested(notifications) -> list[Notification.Requested]:
    """Every Notification.Requested stored, in log order."""
    app = notifications.app
    return [
        app.mapper.to_domain_event(n)
        for n in app.recorder.select_notifications(1, 100000)
        if n.topic.endswith("Notification.Requested")
    ]


def for_dossier(notifications, code: str) -> list[tuple[str, int, dict[str, str]]]:
    return [(r.template, r.template_version, r.params) for r in requested(notifications) if r.dossier_code == code]


def test_a_counter_dossier_is_told_of_receipt_supplement_and_result_once_each(world, catalogue):  # noqa: F811
    dossiers, _, notifications, _, clock, _ = world
    calendar = load_calendar()
    code, _ = dossiers.receive(
        procedure_code=BIRTH, channel=Channel.COUNTER, applicant=PERSON, components=FORM, actor=OFFICER
    )
    due_on = dossiers.get_dossier(code).due_on
    assert notifications.follow_requests(clock.now()) == 1
    dossiers.accept(code, actor=OFFICER)  # a paper dossier's acceptance: the receipt already told the citizen
    clock.advance(hours=1)
    dossiers.request_supplement(code, items=["Bản sao giấy khai sinh", "Tờ khai"], reason="Thiếu", actor=OFFICER)
    asked_at = clock.now()
    assert notifications.follow_requests(clock.now()) == 1
    dossiers.provide_supplement(code, components=FORM, actor=OFFICER)
    dossiers.route(code, department=catalogue.procedure(BIRTH).department, actor=OFFICER)
    dossiers.issue_result(code, summary="Giấy khai sinh", actor=OFFICER)
    assert notifications.follow_requests(clock.now()) == 1
    assert notifications.follow_requests(clock.now()) == 0  # again: nothing new
    agency = "Ủy ban nhân dân Phường 1, Quận 6"
    assert for_dossier(notifications, code) == [
        ("received", 1, {"code": code, "agency": agency, "due_on": f"{due_on:%d/%m/%Y}"}),
        (
            "supplement",
            1,
            {
                "code": code,
                "agency": agency,
                "items": "Bản sao giấy khai sinh; Tờ khai",
                "by": f"{calendar.add_working_days(asked_at, 10):%d/%m/%Y}",
            },
        ),
        ("result_ready", 1, {"code": code, "agency": agency}),
    ]


def test_an_online_dossier_is_told_when_accepted_and_a_refusal_gives_its_reason(world):  # noqa: F811
    dossiers, _, notifications, _, clock, _ = world
    online, _ = dossiers.register_online(procedure_code=BIRTH, applicant=PERSON, components=FORM, actor=OFFICER)
    dossiers.accept(online, actor=OFFICER)
    paper, _ = dossiers.receive(
        procedure_code=BIRTH, channel=Channel.POSTAL, applicant=PERSON, components=FORM, actor=OFFICER
    )
    long_reason = "Hồ sơ không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường, đề nghị nộp tại Sở Tư pháp"
    dossiers.reject(paper, reason=long_reason, actor=OFFICER)
    assert notifications.follow_requests(clock.now()) == 3
    [(template, _, params)] = for_dossier(notifications, online)
    assert template == "accepted" and params["due_on"] == f"{dossiers.get_dossier(online).due_on:%d/%m/%Y}"
    assert [t for t, _, _ in for_dossier(notifications, paper)] == ["received", "rejected"]
    reason = for_dossier(notifications, paper)[1][2]["reason"]
    assert reason.endswith("...") and len(reason) <= 55 and long_reason.startswith(reason[:-3])


def test_a_kiosk_result_is_told_in_its_tray_reminded_once_and_pulled_back_to_the_police(world, catalogue):  # noqa: F811
    dossiers, kiosks, notifications, _, clock, otp = world
    kiosks.install_kiosk("Q6-01", name="Kiosk 24/7 UBND Quận 6", agency="H29.06", actor=STAFF_ACTOR, tray_count=1)
    kiosks.register_envelopes("Q6-01", barcodes=["Q6PB000001"], actor=STAFF_ACTOR)
    [code] = [submit(kiosks, otp, catalogue, Citizen(0), KIOSK_PROCEDURES[0], "Q6PB000001", [])]
    process(dossiers, [code], catalogue)
    kiosks.load_results("Q6-01", [code], staff=STAFF, actor=STAFF_ACTOR)
    assert notifications.follow_requests(clock.now()) == 2
    assert [(t, v) for t, v, _ in for_dossier(notifications, code)] == [("received", 1), ("pickup_ready", 2)]
    # Wednesday 20 May: SMS. 5 working days: the last day is Wednesday 27 May; reminded on Tuesday 26 May.
    assert kiosks.remind_pickups("Q6-01", actor=STAFF_ACTOR, at=vn(clock.now().date() + timedelta(days=5), 9)) == []
    tuesday = vn(clock.now().date() + timedelta(days=6), 9)
    assert kiosks.remind_pickups("Q6-01", actor=STAFF_ACTOR, at=tuesday) == [code]
    assert kiosks.remind_pickups("Q6-01", actor=STAFF_ACTOR, at=tuesday + timedelta(hours=1)) == []  # once
    assert notifications.follow_requests(tuesday) == 1
    (_, _, reminder) = for_dossier(notifications, code)[-1]
    assert reminder == {
        "code": code,
        "agency": "Ủy ban nhân dân Phường 1, Quận 6",  # the dossier's agency (a ward procedure)
        "tray": "1",
        "kiosk": "Kiosk 24/7 UBND Quận 6",
        "deadline": "27/05/2026",
    }
    late = vn(clock.now().date() + timedelta(days=8), 9)  # Thursday 28 May: overdue, and the one tray is full
    pulled = kiosks.pull_back_overdue(
        "Q6-01", staff=STAFF, one_stop=ONE_STOP, police=POLICE, actor=STAFF_ACTOR, at=late
    )
    assert [p.dossier_code for p in pulled] == [code]
    assert notifications.follow_requests(late) == 1
    template, _, params = for_dossier(notifications, code)[-1]
    police = catalogue.procedure(KIOSK_PROCEDURES[0]).result_kind.value == "cccd_card"
    assert template == "pulled_back"
    assert params["place"] == ("Công an Quận 6" if police else "Bộ phận Một cửa Ủy ban nhân dân Quận 6")


def test_the_chosen_channels_come_first_then_the_others_and_an_officer_can_change_them(world):  # noqa: F811
    dossiers, _, notifications, notifier, clock, _ = world
    code, _ = dossiers.receive(
        procedure_code=BIRTH,
        channel=Channel.COUNTER,
        applicant=PERSON,
        components=FORM,
        actor=OFFICER,
        channels=["zalo", "email"],
    )
    notifications.follow_requests(clock.now())
    assert requested(notifications)[-1].channels == ["zalo", "email", "sms"]
    notifier.failing = {"zalo": "rejected"}
    notifications.dispatch_due(clock.now())
    assert notifier.tries == ["zalo", "email"] and notifier.sent[-1][:3] == ("email", PERSON.email, "received")
    dossiers.choose_channels(code, channels=["sms"], actor=OFFICER)
    dossiers.reject(code, reason="Không đủ điều kiện", actor=OFFICER)
    notifications.follow_requests(clock.now())
    assert requested(notifications)[-1].channels == ["sms", "zalo", "email"]
    with pytest.raises(InvalidValueError):
        dossiers.choose_channels(code, channels=["fax"], actor=OFFICER)
    without_mail, _ = dossiers.receive(
        procedure_code=BIRTH,
        channel=Channel.COUNTER,
        applicant=Applicant(id_number="079195000102", name="Trần Bình", phone="0901234102"),
        components=FORM,
        actor=OFFICER,
    )
    version = len(dossiers.list_history(without_mail))
    with pytest.raises(InvalidValueError):
        dossiers.choose_channels(without_mail, channels=["email"], actor=OFFICER)
    assert len(dossiers.list_history(without_mail)) == version  # refused: nothing recorded


def test_sms_go_out_under_the_agency_brandname(world):  # noqa: F811
    dossiers, _, notifications, notifier, clock, _ = world
    dossiers.receive(procedure_code=BIRTH, channel=Channel.COUNTER, applicant=PERSON, components=FORM, actor=OFFICER)
    notifications.follow_requests(clock.now())
    notifications.dispatch_due(clock.now())
    assert notifier.senders == ["UBNDQUAN6"]  # a ward's dossier: the district's brandname (seed 000 §3)


def test_two_policies_at_once_request_each_step_once(world, store_env):  # noqa: F811
    dossiers, _, _, notifier, clock, _ = world
    codes = [
        dossiers.receive(
            procedure_code=BIRTH, channel=Channel.COUNTER, applicant=PERSON, components=FORM, actor=OFFICER
        )[0]
        for _ in range(12)
    ]
    for code in codes[::2]:
        dossiers.reject(code, reason="Không đủ điều kiện", actor=OFFICER)
    policies = [notifications_on(OneStop(dossiers.app.env), FakeNotifier()) for _ in range(2)]
    start = threading.Barrier(2)

    def run(policy) -> None:
        start.wait()
        for _ in range(3):
            policy.follow_requests(clock.now())

    threads = [threading.Thread(target=run, args=(p,)) for p in policies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        made = requested(policies[0])
        assert sorted(str(r.originator_id) for r in made) == sorted(
            {str(notification_id(c, v)) for c in codes for v in ((1, 2) if codes.index(c) % 2 == 0 else (1,))}
        )
        assert len(made) == 18
    finally:
        for p in policies:
            p.app.close()


def test_the_read_model_lists_a_dossiers_messages_with_channel_and_status(world, store_env, tmp_path):  # noqa: F811
    dossiers, _, notifications, notifier, clock, _ = world
    code, _ = dossiers.receive(
        procedure_code=BIRTH, channel=Channel.COUNTER, applicant=PERSON, components=FORM, actor=OFFICER
    )
    dossiers.reject(code, reason="Không đủ điều kiện", actor=OFFICER)
    notifications.follow_requests(clock.now())
    notifier.failing = {"sms": "transient"}
    notifications.dispatch_due(clock.now())  # both: sms fails once, retried in a minute
    notifier.failing = {}
    later = clock.now() + timedelta(minutes=1)
    notifications.dispatch_due(later)
    received = notification_id(code, 1)
    notifications.confirm_delivered(received, "sms", later + timedelta(seconds=5))
    store = read_store_for(store_env, tmp_path)
    try:
        Projector(dossiers.app.recorder, dossiers.app.mapper, store, [NotificationsReadModel()]).catch_up()
        lines = notifications_of(store, code)
        assert notifications_of(store, "H29.06-260520-9999") == []
    finally:
        store.close()
    assert [(n.step, n.template, n.channel, n.status, n.attempts) for n in lines] == [
        ("received", "received.v1", "sms", "delivered", 2),
        ("rejected", "rejected.v1", "sms", "sent", 2),
    ]
    assert lines[0].id == str(received) and lines[0].sent_at == later and lines[0].delivered_at is not None


def test_after_an_upgrade_the_steps_before_it_stay_untold_and_tray_requests_are_still_sent(world, catalogue):  # noqa: F811
    dossiers, kiosks, notifications, _, clock, otp = world
    old = PolicyPosition._create(PolicyPosition.Started, id=policy_position_id())  # saved by the code before steps
    dossiers.app.commit(old)
    [in_tray] = results_in_trays(world, catalogue, 1)  # its receipt happened before the upgrade; its tray request too
    before, _ = dossiers.receive(
        procedure_code=BIRTH, channel=Channel.COUNTER, applicant=PERSON, components=FORM, actor=OFFICER
    )
    assert notifications.follow_requests(clock.now()) == 1
    assert [(t, v) for t, v, _ in for_dossier(notifications, in_tray)] == [("pickup_ready", 2)]
    assert for_dossier(notifications, before) == []
    after, _ = dossiers.receive(
        procedure_code=BIRTH, channel=Channel.COUNTER, applicant=PERSON, components=FORM, actor=OFFICER
    )
    dossiers.reject(before, reason="Không đủ điều kiện", actor=OFFICER)
    assert notifications.follow_requests(clock.now()) == 2
    assert [t for t, _, _ in for_dossier(notifications, after)] == ["received"]
    assert [t for t, _, _ in for_dossier(notifications, before)] == ["rejected"]


def test_an_id_card_pulled_back_from_a_tray_waits_at_the_district_police(world, catalogue):  # noqa: F811
    dossiers, kiosks, notifications, _, clock, _ = world
    kiosks.install_kiosk("Q6-01", name="Kiosk 24/7 UBND Quận 6", agency="H29.06", actor=STAFF_ACTOR, tray_count=1)
    card = next(p for p in catalogue.procedures if p.result_kind.value == "cccd_card" and p.kiosk_return)
    code, _ = dossiers.receive(
        procedure_code=card.code, channel=Channel.COUNTER, applicant=PERSON, components=FORM, actor=OFFICER
    )
    process(dossiers, [code], catalogue)
    kiosks.load_results("Q6-01", [code], staff=STAFF, actor=STAFF_ACTOR)
    late = vn(clock.now().date() + timedelta(days=8), 9)
    kiosks.pull_back_overdue("Q6-01", staff=STAFF, one_stop=ONE_STOP, police=POLICE, actor=STAFF_ACTOR, at=late)
    notifications.follow_requests(late)
    template, _, params = for_dossier(notifications, code)[-1]
    assert (template, params["place"], params["agency"]) == ("pulled_back", "Công an Quận 6", "Công an Quận 6")
