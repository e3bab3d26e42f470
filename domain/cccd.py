"""Strict parser of the CCCD (citizen ID card) QR payload: `ID|oldID|name|dob|sex|address|issueDate`."""

from __future__ import annotations

import re
from datetime import date

from domain.errors import DomainError, InvalidValueError
from domain.values import PersonalData

ID_NUMBER = re.compile(r"\d{12}", re.ASCII)
OLD_ID = re.compile(r"\d{9}", re.ASCII)
DDMMYYYY = re.compile(r"\d{8}", re.ASCII)
# Province-of-birth codes of Decree 137/2015 (001..096, with gaps), plus foreign-born citizens.
PROVINCES = frozenset(
    {
        "001",
        "002",
        "004",
        "006",
        "008",
        "010",
        "011",
        "012",
        "014",
        "015",
        "017",
        "019",
        "020",
        "022",
        "024",
        "025",
        "026",
        "027",
        "030",
        "031",
        "033",
        "034",
        "035",
        "036",
        "037",
        "038",
        "040",
        "042",
        "044",
        "045",
        "046",
        "048",
        "049",
        "051",
        "052",
        "054",
        "056",
        "058",
        "060",
        "062",
        "064",
        "066",
        "067",
        "068",
        "070",
        "072",
        "074",
        "075",
        "077",
        "079",
        "080",
        "082",
        "083",
        "084",
        "086",
        "087",
        "089",
        "091",
        "092",
        "093",
        "094",
        "095",
        "096",
    }
)
SEXES = {"Nam": 0, "Nữ": 1}
MAX_PAYLOAD = 600


class BadQrPayloadError(InvalidValueError):
    """The scanned QR is not a valid CCCD payload; the reason says which part."""

    code = "invalid_cccd_qr"

    def __init__(self, reason: str, reason_vi: str) -> None:
        self.field = "cccd_qr"
        DomainError.__init__(
            self, f"not a CCCD QR payload: {reason}", f"Mã QR trên thẻ căn cước không hợp lệ: {reason_vi}."
        )


class CitizenIdentity(PersonalData, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the CCCD QR says about its holder (personal data)."""

    id_number: str
    old_id_number: str | None
    name: str
    date_of_birth: date
    sex: str
    address: str
    issued_on: date


def parse_cccd_qr(payload: str, *, today: date) -> CitizenIdentity:
    """Parse a QR payload or raise BadQrPayloadError with the reason."""
    if not isinstance(payload, str) or not payload or len(payload) > MAX_PAYLOAD:
        raise BadQrPayloadError("empty or oversized payload", "dữ liệu trống hoặc quá dài")
    fields = payload.split("|")
    if len(fields) != 7:
        raise BadQrPayloadError(
            f"expected 7 fields separated by '|', got {len(fields)}", f"cần 7 trường, nhận được {len(fields)}"
        )
    id_number, old_id, name, dob, sex, address, issued = (f.strip() for f in fields)
    _check_id(id_number)
    if old_id and not OLD_ID.fullmatch(old_id):
        raise BadQrPayloadError("old ID number must be empty or 9 digits", "số CMND cũ phải để trống hoặc gồm 9 chữ số")
    if not name or len(name) > 100 or not all(ch.isalpha() or ch == " " for ch in name):
        raise BadQrPayloadError("name must be letters and spaces", "họ tên chỉ gồm chữ cái và khoảng trắng")
    born, issued_on = _date("date of birth", "ngày sinh", dob), _date("issue date", "ngày cấp", issued)
    if sex not in SEXES:
        raise BadQrPayloadError("sex must be 'Nam' or 'Nữ'", "giới tính phải là 'Nam' hoặc 'Nữ'")
    _check_consistency(id_number, born, sex)
    if not address or len(address) > 300:
        raise BadQrPayloadError("address is missing", "thiếu địa chỉ")
    if not born <= issued_on <= today:
        raise BadQrPayloadError(
            "issue date must be between birth and today", "ngày cấp phải sau ngày sinh và không ở tương lai"
        )
    return CitizenIdentity(
        id_number=id_number,
        old_id_number=old_id or None,
        name=" ".join(name.split()),
        date_of_birth=born,
        sex=sex,
        address=address,
        issued_on=issued_on,
    )


def _check_id(id_number: str) -> None:
    if not ID_NUMBER.fullmatch(id_number):
        raise BadQrPayloadError("ID number must be 12 digits", "số định danh phải gồm 12 chữ số")
    if id_number[:3] not in PROVINCES:
        raise BadQrPayloadError(f"unknown province code {id_number[:3]}", f"mã tỉnh {id_number[:3]} không tồn tại")


def _check_consistency(id_number: str, born: date, sex: str) -> None:
    century_sex = int(id_number[3])
    century = 1900 + 100 * (century_sex // 2)
    if century_sex // 2 > 4 or century_sex % 2 != SEXES[sex] or not century <= born.year < century + 100:
        raise BadQrPayloadError(
            "4th digit of the ID does not match sex and century of birth",
            "chữ số thứ 4 của số định danh không khớp giới tính và thế kỷ sinh",
        )
    if id_number[4:6] != f"{born.year % 100:02d}":
        raise BadQrPayloadError(
            "5th-6th digits of the ID must be the year of birth", "chữ số thứ 5-6 của số định danh phải là năm sinh"
        )


def _date(what: str, what_vi: str, text: str) -> date:
    if not DDMMYYYY.fullmatch(text):
        raise BadQrPayloadError(f"{what} must be ddmmyyyy", f"{what_vi} phải có dạng ngàythángnăm (8 chữ số)")
    try:
        return date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        raise BadQrPayloadError(f"{what} is not a real date", f"{what_vi} không tồn tại") from None


class BadCmndError(InvalidValueError):
    """A typed CMND (the old ID card without a chip) number that is not exactly 9 digits."""

    code = "invalid_cmnd"

    def __init__(self) -> None:
        self.field = "cmnd"
        DomainError.__init__(self, "a CMND number is exactly 9 digits", "Số CMND phải gồm đúng 9 chữ số.")


def parse_cmnd(text: str) -> str:
    """A CMND number as typed (spaces and dots between digit groups allowed) -> its 9 ASCII digits, or
    BadCmndError."""
    if not isinstance(text, str) or len(text) > 32:
        raise BadCmndError()
    digits = "".join(text.replace(".", " ").split())
    if not OLD_ID.fullmatch(digits):
        raise BadCmndError()
    return digits
