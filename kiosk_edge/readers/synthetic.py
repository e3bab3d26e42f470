"""Generated kiosk camera frames: an envelope Code128 label or a CCCD QR on a 1280x720 scene.

Used by the reader tests and by `bench/decode.py`; every random choice comes from a seeded
`numpy.random.Generator`, so a seed always gives the same frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import barcode
import cv2
import numpy as np
import segno

from kiosk_edge.readers.payloads import Symbol, SymbolKind

FRAME_SIZE = (720, 1280)  # rows, columns: a 720p kiosk camera
# The brief's example, with the ID's 4th-6th digits made to agree with a woman born in 1995.
SAMPLE_CCCD = (
    "079195001234|025123456|Nguyễn Thị Hồng Nhung|15081995|Nữ|"
    "12 Nguyễn Trãi, Phường 2, Quận 5, TP. Hồ Chí Minh|20042021"
)
_PEOPLE = (
    ("Nguyễn Thị Hồng Nhung", "Nữ"),
    ("Trần Văn Đức", "Nam"),
    ("Lê Hoàng Phương Thảo", "Nữ"),
    ("Phạm Quốc Huy", "Nam"),
    ("Võ Thị Ánh Tuyết", "Nữ"),
    ("Đặng Minh Khôi", "Nam"),
    ("Huỳnh Ngọc Bảo Trâm", "Nữ"),
    ("Bùi Thế Vĩnh", "Nam"),
)
_STREETS = ("Nguyễn Trãi", "Hậu Giang", "Lê Quang Sung", "Trần Hưng Đạo", "Bình Phú", "Kinh Dương Vương")


@dataclass(frozen=True)
class Distortion:
    """How a symbol looks to the camera; the defaults are a clean, upright, mid-sized symbol."""

    angle: float = 0.0  # degrees, counter-clockwise
    width: int = 360  # px across the symbol itself (quiet zone excluded) before rotation
    blur: float = 0.0  # Gaussian sigma in px (focus, motion)
    contrast: float = 1.0  # ink darkness relative to the paper: 1 black on white, 0.3 faint print
    glare: float = 0.0  # specular highlight over the symbol: how far its centre is washed toward white, 0..1
    noise: float = 0.0  # sensor noise sigma in grey levels
    light: float = 1.0  # overall exposure; below 1 is a dim kiosk at night


def envelope_code(rng: np.random.Generator) -> str:
    """A pre-printed envelope barcode value (mã vạch phong bì), e.g. `PB2605200123`."""
    return f"PB{int(rng.integers(0, 10**10)):010d}"


def cccd_payload(rng: np.random.Generator) -> str:
    """A CCCD QR payload `ID|oldID|name|dob|sex|address|issueDate` with Vietnamese UTF-8 text."""
    name, sex = _PEOPLE[int(rng.integers(len(_PEOPLE)))]
    year = int(rng.integers(1950, 2006))
    # ID: province of birth (079, Hồ Chí Minh City), sex and century, year of birth, serial.
    ident = f"079{(0 if year < 2000 else 2) + (sex == 'Nữ')}{year % 100:02d}{int(rng.integers(0, 10**6)):06d}"
    old = f"{int(rng.integers(0, 10**9)):09d}" if rng.random() < 0.5 else ""
    street = _STREETS[int(rng.integers(len(_STREETS)))]
    address = f"{int(rng.integers(1, 300))} {street}, Phường {int(rng.integers(1, 15))}, Quận 6, TP. Hồ Chí Minh"
    dob = f"{int(rng.integers(1, 29)):02d}{int(rng.integers(1, 13)):02d}{year}"
    return f"{ident}|{old}|{name}|{dob}|{sex}|{address}|{int(rng.integers(1, 29)):02d}072021"


def code128_patch(payload: str, width: int = 360) -> np.ndarray:
    """An envelope label, 0 (ink) to 1 (paper): `payload` as Code128 (python-barcode) `width` px wide."""
    modules = np.array([int(bit) for bit in barcode.Code128(payload).build()[0]], dtype=np.uint8)
    quiet = 12
    row = np.pad(1 - modules, quiet, constant_values=1)  # 1 = paper, 0 = bar
    module_px = width / len(modules)
    size = (round(row.size * module_px), round(width * 0.28))
    bars = cv2.resize(np.tile(row, (8, 1)).astype(np.float32), size, interpolation=cv2.INTER_AREA)
    text = np.full((round(14 * module_px), size[0]), 255, np.uint8)  # the human-readable line
    cv2.putText(
        text,
        payload,
        (round(quiet * module_px), text.shape[0] - 2),
        cv2.FONT_HERSHEY_PLAIN,
        max(0.6, module_px * 0.8),
        0,
        1,
        cv2.LINE_AA,
    )
    return np.vstack([bars, text / np.float32(255)])


def qr_patch(payload: str, width: int = 240) -> np.ndarray:
    """A CCCD QR, 0 (ink) to 1 (paper): `payload` as UTF-8 (segno, level M), `width` px without quiet zone."""
    matrix = np.array(segno.make(payload, error="m", micro=False).matrix, dtype=np.uint8)
    cells = np.pad(1 - matrix, 4, constant_values=1).astype(np.float32)
    side = round(cells.shape[0] * width / matrix.shape[0])
    return cv2.resize(cells, (side, side), interpolation=cv2.INTER_AREA)


def code128_frame(payload: str, distortion: Distortion = Distortion(), *, seed: int = 0) -> np.ndarray:
    """A BGR camera frame of an envelope label carrying `payload` as Code128."""
    return _compose(code128_patch(payload, distortion.width), distortion, seed)


def qr_frame(payload: str, distortion: Distortion = Distortion(), *, seed: int = 0) -> np.ndarray:
    """A BGR camera frame of the back of a CCCD card carrying `payload` as a UTF-8 QR."""
    return _compose(qr_patch(payload, distortion.width), distortion, seed)


def blank_frame(*, seed: int = 0) -> np.ndarray:
    """A BGR camera frame of the cluttered kiosk scene with no symbol in it."""
    grey = np.clip(_background(np.random.default_rng(seed)) * 255.0, 0, 255).astype(np.uint8)
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)


def random_distortion(rng: np.random.Generator, kind: Literal["code128", "qrcode"]) -> Distortion:
    """One camera condition drawn from the ranges the kiosk readers must cope with."""
    low, high, modules = (200, 400, 123) if kind == "code128" else (110, 300, 49)
    width = int(rng.integers(low, high))
    # Defocus beyond about half a module merges the narrowest bars: no reader can resolve that.
    max_blur = min(1.6, 0.5 * width / modules)
    return Distortion(
        angle=float(rng.uniform(0, 360)),
        width=width,
        blur=float(rng.uniform(0.3, max_blur)) if rng.random() < 0.5 else 0.0,
        contrast=float(rng.uniform(0.3, 0.6)) if rng.random() < 0.3 else 1.0,
        glare=float(rng.uniform(0.4, 0.75)) if rng.random() < 0.3 else 0.0,
        noise=float(rng.uniform(2, 7)),
        light=float(rng.uniform(0.35, 0.6)) if rng.random() < 0.2 else 1.0,
    )


def random_sample(rng: np.random.Generator) -> tuple[np.ndarray, Symbol]:
    """A distorted frame with one symbol (half Code128, half QR) and the symbol it must read as."""
    kind: SymbolKind = "code128" if rng.random() < 0.5 else "qrcode"
    distortion = random_distortion(rng, kind)
    seed = int(rng.integers(0, 2**31))
    if kind == "code128":
        payload = envelope_code(rng)
        return code128_frame(payload, distortion, seed=seed), Symbol("code128", payload)
    payload = cccd_payload(rng)
    return qr_frame(payload, distortion, seed=seed), Symbol("qrcode", payload)


def _compose(symbol: np.ndarray, d: Distortion, seed: int) -> np.ndarray:
    """Put a 0..1 symbol patch on a paper sheet, rotate it into a cluttered scene, then degrade it."""
    rng = np.random.default_rng(seed)
    paper = float(rng.uniform(0.8, 0.95))
    ink = paper * (1.0 - d.contrast * float(rng.uniform(0.85, 0.95)))
    margin = max(16, symbol.shape[1] // 16)
    sheet = np.pad(symbol, margin, constant_values=1.0) * (paper - ink) + ink
    h, w = sheet.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), d.angle, 1.0)
    cos, sin = abs(turn[0, 0]), abs(turn[0, 1])
    out_w, out_h = int(w * cos + h * sin) + 2, int(w * sin + h * cos) + 2
    turn[:, 2] += ((out_w - w) / 2, (out_h - h) / 2)
    rotated = cv2.warpAffine(sheet, turn, (out_w, out_h), flags=cv2.INTER_LINEAR, borderValue=0.0)
    mask = cv2.warpAffine(np.ones_like(sheet), turn, (out_w, out_h), flags=cv2.INTER_LINEAR, borderValue=0.0)
    scene = _background(rng)
    rows, cols = FRAME_SIZE
    if out_h > rows or out_w > cols:
        raise ValueError(f"symbol too large for the frame after rotation: {out_w}x{out_h}")
    top = int(rng.integers(0, rows - out_h + 1))
    left = int(rng.integers(0, cols - out_w + 1))
    window = scene[top : top + out_h, left : left + out_w]
    window[:] = window * (1 - mask) + rotated * mask
    if d.glare:  # veiling light from a specular spot; auto-exposure keeps the peak just below white
        cy, cx = top + out_h * rng.uniform(0.3, 0.7), left + out_w * rng.uniform(0.3, 0.7)
        radius = max(out_h, out_w) * rng.uniform(0.25, 0.5)
        yy, xx = np.ogrid[:rows, :cols]
        veil = (d.glare * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * radius**2))).astype(np.float32)
        scene = scene * (1 - veil) + veil
    if d.blur:
        scene = cv2.GaussianBlur(scene, (0, 0), d.blur)
    scene = scene * (d.light * 255.0)
    if d.noise:
        scene = scene + rng.normal(0.0, d.noise, scene.shape)
    grey = np.clip(scene, 0, 255).astype(np.uint8)
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)


def _background(rng: np.random.Generator) -> np.ndarray:
    """A kiosk slot seen by the camera: a shaded panel with a few edges and text-like clutter."""
    rows, cols = FRAME_SIZE
    base = float(rng.uniform(80, 150))
    ramp = np.linspace(-25, 25, cols)[None, :] * rng.choice([-1, 1])
    scene = np.repeat(base + ramp, rows, axis=0).astype(np.uint8)
    for _ in range(int(rng.integers(3, 8))):
        x, y = int(rng.integers(0, cols)), int(rng.integers(0, rows))
        w, h = int(rng.integers(40, 300)), int(rng.integers(20, 200))
        cv2.rectangle(scene, (x, y), (x + w, y + h), int(rng.integers(25, 230)), int(rng.choice([-1, 2, 4])))
    for _ in range(int(rng.integers(2, 6))):
        x, y = int(rng.integers(0, cols - 200)), int(rng.integers(20, rows))
        cv2.putText(
            scene,
            "MOT CUA 24/7",
            (x, y),
            cv2.FONT_HERSHEY_SIMPLEX,
            float(rng.uniform(0.5, 1.2)),
            int(rng.integers(0, 256)),
            2,
            cv2.LINE_AA,
        )
    return scene.astype(np.float32) / 255.0
