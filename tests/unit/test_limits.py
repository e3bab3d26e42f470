"""The shared bounds of domain/limits.py, as properties: what a name may hold, and that the API types agree."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValueError
from domain.limits import NAME_MAX, Name, Text, check_day, check_line, check_text

FORBIDDEN = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A))]
PRINTABLE = st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="".join(FORBIDDEN))
decode_name = msgspec.json.Decoder(Name)
decode_text = msgspec.json.Decoder(Text)


@given(st.text(PRINTABLE, min_size=1, max_size=NAME_MAX))
def test_a_printable_line_within_the_length_is_a_name(value: str) -> None:
    assert check_line("name", value) == value
    assert decode_name.decode(msgspec.json.encode(value)) == value


@given(st.text(PRINTABLE, max_size=50), st.sampled_from(FORBIDDEN), st.text(PRINTABLE, max_size=50))
def test_a_control_or_direction_override_character_anywhere_is_refused(before: str, bad: str, after: str) -> None:
    value = before + bad + after
    with pytest.raises(InvalidValueError):
        check_line("name", value)
    with pytest.raises(msgspec.ValidationError):
        decode_name.decode(msgspec.json.encode(value))


@given(st.text(PRINTABLE, min_size=1, max_size=20), st.sampled_from(["\n", "\r\n", "\t"]))
def test_free_text_may_span_lines_but_a_name_may_not(line: str, brk: str) -> None:
    value = line + brk + line
    assert check_text("reason", value) == value and decode_text.decode(msgspec.json.encode(value)) == value
    with pytest.raises(InvalidValueError):
        check_line("name", value)


@given(st.integers(min_value=NAME_MAX + 1, max_value=NAME_MAX * 5))
def test_a_name_over_the_length_is_refused(length: int) -> None:
    with pytest.raises(InvalidValueError):
        check_line("name", "a" * length)
    with pytest.raises(msgspec.ValidationError):
        decode_name.decode(msgspec.json.encode("a" * length))


@given(st.dates())
def test_only_days_from_1900_to_2100_pass(day: date) -> None:
    if date(1900, 1, 1) <= day <= date(2100, 12, 31):
        assert check_day("day", day) == day
    else:
        with pytest.raises(InvalidValueError):
            check_day("day", day)
