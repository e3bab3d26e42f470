"""The money ceiling: every amount is a whole number of đồng within it, in the domain and in the API types."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValueError
from domain.money import MAX_AMOUNT, Amount, Fee
from domain.values import check_amount


@given(st.integers(min_value=1, max_value=MAX_AMOUNT))
def test_an_amount_within_the_ceiling_passes(amount: int) -> None:
    assert check_amount("amount", amount) == amount
    assert msgspec.convert(amount, Amount) == amount


@given(
    st.one_of(
        st.integers(max_value=0),
        st.integers(min_value=MAX_AMOUNT + 1),
        st.just(10**30),
        st.booleans(),
        st.floats(allow_nan=True),
    )
)
def test_anything_else_is_refused(amount: object) -> None:
    with pytest.raises(InvalidValueError):
        check_amount("amount", amount)  # type: ignore[arg-type]


def test_a_fee_may_be_zero_but_not_past_the_ceiling() -> None:
    assert check_amount("amount", 0, minimum=0) == 0 and msgspec.convert(0, Fee) == 0
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(10**30, Fee)
