"""Printed labels for `bench/frames_hard.py`: payloads, three Code 128 and three QR encoders, printer artefacts, fonts.

Deliberately independent of `kiosk_edge/readers/synthetic.py` (the frames the reader was tuned on): its own
Code 128 encoder (code set B with set C only for long digit runs, unlike python-barcode's and zxing-cpp's choices),
quiet zones from a tight 6 modules to 20, bars printed on a printer whose dot pitch is not a whole fraction of a
module (edges snap to dots, so equal bars come out 2 or 3 dots wide), ink spread or starvation, and the
human-readable line in one of several TrueType fonts. Labels are float images, 0 ink to 1 paper, `TEXEL` px per module.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import barcode
import cv2
import numpy as np
import segno
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

TEXEL = 6  # label px per module; frames_hard.py warps the label down to 1.2-5 px per module
_FINE = 8  # sub-texel steps when printed bars are rasterised with exact coverage
# Code 128 symbol values 0..106 as bar/space widths (ISO/IEC 15417 table 1); 103-105 start A/B/C, 106 stop.
_WIDTH_TABLE = (
    "212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 122132 122231 113222 "
    "123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 321221 312212 322112 322211 212123 212321 "
    "232121 111323 131123 131321 112313 132113 132311 211313 231113 231311 112133 112331 132131 113123 113321 133121 "
    "313121 211331 231131 213113 213311 213131 311123 311321 331121 312113 312311 332111 314111 221411 431111 111224 "
    "111422 121124 121421 141122 141221 112214 112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 "
    "111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 214121 412121 111143 111341 131141 114113 "
    "114311 411113 411311 113141 114131 311141 411131 211412 211214 211232 2331112"
)
_WIDTHS = _WIDTH_TABLE.split()
_START_B, _START_C, _CODE_B, _CODE_C, _STOP = 104, 105, 100, 99, 106
_FONTS = (
    "truetype/dejavu/DejaVuSans.ttf",
    "truetype/dejavu/DejaVuSansMono.ttf",
    "truetype/dejavu/DejaVuSerif-Bold.ttf",
    "truetype/liberation/LiberationSansNarrow-Regular.ttf",
    "truetype/liberation/LiberationMono-Regular.ttf",
    "truetype/noto/NotoSansMono-Regular.ttf",
    "opentype/urw-base35/NimbusSans-Regular.otf",
    "opentype/urw-base35/C059-Roman.otf",
)
_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
_MIDDLE = ("Văn", "Thị", "Hữu", "Ngọc", "Minh", "Thanh", "Quốc", "Thu", "Đức", "Bảo", "")
_GIVEN = (
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hạnh",
    "Khoa",
    "Linh",
    "Mỹ",
    "Nghĩa",
    "Oanh",
    "Phúc",
    "Quyên",
    "Sơn",
    "Tâm",
    "Uyên",
    "Vinh",
    "Xuân",
    "Yến",
    "Ánh Dương",
    "Thảo Nguyên",
)
_PLACES = (
    "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
    "Xã Tân Nhựt, Huyện Bình Chánh, TP. Hồ Chí Minh",
    "Phường Hàng Bạc, Quận Hoàn Kiếm, Hà Nội",
    "Thị trấn Củ Chi, Huyện Củ Chi, TP. Hồ Chí Minh",
    "Phường 11, Quận 6, TP. Hồ Chí Minh",
    "Xã Hòa Phước, Huyện Hòa Vang, Đà Nẵng",
)
_AGENCIES = ("H29.06", "H29.6", "000.00.19.H29", "UBND.Q6", "H29.06.P11", "G01.TP", "H29.BC.X3")


def envelope_barcode(rng: np.random.Generator) -> str:
    """An envelope barcode in one of several printers' formats; all match `[A-Z0-9]{4,24}` (domain/kiosk.py)."""
    letters = "".join(rng.choice(list("ABCDEFGHJKLMNPQRSTUVWXYZ"), int(rng.integers(1, 5))))
    digits = "".join(rng.choice(list("0123456789"), int(rng.integers(6, 15))))
    mixed = "".join(rng.choice(list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"), int(rng.integers(8, 17))))
    return str(rng.choice([f"PB{digits[:10]:0>10}", letters + digits, mixed]))


def dossier_code(rng: np.random.Generator) -> str:
    """A dossier code `<agency>-<yymmdd>-<NNNN>` with a real date (domain/codes.py)."""
    day = np.datetime64("2025-01-01") + int(rng.integers(0, 700))
    yymmdd = str(day).replace("-", "")[2:]
    return f"{rng.choice(_AGENCIES)}-{yymmdd}-{int(rng.integers(1, 10000)):04d}"


def cccd_payload(rng: np.random.Generator) -> str:
    """A CCCD QR payload that domain/cccd.py accepts: ID consistent with sex and birth year, Vietnamese text."""
    sex = "Nữ" if rng.random() < 0.5 else "Nam"
    middle = "Thị" if sex == "Nữ" and rng.random() < 0.6 else str(rng.choice(_MIDDLE))
    name = " ".join(part for part in (str(rng.choice(_SURNAMES)), middle, str(rng.choice(_GIVEN))) if part)
    year = int(rng.integers(1940, 2008))
    province = str(rng.choice(["001", "079", "048", "092", "038", "075", "089"]))
    ident = f"{province}{2 * (year >= 2000) + (sex == 'Nữ')}{year % 100:02d}{int(rng.integers(0, 10**6)):06d}"
    old = f"{int(rng.integers(0, 10**9)):09d}" if rng.random() < 0.4 else ""
    dob = f"{int(rng.integers(1, 29)):02d}{int(rng.integers(1, 13)):02d}{year}"
    address = f"Số {int(rng.integers(1, 999))}, {rng.choice(_PLACES)}"
    issued = f"{int(rng.integers(1, 29)):02d}{int(rng.integers(1, 13)):02d}{int(rng.integers(2021, 2025))}"
    return f"{ident}|{old}|{name}|{dob}|{sex}|{address}|{issued}"


def code128_modules(payload: str, encoder: str) -> np.ndarray:
    """The symbol's modules (1 bar, 0 space), without quiet zones, from one of three independent encoders."""
    if encoder == "python-barcode":
        modules = np.array([int(bit) for bit in barcode.Code128(payload).build()[0]], np.uint8)
        # python-barcode drops a leading "99" before letters ("99X7" prints as "X7"): the label would not say
        # what the frame is scored against, so such a payload is encoded by our own encoder instead.
        if printed(modules) == payload:
            return modules
    if encoder == "zxing-cpp":
        image = np.asarray(
            zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.Code128).to_image(scale=1, add_quiet_zones=False)
        )
        return (image[image.shape[0] // 2] < 128).astype(np.uint8)
    return _widths_to_modules(_own_code128(payload))


def printed(modules: np.ndarray) -> str | None:
    """What a clean print of the modules reads as (zxing-cpp, 3 px per module, quiet zones), or None."""
    row = np.pad(np.where(modules == 1, 0, 255).astype(np.uint8), 12, constant_values=255)
    image = np.ascontiguousarray(np.tile(np.repeat(row, 3), (20, 1)))
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)
    return found[0].text if len(found) == 1 else None


def _own_code128(payload: str) -> list[int]:
    """Symbol values: set B, switching to set C only for a run of 6 or more digits (4 at either end)."""
    values: list[int] = []
    index, mode = 0, ""
    while index < len(payload):
        run = len(payload[index:]) - len(payload[index:].lstrip("0123456789"))
        at_edge = index == 0 or index + run == len(payload)
        if run >= (4 if at_edge else 6):
            run -= run % 2
            if mode != "C":
                values.append(_START_C if not values else _CODE_C)
            values += [int(payload[i : i + 2]) for i in range(index, index + run, 2)]
            index, mode = index + run, "C"
            continue
        if mode != "B":
            values.append(_START_B if not values else _CODE_B)
            mode = "B"
        values.append(ord(payload[index]) - 32)
        index += 1
    check = (values[0] + sum(i * v for i, v in enumerate(values[1:], 1))) % 103
    return [*values, check, _STOP]


def _widths_to_modules(values: list[int]) -> np.ndarray:
    widths = "".join(_WIDTHS[value] for value in values) + "2"  # the stop's final 2-module bar
    return np.concatenate([np.full(int(w), 1 - i % 2, np.uint8) for i, w in enumerate(widths)])


def qr_modules(payload: str, encoder: str, level: str) -> np.ndarray:
    """The QR matrix (1 dark), without quiet zone, from segno, zxing-cpp or OpenCV's encoder."""
    if encoder == "segno":
        return np.array(segno.make(payload, error=level.lower(), micro=False, boost_error=False).matrix, np.uint8)
    if encoder == "zxing-cpp":
        qr = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level=level)
        return (np.asarray(qr.to_image(scale=1, add_quiet_zones=False)) < 128).astype(np.uint8)
    params = cv2.QRCodeEncoder.Params()
    params.correction_level = {"L": 0, "M": 1, "Q": 2, "H": 3}[level]
    return (cv2.QRCodeEncoder.create(params).encode(payload) < 128).astype(np.uint8)


def print_bars(modules: np.ndarray, *, quiet: float, dots_per_module: float, spread: float) -> np.ndarray:
    """One row of a printed label, ink coverage 0..1 per texel: edges snapped to printer dots, then spread."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], modules, [0]])))  # starts and ends of bars
    snapped = np.round(edges * dots_per_module) / dots_per_module
    starts, ends = snapped[::2] - spread / 2, snapped[1::2] + spread / 2
    fine = np.zeros(int((len(modules) + 2 * quiet) * TEXEL) * _FINE, np.float32)
    step = TEXEL * _FINE
    for start, end in zip(starts + quiet, ends + quiet, strict=True):
        fine[int(round(start * step)) : int(round(end * step))] = 1.0
    return fine.reshape(-1, _FINE).mean(axis=1)


def print_matrix(matrix: np.ndarray, *, quiet: int, spread: float) -> np.ndarray:
    """A printed QR, ink coverage 0..1 per texel; ink spread grows (or starves) every dark module."""
    cells = np.pad(matrix, quiet).astype(np.float32)
    ink = cv2.resize(cells, None, fx=TEXEL, fy=TEXEL, interpolation=cv2.INTER_NEAREST)
    grow = int(round(abs(spread) * TEXEL))
    if grow:
        kernel = np.ones((grow + 1, grow + 1), np.uint8)
        ink = cv2.dilate(ink, kernel) if spread > 0 else cv2.erode(ink, kernel)
    return cv2.GaussianBlur(ink, (0, 0), 0.35 * TEXEL * max(abs(spread), 0.1))


@cache
def _font(path: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    file = Path("/usr/share/fonts") / path
    return ImageFont.truetype(str(file), size) if file.exists() else ImageFont.load_default()


def text_line(text: str, *, width: int, height: int, font: int, align: str = "centre") -> np.ndarray:
    """Ink coverage 0..1 of one line of text in `_FONTS[font]`, fitted to width x height texels."""
    face = _font(_FONTS[font % len(_FONTS)], max(8, int(height * 0.8)))
    image = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=face)
    if right - left > width:  # shrink to fit, as a label designer would
        face = _font(_FONTS[font % len(_FONTS)], max(8, int(height * 0.8 * width / (right - left))))
        left, top, right, bottom = draw.textbbox((0, 0), text, font=face)
    x = (width - (right - left)) // 2 - left if align == "centre" else -left
    draw.text((x, (height - (bottom - top)) // 2 - top), text, fill=255, font=face)
    return np.asarray(image, np.float32) / 255.0


def font_count() -> int:
    """How many fonts the labels draw from."""
    return len(_FONTS)
