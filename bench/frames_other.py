"""A third frame generator, written apart from the reader and from the project's two other generators.

It renders what a kiosk camera sees on a fair day: an envelope with a printed label or an A4 intake receipt
carrying a Code 128 (even seeds), or a CCCD card carrying its QR (odd seeds), held by a hand over a cluttered
counter, at 1.5-4 px (Code 128) or 2-6 px (QR) per module, turned up to +-25 degrees (Code 128) or any angle (QR),
with mild perspective, uneven light and shadow bands, a little defocus or motion blur (at most about a module),
sensor noise and JPEG 40-95, as a 1280x720 BGR or grey frame. `other_sample(seed)` is reproducible per seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from bench import other_payloads as payloads
from bench.other_scene import HEIGHT, WIDTH, blur, counter, hand, lighting, linear, sensor, skin
from kiosk_edge.readers import Symbol

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@dataclass(frozen=True)
class Conditions:
    """How one frame was made, for the breakdown of misses."""

    kind: str
    renderer: str
    document: str
    module_px: float
    angle: float
    tilt: float
    blur: str
    blur_modules: float
    light: float
    shadow_edge: bool
    noise: float
    jpeg: int
    grey: bool


@dataclass
class Document:
    """A flat printed thing at frame scale: albedo, coverage, the symbol's box with quiet zone, mm per pixel."""

    albedo: np.ndarray
    alpha: np.ndarray
    box: tuple[float, float, float, float]
    px_per_mm: float


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:
        return ImageFont.load_default(size)


def _write(img: np.ndarray, lines: list[tuple[float, float, str, float]], ink: int) -> np.ndarray:
    """Print text lines (x, y, text, height in px) onto an albedo image."""
    pil = Image.fromarray(img)
    draw = ImageDraw.Draw(pil)
    for x, y, text, size in lines:
        if size >= 4:
            draw.text((x, y), text, fill=(ink, ink, ink), font=_font(int(size)))
    return np.asarray(pil).copy()


def _print(grid: np.ndarray, module_px: float, gain: float) -> np.ndarray:
    """Ink coverage (0..1) of a module grid printed at `module_px` per module, bars grown by `gain` modules."""
    fine = 16
    big: np.ndarray = np.kron(grid.astype(np.uint8), np.ones((fine, fine), np.uint8)) * 255
    grow = int(round(abs(gain) * fine))
    if grow:
        kernel = np.ones((grow + 1, grow + 1), np.uint8)
        big = cv2.dilate(big, kernel) if gain > 0 else cv2.erode(big, kernel)
    size = (max(1, round(grid.shape[1] * module_px)), max(1, round(grid.shape[0] * module_px)))
    return cv2.resize(big, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255


def _paper(rng: np.random.Generator, size: tuple[int, int], colour: np.ndarray) -> np.ndarray:
    h, w = size
    grain = cv2.resize(rng.normal(0, 5, (max(2, h // 40), max(2, w // 40))).astype(np.float32), (w, h))
    grain = grain + rng.standard_normal((h, w), np.float32) * 2
    return np.clip(colour.astype(np.float32) + grain[..., None], 0, 255).astype(np.uint8)


def _stamp(img: np.ndarray, ink: np.ndarray, at: tuple[int, int], ink_albedo: float) -> None:
    """Lay printed ink coverage onto the albedo image at (x, y)."""
    x, y = at
    region = img[y : y + ink.shape[0], x : x + ink.shape[1]].astype(np.float32)
    region = region * (1 - ink[..., None]) + ink_albedo * ink[..., None]
    img[y : y + ink.shape[0], x : x + ink.shape[1]] = region.astype(np.uint8)


def _labelled(rng: np.random.Generator, payload: str, renderer: str, module_px: float, envelope: bool) -> Document:
    """An envelope with a white label, or an A4 intake receipt, carrying the Code 128 and its text."""
    mm = rng.uniform(0.25, 0.4)  # printed module width
    px_per_mm = module_px / mm
    bars = _print(payloads.code128_modules(payload, renderer)[None, :], module_px, rng.uniform(-0.08, 0.15))
    bars = np.repeat(bars, max(8, round(rng.uniform(8, 15) * px_per_mm)), axis=0)
    quiet = round(10 * module_px)
    full = (162, 229) if envelope else (297, 210)
    h, w = (min(int(full[0] * px_per_mm), 1300), min(int(full[1] * px_per_mm), 1900))
    w = max(w, bars.shape[1] + 2 * quiet + 20)
    colour = np.array([110, 160, 200]) if envelope and rng.random() < 0.6 else np.full(3, 238)
    img = _paper(rng, (h, w), colour + rng.integers(-10, 10, 3))
    text = 2.5 * px_per_mm
    top = int(6 * px_per_mm) if envelope else int(20 + 9 * text)  # below the label's header or the receipt's
    h = max(h, top + bars.shape[0] + 4 * quiet)
    x = int(rng.integers(quiet + 5, max(quiet + 6, w - bars.shape[1] - quiet - 5)))
    y = int(rng.integers(top, max(top + 1, h - bars.shape[0] - 4 * quiet)))
    if envelope:
        lx, ly, lw, lh = (
            x - quiet,
            y - int(5 * px_per_mm),
            bars.shape[1] + 2 * quiet,
            bars.shape[0] + int(12 * px_per_mm),
        )
        img[max(0, ly) : ly + lh, lx : lx + lw] = rng.integers(236, 252)
        title = "MỘT CỬA 24/7 - PHONG BÌ HỒ SƠ"  # sized to fit the label, as its printer would
        header = [(float(lx + quiet), float(ly + 1), title, min(text, (lw - 2 * quiet) / (0.62 * len(title))))]
    else:
        header = [(20, 20 + k * 2.2 * text, line, text) for k, line in enumerate(_receipt_lines(payload))]
    ink = float(rng.integers(10, 50))
    _stamp(img, bars, (x, y), ink)
    img = _write(img, [*header, (x, y + bars.shape[0] + 2, payload, text)], int(ink))
    box = (x - quiet, y, x + bars.shape[1] + quiet, y + bars.shape[0])
    return Document(img, np.ones((h, w), np.float32), box, px_per_mm)


def _receipt_lines(code: str) -> list[str]:
    return [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {code}",
        "Bộ phận Một cửa tiếp nhận hồ sơ của ông/bà ............",
    ]


def _card(rng: np.random.Generator, payload: str, renderer: str, module_px: float) -> Document:
    """The front of a chip CCCD card: tinted guilloche, photo, text fields and the QR at the top right."""
    grid = payloads.qr_modules(payload, renderer, str(rng.choice(["L", "M", "Q"])))
    px_per_mm = module_px * grid.shape[0] / rng.uniform(17, 22)
    h, w = int(54 * px_per_mm), int(85.6 * px_per_mm)
    img = _paper(rng, (h, w), np.array([228, 236, 222]) + rng.integers(-12, 12, 3))
    for k in range(0, h, max(3, int(1.5 * px_per_mm))):  # guilloche
        xs = np.arange(0, w, 2)
        ys = k + 3 * px_per_mm * np.sin(xs / (6 * px_per_mm) + k)
        cv2.polylines(img, [np.stack([xs, ys], 1).astype(np.int32)], False, (205, 215, 200), 1, cv2.LINE_AA)
    qr = _print(grid, module_px, rng.uniform(-0.05, 0.12))
    quiet = round(rng.uniform(3, 4.5) * module_px)
    x, y = w - qr.shape[1] - int(4 * px_per_mm), int(4 * px_per_mm)
    img[y - quiet : y + qr.shape[0] + quiet, x - quiet : x + qr.shape[1] + quiet] = rng.integers(232, 250)
    ink = float(rng.integers(15, 55))
    _stamp(img, qr, (x, y), ink)
    photo = (int(4 * px_per_mm), int(18 * px_per_mm), int(20 * px_per_mm), int(26 * px_per_mm))
    img[photo[1] : photo[1] + photo[3], photo[0] : photo[0] + photo[2]] = (170, 160, 150)
    centre = (photo[0] + photo[2] // 2, photo[1] + photo[3] // 2)
    cv2.ellipse(img, centre, (photo[2] // 3, photo[3] // 3), 0, 0, 360, (90, 110, 150), -1, cv2.LINE_AA)
    fields = payload.split("|")
    titles = [(5 * px_per_mm, 5 * px_per_mm, "CỘNG HÒA XHCN VIỆT NAM", 2.2 * px_per_mm)]
    titles.append((5 * px_per_mm, 10 * px_per_mm, "CĂN CƯỚC CÔNG DÂN", 2.6 * px_per_mm))
    lines = [
        f"Số: {fields[0]}",
        f"Họ và tên: {fields[2].upper()}",
        f"Ngày sinh: {fields[3]}",
        f"Giới tính: {fields[4]}",
    ]
    # the fields sit below the QR and right of the photo, as on the card
    fields_at = [(28 * px_per_mm, (29 + 5 * k) * px_per_mm, line, 2.6 * px_per_mm) for k, line in enumerate(lines)]
    img = _write(img, titles + fields_at, 40)
    alpha = np.zeros((h, w), np.uint8)
    r = int(3 * px_per_mm)
    cv2.rectangle(alpha, (r, 0), (w - r, h), 255, -1)
    cv2.rectangle(alpha, (0, r), (w, h - r), 255, -1)
    for cx, cy in ((r, r), (w - r, r), (r, h - r), (w - r, h - r)):
        cv2.circle(alpha, (cx, cy), r, 255, -1, cv2.LINE_AA)
    box = (x - quiet, y - quiet, x + qr.shape[1] + quiet, y + qr.shape[0] + quiet)
    return Document(img, alpha.astype(np.float32) / 255, box, px_per_mm)


def _pose(rng: np.random.Generator, doc: Document, angle: float) -> tuple[np.ndarray, float] | None:
    """A homography from document to frame, turned and mildly tilted, with the symbol and its quiet zone in view
    (None if they cannot all be: a person would hold it farther or straighter)."""
    h, w = doc.alpha.shape
    tx, ty = rng.uniform(-0.2, 0.2, 2)
    x0, y0, x1, y1 = doc.box
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    shift = np.array([[1, 0, -centre[0]], [0, 1, -centre[1]], [0, 0, 1]])
    tilt = np.array([[1, 0, 0], [0, 1, 0], [2 * tx / w, 2 * ty / h, 1]])
    c, s = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    turn = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    homography = turn @ tilt @ shift
    corners = cv2.perspectiveTransform(np.array([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]], np.float64), homography)
    low, high = corners[0].min(0), corners[0].max(0)
    span = np.array([WIDTH, HEIGHT]) - 40 - (high - low)
    if (span < 0).any():
        return None
    place = np.array([20, 20]) - low + rng.uniform(0, 1, 2) * span
    return np.array([[1, 0, place[0]], [0, 1, place[1]], [0, 0, 1]]) @ homography, float(max(abs(tx), abs(ty)))


def _symbol_area(doc: Document, homography: np.ndarray) -> np.ndarray:
    x0, y0, x1, y1 = doc.box
    quad = cv2.perspectiveTransform(np.array([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]], np.float64), homography)
    area = np.zeros((HEIGHT, WIDTH), np.uint8)
    cv2.fillConvexPoly(area, quad[0].astype(np.int32), 1)
    return area.astype(bool)


def _held(rng: np.random.Generator, doc: Document, homography: np.ndarray, symbol: np.ndarray) -> np.ndarray:
    """The coverage of a hand gripping one edge of the document, never over the symbol or its quiet zone."""
    h, w = doc.alpha.shape
    edges = [((0.0, 0.2 + 0.6 * rng.random()), (1, 0)), ((1.0, 0.2 + 0.6 * rng.random()), (-1, 0))]
    edges += [((0.2 + 0.6 * rng.random(), 1), (0, -1)), ((0.2 + 0.6 * rng.random(), 0), (0, 1))]
    for k in rng.permutation(len(edges)):
        (u, v), inward = edges[k]
        at = cv2.perspectiveTransform(np.array([[[u * w, v * h], [u * w + inward[0], v * h + inward[1]]]]), homography)
        direction = at[0, 1] - at[0, 0]
        coverage = hand(rng, at[0, 0], direction / np.linalg.norm(direction), doc.px_per_mm)
        if not (coverage[symbol] > 0.01).any():
            return coverage
    return np.zeros((HEIGHT, WIDTH), np.float32)


def _staged(rng: np.random.Generator, kind: str) -> tuple[Document, str, str, str, float, float, np.ndarray, float]:
    """Document, payload, renderer, document kind, module px, angle, homography and tilt of a symbol in full view."""
    while True:  # a draw whose symbol cannot be wholly in view is drawn again (small modules always fit)
        doc, payload, renderer, document, module_px, angle = _printed(rng, kind)
        posed = _pose(rng, doc, angle)
        if posed:
            return doc, payload, renderer, document, module_px, angle, *posed


def _printed(rng: np.random.Generator, kind: str) -> tuple[Document, str, str, str, float, float]:
    if kind == "code128":
        renderer = str(rng.choice(["python-barcode", "zxing-cpp"]))
        envelope = rng.random() < 0.5
        payload = payloads.envelope_barcode(rng) if envelope else payloads.dossier_code(rng)
        module_px, angle = rng.uniform(1.5, 4), rng.uniform(-25, 25)
        doc = _labelled(rng, payload, renderer, module_px, envelope)
        return doc, payload, renderer, "envelope" if envelope else "a4 receipt", module_px, angle
    renderer, payload = str(rng.choice(["segno", "zxing-cpp"])), payloads.cccd_payload(rng)
    module_px, angle = rng.uniform(2, 6), rng.uniform(0, 360)
    return _card(rng, payload, renderer, module_px), payload, renderer, "cccd card", module_px, angle


def other_sample(seed: int) -> tuple[np.ndarray, Symbol, Conditions]:
    """The frame of this seed, the symbol printed in it, and how it was made."""
    rng = np.random.default_rng([seed, 20261204])
    kind: Literal["code128", "qrcode"] = "code128" if seed % 2 == 0 else "qrcode"
    doc, payload, renderer, document, module_px, angle, homography, tilt = _staged(rng, kind)
    symbol = _symbol_area(doc, homography)
    background = linear(counter(rng))
    alpha = cv2.warpPerspective(doc.alpha, homography, (WIDTH, HEIGHT))[..., None]
    printed = linear(cv2.warpPerspective(doc.albedo, homography, (WIDTH, HEIGHT)))
    offset = rng.uniform(-25, 25, 2)
    cast = cv2.warpAffine(alpha, np.array([[1, 0, offset[0]], [0, 1, offset[1]]], np.float32), (WIDTH, HEIGHT))
    small = cv2.resize(cast, (WIDTH // 4, HEIGHT // 4), interpolation=cv2.INTER_AREA)  # a soft shadow is smooth
    soft = cv2.resize(cv2.GaussianBlur(small, (0, 0), rng.uniform(1.5, 6)), (WIDTH, HEIGHT))
    background *= 1 - np.float32(rng.uniform(0.2, 0.5)) * soft[..., None]
    scene = background * (1 - alpha) + printed * alpha
    grip = _held(rng, doc, homography, symbol)[..., None]
    scene = scene * (1 - grip) + linear(skin(rng).astype(np.uint8)) * grip
    field, tint = lighting(rng)
    radiance = scene * field[..., None] * tint
    blur_kind, blur_modules = blur(rng, radiance, module_px)
    frame, noise, quality = sensor(rng, radiance, grey=rng.random() < 0.3)
    lit = field[symbol]
    conditions = Conditions(
        kind=kind,
        renderer=renderer,
        document=document,
        module_px=float(module_px),
        angle=float(angle),
        tilt=tilt,
        blur=blur_kind,
        blur_modules=blur_modules,
        light=float(lit.mean()),
        shadow_edge=bool(lit.max() - lit.min() > 0.12),
        noise=noise,
        jpeg=quality,
        grey=frame.ndim == 2,
    )
    return frame, Symbol(kind, payload), conditions
