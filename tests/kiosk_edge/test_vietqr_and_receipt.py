"""VietQR payloads (NAPAS EMVCo) and the printed receipt's layout: properties over any amount, code and account."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk_edge.receipt import WIDTH, receipt_text
from kiosk_edge.vietqr import BadVietQrError, BankAccount, crc16, parse, payload

ACCOUNT = BankAccount(bin="970415", number="113000006868", name="Ủy ban nhân dân Quận 6")
codes = st.from_regex(r"\AH29\.06(\.[0-9]{1,2})?-2[0-9]{5}-[0-9]{4}\Z", fullmatch=True)
amounts = st.integers(min_value=1, max_value=100_000_000)


def test_the_crc_is_ccitt_false() -> None:
    assert crc16("123456789") == "29B1"


@given(amount=amounts, code=codes, number=st.from_regex(r"\A[0-9]{6,19}\Z", fullmatch=True))
def test_a_payload_reads_back_with_the_account_amount_and_dossier_code(amount: int, code: str, number: str) -> None:
    text = payload(BankAccount(bin="970436", number=number, name="UBND QUAN 6"), amount, code)
    fields = parse(text)
    assert (fields["guid"], fields["bin"], fields["account"], fields["amount"]) == (
        "A000000727",
        "970436",
        number,
        str(amount),
    )
    assert (fields["currency"], fields["country"], fields["reference"], fields["version"]) == ("704", "VN", code, "01")
    assert text.startswith("000201010212") and text[-8:-4] == "6304"


@given(amount=amounts, code=codes, at=st.integers(min_value=0, max_value=200), char=st.characters(codec="ascii"))
def test_any_changed_character_fails_the_crc(amount: int, code: str, at: int, char: str) -> None:
    text = payload(ACCOUNT, amount, code)
    at %= len(text) - 4
    changed = text[:at] + char + text[at + 1 :]
    if changed != text:
        with pytest.raises(BadVietQrError):
            parse(changed)


@pytest.mark.parametrize(
    "account",
    [
        dict(bin="97041", number="1", name="A"),
        dict(bin="970415", number="", name="A"),
        dict(bin="970415", number="12 34", name="A"),
        dict(bin="970415", number="1", name=""),
    ],
)
def test_a_misconfigured_account_is_refused_clearly(account: dict[str, str]) -> None:
    with pytest.raises(BadVietQrError):
        BankAccount(**account)


@given(
    code=codes,
    procedure=st.text(st.sampled_from("abc đăng ký-khai sinh ,"), max_size=300),
    fee=st.integers(0, 5_000_000),
    paid=st.integers(0, 5_000_000),
)
def test_a_receipt_never_breaks_a_dossier_code_and_fits_the_printer(
    code: str, procedure: str, fee: int, paid: int
) -> None:
    text = receipt_text(
        kiosk="Q6-01",
        dossier_code=code,
        procedure=procedure,
        applicant="Nguyễn Thị Hồng Nhung",
        due_on=date(2026, 5, 21),
        fee=fee,
        paid=paid,
    )
    assert any(code in line for line in text.splitlines())
    assert all(len(line) <= WIDTH for line in text.splitlines() if " " in line.strip())
