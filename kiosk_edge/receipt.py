"""The receipt (biên nhận) the kiosk prints itself, from what it knows, so printing never waits for the core."""

from __future__ import annotations

from datetime import date


def dong(amount: int) -> str:
    """`1.250.000 đồng`: Vietnamese thousands separators."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def receipt_text(*, kiosk: str, dossier_code: str, procedure: str, applicant: str, due_on: date, fee: int,
                 paid: int) -> str:
    """The printed text; a shortfall or excess is settled at pickup or at the counter (seed 000, §1 step 6)."""
    lines = ["BIÊN NHẬN HỒ SƠ", f"Hệ thống tiếp nhận và trả hồ sơ tự động 24/7 — kiosk {kiosk}",
             f"Mã hồ sơ (số biên nhận): {dossier_code}", f"Thủ tục: {procedure}", f"Người nộp: {applicant}",
             f"Ngày hẹn trả kết quả: {due_on:%d/%m/%Y}", f"Phí, lệ phí: {dong(fee)}", f"Đã nộp tại kiosk: {dong(paid)}"]
    if paid < fee:
        lines.append(f"Còn thiếu: {dong(fee - paid)} (nộp khi nhận kết quả)")
    elif paid > fee:
        lines.append(f"Nộp thừa: {dong(paid - fee)} (được xử lý khi tiếp nhận hồ sơ)")
    lines.append("Vui lòng giữ biên nhận này để nhận kết quả.")
    return "\n".join(lines)
