"""A kiosk day's money, on SQLite and PostgreSQL: what the cash box held = the cash ledger's cash in = the collection
(split by department) = the fee receipts of the kiosk's cash payments; money kept = all receipts − refunds."""

from __future__ import annotations

from collections import defaultdict

from application.cash_split import CashCollections
from application.receipts import Receipts
from application.reconciliation import Reconciliation
from application.refunds import Refunds
from domain.clock import VIETNAM
from domain.codes import dossier_id
from domain.dossier import Dossier, RefundMethod
from infrastructure.readstore.runner import Projector
from projections.book_queries import cash_box, cash_ledger
from projections.models import read_models
from tests.application.test_kiosk_day import DAY, KIOSK_PROCEDURES, day, payments_for, submit  # noqa: F401
from tests.conftest import read_store_for
from tests.kiosk_support import STAFF, STAFF_ACTOR, Citizen, vn

OFFICER = STAFF_ACTOR


def test_a_kiosk_days_cash_box_ledger_collection_and_receipts_agree(day, catalogue, store_env, tmp_path) -> None:  # noqa: F811
    dossiers, kiosks, clock, otp = day
    store = read_store_for(store_env, tmp_path)
    projector = Projector(dossiers.app.recorder, dossiers.app.mapper, store, read_models(catalogue), batch=50)
    kiosks.install_kiosk("Q6-01", name="Kiosk 24/7 UBND Quận 6", agency="H29.06", actor=STAFF_ACTOR)
    kiosks.register_envelopes("Q6-01", barcodes=[f"Q6PB{n:06d}" for n in range(1, 17)], actor=STAFF_ACTOR)
    codes, cash_paid = [], defaultdict[str, int](int)
    for n in range(16):
        clock.current = vn(DAY, 8, n)
        procedure = KIOSK_PROCEDURES[n % len(KIOSK_PROCEDURES)]
        paid = payments_for(n, catalogue.procedure(procedure).fee)
        code = submit(kiosks, otp, catalogue, Citizen(n), procedure, f"Q6PB{n + 1:06d}", paid)
        codes.append(code)
        cash_paid[code] += sum(amount for method, amount in paid if method == "cash")
    projector.catch_up()
    box = cash_box(store, "Q6-01")
    assert box.cash_in_box == sum(cash_paid.values()) == kiosks.get_kiosk("Q6-01").cash_expected > 0

    clock.current = vn(DAY, 14)
    report = CashCollections(dossiers, catalogue).collect(
        "Q6-01", cash_counted=box.cash_in_box, collector=STAFF, actor=STAFF_ACTOR
    )
    assert report.cash_expected == report.cash_counted == box.cash_in_box
    assert sum(part.amount for part in report.by_department) == box.cash_in_box
    expected_split = defaultdict[str | None, int](int)
    for code, amount in cash_paid.items():
        if amount:
            expected_split[dossiers.scope_of(code)[1]] += amount
    assert {part.department: part.amount for part in report.by_department} == dict(expected_split)
    assert len(expected_split) > 1  # the box held the money of several departments

    # Evening at the counter: two dossiers rejected (fee back by transfer or cash), every payment gets its receipt.
    clock.current = vn(DAY, 16)
    refunds, receipts = Refunds(dossiers), Receipts(dossiers.app, catalogue=catalogue, clock=clock, tax_codes={})
    refunded = 0
    for n, code in enumerate([c for c in codes if dossiers.get_dossier(c).paid][:2]):
        dossiers.reject(code, reason="Không đủ điều kiện", actor=OFFICER)
        method = RefundMethod.BANK_TRANSFER if n else RefundMethod.CASH
        refunds.refund(code, method=method, bank_reference="FT1" if n else None, actor=OFFICER)
        refunded += sum(e.amount for e in dossiers.app.events.get(dossier_id(code)) if isinstance(e, Dossier.Refunded))
    for code in codes:
        receipts.issue_for_payments(code, actor=OFFICER)
    projector.catch_up()

    local_day = clock.current.astimezone(VIETNAM).date()
    ledger = cash_ledger(store, kiosk="Q6-01", start=local_day, end=local_day)
    year = local_day.year
    agencies = sorted({code.rsplit("-", 2)[0] for code in codes})
    issued = [
        receipts.get_receipt(agency, year, number)
        for agency in agencies
        for number in range(1, 40)
        if _exists(receipts, agency, year, number)
    ]
    cash_receipts = sum(r.amount for r in issued if r.method == "Tiền mặt")
    assert ledger.totals.cash_in == ledger.collections[0].cash_expected == box.cash_in_box == cash_receipts
    assert [(d.department, d.amount) for d in ledger.department_cash] == sorted(expected_split.items())
    kept = ledger.totals.paid_cash + ledger.totals.paid_bank_qr
    assert kept == sum(r.amount for r in issued) - ledger.totals.refunds_cash - ledger.totals.refunds_bank_transfer
    assert ledger.totals.refunds_cash + ledger.totals.refunds_bank_transfer == refunded > 0
    assert cash_box(store, "Q6-01").cash_in_box == 0  # emptied by the collection

    # The bank's statement confirms one bank-QR payment; rebuilt from zero, the money tables are as live made them.
    qr = next(
        e
        for code in codes
        for e in dossiers.app.events.get(dossier_id(code))
        if isinstance(e, Dossier.PaymentReceived) and e.method.value == "bank_qr"
    )
    line = f"{local_day:%d/%m/%Y};FT77;;{qr.amount};CK {_code_of(dossiers, qr)}\n"
    statement = ("Ngày giao dịch;Số tham chiếu;Số tiền ghi nợ;Số tiền ghi có;Nội dung\n" + line).encode()
    assert (
        Reconciliation(dossiers.app, agencies=agencies, clock=clock).import_statement(statement, actor=OFFICER).matched
        == 1
    )
    projector.catch_up()
    tables = [t.name for name in ("cash_ledger", "reconciliation") for t in projector.models[name].tables]
    before = {t: sorted(map(str, store.query(f"SELECT * FROM {t}"))) for t in tables}
    assert all(before.values())
    projector.rebuild("cash_ledger", "reconciliation")
    assert {t: sorted(map(str, store.query(f"SELECT * FROM {t}"))) for t in tables} == before
    store.close()


def _code_of(dossiers, event) -> str:
    return next(iter(dossiers.app.events.get(event.originator_id))).code


def _exists(receipts: Receipts, agency: str, year: int, number: int) -> bool:
    try:
        receipts.get_receipt(agency, year, number)
    except Exception:  # noqa: BLE001  (past the last number)
        return False
    return True
