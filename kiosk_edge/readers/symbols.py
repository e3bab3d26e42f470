"""Symbol reading for the kiosk cameras: envelope Code128 barcodes and CCCD QR codes.

`read_symbols` runs one zbar pass over the whole frame first. Only when that reads nothing does it
look for symbol-like regions, turn each upright, enlarge small ones and try a few contrast fixes,
because a kiosk camera sees symbols at any angle, far away, out of focus, in glare or at night.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Iterator
from typing import Literal

import cv2
import msgspec
import numpy as np
from pyzbar import wrapper as zbar
from pyzbar.pyzbar import ZBarSymbol

log = logging.getLogger(__name__)

_Y800 = 808466521  # zbar's fourcc for 8-bit grey
_CFG_BINARY = 4  # ZBAR_CFG_BINARY (zbar >= 0.23): QR bytes as stored, no charset guessing
_CFG_X_DENSITY, _CFG_Y_DENSITY = 0x100, 0x101  # zbar: every n-th column / row; 0 switches it off
_TEXTURE = 0.18  # edge activity (noise taken out) per unit of local brightness that marks print
_QR_SIDE = 400.0  # px a small QR is enlarged to (at most 3x) before local binarisation
_MAX_REGIONS = 4  # a kiosk frame holds one card or envelope; the rest is clutter
# Edge alignment inside a region: parallel bars score about 0.5, a QR's square grid under 0.1.
_BARS_AT_LEAST, _GRID_AT_MOST = 0.15, 0.3


class Symbol(msgspec.Struct, frozen=True):
    """One decoded symbol: its kind and the raw payload text."""

    kind: Literal["code128", "qrcode"]
    payload: str


def read_symbols(image: np.ndarray) -> list[Symbol]:
    """Every Code128 and QR symbol readable in a camera frame (BGR or grey), without duplicates."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    # A 3x3 blur takes out sensor noise, which otherwise makes zbar both slower and weaker.
    smooth = cv2.GaussianBlur(grey, (3, 3), 0)
    found = scan(smooth, columns=2, rows=2) or _read_regions(grey) or scan(smooth)
    return list(dict.fromkeys(found))


def scan(grey: np.ndarray, *, columns: int = 1, rows: int = 1) -> list[Symbol]:
    """One zbar pass (Code128 and QR only) over an 8-bit grey image, scanning every n-th column/row."""
    grey = np.ascontiguousarray(grey, dtype=np.uint8)
    scanner = zbar.zbar_image_scanner_create()
    image = zbar.zbar_image_create()
    try:
        zbar.zbar_image_scanner_set_config(scanner, 0, zbar.ZBarConfig.CFG_ENABLE, 0)
        for kind in (ZBarSymbol.CODE128, ZBarSymbol.QRCODE):
            zbar.zbar_image_scanner_set_config(scanner, kind, zbar.ZBarConfig.CFG_ENABLE, 1)
        zbar.zbar_image_scanner_set_config(scanner, 0, _CFG_X_DENSITY, columns)
        zbar.zbar_image_scanner_set_config(scanner, 0, _CFG_Y_DENSITY, rows)
        raw = zbar.zbar_image_scanner_set_config(scanner, ZBarSymbol.QRCODE, _CFG_BINARY, 1) == 0
        zbar.zbar_image_set_format(image, _Y800)
        zbar.zbar_image_set_size(image, grey.shape[1], grey.shape[0])
        zbar.zbar_image_set_data(image, grey.ctypes.data_as(ctypes.c_void_p), grey.size, None)
        zbar.zbar_scan_image(scanner, image)
        return list(_symbols(image, raw))
    finally:
        zbar.zbar_image_destroy(image)
        zbar.zbar_image_scanner_destroy(scanner)


def decode_qr_bytes(data: bytes, *, raw: bool) -> str:
    """CCCD QR text from zbar's bytes: UTF-8, with clear fall-backs when that is not what we got.

    `raw` bytes (zbar's binary mode) that are not UTF-8 are kept byte for byte as Latin-1, so the CCCD
    parser rejects them visibly instead of us guessing. Without binary mode zbar re-encodes what it
    guessed was Shift-JIS or Latin-1 into UTF-8; it often guesses so for Vietnamese UTF-8: undo that.
    """
    if raw:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            log.warning("QR payload is not UTF-8; kept as Latin-1: %r", data[:40])
            return data.decode("latin-1")
    text = data.decode("utf-8", errors="replace")
    for guessed in ("shift_jis", "latin-1"):
        try:
            return text.encode(guessed).decode("utf-8")
        except UnicodeError:
            continue
    return text


def locate(grey: np.ndarray) -> list[np.ndarray]:
    """Outlines (full-scale contours) of textured, symbol-sized regions, largest first."""
    small = cv2.resize(grey, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    edges = cv2.add(*(cv2.convertScaleAbs(cv2.Sobel(small, cv2.CV_16S, dx, 1 - dx)) for dx in (0, 1)))
    activity = cv2.blur(edges, (7, 7))
    # Most of a frame is plain background, so the median activity is sensor noise: take it out.
    sample = activity[::4, ::4]
    noise = int(np.searchsorted(np.cumsum(np.bincount(sample.ravel(), minlength=256)), sample.size // 2))
    signal = cv2.subtract(activity, min(255, 2 * noise))
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


def _read_regions(grey: np.ndarray) -> list[Symbol]:
    for outline in locate(grey):
        bars, grid, aligned = _orientation(grey, outline)
        attempts: list[tuple[Iterator[np.ndarray], dict[str, int]]] = []
        if aligned >= _BARS_AT_LEAST:
            attempts.append((_barcode_views(grey, outline, bars), {"columns": 0, "rows": 2}))
        if aligned < _GRID_AT_MOST:
            attempts.append((_qr_views(grey, outline, grid), {}))
        for views, density in attempts:
            for view in views:
                found = scan(view, **density)
                if found:
                    return found  # one symbol per frame: stop before spending time on clutter
    return []


def _orientation(grey: np.ndarray, outline: np.ndarray) -> tuple[float, float, float]:
    """Turn (degrees) that lays the bars vertical, turn that squares up a grid, and how aligned edges are.

    Every edge pixel inside the region votes once, so the strong edges of the paper around a faint
    code cannot outvote its bars. Quadrupled angles make a QR's 0° and 90° edges (and a label's
    outline and its bars) agree instead of cancelling out.
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


def _barcode_views(grey: np.ndarray, outline: np.ndarray, degrees: float) -> Iterator[np.ndarray]:
    """Bars turned vertical, stretched along the code, averaged along the bars (noise), sharpened across."""
    length = _extent(outline, degrees)[0]
    for stretch, amount in ((2.0, 0.5), (1.5, 1.0)):
        # The region may stop where glare starts: reach far enough along the code to cover all of it.
        reach = float(np.clip(length, 200.0, 300.0)) * stretch + 24
        steady = cv2.blur(_warp(grey, outline, degrees, (stretch, 1.0), (reach, 4)), (1, 21))
        yield _sharpen(steady, amount, (stretch, 0.1))


def _qr_views(grey: np.ndarray, outline: np.ndarray, degrees: float) -> Iterator[np.ndarray]:
    """The region squared up and enlarged, then sharpened (defocus) and binarised locally (glare, dim light)."""
    side = max(_extent(outline, degrees))
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


def _extent(outline: np.ndarray, degrees: float) -> tuple[float, float]:
    points = _turned(outline, degrees)
    width, height = points.max(axis=0) - points.min(axis=0)
    return float(width), float(height)


def _turned(outline: np.ndarray, degrees: float) -> np.ndarray:
    turn = cv2.getRotationMatrix2D((0.0, 0.0), degrees, 1.0)
    return outline.reshape(-1, 2) @ turn[:, :2].T


def _warp(grey, outline, degrees: float, scale: tuple[float, float], pad: tuple[float, float],
          interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
    """The region rotated by `degrees`, scaled per axis and cut out with `pad` px around it."""
    turn = cv2.getRotationMatrix2D((0.0, 0.0), degrees, 1.0)
    points = _turned(outline, degrees)
    low, high = points.min(axis=0), points.max(axis=0)
    sx, sy = scale
    matrix = np.vstack([turn[0] * sx, turn[1] * sy])
    matrix[:, 2] = (pad[0] - sx * low[0], pad[1] - sy * low[1])
    size = (int(sx * (high[0] - low[0]) + 2 * pad[0]), int(sy * (high[1] - low[1]) + 2 * pad[1]))
    return cv2.warpAffine(grey, matrix, size, flags=interpolation, borderMode=cv2.BORDER_REPLICATE)


def _symbols(image, raw: bool) -> Iterator[Symbol]:
    symbol = zbar.zbar_image_first_symbol(image)
    while symbol:
        data = ctypes.string_at(zbar.zbar_symbol_get_data(symbol), zbar.zbar_symbol_get_data_length(symbol))
        if symbol.contents.type == ZBarSymbol.QRCODE:
            yield Symbol("qrcode", decode_qr_bytes(data, raw=raw))
        else:  # Code128 carries ISO 8859-1 by definition; envelope codes are plain ASCII
            yield Symbol("code128", data.decode("latin-1"))
        symbol = zbar.zbar_symbol_next(symbol)
