"""Built-in simulator scenarios (seed 000): a citizen submits with cash, the office returns the result, the
citizen picks it up. Fictitious people only."""

from __future__ import annotations

import secrets
from typing import Any

PROCEDURE, DEPARTMENT, FEE = "2.000815.000.00.00.H29", "H29.06.TP", 2_000  # chứng thực bản sao, Phòng Tư pháp
CITIZEN_ID, PHONE = "079195000101", "0901000101"
CITIZEN_QR = f"{CITIZEN_ID}||Nguyễn Thị Hồng Nhung|01011995|Nữ|12 Bình Tiên, Phường 3, Quận 6|01072021"


def submission(barcode: str | None = None, *, paid: int = FEE) -> list[dict[str, Any]]:
    """Register a fresh envelope, then submit with `paid` đồng in 1 000-đồng notes (less than the fee: a shortfall)."""
    barcode = barcode or f"SIM{secrets.token_hex(5).upper()}"
    notes = paid // 1_000
    return [
        {"staff": "register_envelopes", "barcodes": [barcode]},
        {"do": {"action": "begin", "flow": "submit"}, "expect": "procedures"},
        {"do": {"action": "procedure", "code": PROCEDURE}, "expect": "scan_cccd"},
        {"do": {"action": "scan_cccd", "payload": CITIZEN_QR}, "expect": "phone"},
        {"do": {"action": "phone", "phone": PHONE}, "expect": "otp"},
        {"do": {"action": "otp", "otp": "$otp"}, "expect": "envelope"},
        {"do": {"action": "insert_envelope", "barcode": barcode}, "expect": "payment"},
        *([{"do": {"action": "insert_cash", "denomination": 1_000, "count": notes}}] if notes else []),
        *([] if paid >= FEE else [{"do": {"action": "end_payment"}, "expect": "receipt"}]),
        {"do": {"action": "finish"}, "expect": "home"},
    ]


def pickup(code: str = "$dossier", *, shortfall: int = 0) -> list[dict[str, Any]]:
    """The office returns the result to a tray; the citizen picks it up with CCCD + receipt number and rates."""
    pay = [{"do": {"action": "insert_cash", "denomination": 1_000, "count": shortfall // 1_000}, "expect": "tray_open"}]
    return [
        {"staff": "return_result", "code": code, "department": DEPARTMENT},
        {"do": {"action": "begin", "flow": "pickup"}, "expect": "pickup_choice"},
        {"do": {"action": "pickup", "by_otp": False}, "expect": "pickup_receipt"},
        {
            "do": {"action": "pickup_receipt", "id_number": CITIZEN_ID, "code": code},
            "expect": "pickup_payment" if shortfall else "tray_open",
        },
        *(pay if shortfall else []),
        {"do": {"action": "close_tray"}, "expect": "rating"},
        {"do": {"action": "rate", "stars": 5}, "expect": "thanks"},
        {"do": {"action": "finish"}, "expect": "home"},
    ]


SCENARIOS = {
    "submission": lambda: submission(),
    "day": lambda: submission(paid=1_000) + pickup(shortfall=1_000),  # needs the core's device-event consumer
}
