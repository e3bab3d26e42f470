"""Dossier codes and personal formats: strict parsers, checked with random input."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.codes import dossier_id, format_code, parse_code
from domain.errors import InvalidValueError
from domain.values import Applicant, check_phone

agencies = st.from_regex(r"[A-Z0-9]{1,4}(\.[A-Z0-9]{1,3}){0,3}", fullmatch=True)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@given(agency=agencies, day=days, sequence=st.integers(1, 9999))
def test_a_formatted_code_parses_back_to_its_parts(agency: str, day: date, sequence: int) -> None:
    code = format_code(agency, day, sequence)
    assert parse_code(code) == (agency, day, sequence)
    assert dossier_id(code) == dossier_id(code)


@given(st.text(max_size=40))
def test_any_text_either_parses_or_is_refused_with_invalid_value(text: str) -> None:
    try:
        agency, day, sequence = parse_code(text)
    except InvalidValueError as error:
        assert error.field == "code"
    else:
        assert format_code(agency, day, sequence) == text


@pytest.mark.parametrize(
    "bad",
    [
        "H29.06-260520-0001\n",
        "H29.06-261320-0001",
        "H29.06-260520-0000",
        "h29.06-260520-0001",
        "H29.06-260520-001",
        "H29.06-２60520-0001",
        "H29-06-260520-0001",
        "",
    ],
)
def test_malformed_codes_are_refused(bad: str) -> None:
    with pytest.raises(InvalidValueError):
        parse_code(bad)


def test_different_codes_give_different_ids() -> None:
    assert dossier_id("H29.06-260520-0001") != dossier_id("H29.06-260520-0002")


@given(st.from_regex(r"0[35789][0-9]{8}", fullmatch=True))
def test_vietnamese_mobile_numbers_are_accepted(phone: str) -> None:
    assert check_phone(phone) == phone


@pytest.mark.parametrize(
    "bad", ["0123456789", "091234567", "09123456789", "+84912345678", "0912345678\n", "09１2345678"]
)
def test_other_phone_numbers_are_refused(bad: str) -> None:
    with pytest.raises(InvalidValueError):
        check_phone(bad)


@pytest.mark.parametrize("bad", ["07920300123", "0792030012345", "07920300123a", "079203001234\n"])
def test_applicant_id_must_be_twelve_ascii_digits(bad: str) -> None:
    with pytest.raises(InvalidValueError):
        Applicant(id_number=bad, name="Nguyễn Văn A")
