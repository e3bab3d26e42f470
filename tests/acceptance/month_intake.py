"""The month's intake: citizens at the three kiosks (24/7), at the district's and the wards' counters, at the police
counter and on the portal, with what they pay. A mixin of `Month` (month_support.py), which keeps the clock, the
calendar and the record."""

from __future__ import annotations

import random
from datetime import date, datetime
from functools import cache

from domain.calendar import WorkingCalendar
from domain.procedures import Catalogue, Procedure
from domain.values import Applicant, Channel, PaymentMethod
from domain.vault import DocumentMetadata, OwnerKind, VaultOwner
from infrastructure.bootstrap import System
from infrastructure.pdf import VietnameseDocument
from tests.acceptance.month_cases import Case, Ledger, Payment
from tests.application.test_kiosk_day import CLERK, POLICE_CLERK
from tests.kiosk_support import CITIZEN, KIOSK_ACTOR, Citizen

# Two full-size kiosks and a small one (6 trays) whose trays fill, so overdue results are pulled back (seed 000 §5).
KIOSKS = {"Q6-01": 90, "Q6-02": 90, "Q6-03": 6}
# (procedure, most units the citizen asks for): fees per page, copy, case or premises come with a quantity.
KIOSK_PROCEDURES = [
    ("1.008455.000.00.00.H29", 1),  # Quản lý đô thị, free
    ("2.000181.000.00.00.H29", 2),  # Kinh tế, 100.000 đ per premises
    ("1.001612.000.00.00.H29", 1),  # Tài chính – Kế hoạch, 100.000 đ
    ("1.001004.000.00.00.H29", 1),  # Giáo dục và Đào tạo, free
    ("2.000815.000.00.00.H29", 9),  # Tư pháp, 2.000 đ per page, 1.000 đ from the third
    ("2.000635.000.00.00.H29", 4),  # a ward's Tư pháp – Hộ tịch, 8.000 đ per copy
]
COUNTER_PROCEDURES = [
    ("2.000884.000.00.00.H29", 3),  # Tư pháp, 10.000 đ per case, counter only
    ("2.000942.000.00.00.H29", 6),
    ("1.008455.000.00.00.H29", 1),
    ("2.000181.000.00.00.H29", 1),
    ("1.001004.000.00.00.H29", 1),
    ("2.000908.000.00.00.H29", 5),  # a ward's certified copies, per page, received by the ward's officer
]
ONLINE_PROCEDURES = [("1.001612.000.00.00.H29", 1), ("2.000720.000.00.00.H29", 1), ("1.008455.000.00.00.H29", 1)]
CARD_PROCEDURES = ["2.001195.000.00.00.H29", "2.001194.000.00.00.H29"]  # police ID cards: counter in, tray out
WARDS = ["H29.06.7", "H29.06.12"]


def fee_for(procedure: Procedure, units: int) -> int:
    """The published fee rule, written out again: `fee` per unit, `fee_later` from unit `fee_later_from`, at most
    `fee_max`."""
    if procedure.fee_later_from is None or procedure.fee_later is None:
        due = procedure.fee * units
    else:
        first = min(units, procedure.fee_later_from - 1)
        due = procedure.fee * first + procedure.fee_later * (units - first)
    return min(due, procedure.fee_max) if procedure.fee_max else due


def agency_of(code: str) -> str:
    return code.rsplit("-", 2)[0]


class Intake:
    """Dossiers coming in, and the money paid for them; the clock (`at`), the calendar (`after`, `working`) and the
    departments' planning (`plan_result`) are Month's."""

    system: System
    calendar: WorkingCalendar
    catalogue: Catalogue
    rng: random.Random
    ledger: Ledger
    people: int

    def person(self) -> Citizen:
        self.people += 1
        return Citizen(self.people)

    def kiosk_submissions(self, day: date, hour: int, count: int) -> None:
        for n in range(count):
            key = self.rng.choice(list(KIOSKS))
            code, most = self.rng.choice(KIOSK_PROCEDURES)
            procedure, units, citizen = self.catalogue.procedure(code), self.rng.randint(1, most), self.person()
            at = self.at(day, hour, 5 * n)
            kiosks = self.system.kiosks
            kiosks.read_identity(citizen.qr)
            kiosks.request_otp(citizen.phone)
            proof = kiosks.verify_phone(citizen.phone, self.system.kiosks.otp.code_for(citizen.phone, "submit"))
            barcode = f"{key.replace('-', '')}E{self.ledger.envelopes_used[key] + 1:05d}"
            self.ledger.envelopes_used[key] += 1
            submitted = kiosks.submit(
                key,
                procedure_code=code,
                qr_payload=citizen.qr,
                phone=citizen.phone,
                phone_proof=proof,
                envelope=barcode,
                actor=KIOSK_ACTOR,
                quantity=units,
            )
            case = self.open_case(submitted.dossier_code, procedure, "kiosk", citizen, at, units, kiosk=key)
            assert submitted.fee == case.fee and submitted.due_on == case.due_on, case.code
            self.ledger.bin[key].append(case.code)
            self.pay_at_kiosk(case, key, at, self.kiosk_payment(case.fee))
            case.return_kiosk = key if self.rng.random() < 0.8 else None

    def kiosk_payment(self, fee: int) -> list[tuple[PaymentMethod, int]]:
        """Exact cash, cash with an excess (no change is given), too little cash, or a bank-QR transfer."""
        if not fee:
            return []
        roll = self.rng.random()
        if roll < 0.35:
            return [(PaymentMethod.CASH, fee)]
        if roll < 0.55:
            return [(PaymentMethod.CASH, fee + self.rng.choice([1_000, 5_000, 10_000, 50_000]))]
        if roll < 0.7:
            return [(PaymentMethod.CASH, fee // 2)] if fee >= 2_000 else [(PaymentMethod.CASH, fee)]
        return [(PaymentMethod.BANK_QR, fee)]

    def pay_at_kiosk(self, case: Case, key: str, at: datetime, parts: list[tuple[PaymentMethod, int]]) -> None:
        for method, amount in parts:
            balance = self.system.kiosks.pay(key, case.code, method=method, amount=amount, actor=KIOSK_ACTOR)
            self.record_payment(case, method, amount, at, balance.version, kiosk=key)
            assert (balance.shortfall, balance.excess) == (case.shortfall, case.excess), case.code

    def counter_and_police(self, day: date) -> None:
        dossiers = self.system.dossiers
        for n in range(self.rng.randint(3, 6)):
            code, most = self.rng.choice(COUNTER_PROCEDURES)
            procedure, units, citizen = self.catalogue.procedure(code), self.rng.randint(1, most), self.person()
            at = self.at(day, 9, 3 * n)
            ward = self.rng.choice(WARDS) if procedure.agency != "H29.06" else None
            dossier_code, _ = dossiers.receive(
                procedure_code=code,
                channel=Channel.COUNTER,
                applicant=applicant(citizen),
                components=[],
                actor=CLERK,
                ward=ward,
            )
            case = self.open_case(dossier_code, procedure, "counter", citizen, at, units)
            if self.rng.random() < 0.3:  # seed 002: a still-valid earlier result in the vault is reused, not scanned
                self.reuse_from_vault(case)
            self.assess_and_pay_at_counter(case, at, units)
            case.in_department = day
            case.return_kiosk = "Q6-01" if self.rng.random() < 0.3 else None
            self.plan_result(case, day)
        for n in range(self.rng.randint(0, 2)):  # ID cards at the police counter; returned through a kiosk tray
            code, citizen = self.rng.choice(CARD_PROCEDURES), self.person()
            procedure, at = self.catalogue.procedure(code), self.at(day, 9, 40 + 3 * n)
            dossier_code, _ = dossiers.receive(
                procedure_code=code,
                channel=Channel.COUNTER,
                applicant=applicant(citizen),
                components=[],
                actor=POLICE_CLERK,
            )
            case = self.open_case(dossier_code, procedure, "counter", citizen, at, 1, card=True)
            self.assess_and_pay_at_counter(case, at, 1, method=PaymentMethod.CASH)
            case.in_department = day
            case.return_kiosk = self.rng.choice(["Q6-02", "Q6-03", None])
            self.plan_result(case, day)

    def reuse_from_vault(self, case: Case) -> None:
        """The citizen's earlier licence, received electronically last year, is attached to the new dossier."""
        owner = VaultOwner(kind=OwnerKind.CITIZEN, id_number=case.citizen.id_number)
        metadata = DocumentMetadata(type_code="KQ.GPKD", name="Giấy chứng nhận đăng ký hộ kinh doanh", number="41/2025")
        self.system.vaults.store_document(owner, metadata=metadata, pdf=earlier_document(), actor=CLERK)
        self.system.vaults.reuse_for_receipt(owner, "KQ.GPKD", case.code, CLERK)
        case.reused = True

    def assess_and_pay_at_counter(
        self, case: Case, at: datetime, units: int, method: PaymentMethod | None = None
    ) -> None:
        dossiers = self.system.dossiers
        dossiers.assess_fee(case.code, quantity=units, actor=CLERK)
        if case.fee:
            method = method or self.rng.choice([PaymentMethod.CASH, PaymentMethod.BANK_QR])
            written = dossiers.record_payment(case.code, method=method, amount=case.fee, actor=CLERK)
            self.record_payment(case, method, case.fee, at, written.version)

    def online(self, day: date) -> None:
        for n in range(self.rng.randint(1, 3)):
            code, most = self.rng.choice(ONLINE_PROCEDURES)
            procedure, citizen = self.catalogue.procedure(code), self.person()
            at = self.at(day, 7, 10 * n)
            dossier_code, _ = self.system.dossiers.register_online(
                procedure_code=code, applicant=applicant(citizen), components=[], actor=CITIZEN
            )
            case = self.open_case(dossier_code, procedure, "online", citizen, at, 1)
            case.stage = "registered"
            case.next_day = self.after(day, 1) if self.working(day) else self.calendar.first_working_day_from(day)
            case.return_kiosk = "Q6-02" if self.rng.random() < 0.3 else None

    def open_case(
        self,
        code: str,
        procedure: Procedure,
        channel: str,
        citizen: Citizen,
        at: datetime,
        units: int,
        *,
        kiosk: str | None = None,
        card: bool = False,
    ) -> Case:
        agency = agency_of(code)
        department = agency + procedure.department[len(procedure.agency) :]  # a ward's section for a ward dossier
        due_on = None if channel == "online" else self.calendar.add_working_days(at, procedure.processing_days)
        case = Case(
            code=code,
            agency=agency,
            department=department,
            procedure=procedure,
            channel=channel,
            citizen=citizen,
            received_at=at,
            fee=0 if channel == "online" else fee_for(procedure, units),  # online: assessed once accepted
            due_on=due_on,
            kiosk=kiosk,
            card=card,
            reject=self.rng.random() < 0.06,
        )
        case.steps.append("registered" if channel == "online" else "received")
        self.ledger.cases[code] = case
        return case

    def record_payment(
        self, case: Case, method: PaymentMethod, amount: int, at: datetime, version: int, kiosk: str | None = None
    ) -> None:
        payment = Payment(case.code, case.agency, method.value, amount, at, version, kiosk)
        case.payments.append(payment)
        self.ledger.payments.append(payment)
        if kiosk is not None and method is PaymentMethod.CASH:
            box = self.ledger.boxes[kiosk]
            box[case.code] = box.get(case.code, 0) + amount
            self.ledger.cash_in[(kiosk, vn_day(at))] += amount


@cache
def earlier_document() -> bytes:
    document = VietnameseDocument()
    document.add_page()
    document.line_of_text("GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH", size=16, bold=True, align="C")
    return document.to_bytes()


def applicant(citizen: Citizen) -> Applicant:
    return Applicant(id_number=citizen.id_number, name=citizen.name, phone=citizen.phone)


def vn_day(at: datetime) -> date:
    from domain.clock import VIETNAM

    return at.astimezone(VIETNAM).date()
