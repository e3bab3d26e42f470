"""The CCCD QR parser accepts exactly the 7-field payload and refuses anything else with a reason."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.cccd import BadQrPayloadError, parse_cccd_qr
from tests.kiosk_support import Citizen

TODAY = date(2026, 5, 20)
GOOD = (
    "079195000101|025123456|Nguyễn Thị Hồng Nhung|15081995|Nữ|12 Nguyễn Trãi, Phường 2, Quận 5, TP. Hồ Chí Minh"
    "|20042021"
)


def test_a_real_payload_fills_name_id_and_address() -> None:
    identity = parse_cccd_qr(GOOD, today=TODAY)
    assert identity.id_number == "079195000101" and identity.name == "Nguyễn Thị Hồng Nhung"
    assert identity.date_of_birth == date(1995, 8, 15) and identity.issued_on == date(2021, 4, 20)
    assert identity.old_id_number == "025123456" and identity.address.startswith("12 Nguyễn Trãi")


@given(st.integers(0, 999_999))
def test_generated_citizens_parse_back_to_themselves(n: int) -> None:
    citizen = Citizen(n)
    identity = parse_cccd_qr(citizen.qr, today=TODAY)
    assert (identity.id_number, identity.name, identity.date_of_birth) == (
        citizen.id_number,
        citizen.name,
        citizen.born,
    )


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("", "empty"),
        ("079195000101|Nguyễn Văn A|15081995", "7 fields"),
        (GOOD + "|extra", "7 fields"),
        (GOOD.replace("079195000101", "07919500010"), "12 digits"),
        (GOOD.replace("079195000101", "999195000101"), "province"),
        (GOOD.replace("|025123456|", "|02512345|"), "old ID"),
        (GOOD.replace("Nguyễn Thị Hồng Nhung", "Nguyen 123"), "letters"),
        (GOOD.replace("15081995", "31021995"), "real date"),
        (GOOD.replace("15081995", "1508199"), "ddmmyyyy"),
        (GOOD.replace("|Nữ|", "|F|"), "Nam"),
        (GOOD.replace("|Nữ|", "|Nam|"), "4th digit"),
        (GOOD.replace("15081995", "15081996"), "year of birth"),
        (GOOD.replace("20042021", "20042027"), "issue date"),
        (GOOD.replace("|12 Nguyễn Trãi, Phường 2, Quận 5, TP. Hồ Chí Minh|", "||"), "address"),
        ("x" * 601, "oversized"),
    ],
)
def test_bad_payloads_are_refused_with_the_reason(payload: str, reason: str) -> None:
    with pytest.raises(BadQrPayloadError, match=reason) as refused:
        parse_cccd_qr(payload, today=TODAY)
    assert refused.value.code == "invalid_cccd_qr" and refused.value.message_vi.startswith("Mã QR")


@given(st.text(max_size=300))
def test_random_text_is_parsed_or_refused_never_crashes(text: str) -> None:
    try:
        identity = parse_cccd_qr(text, today=TODAY)
    except BadQrPayloadError as error:
        assert error.message and error.message_vi
    else:
        assert len(identity.id_number) == 12 and text.count("|") == 6


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="|"), max_size=30), min_size=7, max_size=7))
def test_seven_random_fields_are_refused_unless_they_form_a_valid_identity(fields: list[str]) -> None:
    try:
        parse_cccd_qr("|".join(fields), today=TODAY)
    except BadQrPayloadError:
        return
    assert fields[0].isdigit() and len(fields[0]) == 12
