"""Vietnamese PDF helpers: formatting, the receipt's fee balance, fonts, document structure."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from infrastructure import pdf
from infrastructure.pdf import (
    Column,
    FontNotFoundError,
    ReceiptComponent,
    ReceiptForm,
    TableDocument,
    balance_text,
    format_datetime,
    format_money,
    render_receipt,
    render_table_document,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def receipt(fee: int, paid: int) -> ReceiptForm:
    return ReceiptForm(
        dossier_code="H34.29.2-230520-0001",
        procedure_name="Đăng ký kết hôn",
        applicant_name="Nguyễn Thị Hồng Nhung",
        components=[ReceiptComponent("Tờ khai đăng ký kết hôn", "Bản chính", 1)],
        received_at=datetime(2025, 5, 20, 9, 15, tzinfo=VN),
        appointment_date=date(2025, 5, 23),
        fee=fee,
        paid=paid,
        receiving_officer="Trần Văn Bình",
        verification_url="https://motcua.example.vn/tra-cuu/H34.29.2-230520-0001",
    )


def test_money_uses_dots_between_thousands():
    assert format_money(1_500_000) == "1.500.000 đồng"
    assert format_money(0) == "0 đồng"


def test_receipt_times_are_printed_in_vietnam_time():
    assert format_datetime(datetime(2025, 5, 20, 2, 15, tzinfo=UTC)) == "09 giờ 15 phút, ngày 20/05/2025"
    with pytest.raises(ValueError, match="timezone-aware"):
        format_datetime(datetime(2025, 5, 20, 2, 15))


def test_receipt_prints_shortfall_excess_or_paid_in_full():
    assert balance_text(receipt(fee=50_000, paid=20_000)).startswith("Còn thiếu: 30.000 đồng")
    assert balance_text(receipt(fee=50_000, paid=70_000)) == "Nộp thừa: 20.000 đồng"
    assert balance_text(receipt(fee=50_000, paid=50_000)) == "Đã nộp đủ lệ phí."


def test_receipt_is_one_page_with_the_qr_code_image():
    reader = PdfFileReader(io.BytesIO(render_receipt(receipt(fee=20_000, paid=20_000))))
    page = reader.root["/Pages"]["/Kids"][0]
    assert reader.root["/Pages"]["/Count"] == 1
    xobjects = page["/Resources"]["/XObject"]
    assert [xobjects[name]["/Subtype"] for name in xobjects] == ["/Image"]


def test_missing_font_error_names_the_file(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "_font_dir", tmp_path)
    with pytest.raises(FontNotFoundError, match=f"{tmp_path}/DejaVuSans.ttf.*fonts-dejavu-core"):
        render_receipt(receipt(fee=0, paid=0))


def test_table_rows_must_match_the_columns():
    document = TableDocument(title="Sổ theo dõi hồ sơ", columns=[Column("STT"), Column("Mã hồ sơ")], rows=[["1"]])
    with pytest.raises(ValueError, match="2 cells"):
        render_table_document(document)


def test_long_table_is_landscape_and_spans_several_pages():
    rows = [[str(n), f"Hồ sơ số {n}"] for n in range(1, 120)]
    pdf = render_table_document(
        TableDocument(title="Sổ theo dõi hồ sơ", columns=[Column("STT", 1), Column("Mã hồ sơ", 5)], rows=rows)
    )
    pages = PdfFileReader(io.BytesIO(pdf)).root["/Pages"]
    _, _, width, height = (float(v) for v in pages["/MediaBox"])
    assert width > height and pages["/Count"] >= 3
