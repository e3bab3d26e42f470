"""Dossier codes `<agency>-<yymmdd>-<NNNN>` (mã hồ sơ) and the deterministic ids derived from them."""

from __future__ import annotations

import re
from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.errors import InvalidValueError

DOSSIER_CODE = re.compile(r"(?P<agency>[A-Z0-9]+(?:\.[A-Z0-9]+)*)-(?P<day>\d{6})-(?P<seq>\d{4})", re.ASCII)
MAX_DAILY_SEQUENCE = 9999


def format_code(agency: str, day: date, sequence: int) -> str:
    """The code of the `sequence`-th dossier of `agency` on `day`."""
    if not 1 <= sequence <= MAX_DAILY_SEQUENCE:
        raise InvalidValueError("sequence", "daily sequence must be 1..9999", "số thứ tự trong ngày phải từ 1 đến 9999")
    return f"{agency}-{day:%y%m%d}-{sequence:04d}"


def parse_code(code: str) -> tuple[str, date, int]:
    """Split a dossier code into agency, day and sequence; InvalidValueError if malformed."""
    match = DOSSIER_CODE.fullmatch(code) if isinstance(code, str) else None
    if not match:
        raise InvalidValueError("code", "must look like H29.06-260520-0001", "mã hồ sơ phải có dạng H29.06-260520-0001")
    raw = match["day"]
    try:
        day = date(2000 + int(raw[:2]), int(raw[2:4]), int(raw[4:]))
    except ValueError as error:
        raise InvalidValueError("code", "has an impossible date", "mã hồ sơ chứa ngày không hợp lệ") from error
    sequence = int(match["seq"])
    if sequence == 0:
        raise InvalidValueError("code", "sequence 0000 is never issued", "số thứ tự 0000 không tồn tại")
    return match["agency"], day, sequence


def dossier_id(code: str) -> UUID:
    """The aggregate id of the dossier with this code."""
    return uuid5(NAMESPACE_URL, f"/dossiers/{code}")
