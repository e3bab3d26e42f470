"""Symbol reading for the kiosk cameras: envelope Code128 barcodes and CCCD QR codes, via zbar and zxing-cpp.

`read_symbols`, cheapest reads first: one zxing-cpp pass over the frame; only when that reads nothing, one zbar
pass over the lightly smoothed frame on every second line (a Code128 read by few lines only if its region
agrees); then locate symbol-like regions, turn each upright, enlarge (3x cubic along a barcode: sub-pixel bar
edges for modules down to ~1.3 px), sharpen or binarise it and let zbar, then zxing-cpp, try each view; then
undo a guessed blur (deblur.py) in QR-like regions for zxing-cpp and across the bars of barcodes for both; then
read bar profiles averaged over bands of the bars (thin.py); last of all, fit rendered Code 128 symbols to the
bar profiles of the located barcodes (fitted.py), which reads bars blurred past what zbar and zxing-cpp resolve.
Payloads stay raw: the caller validates them (domain parsers) before acting on one.
"""

from __future__ import annotations

import ctypes
import time
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from pyzbar import wrapper as zbar
from pyzbar.pyzbar import ZBarSymbol

from kiosk_edge.readers import profile128
from kiosk_edge.readers.deblur import read_deblurred, sharpened_across
from kiosk_edge.readers.fitted import read_fitted
from kiosk_edge.readers.payloads import Symbol, SymbolKind, decode_qr_bytes
from kiosk_edge.readers.qrgrid import read_qr_grid
from kiosk_edge.readers.thin import read_thin
from kiosk_edge.readers.zxing import zxing_scan

__all__ = ["Steps", "Symbol", "SymbolKind", "decode_qr_bytes", "locate", "read_symbols", "scan", "warm_up"]

_TO_GREY = {3: cv2.COLOR_BGR2GRAY, 4: cv2.COLOR_BGRA2GRAY}
_KINDS: dict[int, SymbolKind] = {ZBarSymbol.CODE128: "code128", ZBarSymbol.QRCODE: "qrcode"}
_Y800 = 808466521  # zbar's fourcc for 8-bit grey
_CFG_BINARY = 4  # ZBAR_CFG_BINARY (zbar >= 0.23): QR bytes as stored, no charset guessing
_CFG_X_DENSITY, _CFG_Y_DENSITY = 0x100, 0x101  # zbar: every n-th column / row; 0 switches it off
_TEXTURE = 0.18  # edge activity (noise taken out) per unit of local brightness that marks print
_QR_SIDE = 400.0  # px a small QR is enlarged to (at most 3x) before local binarisation
_MAX_REGIONS = 4  # a kiosk frame holds one card or envelope; the rest is clutter
_TRUSTED_LINES = 5  # zbar scan lines that must agree on a Code128 read before the first pass trusts it
# Blurs undone across the bars (view scale, Gaussian sigma in frame px, noise-to-signal), likeliest first.
_BAR_BLURS = ((2.0, 0.9, 0.003), (2.0, 1.2, 0.003), (3.0, 1.2, 0.01))
_BARS_REACH = 80.0  # frame px beyond the region's ends along the code: quiet zones are 6-20 modules of <= 3.6 px
_BARS_BUDGET = 0.04  # CPU seconds per frame for undoing the blur across bars
# Edge alignment inside a region: parallel bars score about 0.5, a QR's square grid under 0.1.
_BARS_AT_LEAST, _GRID_AT_MOST = 0.15, 0.3


@dataclass(frozen=True)
class Steps:
    """Which steps `read_symbols` takes; bench/decode_hard.py switches some off to weigh them.

    `ALL_STEPS` (what `read_symbols` takes unless told) has every step. `Steps()` has all but `thin`, the newest:
    step sets written before it (the code camera's per-frame pass) stay as they were until they ask for it.
    """

    zbar: bool = True  # the frame-wide zbar passes
    zxing: bool = True  # zxing-cpp over the frame and over each prepared view
    regions: bool = True  # locate, straighten and enlarge symbol-like regions
    deblur: bool = True  # undo a guessed motion blur or defocus in QR-like regions, then zxing-cpp (deblur.py)
    qrgrid: bool = False  # opt-in: our own QR sampler (qrgrid.py); reads some blurred QR but costs 0.1-0.5 s of CPU
    thin: bool = False  # band-averaged bar profiles for thin or soft Code 128, before fitting (thin.py)
    fitted: bool = True  # last: fit rendered Code 128 symbols to the located barcodes' bar profiles


ALL_STEPS = Steps(thin=True)


def read_symbols(image: np.ndarray, *, steps: Steps = ALL_STEPS) -> list[Symbol]:
    """Every Code128 and QR symbol readable in an 8-bit camera frame (grey, BGR or BGRA), once each."""
    channels = 1 if image.ndim == 2 else image.shape[2]
    grey = image.reshape(image.shape[:2]) if channels == 1 else cv2.cvtColor(image, _TO_GREY[channels])
    # A 3x3 blur takes out sensor noise, which otherwise makes zbar both slower and weaker.
    smooth = cv2.GaussianBlur(grey, (3, 3), 0)
    # Cheapest reads first: zxing-cpp over the frame reads most clear frames in ~5 ms, zbar's pass costs ~11.
    found = zxing_scan(grey) if steps.zxing else []
    found = found or (_trusted(grey, _scan(smooth, 2, 2), steps) if steps.zbar else [])
    found = found or (_read_regions(grey, steps=steps) if steps.regions else [])
    qr_outlines = _qr_outlines(grey) if not found and (steps.deblur or steps.qrgrid) else []
    found = found or (read_deblurred(grey, qr_outlines) if steps.deblur else [])
    found = found or (read_qr_grid(grey, qr_outlines) if steps.qrgrid else [])
    found = found or (_read_sharpened_bars(grey, steps) if steps.deblur else [])
    if not found and (steps.thin or steps.fitted):
        views = list(_fitting_views(grey))  # the located barcodes upright and enlarged: both last steps read them
        found = (read_thin(views) if steps.thin else []) or (read_fitted(views) if steps.fitted else [])
    return list(dict.fromkeys(found))


def warm_up() -> None:
    """Build the fitted step's rendered symbol tables (~0.25 s of CPU) now, not on the first hard frame."""
    profile128.tables()


def scan(grey: np.ndarray, *, columns: int = 1, rows: int = 1) -> list[Symbol]:
    """One zbar pass (Code128 and QR only) over an 8-bit grey image, scanning every n-th column/row."""
    return [symbol for symbol, _ in _scan(grey, columns, rows)]


def _scan(grey: np.ndarray, columns: int = 1, rows: int = 1) -> list[tuple[Symbol, int]]:
    """`scan`, each symbol with the number of scan lines that read it."""
    grey = np.ascontiguousarray(grey, dtype=np.uint8)
    scanner = zbar.zbar_image_scanner_create()
    image = zbar.zbar_image_create()
    try:
        for zbar_kind in (0, *_KINDS):  # 0 switches every kind off, then ours on
            zbar.zbar_image_scanner_set_config(scanner, zbar_kind, zbar.ZBarConfig.CFG_ENABLE, int(zbar_kind in _KINDS))
        zbar.zbar_image_scanner_set_config(scanner, 0, _CFG_X_DENSITY, columns)
        zbar.zbar_image_scanner_set_config(scanner, 0, _CFG_Y_DENSITY, rows)
        raw = zbar.zbar_image_scanner_set_config(scanner, ZBarSymbol.QRCODE, _CFG_BINARY, 1) == 0
        zbar.zbar_image_set_format(image, _Y800)
        zbar.zbar_image_set_size(image, grey.shape[1], grey.shape[0])
        zbar.zbar_image_set_data(image, grey.ctypes.data_as(ctypes.c_void_p), grey.size, None)
        zbar.zbar_scan_image(scanner, image)
        found, symbol = [], zbar.zbar_image_first_symbol(image)
        while symbol:
            data = ctypes.string_at(zbar.zbar_symbol_get_data(symbol), zbar.zbar_symbol_get_data_length(symbol))
            kind = _KINDS[symbol.contents.type]  # Code128 is ISO 8859-1 by definition; envelopes use ASCII
            text = decode_qr_bytes(data, raw=raw) if kind == "qrcode" else data.decode("latin-1")
            found.append((Symbol(kind, text), zbar.zbar_symbol_get_quality(symbol)))
            symbol = zbar.zbar_symbol_next(symbol)
        return found
    finally:
        zbar.zbar_image_destroy(image)
        zbar.zbar_image_scanner_destroy(scanner)


def locate(grey: np.ndarray) -> list[np.ndarray]:
    """Outlines (full-scale contours) of textured, symbol-sized regions, largest first."""
    if min(grey.shape[:2]) < 64:
        return []
    small = cv2.resize(grey, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    across, down = (cv2.convertScaleAbs(cv2.Sobel(small, cv2.CV_16S, dx, 1 - dx)) for dx in (0, 1))
    edges = cv2.add(across, down)
    activity = cv2.blur(edges, (7, 7))
    # Most of a frame is plain background, so the median activity is sensor noise: take it out.
    sample = activity[::4, ::4]
    noise = int(np.searchsorted(np.cumsum(np.bincount(sample.ravel(), minlength=256)), sample.size // 2))
    # opencv's stubs omit the scalar second operand that cv2.subtract accepts (saturating, per pixel)
    signal = cv2.subtract(activity, min(255, 2 * noise))  # type: ignore[call-overload]
    # Compared with local brightness, a faint symbol at night counts like a crisp one by day.
    floor = cv2.addWeighted(cv2.blur(small, (15, 15)), _TEXTURE, small, 0, 16 * _TEXTURE)
    mask = cv2.compare(signal, floor, cv2.CMP_GT)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    # Opening drops thin things (edges of boxes, lines of text) that are never a readable symbol.
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((11, 11), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    regions = [c for c in contours if min(cv2.minAreaRect(c)[1]) >= 20 and cv2.contourArea(c) >= 700]
    regions.sort(key=cv2.contourArea, reverse=True)
    return [(c * 2).astype(np.float32) for c in regions[:_MAX_REGIONS]]


def _trusted(grey: np.ndarray, hits: list[tuple[Symbol, int]], steps: Steps) -> list[Symbol]:
    """A frame-wide pass's symbols; a Code128 read by few scan lines only if its located region agrees.

    zbar's Code128 checksum lets about 1 in 103 bad reads of a distorted code through, and a damaged
    spot can fool a few neighbouring lines alike; a turned, averaged view of the region settles it.
    """
    weak = [symbol for symbol, lines in hits if symbol.kind == "code128" and lines < _TRUSTED_LINES]
    found = [symbol for symbol, _ in hits if symbol not in weak]
    if weak and steps.regions:
        found += [s for s in _read_regions(grey, every_region=True, steps=steps) if s.kind == "code128"] or weak
    elif weak:
        found += weak
    return found


def _read_regions(grey: np.ndarray, *, every_region: bool = False, steps: Steps = ALL_STEPS) -> list[Symbol]:
    """Symbols read from the located regions, each from the first of its views that zbar (or zxing-cpp) reads."""
    found: list[Symbol] = []
    for outline in locate(grey):
        hits = next(filter(None, (_read_view(view, density, steps) for view, density in _views(grey, outline))), [])
        # One region holds one code: a second Code128 reading of it is a misread by fewer lines.
        best = max((lines for symbol, lines in hits if symbol.kind == "code128"), default=0)
        found += [symbol for symbol, lines in hits if symbol.kind == "qrcode" or lines == best]
        if found and not every_region:
            return found  # a kiosk frame shows one card or envelope: spend no more time on clutter
    return found


def _read_view(view: np.ndarray, density: tuple[int, int], steps: Steps) -> list[tuple[Symbol, int]]:
    """zbar's symbols in a prepared view; else zxing-cpp's, counted as read by every line (it has no count).

    A Code128 that one zbar line alone read in a view is dropped: on an enlarged, sharpened view a lone line
    passed a wrong payload through the checksum (bench/decode_hard.py seed 1000147); zxing-cpp gets its turn.
    """
    hits = [(s, lines) for s, lines in (_scan(view, *density) if steps.zbar else []) if s.kind == "qrcode" or lines > 1]
    return hits or ([(symbol, _TRUSTED_LINES) for symbol in zxing_scan(view, whole_frame=False)] if steps.zxing else [])


def _views(grey: np.ndarray, outline: np.ndarray) -> Iterator[tuple[np.ndarray, tuple[int, int]]]:
    """A region prepared for zbar as a barcode, a QR or both (by how aligned its edges are), lazily."""
    bars, grid, aligned = _orientation(grey, outline)
    if aligned >= _BARS_AT_LEAST:
        for view in _barcode_views(grey, outline, _straighten(grey, outline, bars)):
            yield view, (0, 2)  # bars stand vertical: scan every second row, no columns
    if aligned < _GRID_AT_MOST:
        for view in _qr_views(grey, outline, grid):
            yield view, (1, 1)


def _orientation(grey: np.ndarray, outline: np.ndarray) -> tuple[float, float, float]:
    """Turn (degrees) that lays the bars vertical, turn that squares up a grid, and how aligned edges are.

    Each edge pixel votes once, so the paper's strong outline cannot outvote faint bars; quadrupled
    angles make a QR's 0° and 90° edges (and a label's outline and bars) agree instead of cancelling.
    """
    x, y, w, h = cv2.boundingRect(outline.astype(np.int32))
    roi = grey[y : y + h, x : x + w].astype(np.float32)
    inside = np.zeros((h, w), np.uint8)
    cv2.drawContours(inside, [(outline - (x, y)).astype(np.int32)], -1, 1, -1)
    gx, gy = cv2.Sobel(roi, cv2.CV_32F, 1, 0), cv2.Sobel(roi, cv2.CV_32F, 0, 1)
    magnitude = cv2.magnitude(gx, gy)
    edges = (inside > 0) & (magnitude > 0.25 * np.percentile(magnitude[inside > 0], 95))
    cos, sin = gx[edges] / magnitude[edges], gy[edges] / magnitude[edges]
    cos2, sin2 = cos * cos - sin * sin, 2 * sin * cos
    c2, s2 = float(cos2.sum()), float(sin2.sum())
    c4, s4 = float((cos2 * cos2 - sin2 * sin2).sum()), float((2 * sin2 * cos2).sum())
    grid = np.degrees(np.arctan2(s4, c4) / 4)
    bars = np.degrees(np.arctan2(s2, c2) / 2)
    # The grid angle is the more precise (the outline agrees with it); the bar angle picks its quadrant.
    bars = grid if abs((bars - grid + 90) % 180 - 90) < 45 else grid + 90
    return float(bars), float(grid), float(np.hypot(c2, s2) / max(int(edges.sum()), 1))


def _straighten(grey: np.ndarray, outline: np.ndarray, degrees: float) -> float:
    """The turn near `degrees` that makes the bars exactly vertical: the sharpest column profile.

    Edge angles of thin bars lean up to ~3° toward the pixel grid; a few cheap turns settle it.
    """
    step, offsets = 0.75, np.linspace(-3.0, 3.0, 9)
    profiles = (_warp(grey, outline, degrees + offset, (1.0, 0.25), (4, 0)).mean(axis=0) for offset in offsets)
    sharpness = [float(np.square(np.diff(profile)).sum()) for profile in profiles]
    best = int(np.clip(np.argmax(sharpness), 1, len(offsets) - 2))
    left, peak, right = sharpness[best - 1 : best + 2]  # the vertex of a parabola through them
    bend = left - 2 * peak + right
    return degrees + offsets[best] + step * float(np.clip(0.5 * (left - right) / bend if bend else 0.0, -1, 1))


def _barcode_views(grey: np.ndarray, outline: np.ndarray, degrees: float) -> Iterator[np.ndarray]:
    """Bars turned vertical and stretched along the code to a few px per module."""
    low, high = _bounds(outline, degrees)
    length = float(high[0] - low[0])
    # The region may stop where glare starts: reach far enough along the code to cover all of it.
    reach = float(np.clip(length, 200.0, 300.0)) + 12
    # Averaged along the bars (noise) and sharpened across them (defocus) ...
    averaged = cv2.blur(_warp(grey, outline, degrees, (2.0, 1.0), (2.0 * reach, 4)), (1, 21))
    yield _sharpen(averaged, 0.5, (2.0, 0.1))
    # ... then untouched, because averaging also softens the thinnest bars of a small code ...
    yield _warp(grey, outline, degrees, (1.5, 1.0), (1.5 * reach, 4))
    # ... then enlarged 3x by cubic interpolation: bar edges land between pixels, not on the nearest one ...
    yield _warp(grey, outline, degrees, (3.0, 1.0), (3.0 * reach, 4), cv2.INTER_CUBIC)
    # ... last, for heavy defocus or motion: averaged along the bars, then sharpened hard across them.
    enlarged = _warp(grey, outline, degrees, (2.0, 1.0), (2.0 * reach, 4), cv2.INTER_CUBIC)
    yield _sharpen(cv2.blur(enlarged, (1, 21)), 3.0, (1.2, 0.1))
    yield _sharpen(cv2.blur(enlarged, (1, 9)), 2.0, (2.0, 0.1))


def _read_sharpened_bars(grey: np.ndarray, steps: Steps) -> list[Symbol]:
    """Code 128 from the located barcodes enlarged along the code, with a guessed blur across the bars undone."""
    deadline = time.thread_time() + _BARS_BUDGET
    for outline in locate(grey):
        bars, _, aligned = _orientation(grey, outline)
        if aligned < _BARS_AT_LEAST:
            continue
        degrees = _straighten(grey, outline, bars)
        for scale, sigma, nsr in _BAR_BLURS:
            if time.thread_time() > deadline:
                return []
            view = _warp(grey, outline, degrees, (scale, 1.0), (scale * _BARS_REACH, 4), cv2.INTER_CUBIC)
            # Rows averaged along the bars are alike: every third is enough, and a third of the filtering work.
            view = sharpened_across(cv2.blur(view, (1, 15))[::3], sigma * scale, nsr)
            hits = {symbol for symbol, _ in _read_view(view, (0, 2), steps) if symbol.kind == "code128"}
            if hits:  # two readings of one deconvolved code: ringing made one of them, so trust neither
                return list(hits) if len(hits) == 1 else []
    return []


def _fitting_views(grey: np.ndarray) -> Iterator[np.ndarray]:
    """Each located barcode with its bars vertical, enlarged 4x (cubic) along the code with room for quiet zones."""
    for outline in locate(grey):
        bars, _, aligned = _orientation(grey, outline)
        if aligned >= _BARS_AT_LEAST:
            degrees = _straighten(grey, outline, bars)
            yield _warp(grey, outline, degrees, (4.0, 1.0), (240.0, 4), cv2.INTER_CUBIC)


def _qr_outlines(grey: np.ndarray) -> list[np.ndarray]:
    """The located regions whose edges are not all parallel: where a QR code may be."""
    return [outline for outline in locate(grey) if _orientation(grey, outline)[2] < _GRID_AT_MOST]


def _qr_views(grey: np.ndarray, outline: np.ndarray, degrees: float) -> Iterator[np.ndarray]:
    """The region squared up and enlarged, then sharpened (defocus) and binarised locally (glare, dim light)."""
    low, high = _bounds(outline, degrees)
    side = float(max(high - low))
    scale = float(np.clip(_QR_SIDE / max(side, 1.0), 1.0, 3.0))
    large = _warp(grey, outline, degrees, (scale, scale), (0.1 * side * scale + 16,) * 2, cv2.INTER_CUBIC)
    smooth = cv2.GaussianBlur(large, (0, 0), 0.5 * scale)
    sharp = _sharpen(smooth, 1.0, (1.33 * scale, 1.33 * scale))
    yield _binarise(sharp, 31 * scale)
    yield _binarise(smooth, 21 * scale)
    yield _sharpen(smooth, 2.0, (1.33 * scale, 1.33 * scale))


def _sharpen(image: np.ndarray, amount: float, sigma: tuple[float, float]) -> np.ndarray:
    """Unsharp mask: undoes some defocus; with a flat y sigma it sharpens across bars only."""
    soft = cv2.GaussianBlur(image, (0, 0), sigmaX=sigma[0], sigmaY=sigma[1])
    return cv2.addWeighted(image, 1.0 + amount, soft, -amount, 0)


def _binarise(image: np.ndarray, block: float) -> np.ndarray:
    """Black and white against the local mean: survives glare gradients and dim light."""
    return cv2.adaptiveThreshold(image, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, int(block) | 1, 0)


def _bounds(outline: np.ndarray, degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """Low and high corners of the region's bounding box once turned by `degrees` about the origin."""
    points = outline.reshape(-1, 2) @ cv2.getRotationMatrix2D((0.0, 0.0), degrees, 1.0)[:, :2].T
    return points.min(axis=0), points.max(axis=0)


def _warp(
    grey,
    outline,
    degrees: float,
    scale: tuple[float, float],
    pad: tuple[float, float],
    interpolation: int = cv2.INTER_LINEAR,
) -> np.ndarray:
    """The region turned by `degrees`, scaled per axis and cut out with `pad` px around it."""
    low, high = _bounds(outline, degrees)
    (sx, sy), turn = scale, cv2.getRotationMatrix2D((0.0, 0.0), degrees, 1.0)
    matrix = np.vstack([turn[0] * sx, turn[1] * sy])
    matrix[:, 2] = (pad[0] - sx * low[0], pad[1] - sy * low[1])
    size = (int(sx * (high[0] - low[0]) + 2 * pad[0]), int(sy * (high[1] - low[1]) + 2 * pad[1]))
    return cv2.warpAffine(grey, matrix, size, flags=interpolation, borderMode=cv2.BORDER_REPLICATE)
