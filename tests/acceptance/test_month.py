"""Acceptance ([13]): a month of District 6 played through the services of one System — three kiosks' days (24/7,
collections at 08:00 and 14:00, loading at 16:00, pickups, overdue pull-backs from a full kiosk), counter, police and
online dossiers of several departments and two wards, fees with quantities, cash with excess and shortfall, bank-QR
payments, refunds, fee receipts (one cancelled and replaced), ratings, and at the end the bank's statement (CSV and
camt.053) with a mistyped reference and a line sent twice.

Every expected figure is computed here from the scenario's own record (tests/acceptance/month_cases.py), never read
from the system under test."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from application.errors import NotFoundError
from application.receipts import FeeReceipt
from application.reconciliation import ImportResult
from domain.errors import InvalidValueError
from domain.fee_receipt import ReceiptStatus
from infrastructure.calendar import load_calendar
from projections.book_queries import CashBox, CashLedger, cash_box, cash_ledger
from projections.reconciliation import reconciliation_view
from projections.reports import NAMED_DEPARTMENTS, ReportsView
from tests.acceptance.month_bank import SPLIT_DAY, BankLine, as_camt053, as_csv, bank_lines
from tests.acceptance.month_cases import Case, Ledger
from tests.acceptance.month_support import FIRST_DAY, KIOSKS, LAST_DAY, LEVELS, Month, vn_day
from tests.acceptance.month_system import month_system
from tests.kiosk_support import STAFF_ACTOR, vn

# The citizen is told something at these steps of a dossier's life (003 Đ4.2đ, Đ5.2, Đ8.3, Đ9.2b, Đ17.5), each by
# one message of this template. An online dossier's registration is told when it is accepted; a result that goes back
# through a kiosk tray is told by the tray message, not when it is issued (`message_of`). The pickup reminder and the
# supplement request are not played in this month.
MESSAGES: dict[str, str] = {
    "received": "received",
    "accepted": "accepted",
    "rejected": "rejected",
    "result_issued": "result_ready",
    "loaded_into_tray": "pickup_ready",
    "pulled_back": "pulled_back",
}


def message_of(case: Case, step: str) -> str | None:
    """The template the citizen of `case` is sent at `step`, None when that step tells nothing."""
    if step == "result_issued" and case.channel == "kiosk" and case.procedure.kiosk_return:
        return None
    return MESSAGES.get(step)


@dataclass
class DayBooks:
    """What the read side and the receipt series showed at the end of one day."""

    boxes: dict[str, CashBox]
    kiosk_books: dict[str, CashLedger]
    books: CashLedger  # the month so far, every kiosk and counter
    receipts: dict[tuple[str, int], FeeReceipt]  # every receipt issued so far, as last read


@dataclass
class Played:
    """The month, the books of each of its days, and the bank's lines with what their import recorded."""

    month: Month
    days: dict[date, DayBooks]
    lines: list[BankLine]
    imported: list[ImportResult]  # of the CSV, then of the camt.053 file


@pytest.fixture(scope="module")
def played(tmp_path_factory, catalogue) -> Iterator[Played]:
    """The month played once for the module's tests, the books read at the end of every day."""
    with month_system(tmp_path_factory.mktemp("month"), catalogue) as system:
        month = Month(system, load_calendar())
        month.install()
        days, seen = {}, {}
        for day in month.days():
            month.play(day)
            system.projector.catch_up()
            days[day] = observe(system, day, seen)
        month.finish()
        lines = bank_lines(month.ledger, vn_day)
        system.clock.current = vn(LAST_DAY + timedelta(days=1), 9)
        reconciliation = month.reconciliation()
        imported = [
            reconciliation.import_statement(
                as_csv([ln for ln in lines if ln.booked_on < SPLIT_DAY]), actor=STAFF_ACTOR
            ),
            reconciliation.import_statement(
                as_camt053([ln for ln in lines if ln.booked_on >= SPLIT_DAY]), actor=STAFF_ACTOR
            ),
        ]
        system.projector.catch_up()
        yield Played(month, days, lines, imported)


def observe(system, day: date, seen: dict[tuple[str, int], FeeReceipt]) -> DayBooks:
    """The books at the end of the day; receipts read from each agency's series (new numbers, and the receipt a
    replacement cancelled)."""
    store = system.projector.store
    for agency in sorted({a.code for a in system.catalogue.agencies}):
        number = 1 + max((n for a, n in seen if a == agency), default=0)
        while (receipt := read_receipt(system, agency, number)) is not None:
            seen[(agency, number)] = receipt
            if receipt.replaces:
                seen[(agency, int(receipt.replaces))] = read_receipt(system, agency, int(receipt.replaces))
            number += 1
    return DayBooks(
        boxes={key: cash_box(store, key) for key in KIOSKS},
        kiosk_books={key: cash_ledger(store, kiosk=key, start=day, end=day) for key in KIOSKS},
        books=cash_ledger(store, kiosk=None, start=FIRST_DAY, end=day),
        receipts=dict(seen),
    )


def read_receipt(system, agency: str, number: int) -> FeeReceipt | None:
    try:
        return system.receipts.get_receipt(agency, 2026, number)
    except (NotFoundError, InvalidValueError):  # no series yet, or past its last number
        return None


def agency(code: str) -> str:
    return code.rsplit("-", 2)[0]


def end_of(day: date) -> datetime:
    return vn(day + timedelta(days=1), 0)


# ----- money --------------------------------------------------------------------------------------------------------
def test_every_kiosk_days_cash_box_equals_its_cash_ledger_and_its_collections(played) -> None:
    ledger = played.month.ledger
    for day, books in played.days.items():
        for key in KIOSKS:
            kiosk_book = books.kiosk_books[key]
            collections = [c for c in ledger.collections if c.kiosk == key and vn_day(c.at) == day]
            assert kiosk_book.totals.cash_in == ledger.cash_in.get((key, day), 0), (key, day)
            assert [(c.cash_expected, c.cash_counted, c.envelopes) for c in kiosk_book.collections] == [
                (c.amount, c.amount, len(c.envelopes)) for c in collections
            ], (key, day)
            by_collection: dict[int, dict[str, int]] = defaultdict(dict)
            for line in kiosk_book.department_cash:
                by_collection[line.collection_number][line.department] = line.amount
            assert list(by_collection.values()) == [c.split for c in collections if c.amount], (key, day)
            collected = sum(c.amount for c in ledger.collections if c.kiosk == key and vn_day(c.at) <= day)
            put_in = sum(amount for (k, d), amount in ledger.cash_in.items() if k == key and d <= day)
            assert books.boxes[key].cash_in_box == put_in - collected, (key, day)
    # the fee receipts of each kiosk day's cash (by the payments they were issued for) add up to its cash in
    receipts, checked = played.days[LAST_DAY].receipts, 0
    for (key, day), cash_in in ledger.cash_in.items():
        paid = [p for p in ledger.payments if p.kiosk == key and p.method == "cash" and vn_day(p.at) == day]
        if all(p.receipt is not None for p in paid):
            standing = [receipts[(p.agency, p.receipt)] for p in paid]
            assert sum(r.amount for r in standing) == cash_in == played.days[day].kiosk_books[key].totals.cash_in
            assert [r.dossier_code for r in standing] == [p.code for p in paid]
            checked += 1
    assert checked >= 50  # kiosk days with cash whose every payment has its receipt by the end of the month
    assert len({department for c in ledger.collections for department in c.split}) >= 4  # sorted by department


def test_every_days_receipts_less_refunds_equal_the_money_the_books_keep_per_agency(played) -> None:
    ledger, calendar = played.month.ledger, played.month.calendar
    for day, books in played.days.items():
        worked = [d for d in played.days if d <= day and calendar.is_working_day(d)]
        last_issue = vn(worked[-1] if worked else FIRST_DAY, 17 if worked else 0)  # receipts: 17:00 on working days
        paid = by_agency((p.code, p.amount) for p in ledger.payments if p.at < end_of(day))
        receipted = by_agency((p.code, p.amount) for p in ledger.payments if p.at < last_issue)
        refunded = by_agency((r.code, r.amount) for r in ledger.refunds if r.at < end_of(day))
        kept = by_agency((d.dossier_code, d.paid_cash + d.paid_bank_qr) for d in books.books.dossiers)
        refunds = by_agency((r.dossier_code, r.amount) for r in books.books.refunds)
        receipts = by_agency(
            (r.dossier_code, r.amount) for r in books.receipts.values() if r.status is ReceiptStatus.ISSUED
        )
        waiting = minus(paid, receipted)  # paid since the last issue (evenings, weekends): receipted next time
        assert refunds == refunded, day
        assert receipts == receipted, day
        assert kept == minus(paid, refunded), day
        assert kept == minus(plus(receipts, waiting), refunds), day
    assert {(r.reason, r.method) for r in ledger.refunds} >= {("excess", "cash"), ("rejected", "bank_transfer")}

    # and each dossier's line of the books at the month's end: its fee (gone once a rejected dossier's fee is
    # refunded), what it kept, its shortfall and excess
    lines = {d.dossier_code: d for d in played.days[LAST_DAY].books.dossiers}
    expected = {}
    for case in ledger.cases.values():
        fee, kept = 0 if case.rejected and case.refunded else case.fee, case.paid - case.refunded
        if fee or kept:
            expected[case.code] = (fee, kept, max(fee - kept, 0), max(kept - fee, 0))
    assert {code: (d.fee, d.paid_cash + d.paid_bank_qr, d.shortfall, d.excess) for code, d in lines.items()} == expected

    # each kiosk's book of the month: the dossiers it received, or whose result it was first loaded with
    for key in KIOSKS:
        book = cash_ledger(played_store(played), kiosk=key, start=FIRST_DAY, end=LAST_DAY)
        mine = [c for c in ledger.cases.values() if (c.kiosk or (c.loads[0][0] if c.loads else None)) == key]
        assert by_agency((d.dossier_code, d.paid_cash + d.paid_bank_qr) for d in book.dossiers) == by_agency(
            (c.code, c.paid - c.refunded) for c in mine
        ), key
        assert by_agency((r.dossier_code, r.amount) for r in book.refunds) == by_agency(
            (r.code, r.amount) for r in ledger.refunds if r.code in {c.code for c in mine}
        ), key
    assert len({agency(code) for code in ledger.cases}) >= 4  # the district, wards and the police


def by_agency(amounts) -> dict[str, int]:
    """Sums per agency of (dossier code, amount) pairs, zero sums left out."""
    sums: Counter[str] = Counter()
    for code, amount in amounts:
        sums[agency(code)] += amount
    return {a: n for a, n in sums.items() if n}


def plus(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: n for k in a.keys() | b.keys() if (n := a.get(k, 0) + b.get(k, 0))}


def minus(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return plus(a, {k: -n for k, n in b.items()})


def test_each_payment_has_one_standing_receipt_and_the_cancelled_one_names_its_replacement(played) -> None:
    ledger = played.month.ledger
    receipts = played.days[LAST_DAY].receipts
    for (series, number), payment in ledger.receipts.items():
        receipt = receipts[(series, number)]
        assert (receipt.dossier_code, receipt.amount) == (payment.code, payment.amount)
        expected = ReceiptStatus.CANCELLED if (series, number) in ledger.replaced else ReceiptStatus.ISSUED
        assert receipt.status is expected
        assert receipt.method == {"cash": "Tiền mặt", "bank_qr": "Chuyển khoản (mã QR)"}[payment.method]
    assert set(receipts) == set(ledger.receipts)
    [(old, new)] = ledger.replaced.items()
    assert receipts[old].replaced_by == f"{new:07d}" and receipts[(old[0], new)].replaces == f"{old[1]:07d}"
    assert all(p.receipt is not None for p in ledger.payments if p.at < vn(LAST_DAY - timedelta(days=2), 17))


# ----- the bank --------------------------------------------------------------------------------------------------
def test_every_bank_line_is_matched_to_its_payment_or_listed_as_unmatched_or_disputed(played) -> None:
    recorded = [line for result in played.imported for line in result.lines]
    assert [result.format for result in played.imported] == ["csv", "camt053"]
    assert [(ln.bank_reference, ln.amount, ln.booked_on) for ln in recorded] == [
        (ln.bank_reference, ln.amount, ln.booked_on) for ln in played.lines
    ]
    for got, wanted in zip(recorded, played.lines, strict=True):
        assert got.status.value == wanted.status, got
        assert got.dossier_code == (None if wanted.status == "unmatched" else wanted.pays.code), got
        assert got.payment_version == (wanted.pays.version if wanted.status == "matched" else None), got
        assert (got.reason.value if got.reason else None) == wanted.reason, got
    assert Counter(ln.status for ln in played.lines) == {"matched": len(recorded) - 2, "unmatched": 1, "disputed": 1}
    view = reconciliation_view(played_store(played), start=FIRST_DAY, end=LAST_DAY)
    assert [len(view.matched), len(view.unmatched), len(view.disputed)] == [len(recorded) - 2, 1, 1]

    # the cash ledger's bank-QR payments: reconciled exactly when a line was matched to them
    matched = {(ln.pays.code, ln.pays.amount) for ln in played.lines if ln.status == "matched"}
    bank_qr = cash_ledger(played_store(played), kiosk=None, start=FIRST_DAY, end=LAST_DAY).bank_qr
    assert sorted((q.dossier_code, q.amount, q.reconciled) for q in bank_qr) == sorted(
        (p.code, p.amount, (p.code, p.amount) in matched) for p in played.month.ledger.payments if p.method == "bank_qr"
    )


def played_store(played: Played):
    return played.month.system.projector.store


# ----- citizens told ----------------------------------------------------------------------------------------------
def test_every_citizen_message_is_sent_once_at_its_step(played) -> None:
    sent = Counter(
        (params["code"], address, template)
        for _, address, template, _, params in played.month.system.notifications.notifier.sent
    )
    expected = Counter(
        (case.code, case.citizen.phone, template)
        for case in played.month.ledger.cases.values()
        for step in case.steps
        if (template := message_of(case, step)) is not None
    )
    assert sent == expected
    assert expected.most_common(1)[0][1] == 2  # the result loaded again after its pull-back was announced again
    assert {template for _, _, template in expected} == set(MESSAGES.values())  # every step was played


# ----- the month's report ------------------------------------------------------------------------------------------
def test_the_months_kpis_equal_the_counts_of_the_scenario_record(played, catalogue) -> None:
    cases = list(played.month.ledger.cases.values())
    report = ReportsView(played_store(played), {d.code: d.name for d in catalogue.departments}).report(
        "month", date(2026, 5, 15), today=date(2026, 6, 1), agency="H29.06"
    )
    assert report.totals.received == len(cases)
    assert {s.key: s.count for s in report.totals.channels if s.count} == dict(Counter(c.channel for c in cases))

    for target in report.department_targets:  # seed 000 §4.1: 40% via the kiosk, received or returned there
        mine = [c for c in cases if c.department == target.key.split(":")[1]]
        via = [c for c in mine if c.channel == "kiosk" or c.returned == "kiosk"]
        assert (target.numerator, target.denominator) == (len(via), len(mine)), target.key
    assert all(t.denominator for t in report.department_targets), "every named department had dossiers"
    assert [t.key.split(":")[1] for t in report.department_targets] == list(NAMED_DEPARTMENTS)

    cards = [c for c in cases if c.card and c.returned]
    cccd = next(t for t in report.targets if t.key == "cccd_kiosk_return")
    assert (cccd.numerator, cccd.denominator) == (sum(c.returned == "kiosk" for c in cards), len(cards)) and cards

    delivered = [c for c in cases if c.returned]
    on_time = [c for c in delivered if c.due_on is not None and vn_day(c.delivered_at) <= c.due_on]
    assert (report.totals.delivered, report.totals.on_time, report.totals.late) == (
        len(delivered),
        len(on_time),
        len(delivered) - len(on_time),
    )
    assert 0 < len(on_time) < len(delivered)
    open_late = [c for c in cases if not c.returned and not c.rejected and c.due_on and c.due_on < LAST_DAY]
    assert report.totals.overdue_open == len(open_late) > 0
    intake = next(t for t in report.targets if t.key == "kiosk_intake")
    assert (intake.numerator, intake.denominator) == (sum(c.channel == "kiosk" for c in cases), len(cases))
    rated = [c for c in cases if c.level]
    assert [s.count for s in report.totals.levels] == [sum(c.level is level for c in rated) for level in LEVELS]
    assert report.totals.satisfied_rate == sum(c.level in LEVELS[:2] for c in rated) / len(rated)

    paper = Counter((c.agency, c.department) for c in cases if c.channel != "online")
    online = Counter((c.agency, c.department) for c in cases if c.channel == "online")
    rows = {(row.agency, row.department): row for row in report.digitization}
    assert {unit: row.paper_received for unit, row in rows.items() if row.paper_received} == dict(paper)
    assert {unit: row.online_received for unit, row in rows.items() if row.online_received} == dict(online)
    reused = Counter((c.agency, c.department) for c in cases if c.reused)
    assert {unit: (row.digitized, row.reuses) for unit, row in rows.items() if row.digitized} == {
        unit: (n, n) for unit, n in reused.items()
    }
    assert all(row.month == "2026-05" and row.scans == row.online_scanned == 0 for row in rows.values())
    assert reused


def test_the_scenario_exercised_what_the_acceptance_names(played) -> None:
    """A guard on the generator: a change of seed or sizes must not silently skip a part of the acceptance."""
    ledger: Ledger = played.month.ledger
    cases = list(ledger.cases.values())
    assert 300 <= len(cases) <= 700
    assert {c.channel for c in cases} == {"kiosk", "counter", "online"}
    assert any(c.excess for c in cases) or any(r.reason == "excess" for r in ledger.refunds)
    assert any(c.pulled for c in cases) and ledger.reloaded
    assert any(c.card and c.returned == "kiosk" for c in cases)
    assert len({c.fee for c in cases if c.procedure.fee_unit.value == "page"}) > 3  # fees with quantities
