"""Fees with quantities: the amount due is the unit fee times the quantity, with the later-unit price, the maximum
and bands of the fee schedules (issue [13]: per-page and per-copy fees were charged for one unit)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValueError
from domain.fees import MAX_QUANTITY, FeeBand, FeeQuantityError, fee_due
from domain.money import MAX_AMOUNT

units = st.integers(min_value=1, max_value=MAX_QUANTITY)
fees = st.integers(min_value=0, max_value=20_000)


def by_unit(unit_fee: int, quantity: int, later_from: int | None, later_fee: int | None, most: int | None) -> int:
    """The schedule read literally: each unit's own price, summed, then the maximum."""
    total = sum(
        later_fee if later_from is not None and later_fee is not None and n >= later_from else unit_fee
        for n in range(1, quantity + 1)
    )
    return total if most is None else min(total, most)


@given(fees, units)
def test_a_plain_per_unit_fee_is_the_unit_fee_times_the_quantity(unit_fee: int, quantity: int) -> None:
    assert fee_due(unit_fee) == unit_fee
    if unit_fee * quantity > MAX_AMOUNT:
        with pytest.raises(FeeQuantityError, match="ceiling"):
            fee_due(unit_fee, quantity)
    else:
        assert fee_due(unit_fee, quantity) == unit_fee * quantity


@given(fees, fees, st.integers(min_value=2, max_value=50), units, st.one_of(st.none(), st.integers(0, 500_000)))
def test_the_tiered_fee_with_a_maximum_equals_the_schedule_read_unit_by_unit(
    unit_fee: int, later_fee: int, later_from: int, quantity: int, most: int | None
) -> None:
    expected = by_unit(unit_fee, quantity, later_from, later_fee, most)
    if expected > MAX_AMOUNT:
        with pytest.raises(FeeQuantityError, match="ceiling"):
            fee_due(unit_fee, quantity, later_from=later_from, later_fee=later_fee, most=most)
        return
    due = fee_due(unit_fee, quantity, later_from=later_from, later_fee=later_fee, most=most)
    assert due == expected
    assert 0 <= due <= (most if most is not None else MAX_AMOUNT)
    more = min(quantity + 1, MAX_QUANTITY)
    if by_unit(unit_fee, more, later_from, later_fee, most) <= MAX_AMOUNT:
        assert fee_due(unit_fee, more, later_from=later_from, later_fee=later_fee, most=most) >= due


@given(units)
def test_a_certified_copy_costs_what_circular_226_says_for_any_page_count(pages: int) -> None:
    """2.000 đồng/trang, từ trang thứ ba 1.000 đồng/trang, tối đa 200.000 đồng/bản (Thông tư 226/2016/TT-BTC)."""
    due = fee_due(2000, pages, later_from=3, later_fee=1000, most=200_000)
    assert due == min(2000 * min(pages, 2) + 1000 * max(pages - 2, 0), 200_000)
    assert (
        fee_due(2000, 1, later_from=3, later_fee=1000, most=200_000),
        fee_due(2000, 5, later_from=3, later_fee=1000, most=200_000),
    ) == (2000, 7000)


@given(units)
def test_a_banded_fee_is_the_amount_of_the_band_the_quantity_falls_in(rooms: int) -> None:
    bands = [FeeBand(up_to=3, amount=4_000_000), FeeBand(up_to=5, amount=6_000_000), FeeBand(amount=12_000_000)]
    expected = 4_000_000 if rooms <= 3 else 6_000_000 if rooms <= 5 else 12_000_000
    assert fee_due(4_000_000, rooms, bands=bands) == expected


@given(
    st.one_of(st.integers(max_value=0), st.integers(min_value=MAX_QUANTITY + 1), st.booleans(), st.floats(), st.text())
)
def test_a_quantity_that_is_not_a_whole_number_of_units_is_refused(quantity: object) -> None:
    with pytest.raises(FeeQuantityError) as refused:
        fee_due(2000, quantity)  # type: ignore[arg-type]
    assert isinstance(refused.value, InvalidValueError) and refused.value.field == "quantity"
    assert "số lượng" in refused.value.message_vi


def test_an_amount_over_the_ceiling_of_one_fee_is_refused_not_charged() -> None:
    with pytest.raises(FeeQuantityError, match="ceiling"):
        fee_due(MAX_AMOUNT, 2)
