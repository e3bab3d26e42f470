"""The CMND number (the old 9-digit ID card without a chip): typed at the kiosk, stored on the applicant."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.cccd import BadCmndError, parse_cmnd
from domain.errors import InvalidValueError
from domain.values import Applicant

NINE = st.text(alphabet="0123456789", min_size=9, max_size=9)


@given(NINE, st.lists(st.sampled_from([" ", ".", "  "]), max_size=8), st.data())
def test_nine_digits_parse_whatever_spaces_or_dots_group_them(digits: str, separators: list[str], data) -> None:
    typed = list(digits)
    for separator in separators:
        typed.insert(data.draw(st.integers(0, len(typed))), separator)
    assert parse_cmnd("".join(typed)) == digits


@given(st.text(max_size=40))
def test_anything_else_is_refused_clearly(text: str) -> None:
    digits = "".join(text.replace(".", " ").split())
    valid = len(text) <= 32 and len(digits) == 9 and digits.isascii() and digits.isdigit()
    if valid:
        assert parse_cmnd(text) == digits
    else:
        with pytest.raises(BadCmndError) as refused:
            parse_cmnd(text)
        assert refused.value.code == "invalid_cmnd" and "9 chữ số" in refused.value.message_vi


@pytest.mark.parametrize("text", ["12345678", "1234567890", "12345678a", "١٢٣٤٥٦٧٨٩", "079195000101", ""])
def test_eight_ten_twelve_digits_letters_and_other_scripts_digits_are_not_a_cmnd(text: str) -> None:
    with pytest.raises(BadCmndError):
        parse_cmnd(text)


def test_the_applicant_keeps_a_cmnd_only_when_given_and_stores_nothing_otherwise() -> None:
    plain = Applicant(id_number="079195000101", name="Nguyễn Thị Hồng Nhung")
    assert "old_id_number" not in msgspec.json.decode(msgspec.json.encode(plain))  # older dossiers keep their shape
    holder = Applicant(id_number="079195000101", name="Nguyễn Thị Hồng Nhung", old_id_number="023456789")
    assert msgspec.json.decode(msgspec.json.encode(holder), type=Applicant).old_id_number == "023456789"
    with pytest.raises(InvalidValueError):
        Applicant(id_number="079195000101", name="Nguyễn Thị Hồng Nhung", old_id_number="02345678")
