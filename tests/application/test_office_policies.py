"""The office's policies: routines done by the crew's recorded work, follow-ups of pulled-back results closed by the
contact's outcome, and a fee receipt for every payment, each exactly once however often the policies run."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from application.base import OneStop
from application.dossiers import Dossiers
from application.policies import Policies
from application.receipt_policy import ReceiptPolicy
from application.receipts import Receipts
from application.routines import FollowUpPolicy, RoutinePolicy, Routines
from domain.dossier import ContactOutcome
from domain.fee_receipt import ReceiptSeries, series_id
from domain.follow_up import FollowUp, follow_up_id
from domain.routine import Routine, RoutineStatus, Slot, routine_id
from domain.values import Applicant, PaymentMethod
from infrastructure.calendar import load_calendar
from tests.application.test_dossiers import OFFICER
from tests.application.test_kiosk_day import CLERK, KIOSK_PROCEDURES, process
from tests.application.test_refunds_and_reconciliation import paid
from tests.fakes import FakeClock, FakeOtp
from tests.kiosk_support import ONE_STOP, POLICE, STAFF, STAFF_ACTOR, Citizen, kiosks_app, vn

DAY = date(2026, 5, 20)  # a Wednesday


@pytest.fixture
def office(store_env, catalogue):
    clock = FakeClock(vn(DAY, 7))
    dossiers = Dossiers(OneStop(store_env), catalogue=catalogue, calendar=load_calendar(), clock=clock)
    kiosks = kiosks_app(dossiers, FakeOtp(), clock)
    kiosks.install_kiosk("Q6-01", name="Kiosk 24/7 UBND Quận 6", agency="H29.06", actor=STAFF_ACTOR, tray_count=3)
    yield dossiers, kiosks, clock
    dossiers.app.close()


def results(dossiers: Dossiers, catalogue, n: int) -> list[str]:
    codes = []
    for i in range(n):
        citizen = Citizen(i)
        code, _ = dossiers.receive(
            procedure_code=KIOSK_PROCEDURES[0],
            channel="counter",
            applicant=Applicant(id_number=citizen.id_number, name=citizen.name, phone=citizen.phone),
            components=[],
            actor=CLERK,
        )
        codes.append(code)
    process(dossiers, codes, catalogue)
    return codes


def test_the_days_routines_are_done_by_the_collections_and_the_loading_they_name(office, catalogue) -> None:
    dossiers, kiosks, clock = office
    routines, policy = Routines(dossiers.app), RoutinePolicy(dossiers.app)
    assert routines.schedule_day(["Q6-01"], DAY, at=clock.now()) == 3
    assert routines.schedule_day(["Q6-01"], DAY, at=clock.now()) == 0  # already on the list
    clock.current = vn(DAY, 7, 50)
    kiosks.collect("Q6-01", cash_counted=0, collector=STAFF, actor=STAFF_ACTOR)
    clock.current = vn(DAY, 15, 10)
    kiosks.load_results("Q6-01", results(dossiers, catalogue, 2), staff=STAFF, actor=STAFF_ACTOR)
    assert policy.follow(clock.now()) == 2
    assert policy.follow(clock.now()) == 0  # nothing new: nothing saved twice
    now = vn(DAY, 16, 45)
    status = {slot: routines.get_status("Q6-01", DAY, slot, now) for slot in Slot}
    assert status == {
        Slot.COLLECTION_MORNING: RoutineStatus.DONE,
        Slot.COLLECTION_AFTERNOON: RoutineStatus.LATE,
        Slot.LOADING: RoutineStatus.DONE,
    }
    loading: Routine = dossiers.app.repository.get(routine_id("Q6-01", DAY, Slot.LOADING))
    done = [e for e in dossiers.app.events.get(loading.id) if isinstance(e, Routine.Done)]
    assert len(done) == 1 and done[0].by == STAFF_ACTOR.account_id  # the first tray loaded, not the second
    assert [type(e).__name__ for e in dossiers.app.events.get(done[0].source_id, lte=done[0].source_version)][-1] == (
        "Loaded"
    )


def test_a_collection_before_the_morning_list_schedules_its_routine_on_the_spot(office) -> None:
    dossiers, kiosks, clock = office
    clock.current = vn(DAY, 14, 20)
    kiosks.collect("Q6-01", cash_counted=0, collector=STAFF, actor=STAFF_ACTOR)
    clock.current = vn(DAY, 5, 0) + timedelta(days=1)
    kiosks.collect("Q6-01", cash_counted=0, collector=STAFF, actor=STAFF_ACTOR)  # 05:00: no routine of the day
    RoutinePolicy(dossiers.app).follow(clock.now())
    routines = Routines(dossiers.app)
    assert routines.get_status("Q6-01", DAY, Slot.COLLECTION_AFTERNOON, clock.now()) is RoutineStatus.DONE
    assert routines.get_status("Q6-01", DAY, Slot.COLLECTION_MORNING, clock.now()) is None
    assert routines.schedule_day(["Q6-01"], DAY, at=clock.now()) == 2  # the afternoon is there already
    assert routines.get_status("Q6-01", DAY + timedelta(days=1), Slot.COLLECTION_MORNING, clock.now()) is None


def test_a_late_routine_is_reminded_once(office) -> None:
    dossiers, kiosks, clock = office
    routines, sent = Routines(dossiers.app), []
    routines.schedule_day(["Q6-01"], DAY, at=clock.now())

    def alert(kiosk: str, problem: str) -> None:
        sent.append((kiosk, problem))

    assert routines.remind_late(["Q6-01"], DAY, vn(DAY, 8, 29), to="sms:0901", alert=alert) == []
    assert len(routines.remind_late(["Q6-01"], DAY, vn(DAY, 8, 30), to="sms:0901", alert=alert)) == 1
    assert routines.remind_late(["Q6-01"], DAY, vn(DAY, 9, 0), to="sms:0901", alert=alert) == []
    assert sent == [("Q6-01", "chưa thu hồ sơ và tiền lúc 08:00 ngày 20/05/2026 (trễ quá 30 phút)")]


def test_a_pull_back_opens_a_follow_up_that_the_contacts_outcome_closes(office, catalogue) -> None:
    dossiers, kiosks, clock = office
    codes = results(dossiers, catalogue, 4)
    kiosks.load_results("Q6-01", codes, staff=STAFF, actor=STAFF_ACTOR)  # three trays: the fourth waits
    dossiers.record_contact(codes[0], outcome=ContactOutcome.NO_ANSWER, actor=STAFF_ACTOR)  # in the tray still
    clock.current = vn(date(2026, 6, 10), 8)
    pulled = kiosks.pull_back_overdue("Q6-01", staff=STAFF, one_stop=ONE_STOP, police=POLICE, actor=STAFF_ACTOR)
    assert len(pulled) == 3
    policy = FollowUpPolicy(dossiers.app)
    assert policy.follow(clock.now()) == 3
    versions = {c: dossiers.get_dossier(c).version for c in codes[:3]}
    opened = [dossiers.app.repository.get(follow_up_id(c, versions[c] - 1)) for c in codes[:3]]
    assert [f.closed for f in opened] == [False, False, False]  # the earlier call does not close it
    dossiers.record_contact(codes[1], outcome=ContactOutcome.ASKED_COUNTER, actor=STAFF_ACTOR)
    assert policy.follow(clock.now()) == 1 and policy.follow(clock.now()) == 0
    closed: FollowUp = dossiers.app.repository.get(follow_up_id(codes[1], versions[codes[1]] - 1))
    assert closed.outcome is ContactOutcome.ASKED_COUNTER


def test_every_payment_gets_one_receipt_however_often_the_policy_runs(dossiers, catalogue, clock) -> None:
    receipts = Receipts(dossiers.app, catalogue=catalogue, clock=clock, tax_codes={})
    first = paid(dossiers, PaymentMethod.CASH, 1_000)
    dossiers.record_payment(first, method=PaymentMethod.BANK_QR, amount=2_000, actor=OFFICER)
    assert receipts.issue_for_payments(first, actor=OFFICER) == [(clock.now().year, 1), (clock.now().year, 2)]
    second = paid(dossiers, PaymentMethod.CASH, 3_000)
    policies = Policies([ReceiptPolicy(dossiers.app, receipts=receipts)])
    assert policies.follow(clock.now()) == 1  # the series, with the one payment issued by hand left alone
    assert Policies([ReceiptPolicy(dossiers.app, receipts=receipts)]).follow(clock.now()) == 0  # a second process
    assert receipts.issue_for_payments(second, actor=OFFICER) == []
    series: ReceiptSeries = dossiers.app.repository.get(series_id("H29.06", clock.now().year))
    assert [(r.number, r.dossier_code, r.amount) for r in series.receipts] == [
        (1, first, 1_000),
        (2, first, 2_000),
        (3, second, 3_000),
    ]
