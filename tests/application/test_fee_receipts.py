"""Electronic fee receipts: one per payment, gapless numbers per agency and year, cancellation and replacement as
events, and a PDF sealed by the agency with the fields of Decree 123/2020 and Circular 78/2021."""

from __future__ import annotations

import io
import threading

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from application.receipts import Receipts
from domain.errors import InvalidValueError
from domain.fee_receipt import ReceiptSeries, series_id
from domain.values import PaymentMethod
from infrastructure.fee_receipt_pdf import FeeReceiptPdf, heading_lines, receipt_rows
from tests.application.test_dossiers import OFFICER, PERSON
from tests.application.test_refunds_and_reconciliation import paid
from tests.application.test_vaults import pki, signer  # noqa: F401

TAX = {"H29.06": "0301234567"}


def receipts_for(dossiers, catalogue, clock, **more) -> Receipts:
    return Receipts(dossiers.app, catalogue=catalogue, clock=clock, tax_codes=TAX, **more)


def test_each_payment_gets_one_receipt_numbered_without_gaps(dossiers, catalogue, clock) -> None:
    receipts = receipts_for(dossiers, catalogue, clock)
    first = paid(dossiers, PaymentMethod.CASH, 1_000)
    dossiers.record_payment(first, method=PaymentMethod.BANK_QR, amount=1_000, actor=OFFICER)
    second = paid(dossiers, PaymentMethod.CASH, 2_000)
    year = clock.now().year
    assert receipts.issue_for_payments(first, actor=OFFICER) == [(year, 1), (year, 2)]
    assert receipts.issue_for_payments(first, actor=OFFICER) == []  # already issued: nothing new
    assert receipts.issue_for_payments(second, actor=OFFICER) == [(year, 3)]
    receipt = receipts.get_receipt("H29.06", year, 2)
    assert (receipt.number, receipt.serial, receipt.form) == ("0000002", f"AA-{year % 100}E", "01BLP0-001")
    assert (receipt.amount, receipt.amount_in_words, receipt.method) == (
        1_000,
        "Một nghìn đồng",
        "Chuyển khoản (mã QR)",
    )
    assert (receipt.payer_name, receipt.tax_code, receipt.agency_name) == (
        PERSON.name,
        "0301234567",
        "Ủy ban nhân dân Quận 6",
    )
    stored = [type(e).__name__ for e in dossiers.app.events.get(series_id("H29.06", year))]
    assert stored == ["Opened", "Issued", "Issued", "Issued"]
    assert PERSON.name not in str(
        list(dossiers.app.events.get(series_id("H29.06", year)))
    )  # no personal data in the series


def test_a_cancelled_receipt_is_replaced_by_a_new_number_naming_it(dossiers, catalogue, clock) -> None:
    receipts = receipts_for(dossiers, catalogue, clock)
    code = paid(dossiers, PaymentMethod.CASH, 2_000)
    year = clock.now().year
    receipts.issue_for_payments(code, actor=OFFICER)
    with pytest.raises(InvalidValueError):
        receipts.cancel("H29.06", year, 1, reason="  ", actor=OFFICER)
    new = receipts.replace(
        "H29.06", year, 1, reason="Sai nội dung thu", content="Lệ phí chứng thực bản sao", amount=2_000, actor=OFFICER
    )
    old, replacement = receipts.get_receipt("H29.06", year, 1), receipts.get_receipt("H29.06", year, new)
    assert (new, old.status, old.replaced_by, old.cancel_reason) == (2, "cancelled", "0000002", "Sai nội dung thu")
    assert (replacement.status, replacement.replaces, replacement.content) == (
        "issued",
        "0000001",
        "Lệ phí chứng thực bản sao",
    )
    with pytest.raises(InvalidValueError):
        receipts.cancel("H29.06", year, 1, reason="again", actor=OFFICER)
    assert receipts.issue_for_payments(code, actor=OFFICER) == []


def test_racing_issuers_never_leave_a_gap_or_a_double_number(dossiers, catalogue, clock) -> None:
    codes = [paid(dossiers, PaymentMethod.CASH, 2_000) for _ in range(6)]
    receipts = receipts_for(dossiers, catalogue, clock)
    threads = [
        threading.Thread(target=receipts.issue_for_payments, args=(code,), kwargs={"actor": OFFICER}) for code in codes
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    series: ReceiptSeries = dossiers.app.load(series_id("H29.06", clock.now().year), ("s", "s"), "s", fresh=True)
    assert [r.number for r in series.receipts] == [1, 2, 3, 4, 5, 6]
    assert sorted(r.dossier_code for r in series.receipts) == sorted(codes)


def test_the_receipt_pdf_carries_the_legal_fields_and_the_agency_seal(dossiers, catalogue, clock, signer) -> None:  # noqa: F811
    receipts = receipts_for(dossiers, catalogue, clock, renderer=FeeReceiptPdf(), signer=signer)
    code = paid(dossiers, PaymentMethod.CASH, 1_500)
    receipts.issue_for_payments(code, actor=OFFICER)
    pdf = receipts.receipt_pdf("H29.06", clock.now().year, 1, actor=OFFICER)
    receipt = receipts.get_receipt("H29.06", clock.now().year, 1)
    text = " ".join(heading_lines(receipt) + [f"{label}: {value}" for label, value in receipt_rows(receipt)])
    assert PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"] == 1
    for field in (
        "BIÊN LAI THU PHÍ, LỆ PHÍ",
        "01BLP0-001",
        "0000001",
        "0301234567",
        PERSON.name,
        code,
        "1.500 đồng",
        "Một nghìn năm trăm đồng",
        "Tiền mặt",
        "Ủy ban nhân dân Quận 6",
    ):
        assert field in text, field
    check = signer.verify(pdf)
    assert [s.intact for s in check.signatures] == [True] and not check.altered
    assert check.signatures[0].signer == "Ủy ban nhân dân Quận 6"  # the agency seal, not a person
