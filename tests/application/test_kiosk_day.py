"""A full day at the kiosk, on SQLite and on PostgreSQL: intake, collections, loading, pickups, overdue pull-back."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest

from application.base import OneStop
from application.dossiers import Dossiers
from application.errors import FaceMismatchError, KioskFullError, NotReadyError, PickupRefusedError, WrongOtpError
from domain.cccd import BadQrPayloadError
from domain.codes import dossier_id
from domain.dossier import Dossier
from domain.errors import PaymentOutstandingError
from domain.kiosk import Kiosk, UnknownEnvelopeError, kiosk_id
from domain.tray import PickupMethod
from domain.values import Actor, Applicant, FaceCheck, PaymentMethod, Rating, Role
from infrastructure.calendar import load_calendar
from tests.fakes import FakeClock, FakeOtp
from tests.kiosk_support import (
    CITIZEN,
    KIOSK_ACTOR,
    ONE_STOP,
    POLICE,
    STAFF,
    STAFF_ACTOR,
    Citizen,
    kiosks_app,
    officer,
    vn,
)

DAY = date(2026, 5, 20)  # a Wednesday
MATCH = FaceCheck(score=0.81, matched=True, model_id="arcface-test")
MISMATCH = FaceCheck(score=0.12, matched=False, model_id="arcface-test")
CLERK = Actor(account_id="officer.dept", role=Role.DEPARTMENT_OFFICER)
KIOSK_PROCEDURES = [
    "2.000635.000.00.00.H29",
    "1.001193.000.00.00.H29",
    "1.001612.000.00.00.H29",
    "2.000942.000.00.00.H29",
    "2.000815.000.00.00.H29",
    "1.001570.000.00.00.H29",
    "1.001266.000.00.00.H29",
    "2.000720.000.00.00.H29",
]
# ID cards are return-only at the kiosk (seed 000 §2.2): the police receive them at their counter and the results
# come back through the kiosk's trays.
CARD_PROCEDURES = ["2.001195.000.00.00.H29", "2.001194.000.00.00.H29"]
POLICE_CLERK = Actor(account_id="congan.hung", role=Role.POLICE_OFFICER)


@pytest.fixture
def day(store_env, catalogue):
    clock, otp = FakeClock(vn(DAY, 7)), FakeOtp()
    dossiers = Dossiers(OneStop(store_env), catalogue=catalogue, calendar=load_calendar(), clock=clock)
    kiosks = kiosks_app(dossiers, otp, clock)
    yield dossiers, kiosks, clock, otp
    dossiers.app.close()


def submit(kiosks, otp, catalogue, citizen: Citizen, procedure: str, envelope: str, paid: list[tuple[str, int]]):
    kiosks.read_identity(citizen.qr)
    kiosks.request_otp(citizen.phone)
    proof = kiosks.verify_phone(citizen.phone, otp.code_for(citizen.phone, "submit"))
    face = MATCH if catalogue.procedure(procedure).high_legal_value else None
    submitted = kiosks.submit(
        "Q6-01",
        procedure_code=procedure,
        qr_payload=citizen.qr,
        phone=citizen.phone,
        phone_proof=proof,
        envelope=envelope,
        actor=KIOSK_ACTOR,
        face=face,
    )
    for method, amount in paid:
        kiosks.pay("Q6-01", submitted.dossier_code, method=PaymentMethod(method), amount=amount, actor=KIOSK_ACTOR)
    return submitted.dossier_code


def payments_for(n: int, fee: int) -> list[tuple[str, int]]:
    """Exact cash, underpaid, overpaid, or by bank QR, by turns."""
    if not fee:
        return []
    return [[("cash", fee)], [("cash", fee // 2)], [("cash", fee + 10000)], [("bank_qr", fee)]][(n + n // 8) % 4]


def process(dossiers: Dossiers, codes: list[str], catalogue) -> None:
    """Departments accept, route and issue results, then hand them back to the consultant team."""
    for code in codes:
        department = catalogue.procedure(dossiers.get_dossier(code).procedure_code).department
        dossiers.accept(code, actor=CLERK)
        dossiers.route(code, department=department, actor=CLERK)
        dossiers.issue_result(code, summary="Kết quả giải quyết", actor=CLERK)
        dossiers.hand_over(code, item="Kết quả (bản chính)", giver=officer(department), receiver=STAFF, actor=CLERK)


def collect_and_hand_over(kiosks, clock, at) -> tuple[int, int, list[str]]:
    clock.current = at
    expected = kiosks.get_kiosk("Q6-01").cash_expected
    report = kiosks.collect("Q6-01", cash_counted=expected, collector=STAFF, actor=STAFF_ACTOR)
    by_department = defaultdict(list)
    for envelope in report.envelopes:
        by_department[envelope.department].append(envelope.dossier_code)
    for department, codes in by_department.items():
        kiosks.hand_over_batch(
            codes, item="Phong bì hồ sơ từ kiosk", giver=STAFF, receiver=officer(department), actor=STAFF_ACTOR
        )
    return report.cash_expected, report.cash_counted, [e.dossier_code for e in report.envelopes]


def play_full_day(dossiers, kiosks, clock, otp, catalogue) -> list[str]:
    """The [2] full-day scenario, asserting as it goes; returns the codes of the 40 kiosk submissions."""
    kiosks.install_kiosk("Q6-01", name="Kiosk 24/7 UBND Quận 6", agency="H29.06", actor=STAFF_ACTOR)
    kiosks.register_envelopes("Q6-01", barcodes=[f"Q6PB{n:06d}" for n in range(1, 61)], actor=STAFF_ACTOR)
    events_before = dossiers.app.recorder.max_notification_id()

    with pytest.raises(BadQrPayloadError):  # one citizen shows a card whose QR is damaged
        kiosks.read_identity("079195000101|Nguyễn Văn A|15081995")
    with pytest.raises(UnknownEnvelopeError):  # one envelope from elsewhere is pushed back out
        submit(kiosks, otp, catalogue, Citizen(999), KIOSK_PROCEDURES[0], "ZZ999999", [])
    assert dossiers.app.recorder.max_notification_id() == events_before

    codes, collections = [], []
    for n in range(40):
        clock.current = vn(DAY, 7 if n < 20 else 14, 10 + n)
        procedure = KIOSK_PROCEDURES[n % len(KIOSK_PROCEDURES)]
        fee = catalogue.procedure(procedure).fee
        codes.append(submit(kiosks, otp, catalogue, Citizen(n), procedure, f"Q6PB{n + 1:06d}", payments_for(n, fee)))
        if n == 19:
            collections.append(collect_and_hand_over(kiosks, clock, vn(DAY, 14)))
    collections.append(collect_and_hand_over(kiosks, clock, vn(date(2026, 5, 21), 8)))

    assert sum(len(c[2]) for c in collections) == 40 and sorted(c for col in collections for c in col[2]) == sorted(
        codes
    )
    cash_recorded = sum(
        e.amount
        for code in codes
        for e in dossiers.app.events.get(dossier_id(code))
        if isinstance(e, Dossier.PaymentReceived) and e.method is PaymentMethod.CASH
    )
    assert sum(c[0] for c in collections) == sum(c[1] for c in collections) == cash_recorded
    kiosk_events = list(kiosks.app.events.get(kiosk_id("Q6-01")))
    assert sum(e.amount for e in kiosk_events if isinstance(e, Kiosk.CashAccepted)) == cash_recorded
    assert all(e.cash_counted == e.cash_expected for e in kiosk_events if isinstance(e, Kiosk.Collected))

    cards = [
        dossiers.receive(
            procedure_code=procedure,
            channel="counter",
            components=[],
            actor=POLICE_CLERK,
            applicant=Applicant(
                id_number=Citizen(200 + n).id_number, name=Citizen(200 + n).name, phone=Citizen(200 + n).phone
            ),
        )[0]
        for n, procedure in enumerate(CARD_PROCEDURES)
    ]
    clock.current = vn(date(2026, 5, 21), 15)
    process(dossiers, codes + cards, catalogue)
    clock.current = vn(date(2026, 5, 21), 16)
    slip = kiosks.load_results("Q6-01", codes + cards, staff=STAFF, actor=STAFF_ACTOR)
    assert [line.tray for line in slip.loaded] == list(range(1, 43)) and not slip.refused
    assert "PHIẾU NẠP KẾT QUẢ" in slip.text and codes[0] in slip.text

    clock.current = vn(date(2026, 5, 22), 9)
    district = codes[1]  # birth registration: face check required
    citizen1 = Citizen(1)
    ticket = kiosks.start_pickup_with_receipt("Q6-01", id_number=citizen1.id_number, code=district)
    with pytest.raises(FaceMismatchError):
        kiosks.release(
            "Q6-01", district, ticket=ticket.token, method=PickupMethod.CCCD_AND_RECEIPT, actor=CITIZEN, face=MISMATCH
        )
    opened = kiosks.release(
        "Q6-01", district, ticket=ticket.token, method=PickupMethod.CCCD_AND_RECEIPT, actor=CITIZEN, face=MATCH
    )
    assert opened.tray == 2
    kiosks.rate(district, rating=Rating(stars=5), actor=CITIZEN)

    card = cards[0]  # CCCD renewal received at the police counter, returned through tray 41
    phone = Citizen(200).phone  # the kiosk's screen says where the code went, masked
    assert kiosks.request_pickup_otp("Q6-01", card) == f"{phone[:3]}****{phone[-3:]}"
    with pytest.raises(WrongOtpError):
        kiosks.start_pickup_with_otp("Q6-01", code=card, otp_code="000000")
    kiosks.request_pickup_otp("Q6-01", card)
    ticket = kiosks.start_pickup_with_otp(
        "Q6-01", code=card, otp_code=otp.code_for(Citizen(200).phone, f"pickup:{card}")
    )
    assert (
        kiosks.release("Q6-01", card, ticket=ticket.token, method=PickupMethod.CODE_AND_OTP, actor=CITIZEN).tray == 41
    )

    owing = next(c for c in codes if dossiers.get_dossier(c).shortfall)  # underpaid at submission
    ticket = kiosks.start_pickup_with_receipt("Q6-01", id_number=Citizen(codes.index(owing)).id_number, code=owing)
    assert ticket.shortfall > 0
    with pytest.raises(PaymentOutstandingError):
        kiosks.release(
            "Q6-01", owing, ticket=ticket.token, method=PickupMethod.CCCD_AND_RECEIPT, actor=CITIZEN, face=MATCH
        )
    balance = kiosks.pay("Q6-01", owing, method=PaymentMethod.CASH, amount=ticket.shortfall, actor=CITIZEN)
    assert balance.shortfall == 0
    kiosks.release("Q6-01", owing, ticket=ticket.token, method=PickupMethod.CCCD_AND_RECEIPT, actor=CITIZEN, face=MATCH)
    picked = {district, card, owing}

    extra_citizens = [Citizen(100 + n) for n in range(60)]
    extra = []
    for citizen in extra_citizens:
        code, _ = dossiers.receive(
            procedure_code=KIOSK_PROCEDURES[0],
            channel="counter",
            applicant=Applicant(id_number=citizen.id_number, name=citizen.name, phone=citizen.phone),
            components=[],
            actor=CLERK,
        )
        extra.append(code)
    process(dossiers, extra, catalogue)
    clock.current = vn(date(2026, 5, 22), 16)
    slip = kiosks.load_results("Q6-01", extra, staff=STAFF, actor=STAFF_ACTOR)
    assert len(slip.loaded) == 90 - 42 + len(picked) and len(slip.refused) == 60 - len(slip.loaded)
    view = kiosks.get_kiosk("Q6-01")
    assert view.free_trays == 0 and Counter(t.status for t in view.trays) == {"loaded": 90}
    with pytest.raises(KioskFullError):
        kiosks.load_result("Q6-01", extra[-1], actor=STAFF_ACTOR)

    clock.current = vn(date(2026, 5, 29), 8)  # 6 working days after the SMS of 21 May, 5 after those of 22 May
    overdue = kiosks.list_overdue("Q6-01")
    first_batch = [c for c in codes + cards if c not in picked]
    assert sorted(i.dossier_code for i in overdue) == sorted(first_batch)
    assert all(i.action == "pull_back" for i in overdue)
    assert {i.receiver for i in overdue} == {"police", "one_stop"}
    pulled = kiosks.pull_back_overdue("Q6-01", staff=STAFF, one_stop=ONE_STOP, police=POLICE, actor=STAFF_ACTOR)
    assert len(pulled) == len(first_batch)
    view = kiosks.get_kiosk("Q6-01")
    assert view.free_trays == len(first_batch)
    for item in pulled:
        details = dossiers.get_dossier(item.dossier_code)
        assert details.status == "result_issued"
        assert details.holder == (POLICE if item.receiver == "police" else ONE_STOP)
        assert view.trays[item.tray - 1].status == "empty"
    balances = {code: dossiers.get_dossier(code) for code in codes}
    assert sum(d.excess for d in balances.values()) > 0 and any(d.shortfall for d in balances.values())
    assert all(d.paid - d.fee == d.excess - d.shortfall for d in balances.values())
    lines = {
        code: [e for e in dossiers.app.events.get(dossier_id(code)) if isinstance(e, Dossier.HandedOver)]
        for code in codes + extra
    }
    pulled_codes = {item.dossier_code for item in pulled}
    for code in codes:  # bin → department, department → kiosk team, and for pulled-back results team → officer
        assert [(line.giver.role, line.receiver.role) for line in lines[code]][:2] == [
            (Role.CONSULTANT, Role.DEPARTMENT_OFFICER),
            (Role.DEPARTMENT_OFFICER, Role.CONSULTANT),
        ]
        assert len(lines[code]) == 2 + (code in pulled_codes)
    assert all(len(lines[code]) == 1 for code in extra)  # counter dossiers: results back to the kiosk team
    return codes


def test_a_full_day_at_the_kiosk(day, catalogue) -> None:
    dossiers, kiosks, clock, otp = day
    assert len(play_full_day(dossiers, kiosks, clock, otp, catalogue)) == 40


def test_overdue_results_stay_while_trays_are_free(day, catalogue) -> None:
    dossiers, kiosks, clock, otp = day
    kiosks.install_kiosk("Q6-01", name="Kiosk 24/7 UBND Quận 6", agency="H29.06", actor=STAFF_ACTOR)
    codes = []
    for n in range(5):
        citizen = Citizen(n)
        code, _ = dossiers.receive(
            procedure_code=KIOSK_PROCEDURES[n % 2 * 3],
            channel="counter",
            applicant=Applicant(id_number=citizen.id_number, name=citizen.name, phone=citizen.phone),
            components=[],
            actor=CLERK,
        )
        codes.append(code)
    process(dossiers, codes, catalogue)
    kiosks.load_results("Q6-01", codes, staff=STAFF, actor=STAFF_ACTOR)
    clock.current = vn(date(2026, 6, 10), 8)
    overdue = kiosks.list_overdue("Q6-01")
    assert len(overdue) == 5 and all(i.action == "keep" for i in overdue)
    assert kiosks.pull_back_overdue("Q6-01", staff=STAFF, one_stop=ONE_STOP, police=POLICE, actor=STAFF_ACTOR) == []
    assert sum(t.status == "loaded" for t in kiosks.get_kiosk("Q6-01").trays) == 5
    waiting, _ = dossiers.receive(
        procedure_code=KIOSK_PROCEDURES[0],
        channel="counter",
        actor=CLERK,
        components=[],
        applicant=Applicant(id_number=Citizen(7).id_number, name=Citizen(7).name),
    )
    with pytest.raises(NotReadyError):
        kiosks.start_pickup_with_receipt("Q6-01", id_number=Citizen(7).id_number, code=waiting)
    with pytest.raises(PickupRefusedError):
        kiosks.start_pickup_with_receipt("Q6-01", id_number=Citizen(0).id_number, code=waiting[:-4] + "0099")
