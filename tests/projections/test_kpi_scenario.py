"""A month at District 6, played through the applications (kiosk, counter and online dossiers of the four departments
seed 000 §4.1 names, police ID cards), then reported from the read models: every KPI equals the count made here from
the scenario's own record of what happened to each dossier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from domain.tray import PickupMethod
from domain.values import Applicant, Component, ComponentForm, DeliveryChannel, Rating, SatisfactionLevel
from infrastructure.calendar import load_calendar
from infrastructure.readstore.runner import Projector
from projections.models import read_models
from projections.reports import NAMED_DEPARTMENTS, ReportsView
from tests.application.test_kiosk_day import CARD_PROCEDURES, CLERK, POLICE_CLERK, collect_and_hand_over, submit
from tests.conftest import read_store_for
from tests.fakes import FakeClock, FakeOtp
from tests.kiosk_support import CITIZEN, STAFF, STAFF_ACTOR, Citizen, kiosks_app, officer, vn
from tests.onestop_support import dossiers_on

QLDT, KT, TCKH, GDDT = NAMED_DEPARTMENTS
PROCEDURE = {
    QLDT: "1.008455.000.00.00.H29",
    KT: "2.000181.000.00.00.H29",
    TCKH: "1.001570.000.00.00.H29",
    GDDT: "1.001004.000.00.00.H29",
}
MAY_DAYS = [date(2026, 5, d) for d in (4, 5, 6, 7, 8, 11, 12, 13)]
LEVELS = list(SatisfactionLevel)


@dataclass
class Record:
    """What the scenario did to one dossier, written down as it happened."""

    code: str
    department: str
    channel: str
    received: date
    returned: str | None = None  # "kiosk" or "counter"
    level: SatisfactionLevel | None = None
    card: bool = False


@pytest.fixture
def month(store_env, catalogue, tmp_path):
    clock, otp = FakeClock(vn(MAY_DAYS[0], 7)), FakeOtp()
    dossiers = dossiers_on(store_env, catalogue, load_calendar(), clock)
    kiosks = kiosks_app(dossiers, otp, clock)
    store = read_store_for(store_env, tmp_path)
    yield dossiers, kiosks, clock, otp, store
    store.close()
    dossiers.app.close()


def person(n: int) -> Applicant:
    citizen = Citizen(n)
    return Applicant(id_number=citizen.id_number, name=citizen.name, phone=citizen.phone)


def play(dossiers, kiosks, clock, otp, catalogue) -> list[Record]:
    kiosks.install_kiosk("Q6-01", name="Kiosk 24/7 UBND Quận 6", agency="H29.06", actor=STAFF_ACTOR)
    kiosks.register_envelopes("Q6-01", barcodes=[f"Q6PB{n:06d}" for n in range(1, 41)], actor=STAFF_ACTOR)
    records: list[Record] = []
    departments = [QLDT, QLDT, KT, TCKH, QLDT, KT, TCKH, QLDT, KT, TCKH, TCKH, KT]  # GDDT receives nothing this month
    for n, department in enumerate(departments * 2):
        day, channel = MAY_DAYS[n % 5], ("kiosk", "counter", "online")[(n + n // 12) % 3]
        clock.current = vn(day, 9, n)
        procedure = PROCEDURE[department]
        if channel == "kiosk":
            fee = catalogue.procedure(procedure).fee
            code = submit(
                kiosks, otp, catalogue, Citizen(n), procedure, f"Q6PB{n + 1:06d}", [("cash", fee)] if fee else []
            )
        elif channel == "counter":
            code = dossiers.receive(
                procedure_code=procedure,
                channel="counter",
                applicant=person(n),
                actor=CLERK,
                components=[Component(name="Tờ khai", form=ComponentForm.ORIGINAL)],
            )[0]
        else:
            code = dossiers.register_online(
                procedure_code=procedure,
                applicant=person(n),
                actor=CLERK,
                components=[Component(name="Tờ khai", form=ComponentForm.ORIGINAL)],
            )[0]
        records.append(Record(code, department, channel, day))
    for n, procedure in enumerate(CARD_PROCEDURES * 3):  # ID cards received at the police counter
        clock.current = vn(MAY_DAYS[n], 10)
        code = dossiers.receive(
            procedure_code=procedure, channel="counter", components=[], actor=POLICE_CLERK, applicant=person(200 + n)
        )[0]
        records.append(Record(code, catalogue.procedure(procedure).department, "counter", MAY_DAYS[n], card=True))
    collect_and_hand_over(kiosks, clock, vn(date(2026, 5, 8), 14))

    done = [r for i, r in enumerate(records) if i % 5 != 4]  # every fifth dossier is still being processed
    clock.current = vn(date(2026, 5, 11), 10)
    for r in done:
        dossiers.accept(r.code, actor=CLERK)
        dossiers.route(r.code, department=r.department, actor=CLERK)
        dossiers.issue_result(r.code, summary="Kết quả giải quyết", actor=CLERK)
    to_tray = [r for i, r in enumerate(done) if i % 2 == 0]
    for r in to_tray:
        dossiers.hand_over(r.code, item="Kết quả (bản chính)", giver=officer(r.department), receiver=STAFF, actor=CLERK)
    clock.current = vn(date(2026, 5, 11), 16)
    assert not kiosks.load_results("Q6-01", [r.code for r in to_tray], staff=STAFF, actor=STAFF_ACTOR).refused
    clock.current = vn(date(2026, 5, 12), 9)
    for i, r in enumerate(done):
        if r in to_tray:
            if i % 3 == 0:
                continue  # still waiting in its tray
            kiosks.request_pickup_otp("Q6-01", r.code)
            applicant = dossiers.applicant_of(r.code)
            ticket = kiosks.start_pickup_with_otp(
                "Q6-01", code=r.code, otp_code=otp.code_for(applicant.phone, f"pickup:{r.code}")
            )
            kiosks.release("Q6-01", r.code, ticket=ticket.token, method=PickupMethod.CODE_AND_OTP, actor=CITIZEN)
            r.returned = "kiosk"
        else:
            dossiers.deliver_result(r.code, channel=DeliveryChannel.COUNTER, actor=CLERK)
            r.returned = "counter"
        if i % 5 != 1:
            r.level = LEVELS[i % 4]
            (kiosks if r.returned == "kiosk" else dossiers).rate(r.code, rating=Rating(level=r.level), actor=CITIZEN)
    return records


def test_the_month_report_equals_the_counts_of_the_scenario_record(month, catalogue) -> None:
    dossiers, kiosks, clock, otp, store = month
    records = play(dossiers, kiosks, clock, otp, catalogue)
    Projector(dossiers.app.recorder, dossiers.app.mapper, store, read_models(catalogue)).catch_up()
    report = ReportsView(store, {d.code: d.name for d in catalogue.departments}).report(
        "month", date(2026, 5, 15), today=date(2026, 6, 30), agency="H29.06"
    )

    for target in report.department_targets:  # everything happened in May: every dossier is handled in the period
        mine = [r for r in records if r.department == target.key.split(":")[1]]
        via = [r for r in mine if r.channel == "kiosk" or r.returned == "kiosk"]
        assert (target.numerator, target.denominator) == (len(via), len(mine)), target.key
        assert target.met == (None if not mine else len(via) / len(mine) >= 0.40)
    assert {t.key.split(":")[1] for t in report.department_targets if t.denominator} == {QLDT, KT, TCKH}
    assert {t.met for t in report.department_targets} == {True, False, None}  # the scenario has every verdict

    cards = [r for r in records if r.card and r.returned]
    cccd = next(t for t in report.targets if t.key == "cccd_kiosk_return")
    assert (cccd.numerator, cccd.denominator) == (sum(r.returned == "kiosk" for r in cards), len(cards)) and cards

    rated = [r for r in records if r.level]
    assert [s.count for s in report.totals.levels] == [sum(r.level is level for r in rated) for level in LEVELS]
    assert all(s.count for s in report.totals.levels)
    assert report.totals.satisfied_rate == sum(r.level in LEVELS[:2] for r in rated) / len(rated)
    delivered = [r for r in records if r.returned]
    assert report.totals.delivered == len(delivered) and report.totals.received == len(records)
    # every result was returned on 12 May; an appointment date is at least one working day after receipt
    dues = {r.code: dossiers.get_dossier(r.code).due_on for r in delivered}
    assert report.totals.on_time == sum(date(2026, 5, 12) <= dues[r.code] for r in delivered)
    assert report.totals.on_time + report.totals.late == len(delivered)

    paper = [r for r in records if r.channel != "online"]
    digitized = {(row.agency, row.department): row for row in report.digitization}
    assert sum(row.paper_received for row in digitized.values()) == len(paper)
    assert sum(row.online_received for row in digitized.values()) == len(records) - len(paper)
    assert all(row.month == "2026-05" and row.digitized == 0 for row in digitized.values())  # nothing scanned yet
    assert isinstance(report.as_of, date) and not isinstance(report.as_of, datetime)
