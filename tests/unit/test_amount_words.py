"""Amounts in Vietnamese words on fee receipts (số tiền bằng chữ)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.amount_words import MAX_WORDS_AMOUNT, amount_in_words, words_to_amount
from domain.errors import InvalidValueError


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (105, "Một trăm lẻ năm đồng"),
        (1_005, "Một nghìn không trăm lẻ năm đồng"),
        (15_000, "Mười lăm nghìn đồng"),
        (50_000, "Năm mươi nghìn đồng"),
        (1_500_000, "Một triệu năm trăm nghìn đồng"),
        (2_021_000, "Hai triệu không trăm hai mươi mốt nghìn đồng"),
        (100_000_000, "Một trăm triệu đồng"),
        (1_000_000_001, "Một tỷ không trăm lẻ một đồng"),
        (1_000_000_000_000, "Một nghìn tỷ đồng"),
    ],
)
def test_amounts_read_as_vietnamese_receipts_write_them(amount: int, words: str) -> None:
    assert amount_in_words(amount) == words


@given(st.integers(min_value=0, max_value=MAX_WORDS_AMOUNT))
def test_every_amount_reads_back_to_itself(amount: int) -> None:
    assert words_to_amount(amount_in_words(amount)) == amount


@given(st.integers(min_value=1, max_value=MAX_WORDS_AMOUNT))
def test_words_are_capitalised_end_in_dong_and_never_say_ten_wrongly(amount: int) -> None:
    words = amount_in_words(amount)
    assert words[0].isupper() and words.endswith(" đồng")
    assert "một mươi" not in words.lower() and "mười không" not in words and "  " not in words


@given(st.integers(min_value=0, max_value=999), st.integers(min_value=1, max_value=999))
def test_lower_groups_after_a_million_say_their_zero_hundreds(low: int, millions: int) -> None:
    words = amount_in_words(millions * 1_000_000 + low)
    assert ("không trăm" in words) == (0 < low < 100)


@pytest.mark.parametrize("bad", [-1, 1.5, True, "100", MAX_WORDS_AMOUNT + 1])
def test_what_is_not_whole_dong_is_refused(bad: object) -> None:
    with pytest.raises(InvalidValueError):
        amount_in_words(bad)  # type: ignore[arg-type]


def test_reading_accepts_the_variants_people_write() -> None:
    assert words_to_amount("Hai mươi tư nghìn đồng chẵn") == 24_000
    assert words_to_amount("một trăm linh năm ngàn đồng") == 105_000
    with pytest.raises(InvalidValueError):
        words_to_amount("một trăm đô la")
