"""A month at District 6 for the acceptance test: a seeded, deterministic scenario played day by day through the
services of one `System`, and the scenario's own record of everything it did (`Ledger`), from which the test computes
every expected figure. Nothing here reads an expected value back from the system: where the system answers (a code,
an event version, a receipt number), the answer is an identifier, or it is checked against the scenario's prediction
on the spot. Intake is in month_intake.py, the record in month_cases.py.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

from application.reconciliation import Reconciliation
from domain.calendar import WorkingCalendar
from domain.dossier import RefundMethod
from domain.procedures import Catalogue
from domain.tray import PickupMethod
from domain.values import Actor, DeliveryChannel, PaymentMethod, Rating, Role, SatisfactionLevel
from infrastructure.bootstrap import System
from tests.acceptance.month_cases import Case, Collection, Ledger, Refund
from tests.acceptance.month_intake import KIOSKS, Intake, fee_for, vn_day
from tests.application.test_kiosk_day import CLERK
from tests.kiosk_support import CITIZEN, ONE_STOP, POLICE, STAFF, STAFF_ACTOR, officer, vn

FIRST_DAY, LAST_DAY = date(2026, 5, 1), date(2026, 5, 31)  # 1 May is a holiday; weekends only the kiosks work
LEVELS = list(SatisfactionLevel)
OVERDUE_DAYS = 5
__all__ = ["FIRST_DAY", "KIOSKS", "LAST_DAY", "LEVELS", "Month", "vn_day"]


class Month(Intake):
    """Plays the month; `ledger` is what it did."""

    def __init__(self, system: System, calendar: WorkingCalendar, seed: int = 20260501) -> None:
        self.system, self.calendar, self.rng = system, calendar, random.Random(seed)
        self.catalogue: Catalogue = system.catalogue
        self.ledger = Ledger(trays={key: {} for key in KIOSKS}, boxes={key: {} for key in KIOSKS})
        self.people = 0

    # ----- the calendar -------------------------------------------------------------------
    def days(self) -> list[date]:
        return [FIRST_DAY + timedelta(days=n) for n in range((LAST_DAY - FIRST_DAY).days + 1)]

    def working(self, day: date) -> bool:
        return self.calendar.is_working_day(day)

    def after(self, day: date, working_days: int) -> date:
        for _ in range(working_days):
            day = self.calendar.first_working_day_from(day + timedelta(days=1))
        return day

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        self.system.clock.current = vn(day, hour, minute)
        return self.system.clock.current

    # ----- set-up -------------------------------------------------------------------------
    def install(self) -> None:
        self.at(FIRST_DAY, 6)
        for key, trays in KIOSKS.items():
            self.system.kiosks.install_kiosk(
                key, name=f"Kiosk 24/7 {key}", agency="H29.06", tray_count=trays, actor=STAFF_ACTOR
            )
            self.system.kiosks.register_envelopes(
                key, barcodes=[f"{key.replace('-', '')}E{n:05d}" for n in range(1, 301)], actor=STAFF_ACTOR
            )

    # ----- one day --------------------------------------------------------------------------
    def play(self, day: date) -> None:
        """Everything of one calendar day in time order; the office's routines only on working days."""
        working, rng = self.working(day), self.rng
        self.kiosk_submissions(day, 5, rng.randint(1, 3))
        self.online(day)
        if working:
            self.pull_backs(day)
            for key in KIOSKS:
                self.collect(day, key, 8)
            self.counter_and_police(day)
            self.process(day)
        self.kiosk_submissions(day, 11, rng.randint(2, 5) if working else rng.randint(1, 3))
        self.pickups(day)
        self.kiosk_submissions(day, 13, rng.randint(1, 3))
        if working:
            for key in KIOSKS:
                self.collect(day, key, 14)
            self.counter_work(day)
            self.load(day)
            self.issue_receipts(day)
        self.kiosk_submissions(day, 19, rng.randint(0, 2))

    # ----- the office's routines -------------------------------------------------------------
    def collect(self, day: date, key: str, hour: int) -> None:
        """08:00 / 14:00: the bin and the cash box emptied, the cash split by department, envelopes handed over."""
        at, box = self.at(day, hour), self.ledger.boxes[key]
        expected = sum(box.values())
        report = self.system.cash_collections.collect(key, cash_counted=expected, collector=STAFF, actor=STAFF_ACTOR)
        split: dict[str, int] = defaultdict(int)
        for code, amount in box.items():
            split[self.ledger.cases[code].department] += amount
        envelopes = self.ledger.bin[key]
        assert sorted(e.dossier_code for e in report.envelopes) == sorted(envelopes), (key, day, hour)
        self.ledger.collections.append(Collection(key, at, expected, dict(split), list(envelopes)))
        self.ledger.boxes[key], self.ledger.bin[key] = {}, []
        by_department: dict[str, list[str]] = defaultdict(list)
        for code in envelopes:
            by_department[self.ledger.cases[code].department].append(code)
        for department, codes in sorted(by_department.items()):
            receiver = officer(department)
            self.system.kiosks.hand_over_batch(
                codes, item="Phong bì hồ sơ từ kiosk", giver=STAFF, receiver=receiver, actor=STAFF_ACTOR
            )  # the handover book's line for each envelope, which the department's officer signs for
            self.system.kiosks.confirm_handovers(
                codes, actor=Actor(account_id=receiver.account_id, role=Role.DEPARTMENT_OFFICER)
            )
            for code in codes:
                self.ledger.cases[code].in_department = day
                self.plan_result(self.ledger.cases[code], day)

    def plan_result(self, case: Case, day: date) -> None:
        """The department's result day: most within the procedure's time, some late."""
        days = case.procedure.processing_days
        delay = self.rng.randint(1, max(1, min(days, 6))) if self.rng.random() < 0.85 else days + 2
        case.stage, case.next_day = "processing", self.after(day, delay)

    def process(self, day: date) -> None:
        """10:00: accept online dossiers; departments finish what is due today (or reject it)."""
        dossiers = self.system.dossiers
        for case in self.ledger.due(day, "registered"):
            at = self.at(day, 10)
            dossiers.accept(case.code, actor=CLERK)
            case.steps.append("accepted")
            case.fee = fee_for(case.procedure, 1)
            case.due_on = self.calendar.add_working_days(at, case.procedure.processing_days)
            assert dossiers.get_dossier(case.code).due_on == case.due_on, case.code
            self.assess_and_pay_at_counter(case, at, 1, method=PaymentMethod.BANK_QR)  # paid online (seed 001)
            case.in_department = day
            self.plan_result(case, day)
        for case in self.ledger.due(day, "processing"):
            self.at(day, 10, 30)
            if case.reject:
                dossiers.reject(case.code, reason="Hồ sơ không đủ điều kiện giải quyết", actor=CLERK)
                case.stage, case.next_day, case.rejected = "rejected", self.after(day, 1), True
                case.steps.append("rejected")
                continue
            if case.channel != "online":
                dossiers.accept(case.code, actor=CLERK)
            dossiers.route(case.code, department=case.department, actor=CLERK)
            dossiers.issue_result(case.code, summary="Kết quả giải quyết", actor=CLERK)
            case.stage, case.next_day = ("to_tray" if case.return_kiosk else "at_counter"), day
            case.steps.append("result_issued")
            if case.return_kiosk:
                dossiers.hand_over(
                    case.code, item="Kết quả (bản chính)", giver=officer(case.department), receiver=STAFF, actor=CLERK
                )

    def counter_work(self, day: date) -> None:
        """15:00 at the counter: results handed out (what is owed paid first), refunds of rejected dossiers' fees and
        of excesses, results pulled back from trays given to the citizens who come for them."""
        dossiers = self.system.dossiers
        for case in self.ledger.due(day, "at_counter"):
            at = self.at(day, 15)
            if case.shortfall:
                written = dossiers.record_payment(
                    case.code, method=PaymentMethod.CASH, amount=case.shortfall, actor=CLERK
                )
                self.record_payment(case, PaymentMethod.CASH, case.shortfall, at, written.version)
            dossiers.deliver_result(case.code, channel=DeliveryChannel.COUNTER, actor=CLERK)
            self.delivered(case, at, "counter")
            if self.rng.random() < 0.5:
                case.level = self.rng.choice(LEVELS)
                dossiers.rate(case.code, rating=Rating(level=case.level), actor=CITIZEN)
        for case in self.ledger.due(day, "rejected") + self.ledger.due(day, "excess"):
            owed = case.paid - case.refunded if case.rejected else case.excess
            if owed:
                at = self.at(day, 15, 30)
                by_bank = self.rng.random() < 0.4
                method = RefundMethod.BANK_TRANSFER if by_bank else RefundMethod.CASH
                reference = f"HT{len(self.ledger.refunds) + 1:06d}" if by_bank else None
                self.system.refunds.refund(case.code, method=method, bank_reference=reference, actor=CLERK)
                refund = Refund(
                    case.code, case.agency, owed, method.value, "rejected" if case.rejected else "excess", at
                )
                case.refunded += owed
                self.ledger.refunds.append(refund)
            case.stage, case.next_day = "done", None

    def load(self, day: date) -> None:
        """16:00: the results for each kiosk into its lowest free trays; a full kiosk refuses the rest, which go to
        the counter. Then the pickup SMS are sent."""
        for key, trays in KIOSKS.items():
            cases = [c for c in self.ledger.due(day, "to_tray") if c.return_kiosk == key]
            if not cases:
                continue
            at = self.at(day, 16)
            slip = self.system.kiosks.load_results(key, [c.code for c in cases], staff=STAFF, actor=STAFF_ACTOR)
            occupied = self.ledger.trays[key]
            expected, refused = [], []
            for case in cases:
                free = [n for n in range(1, trays + 1) if n not in occupied]
                if not free:
                    refused.append(case.code)
                    case.stage, case.next_day, case.return_kiosk = "at_counter", self.after(day, 1), None
                    continue
                occupied[free[0]] = case.code
                expected.append((free[0], case.code))
                case.loads.append((key, free[0], at))
                case.steps.append("loaded_into_tray")
                if case.never_comes is None:  # the small kiosk's citizens are the slow ones: its trays fill up
                    case.never_comes = self.rng.random() < (0.45 if key == "Q6-03" else 0.05)
                case.stage = "in_tray"
                case.next_day = None if case.never_comes else self.after(day, self.rng.randint(0, 3))
            assert [(line.tray, line.dossier_code) for line in slip.loaded] == expected, (key, day)
            assert sorted(slip.refused) == sorted(refused), (key, day)
        at = self.at(day, 16, 30)
        self.system.notifications.follow_requests(at)
        self.system.notifications.dispatch_due(at)

    def pickups(self, day: date) -> None:
        """Citizens at the kiosks (24/7): ID cards by code and OTP, other results by CCCD and receipt; what is owed
        is paid in cash at the kiosk; most rate the service."""
        kiosks = self.system.kiosks
        for n, case in enumerate(self.ledger.due(day, "in_tray")):
            key, tray, _ = case.loads[-1]
            at = self.at(day, 12, n % 60)
            if case.card:
                kiosks.request_pickup_otp(key, case.code)
                otp = kiosks.otp.code_for(case.citizen.phone, f"pickup:{case.code}")
                ticket = kiosks.start_pickup_with_otp(key, code=case.code, otp_code=otp)
                method = PickupMethod.CODE_AND_OTP
            else:
                ticket = kiosks.start_pickup_with_receipt(key, id_number=case.citizen.id_number, code=case.code)
                method = PickupMethod.CCCD_AND_RECEIPT
            assert (ticket.tray, ticket.shortfall) == (tray, case.shortfall), case.code
            if case.shortfall:
                self.pay_at_kiosk(case, key, at, [(PaymentMethod.CASH, case.shortfall)])
            kiosks.release(key, case.code, ticket=ticket.token, method=method, actor=CITIZEN)
            del self.ledger.trays[key][tray]
            self.delivered(case, at, "kiosk")
            if self.rng.random() < 0.75:
                case.level = self.rng.choice(LEVELS)
                kiosks.rate(case.code, rating=Rating(level=case.level), actor=CITIZEN)

    def delivered(self, case: Case, at: datetime, how: str) -> None:
        case.delivered_at, case.returned = at, how
        case.steps.append("delivered")
        wants_refund = case.excess and self.rng.random() < 0.7
        case.stage, case.next_day = ("excess", self.after(vn_day(at), 1)) if wants_refund else ("done", None)

    def pull_backs(self, day: date) -> None:
        """07:30: results not collected within five working days of their SMS leave a full kiosk's trays for the
        one-stop officer (or the police, for ID cards); the citizen then collects at the counter, or (the first one)
        the result goes back into a tray of the main kiosk."""
        for key, trays in KIOSKS.items():
            occupied = self.ledger.trays[key]
            self.at(day, 7, 30)
            expected = []
            if len(occupied) == trays:
                for tray, code in sorted(occupied.items()):
                    sms_day = vn_day(self.ledger.cases[code].loads[-1][2])
                    if self.calendar.working_days_between(sms_day, day) > OVERDUE_DAYS:
                        expected.append((tray, code))
            pulled = self.system.kiosks.pull_back_overdue(
                key, staff=STAFF, one_stop=ONE_STOP, police=POLICE, actor=STAFF_ACTOR
            )
            assert [(item.tray, item.dossier_code) for item in pulled] == expected, (key, day)
            for item in pulled:
                case = self.ledger.cases[item.dossier_code]
                assert item.receiver == ("police" if case.card else "one_stop"), case.code
                del occupied[item.tray]
                case.pulled += 1
                case.steps.append("pulled_back")
                case.never_comes = False
                if not self.ledger.reloaded:
                    self.ledger.reloaded = case.code
                    case.stage, case.next_day, case.return_kiosk = "to_tray", self.after(day, 1), "Q6-01"
                else:
                    case.stage, case.next_day, case.return_kiosk = "at_counter", self.after(day, 1), None

    def issue_receipts(self, day: date) -> None:
        """17:00: an electronic fee receipt for every payment without one, numbered per agency without gaps; on the
        fourth working day one receipt is cancelled (wrong content) and replaced."""
        receipts = self.system.receipts
        self.at(day, 17)
        for case in self.ledger.cases.values():
            waiting = [p for p in case.payments if p.receipt is None]
            if not waiting:
                continue
            issued = receipts.issue_for_payments(case.code, actor=CLERK)
            predicted = [self.ledger.next_receipt(case.agency) for _ in waiting]
            assert issued == [(2026, number) for number in predicted], case.code
            for payment, number in zip(waiting, predicted, strict=True):
                payment.receipt = number
                self.ledger.receipts[(case.agency, number)] = payment
        if day == self.after(FIRST_DAY, 4) and not self.ledger.replaced:
            old = min(number for agency, number in self.ledger.receipts if agency == "H29.06")
            payment = self.ledger.receipts[("H29.06", old)]
            self.at(day, 17, 10)
            new = receipts.replace(
                "H29.06",
                2026,
                old,
                reason="Ghi sai nội dung thu",
                content=f"Lệ phí {self.ledger.cases[payment.code].procedure.name} (hồ sơ {payment.code})"[:200],
                amount=payment.amount,
                actor=CLERK,
            )
            assert new == self.ledger.next_receipt("H29.06")
            payment.receipt = new
            self.ledger.receipts[("H29.06", new)] = payment
            self.ledger.replaced[("H29.06", old)] = new

    # ----- after the month ----------------------------------------------------------------
    def finish(self) -> None:
        """The messages still due are sent; the read models catch up."""
        at = self.at(LAST_DAY + timedelta(days=1), 7)
        self.system.notifications.follow_requests(at)
        self.system.notifications.dispatch_due(at)
        self.system.projector.catch_up()

    def reconciliation(self) -> Reconciliation:
        agencies = [agency.code for agency in self.catalogue.agencies]
        return Reconciliation(self.system.app, agencies=agencies, clock=self.system.clock)
