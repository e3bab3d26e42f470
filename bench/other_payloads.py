"""Payloads and module grids for the third frame generator (bench/frames_other.py).

Payloads are what the project's parsers accept (envelope barcodes, dossier codes, CCCD QR payloads); the grids
come from two independent encoders each (python-barcode or zxing-cpp for Code 128, segno or zxing-cpp for QR),
so the printed symbols differ in code-set choices, QR versions, masks and error-correction levels.
"""

from __future__ import annotations

from datetime import date, timedelta

import barcode
import numpy as np
import segno
import zxingcpp

from domain.cccd import PROVINCES

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_AGENCIES = ("H29.06", "000.00.20.H29", "UBND.Q1", "H79.12", "STP", "000.12.34.H01", "CA.PC08", "X12")
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
_MIDDLE = {"Nam": ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh"), "Nữ": ("Thị", "Ngọc", "Thu", "Minh", "Thanh")}
_GIVEN = {
    "Nam": ("An", "Bình", "Cường", "Dũng", "Hải", "Khoa", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tuấn", "Vinh"),
    "Nữ": ("Anh", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Ngân", "Thảo", "Trang", "Vy", "Yến", "Uyên"),
}
_STREETS = ("Lê Lợi", "Nguyễn Huệ", "Trần Hưng Đạo", "Hai Bà Trưng", "Lý Thường Kiệt", "Điện Biên Phủ", "Võ Văn Tần")
_PLACES = (
    "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
    "Phường 7, Quận 3, TP. Hồ Chí Minh",
    "Xã Tân Thạnh Đông, Huyện Củ Chi, TP. Hồ Chí Minh",
    "Phường Hàng Bạc, Quận Hoàn Kiếm, Hà Nội",
    "Thị trấn Đức Hòa, Huyện Đức Hòa, Tỉnh Long An",
    "Xã Hòa Phú, Huyện Hòa Vang, TP. Đà Nẵng",
)
_PROVINCES = tuple(sorted(PROVINCES))


def _digits(rng: np.random.Generator, count: int) -> str:
    return "".join(str(d) for d in rng.integers(0, 10, count))


def envelope_barcode(rng: np.random.Generator) -> str:
    """An envelope barcode as a printer of envelope stock might number them: a short prefix then a serial."""
    prefix = "".join(rng.choice(list(_LETTERS), int(rng.integers(0, 4))))
    return prefix + _digits(rng, int(rng.integers(max(1, 4 - len(prefix)), 13)))


def dossier_code(rng: np.random.Generator) -> str:
    """A dossier code `<agency>-<yymmdd>-<NNNN>` as printed on an intake receipt."""
    day = date(2024, 1, 1) + timedelta(days=int(rng.integers(0, 1060)))
    return f"{rng.choice(_AGENCIES)}-{day:%y%m%d}-{int(rng.integers(1, 10000)):04d}"


def cccd_payload(rng: np.random.Generator) -> str:
    """A CCCD chip-card QR payload `ID|oldID|name|dob|sex|address|issueDate` of a made-up citizen."""
    sex = "Nam" if rng.random() < 0.5 else "Nữ"
    born = date(1950, 1, 1) + timedelta(days=int(rng.integers(0, 58 * 365)))
    century_sex = 2 * ((born.year - 1900) // 100) + (sex == "Nữ")
    id_number = f"{rng.choice(_PROVINCES)}{century_sex}{born.year % 100:02d}{_digits(rng, 6)}"
    old_id = _digits(rng, 9) if born.year < 2000 and rng.random() < 0.7 else ""
    name = f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE[sex])} {rng.choice(_GIVEN[sex])}"
    address = f"Số {int(rng.integers(1, 400))} {rng.choice(_STREETS)}, {rng.choice(_PLACES)}"
    earliest = max(born + timedelta(days=14 * 366), date(2016, 1, 1))
    issued = earliest + timedelta(days=int(rng.integers(0, max(1, (date(2025, 12, 31) - earliest).days))))
    return f"{id_number}|{old_id}|{name}|{born:%d%m%Y}|{sex}|{address}|{issued:%d%m%Y}"


def code128_modules(payload: str, renderer: str) -> np.ndarray:
    """The bars of a Code 128 symbol, one bool per module (True = bar), without quiet zones."""
    if renderer == "python-barcode":
        return np.array([c == "1" for c in barcode.get("code128", payload).build()[0]])
    symbol = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.Code128)
    return np.asarray(symbol.to_image(scale=1, add_quiet_zones=False))[0] < 128


def qr_modules(payload: str, renderer: str, level: str) -> np.ndarray:
    """The dark modules of a QR symbol (True = dark), without quiet zone; `level` is L, M, Q or H."""
    if renderer == "segno":
        return np.array(segno.make_qr(payload, error=level, boost_error=False).matrix, dtype=bool)
    symbol = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level=level)
    return np.asarray(symbol.to_image(scale=1, add_quiet_zones=False)) < 128
