"""Refunds (cash or bank transfer; the excess, or a rejected/withdrawn dossier's fee) and bank reconciliation, with
the cash ledger and the reconciliation view they feed, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from application.reconciliation import Reconciliation
from application.refunds import Refunds
from domain.bank_statement import StatementError
from domain.dossier import RefundMethod
from domain.errors import ActionNotAllowedError, InvalidValueError
from domain.values import PaymentMethod
from infrastructure.readstore.runner import Projector
from projections.book_queries import cash_ledger
from projections.models import read_models
from projections.reconciliation import reconciliation_view
from tests.application.test_dossiers import FORM, OFFICER, PERSON
from tests.conftest import read_store_for

COPY = "2.000815.000.00.00.H29"  # 2.000 đồng per copy, district H29.06


@pytest.fixture
def ledger(store_env, dossiers, catalogue, tmp_path):
    store = read_store_for(store_env, tmp_path)
    projector = Projector(dossiers.app.recorder, dossiers.app.mapper, store, read_models(catalogue), batch=50)

    def read(**period):
        projector.catch_up()
        return store

    yield read
    store.close()


def paid(dossiers, method=PaymentMethod.CASH, amount=5_000, reference=None) -> str:
    code, _ = dossiers.receive(procedure_code=COPY, channel="counter", applicant=PERSON, components=FORM, actor=OFFICER)
    dossiers.assess_fee(code, actor=OFFICER)
    dossiers.record_payment(code, method=method, amount=amount, reference=reference, actor=OFFICER)
    return code


def test_a_rejected_dossiers_fee_is_refunded_by_bank_transfer_and_the_ledger_lists_the_refund(
    dossiers, ledger, clock
) -> None:
    code = paid(dossiers, PaymentMethod.BANK_QR, 2_000, reference=None)
    refunds = Refunds(dossiers)
    with pytest.raises(ActionNotAllowedError):  # still open: nothing to hand back yet
        refunds.refund(code, method=RefundMethod.CASH, actor=OFFICER)
    dossiers.reject(code, reason="Thiếu giấy tờ", actor=OFFICER)
    with pytest.raises(InvalidValueError):  # a transfer names its reference
        refunds.refund(code, method=RefundMethod.BANK_TRANSFER, actor=OFFICER)
    refunds.refund(code, method=RefundMethod.BANK_TRANSFER, bank_reference="FT26140099", actor=OFFICER)
    details = dossiers.get_dossier(code)
    assert (details.paid, details.fee, details.excess, details.shortfall) == (0, 0, 0, 0)
    with pytest.raises(InvalidValueError):  # once only
        refunds.refund(code, method=RefundMethod.CASH, actor=OFFICER)
    book = cash_ledger(ledger(), kiosk=None, start=clock.now().date(), end=clock.now().date())
    assert [(r.dossier_code, r.amount, r.method, r.reason, r.bank_reference) for r in book.refunds] == [
        (code, 2_000, "bank_transfer", "rejected", "FT26140099")
    ]
    assert code not in {d.dossier_code for d in book.dossiers}  # no fee owed, nothing kept: off the fee lines
    row = ledger().query("SELECT fee, paid, shortfall, excess FROM dossiers WHERE code = ?", (code,))[0]
    assert (row["fee"], row["paid"], row["shortfall"], row["excess"]) == (0, 0, 0, 0)  # the queues' money columns too
    assert book.totals.refunds_bank_transfer == 2_000 and book.totals.refunds_cash == 0


def test_an_excess_is_refunded_in_cash_once_the_result_is_out(dossiers, ledger, clock) -> None:
    code = paid(dossiers, amount=5_000)
    dossiers.request_withdrawal(code, reason="Không còn nhu cầu", actor=OFFICER)
    dossiers.withdraw(code, actor=OFFICER)
    assert Refunds(dossiers).refund(code, method=RefundMethod.CASH, actor=OFFICER).version == 6
    assert dossiers.get_dossier(code).paid == 0
    book = cash_ledger(ledger(), kiosk=None, start=clock.now().date(), end=clock.now().date())
    assert [(r.amount, r.method, r.reason) for r in book.refunds] == [(5_000, "cash", "withdrawn")]
    assert book.totals.paid_cash == 0 and book.totals.refunds_cash == 5_000
    row = ledger().query("SELECT fee, paid, excess FROM dossiers WHERE code = ?", (code,))[0]
    assert (row["fee"], row["paid"], row["excess"]) == (0, 0, 0)


def statement(*lines: tuple[str, str, int, str]) -> bytes:
    body = "\n".join(f"{day};{ref};;{amount:,};{text}".replace(",", ".") for day, ref, amount, text in lines)
    return ("\ufeffNgày giao dịch;Số tham chiếu;Số tiền ghi nợ;Số tiền ghi có;Nội dung\n" + body + "\n").encode()


def test_a_statement_matches_bank_qr_payments_by_code_and_lists_mistyped_and_duplicate_lines(
    dossiers, ledger, catalogue, clock
) -> None:
    first, second = paid(dossiers, PaymentMethod.BANK_QR, 2_000), paid(dossiers, PaymentMethod.BANK_QR, 2_000)
    cash = paid(dossiers, PaymentMethod.CASH, 2_000)
    compact = first.replace(".", "").replace("-", " ").lower()
    mistyped = second[:-4] + "9" + second[-3:]  # one digit wrong: a code no dossier has
    day = clock.now().strftime("%d/%m/%Y")
    data = statement(
        (day, "FT1", 2_000, f"CK {compact} nop le phi"),
        (day, "FT2", 2_000, f"{mistyped}"),
        (day, "FT3", 2_000, f"le phi {first}"),
        (day, "FT4", 3_000, f"{second}"),
        (day, "FT5", 2_000, f"{cash}"),
        (day, "FT6", 9_000, "chuyen tien"),
    )
    reconciliation = Reconciliation(dossiers.app, agencies=[a.code for a in catalogue.agencies], clock=clock)
    result = reconciliation.import_statement(data, actor=OFFICER)
    outcome = [
        (line.bank_reference, line.status.value, line.dossier_code, line.reason and line.reason.value)
        for line in result.lines
    ]
    assert outcome == [
        ("FT1", "matched", first, None),
        ("FT2", "unmatched", None, None),
        ("FT3", "disputed", first, "duplicate"),
        ("FT4", "disputed", second, "amount_differs"),
        ("FT5", "unmatched", None, None),
        ("FT6", "unmatched", None, None),
    ]
    head = dossiers.app.recorder.max_notification_id()
    again = reconciliation.import_statement(data, actor=OFFICER)
    assert not again.imported and again.lines == result.lines and dossiers.app.recorder.max_notification_id() == head
    store = ledger()
    book = cash_ledger(store, kiosk=None, start=clock.now().date(), end=clock.now().date())
    assert {q.dossier_code: q.reconciled for q in book.bank_qr} == {first: True, second: False}
    view = reconciliation_view(store, start=clock.now().date(), end=clock.now().date())
    assert [ln.bank_reference for ln in view.matched] == ["FT1"] and len(view.unmatched) == 3
    assert view.totals["disputed_lines"] == 2 and view.totals["matched_amount"] == 2_000


def test_a_later_statement_cannot_match_a_payment_twice(dossiers, catalogue, clock) -> None:
    code = paid(dossiers, PaymentMethod.BANK_QR, 2_000)
    reconciliation = Reconciliation(dossiers.app, agencies=["H29.06"], clock=clock)
    day = clock.now().strftime("%d/%m/%Y")
    assert reconciliation.import_statement(statement((day, "FT1", 2_000, code)), actor=OFFICER).matched == 1
    later = reconciliation.import_statement(
        statement((day, "FT1", 2_000, code), (day, "FT9", 1_000, "x")), actor=OFFICER
    )
    assert later.imported and later.lines[0].reason is not None and later.lines[0].reason.value == "duplicate"


def test_a_statement_with_a_bad_line_records_nothing(dossiers, clock) -> None:
    code = paid(dossiers, PaymentMethod.BANK_QR, 2_000)
    head = dossiers.app.recorder.max_notification_id()
    bad = statement(("20/05/2026", "FT1", 2_000, code)) + b"32/05/2026;FT2;;1.000;x\n"
    with pytest.raises(StatementError) as refused:
        Reconciliation(dossiers.app, agencies=["H29.06"], clock=clock).import_statement(bad, actor=OFFICER)
    assert [(e.line, e.column) for e in refused.value.errors] == [(3, "Ngày giao dịch")]
    assert dossiers.app.recorder.max_notification_id() == head
