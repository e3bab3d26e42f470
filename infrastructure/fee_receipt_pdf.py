"""The electronic fee receipt (biên lai điện tử thu phí, lệ phí) as an A5-like PDF page, over fpdf2 and the project's
Vietnamese fonts (infrastructure/pdf.py); the application seals it with the agency's certificate."""

from __future__ import annotations

from typing import Any

from domain.money import format_dong
from infrastructure.pdf import FONT_FAMILY, VietnameseDocument, format_datetime


def receipt_rows(receipt: Any) -> list[tuple[str, str]]:
    """The labelled fields printed in the receipt's table."""
    return [
        ("Tên người nộp", receipt.payer_name),
        ("Mã hồ sơ", receipt.dossier_code),
        ("Nội dung thu", receipt.content),
        ("Số tiền", format_dong(receipt.amount)),
        ("Bằng chữ", receipt.amount_in_words),
        ("Hình thức thanh toán", receipt.method),
        ("Ngày lập", format_datetime(receipt.issued_at)),
    ]


def heading_lines(receipt: Any) -> list[str]:
    """Issuer block and title lines, above the table."""
    lines = [
        f"Đơn vị thu: {receipt.agency_name}",
        f"Mã số thuế: {receipt.tax_code or '(chưa khai báo)'}",
        receipt.title,
        "(Biên lai điện tử)",
        f"Mẫu số: {receipt.form}    Ký hiệu: {receipt.serial}    Số: {receipt.number}",
    ]
    if receipt.status == "cancelled":
        lines.append(f"ĐÃ HỦY: {receipt.cancel_reason}")
    if receipt.replaces:
        lines.append(f"Thay thế biên lai số {receipt.replaces}")
    return lines


class FeeReceiptPdf:
    """Implements `FeeReceiptRenderer` (application/ports.py)."""

    def render_fee_receipt(self, receipt: Any) -> bytes:
        """One page: issuer block, title with form, serial and number, payer, content, amount in figures and words."""
        pdf = VietnameseDocument("P", page_numbers=False)
        pdf.set_title(f"Biên lai {receipt.serial} số {receipt.number}")
        pdf.add_page()
        issuer, tax, *centred = heading_lines(receipt)
        pdf.line_of_text(issuer, size=11, bold=True)
        pdf.line_of_text(tax, size=10)
        pdf.ln(3)
        for n, line in enumerate(centred):
            pdf.line_of_text(line, size=15 if n == 0 else 10, bold=n == 0, align="C")
        pdf.ln(4)
        rows = receipt_rows(receipt)
        pdf.set_font(FONT_FAMILY, size=11)
        with pdf.table(
            col_widths=(30, 70), text_align=("L", "L"), line_height=6, padding=1, first_row_as_headings=False
        ) as table:
            for label, value in rows:
                table.row([label, str(value)])
        pdf.ln(6)
        pdf.signature_columns(["Người nộp tiền", "Đơn vị thu (chữ ký số)"], space_below=20)
        return pdf.to_bytes()
