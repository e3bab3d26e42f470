"""Money is whole đồng: its ceilings, and how it is written for people."""

from __future__ import annotations

from typing import Annotated

import msgspec

MAX_AMOUNT = 100_000_000
"""The most one fee or one payment may be, in đồng. The dearest fees and charges collected at one-stop desks
(land-use certificates, enterprise registration) are a few million đồng, so a hundred million leaves room for
any real one while refusing a slip of extra zeros or a hostile 10^30; a year of such amounts summed stays far
inside the read models' 64-bit integer columns."""
MAX_CASH_COUNT = 1_000_000_000
"""The most cash one kiosk collection may count: a cash box holds a few thousand notes of at most 500.000 đ."""

Amount = Annotated[int, msgspec.Meta(gt=0, le=MAX_AMOUNT, description="Đồng, 1 to 100.000.000")]
Fee = Annotated[int, msgspec.Meta(ge=0, le=MAX_AMOUNT, description="Đồng, 0 to 100.000.000")]
CashCount = Annotated[int, msgspec.Meta(ge=0, le=MAX_CASH_COUNT, description="Đồng, 0 to 1.000.000.000")]


def format_dong(amount: int) -> str:
    """1500000 → '1.500.000 đồng' (Vietnamese thousands separator)."""
    return f"{amount:,} đồng".replace(",", ".")
