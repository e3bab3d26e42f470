"""A QR sampler of our own for blurred QR codes: finder patterns, a homography, module centres, a crisp re-render.

zxing-cpp and zbar find a QR by run lengths on a binarised image; motion blur over a module or a defocus disc over
half a module merges the runs, so neither finds the symbol although its three finder patterns are still plain to
see (a dark dot in a light ring in a dark square). Here finders are found by normalised correlation with a finder
template turned to the region's grid angle, at a few module sizes; three of them with a square corner give the grid
for the plausible versions, the alignment pattern (its best match picks the version to try first) corrects the
perspective, the equaliser (equaliser.py) decides every module, and the modules are drawn as a crisp symbol for
zxing-cpp, whose Reed-Solomon correction rejects a wrong grid or too many wrong modules.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

import cv2
import numpy as np

from kiosk_edge.readers.deblur import padded_region
from kiosk_edge.readers.equaliser import equalised
from kiosk_edge.readers.payloads import Symbol
from kiosk_edge.readers.zxing import zxing_scan

BUDGET = 0.5  # CPU seconds per frame: 0.07-0.6 s to a read on tuning frames, hence opt-in (Steps.qrgrid)
_PAD = 16  # frame px of context around a region
_MODULES = (1.3, 1.6, 2.0, 2.5, 3.1, 3.9, 4.8)  # px per module the finder template is drawn at
_PEAKS = 6  # best matches kept per template scale
_MATCH_AT_LEAST = 0.45  # normalised correlation of a finder candidate with the template
_VERSIONS = range(2, 15)  # CCCD payloads (~100-160 UTF-8 bytes) need versions 5-10 at levels L-Q
_GRIDS = 3  # versions equalised per finder triple, best alignment match first
_RENDER = 3  # px per module of the re-rendered symbol


def read_qr_grid(grey: np.ndarray, outlines: list[np.ndarray], *, budget: float = BUDGET) -> list[Symbol]:
    """QR symbols read by sampling the module grid of each region found from its three finder patterns."""
    deadline = time.thread_time() + budget
    for outline in outlines:
        roi = padded_region(grey, outline, _PAD)
        for corners in _finder_triples(roi):
            for grid in _grids(roi, corners):
                if time.thread_time() > deadline:
                    return []
                found = _decode(grid)
                if found:
                    return found
    return []


def _finder_triples(roi: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, float]]:
    """(corner, right, below, module px) for each triple of finder candidates that forms a QR's square corner."""
    candidates = _finders(roi, _grid_angle(roi))
    triples: list[tuple[float, np.ndarray, np.ndarray, np.ndarray, float]] = []
    for a, b, c in itertools.combinations(candidates, 3):
        for corner, p, q in ((a, b, c), (b, a, c), (c, a, b)):
            u, v = p[0] - corner[0], q[0] - corner[0]
            lu, lv = float(np.hypot(*u)), float(np.hypot(*v))
            cos = float(u @ v) / max(lu * lv, 1e-6)
            size = (corner[1] + p[1] + q[1]) / 3
            if abs(cos) > 0.35 or not 0.7 < lu / lv < 1.43 or not 14 * size < min(lu, lv) < 70 * size:
                continue
            if max(corner[1], p[1], q[1]) > 1.3 * min(corner[1], p[1], q[1]):
                continue
            # Modules run right then down in the symbol: the corner's turn from `p` to `q` is clockwise on screen.
            right, below = (p[0], q[0]) if u[0] * v[1] - u[1] * v[0] > 0 else (q[0], p[0])
            shape = abs(cos) + abs(float(np.log(lu / lv)))
            triples.append((shape - min(corner[2], p[2], q[2]), corner[0], right, below, size))
    triples.sort(key=lambda t: t[0])
    for _, at, right, below, size in triples[:3]:
        yield at, right, below, size


def _finders(roi: np.ndarray, degrees: float) -> list[tuple[np.ndarray, float, float]]:
    """Centres and module sizes (px) of the best matches of a finder pattern turned by `degrees`, at a few scales."""
    found: list[tuple[float, np.ndarray, float]] = []
    for module in _MODULES:
        template = _finder_template(module, degrees)
        if min(roi.shape) <= template.shape[0] + 2:
            continue
        score = cv2.matchTemplate(roi, template, cv2.TM_CCOEFF_NORMED)
        half = template.shape[0] / 2
        peaks = score.copy()
        for _ in range(_PEAKS):
            _, best, _, (px, py) = cv2.minMaxLoc(peaks)
            if best < _MATCH_AT_LEAST:
                break
            dx, dy = _vertex(score, px, py)
            found.append((best, np.array([px + half + dx - 0.5, py + half + dy - 0.5]), module))
            r = int(2.5 * module)
            peaks[max(0, py - r) : py + r + 1, max(0, px - r) : px + r + 1] = -1
    found.sort(key=lambda f: -f[0])
    kept: list[tuple[np.ndarray, float, float]] = []
    for match, centre, module in found:
        if all(np.hypot(*(centre - c)) > 3 * max(module, m) for c, m, _ in kept):
            kept.append((centre, module, match))
    return kept[: 2 * _PEAKS]


def _finder_template(module: float, degrees: float) -> np.ndarray:
    """A finder pattern with its light separator, `module` px per module, turned, blurred by about half a module."""
    fine = 8
    cells = np.ones((9, 9), np.float32)
    cells[1:8, 1:8] = 0
    cells[2:7, 2:7] = 1
    cells[3:6, 3:6] = 0
    big = cv2.resize(cells, None, fx=fine, fy=fine, interpolation=cv2.INTER_NEAREST)
    big = cv2.GaussianBlur(big, (0, 0), 0.45 * fine)
    side = int(np.ceil(9 * module * 1.15)) | 1
    scale = module / fine
    turn = np.asarray(cv2.getRotationMatrix2D((9 * fine / 2, 9 * fine / 2), -degrees, scale), np.float64)
    turn[:, 2] += side / 2 - 9 * fine / 2
    return cv2.warpAffine(big, turn, (side, side), flags=cv2.INTER_LINEAR, borderValue=1.0)


def _vertex(score: np.ndarray, x: int, y: int) -> tuple[float, float]:
    """Sub-pixel offset of a correlation peak: the vertex of a parabola through it and its neighbours, per axis."""
    offsets = []
    for axis, at in ((1, x), (0, y)):
        line = score[y] if axis == 1 else score[:, x]
        if 0 < at < line.size - 1:
            left, peak, right = float(line[at - 1]), float(line[at]), float(line[at + 1])
            bend = left - 2 * peak + right
            offsets.append(float(np.clip(0.5 * (left - right) / bend, -0.5, 0.5)) if bend < 0 else 0.0)
        else:
            offsets.append(0.0)
    return offsets[0], offsets[1]


def _grid_angle(roi: np.ndarray) -> float:
    """The turn (degrees) of the region's square grid: quadrupled edge angles, each strong edge one vote."""
    gx, gy = cv2.Sobel(roi, cv2.CV_32F, 1, 0), cv2.Sobel(roi, cv2.CV_32F, 0, 1)
    magnitude = cv2.magnitude(gx, gy)
    edges = magnitude > 0.25 * np.percentile(magnitude, 95)
    cos, sin = gx[edges] / magnitude[edges], gy[edges] / magnitude[edges]
    cos2, sin2 = cos * cos - sin * sin, 2 * sin * cos
    return float(np.degrees(np.arctan2((2 * sin2 * cos2).sum(), (cos2 * cos2 - sin2 * sin2).sum()) / 4))


def _grids(roi: np.ndarray, corners) -> Iterator[np.ndarray]:
    """Equalised dark-module masks for the plausible versions, likeliest first."""
    corner, right, below, size = corners
    span = (np.hypot(*(right - corner)) + np.hypot(*(below - corner))) / 2
    estimate = span / size + 7  # modules across
    sizes = [17 + 4 * v for v in sorted(_VERSIONS, key=lambda v: abs(17 + 4 * v - estimate))[:3]]
    # The version whose alignment pattern stands out best is the likeliest: equalise (the costly part) that first.
    placed = [(n, *_alignment(roi, _homography(corner, right, below, None, n), n)) for n in sizes]
    placed.sort(key=lambda p: -p[2])
    for n, aligned, _ in placed[:_GRIDS]:
        if aligned is not None:
            yield equalised(roi, _homography(corner, right, below, aligned, n), n)


def _homography(corner, right, below, aligned, n: int) -> np.ndarray:
    """Module coordinates (x right, y down; centres at k + 0.5) to region px."""
    far = n - 3.5 if aligned is None else n - 6.5  # the fourth point: the affine corner, or the alignment pattern
    src = np.array([[3.5, 3.5], [n - 3.5, 3.5], [3.5, n - 3.5], [far, far]], np.float32)
    fourth = right + below - corner if aligned is None else aligned
    dst = np.array([corner, right, below, fourth], np.float32)
    return np.asarray(cv2.getPerspectiveTransform(src, dst), np.float64)


def _alignment(roi: np.ndarray, matrix: np.ndarray, n: int) -> tuple[np.ndarray | None, float]:
    """The bottom-right alignment pattern's centre (px) found near where the finders put it (or None), and its match."""
    step, reach = 4, 4  # px per module of the rectified patch; modules searched either side of the prediction
    side = (2 * reach + 5) * step
    origin = n - 6.5 - reach - 2.5
    to_patch = np.array([[step, 0, -origin * step], [0, step, -origin * step], [0, 0, 1]], np.float64)
    patch = cv2.warpPerspective(
        roi, to_patch @ np.linalg.inv(matrix), (side, side), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    template = np.zeros((5 * step, 5 * step), np.float32)
    template[step : 4 * step, step : 4 * step] = 1
    template[2 * step : 3 * step, 2 * step : 3 * step] = 0
    score = cv2.matchTemplate(patch, cv2.GaussianBlur(template, (0, 0), 0.5 * step), cv2.TM_CCOEFF_NORMED)
    _, best, _, (px, py) = cv2.minMaxLoc(score)
    if best < 0.3:
        return None, float(best)
    mapped = matrix @ np.array([origin + (px + 2.5 * step) / step, origin + (py + 2.5 * step) / step, 1.0])
    return mapped[:2] / mapped[2], float(best)


def _decode(dark: np.ndarray) -> list[Symbol]:
    """zxing-cpp's reading of the mask drawn as a crisp symbol, its function patterns drawn as they must be."""
    n = dark.shape[0]
    bits = dark.copy()
    finder = np.zeros((9, 9), bool)  # with its separator, trimmed at the symbol's edge below
    finder[1:8, 1:8] = True
    finder[2:7, 2:7] = False
    finder[3:6, 3:6] = True
    bits[:8, :8] = finder[1:, 1:]
    bits[:8, n - 8 :] = finder[1:, :-1]
    bits[n - 8 :, :8] = finder[:-1, 1:]
    bits[6, 8 : n - 8] = np.arange(8, n - 8) % 2 == 0
    bits[8 : n - 8, 6] = np.arange(8, n - 8) % 2 == 0
    crisp = np.where(np.pad(bits, 4), 0, 255).astype(np.uint8)
    image = cv2.resize(crisp, None, fx=_RENDER, fy=_RENDER, interpolation=cv2.INTER_NEAREST)
    return [symbol for symbol in zxing_scan(image, whole_frame=False) if symbol.kind == "qrcode"]
