"""Fees with a unit and a quantity rule (phí, lệ phí tính theo hồ sơ, trang, bản, phòng…)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import msgspec

from domain.errors import InvalidValueError
from domain.money import MAX_AMOUNT

MAX_QUANTITY = 10_000
"""The most units one dossier may be charged for: a thick contract has a few hundred pages and a large lodging
house a few hundred rooms, so ten thousand refuses a slip of extra zeros while allowing any real case."""

Quantity = Annotated[
    int,
    msgspec.Meta(
        ge=1,
        le=MAX_QUANTITY,
        description=("Units the fee is charged for (pages, copies, rooms…, the procedure's fee_unit), 1 to 10000."),
    ),
]


class FeeUnit(StrEnum):
    """What one unit of the fee is; the amount due is the unit fee times the quantity given at receipt."""

    DOSSIER = "dossier"
    PAGE = "page"
    COPY = "copy"
    ROOM = "room"
    CARD = "card"
    LICENCE = "licence"
    CASE = "case"
    CONTRACT = "contract"
    PREMISES = "premises"

    @property
    def label(self) -> str:
        """The unit as the fee schedules write it: '2.000 đồng/trang'."""
        return _LABELS[self]


_LABELS = {
    FeeUnit.DOSSIER: "hồ sơ",
    FeeUnit.PAGE: "trang",
    FeeUnit.COPY: "bản",
    FeeUnit.ROOM: "phòng",
    FeeUnit.CARD: "thẻ",
    FeeUnit.LICENCE: "giấy phép",
    FeeUnit.CASE: "trường hợp",
    FeeUnit.CONTRACT: "hợp đồng, giao dịch",
    FeeUnit.PREMISES: "điểm kinh doanh",
}


class FeeQuantityError(InvalidValueError):
    """The quantity is not a whole number of units the fee can be charged for (an HTTP 422)."""

    code = "invalid_quantity"

    def __init__(self, reason: str, reason_vi: str) -> None:
        super().__init__("quantity", reason, reason_vi)


class FeeBand(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One band of a banded fee: `amount` for a quantity up to `up_to` units (no `up_to`: any quantity above)."""

    amount: Annotated[int, msgspec.Meta(ge=0, le=MAX_AMOUNT)]
    up_to: Annotated[int, msgspec.Meta(ge=1, le=MAX_QUANTITY)] | None = None


def fee_due(
    unit_fee: int,
    quantity: int = 1,
    *,
    later_from: int | None = None,
    later_fee: int | None = None,
    most: int | None = None,
    bands: list[FeeBand] | None = None,
) -> int:
    """The amount due for `quantity` units: `unit_fee` each, `later_fee` each from unit `later_from` on, at most `most`.

    Example (Thông tư 226/2016/TT-BTC, chứng thực bản sao): 2.000 đồng/trang, from the third page 1.000 đồng/trang,
    at most 200.000 đồng/bản: fee_due(2000, 5, later_from=3, later_fee=1000, most=200000) == 7000.
    With `bands` the fee is the amount of the first band the quantity fits (karaoke: by number of rooms).
    """
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise FeeQuantityError(
            f"must be a whole number from 1 to {MAX_QUANTITY}, got {quantity!r}",
            f"số lượng (trang, bản, phòng…) phải là số nguyên từ 1 đến {MAX_QUANTITY}.",
        )
    if bands:
        amount = next((b.amount for b in bands if b.up_to is None or quantity <= b.up_to), bands[-1].amount)
    elif later_from is None or later_fee is None:
        amount = unit_fee * quantity
    else:
        first = min(quantity, later_from - 1)
        amount = unit_fee * first + later_fee * (quantity - first)
    if most is not None:
        amount = min(amount, most)
    if amount > MAX_AMOUNT:
        raise FeeQuantityError(
            f"{quantity} units come to {amount} đồng, over the {MAX_AMOUNT} ceiling of one fee",
            "số tiền lệ phí vượt mức tối đa cho một hồ sơ, vui lòng kiểm tra lại số lượng.",
        )
    return amount
