"""The receipt (biên nhận) the kiosk prints itself, from what it knows, so printing never waits for the core.

Lines are wrapped to the printer's width at spaces only: a dossier code never breaks at its hyphens. The receipt
carries two QR codes: the dossier code (scanned at pickup instead of typed) and, while something is owed, the VietQR
to pay it by bank transfer. Excess and shortfall are worded as on the screen (kiosk_edge/wording.py).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from datetime import date

from kiosk_edge.session.inputs import Procedure
from kiosk_edge.vietqr import BankAccount, payload
from kiosk_edge.wording import EXCESS_REFUND, NO_CHANGE, SHORTFALL_LATER

WIDTH = 42  # characters per line of the 80 mm thermal printer


@dataclass(frozen=True)
class PrintedReceipt:
    """What goes to the printer: the text and the QR codes printed under it (name -> payload)."""

    text: str
    codes: dict[str, str] = field(default_factory=dict)


def dong(amount: int) -> str:
    """`1.250.000 đồng`: Vietnamese thousands separators."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def wrap(lines: list[str], width: int = WIDTH) -> str:
    """Each line wrapped at spaces only (never at a hyphen, never inside a word or code)."""
    return "\n".join(textwrap.fill(line, width, break_on_hyphens=False, break_long_words=False) for line in lines)


def receipt_text(
    *, kiosk: str, dossier_code: str, procedure: str, applicant: str, due_on: date, fee: int, paid: int
) -> str:
    """The printed text; a shortfall is paid at pickup, an excess refunded at the counter (seed 000, §1 step 4)."""
    lines = [
        "BIÊN NHẬN HỒ SƠ",
        f"Hệ thống tiếp nhận và trả hồ sơ tự động 24/7 — kiosk {kiosk}",
        f"Mã hồ sơ (số biên nhận): {dossier_code}",
        f"Thủ tục: {procedure}",
        f"Người nộp: {applicant}",
        f"Ngày hẹn trả kết quả: {due_on:%d/%m/%Y}",
        f"Phí, lệ phí: {dong(fee)}",
        f"Đã nộp tại kiosk: {dong(paid)}",
    ]
    if paid < fee:
        lines += [
            f"Còn thiếu: {dong(fee - paid)}",
            SHORTFALL_LATER,
            "Ông/Bà cũng có thể chuyển khoản bằng mã VietQR in dưới đây.",
        ]
    elif paid > fee:
        lines += [f"Nộp thừa: {dong(paid - fee)}", f"{NO_CHANGE} {EXCESS_REFUND}"]
    lines.append("Ông/Bà vui lòng giữ biên nhận này; khi nhận kết quả, đưa mã QR của biên nhận vào đầu đọc.")
    return wrap(lines)


def form_text(*, procedure: Procedure, name: str, id_number: str, date_of_birth: str, address: str, phone: str) -> str:
    """The procedure's form (seed 000 §1: "in đơn") headed and filled in with what the card and the citizen gave;
    the rest is written by hand, then signed."""
    born = f"{date.fromisoformat(date_of_birth):%d/%m/%Y}" if _iso_day(date_of_birth) else date_of_birth
    lines = [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "",
        procedure.form.upper(),
        f"Thủ tục: {procedure.name}",
        "",
        f"Họ, chữ đệm, tên người yêu cầu: {name}",
        f"Ngày sinh: {born}",
        f"Số định danh cá nhân: {id_number}",
        f"Nơi cư trú: {address}",
        f"Số điện thoại: {phone}",
        "",
        "Nội dung đề nghị (ghi rõ):",
        "......................................",
        "",
        "Người yêu cầu (ký, ghi rõ họ tên)",
    ]
    return wrap(lines)


def _iso_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def printed_receipt(
    *,
    account: BankAccount,
    kiosk: str,
    dossier_code: str,
    procedure: str,
    applicant: str,
    due_on: date,
    fee: int,
    paid: int,
) -> PrintedReceipt:
    """The text of `receipt_text` with its QR codes: the dossier code, and the VietQR of any shortfall."""
    owed = fee - paid
    codes = {"dossier": dossier_code} | ({"vietqr": payload(account, owed, dossier_code)} if owed > 0 else {})
    text = receipt_text(
        kiosk=kiosk,
        dossier_code=dossier_code,
        procedure=procedure,
        applicant=applicant,
        due_on=due_on,
        fee=fee,
        paid=paid,
    )
    return PrintedReceipt(text, codes)
