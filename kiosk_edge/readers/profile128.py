"""Code 128 read from a blurred bar profile by fitting rendered symbols to it (a deformable template).

zbar and zxing-cpp threshold the profile into bar widths, which fails once defocus or motion blur melts the
one-module bars into grey. Here each symbol is instead *rendered*: its bars, widened by the printer's ink spread
and blurred by the estimated camera blur (a Gaussian for defocus and optics, a box for motion), are compared with
the observed profile, 103 candidates at a time, symbol after symbol in a beam search that lets the module grid
drift (perspective, a bent envelope). Only a sequence that starts with a start code, ends with the stop pattern
where the code ends and passes the mod-103 checksum is returned, with its fit (mean squared error per sample).
(After Gallo and Manduchi, "Reading 1D barcodes with mobile phones using deformable templates", 2011.)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

# Code 128 symbol values 0..106 as bar/space widths in modules (ISO/IEC 15417 table 1); 103-105 start, 106 stop.
_WIDTHS = (
    "212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 122132 122231 "
    "113222 123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 321221 312212 322112 322211 "
    "212123 212321 232121 111323 131123 131321 112313 132113 132311 211313 231113 231311 112133 112331 132131 "
    "113123 113321 133121 313121 211331 231131 213113 213311 213131 311123 311321 331121 312113 312311 332111 "
    "314111 221411 431111 111224 111422 121124 121421 141122 141221 112214 112412 122114 122411 142112 142211 "
    "241211 221114 413111 241112 134111 111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 "
    "214121 412121 111143 111341 131141 114113 114311 411113 411311 113141 114131 311141 411131 211412 211214 "
    "211232 2331112"
)
_TABLE = _WIDTHS.split()
_STOP = 106
FINE = 8  # samples per module once the profile is resampled in module coordinates
WINDOW = int((11 - 0.5) * FINE)  # a symbol's last half module is left out: the next symbol's first bar bleeds in


def _bars(widths: str) -> list[tuple[int, int]]:
    """(start, end) in modules of each dark bar of a width string (bar first)."""
    bars, at = [], 0
    for index, width in enumerate(widths):
        if index % 2 == 0:
            bars.append((at, at + int(width)))
        at += int(width)
    return bars


_BARS = [_bars(w) for w in _TABLE]


@dataclass(frozen=True)
class Blur:
    """How the camera and the printer changed the bars, in modules: Gaussian blur (defocus, optics, pixels),
    motion (a box of that length across the bars) and ink spread (bars printed wider, or narrower if < 0)."""

    sigma: float
    motion: float
    spread: float


BLURS = tuple(
    Blur(sigma, motion, spread)
    for sigma in (0.15, 0.25, 0.35, 0.45, 0.6, 0.8)
    for motion in (0.0, 0.7, 1.2, 1.7)
    for spread in (-0.15, 0.05, 0.25)
    if np.hypot(sigma, motion / np.sqrt(12)) <= 0.85
)
_OVERSAMPLE = 4  # rendering steps per sample, for the motion box


def render(bars: list[list[tuple[int, int]]], modules: int, blur: Blur) -> np.ndarray:
    """Light level (1 paper, 0 ink) of each bar pattern at FINE samples per module (each at its slot's middle)."""
    step = 1.0 / (FINE * _OVERSAMPLE)
    low = np.arange(modules * FINE * _OVERSAMPLE) * step  # each fine slot's left end
    ink = np.zeros((len(bars), low.size), np.float32)
    for row, pattern in enumerate(bars):
        for start, end in pattern:  # the part of each fine slot the spread bar covers
            covered = np.minimum(low + step, end + blur.spread / 2) - np.maximum(low, start - blur.spread / 2)
            ink[row] += np.clip(covered / step, 0.0, 1.0)
    ink = np.clip(ink, 0.0, 1.0)
    reach = int(np.ceil(4 * blur.sigma / step))
    kernel = np.exp(-0.5 * (np.arange(-reach, reach + 1, dtype=np.float64) * step / blur.sigma) ** 2)
    if blur.motion > 0:  # motion across the bars: a box, applied on top of the Gaussian
        kernel = np.convolve(kernel, np.ones(max(1, round(blur.motion / step)), np.float64))
    kernel = (kernel / kernel.sum()).astype(np.float32)[None]
    # Paper beyond both ends: every symbol starts with a bar and ends with a space, as the stop ends with a bar.
    light = 1.0 - cv2.filter2D(ink, -1, kernel, borderType=cv2.BORDER_CONSTANT)
    return light.reshape(len(bars), modules * FINE, _OVERSAMPLE).mean(axis=2)


@cache
def tables() -> tuple[np.ndarray, np.ndarray]:
    """Every blur's 106 symbols (data and start codes) over 11 modules, (blurs, 106, 88), and its stop over 13."""
    symbols = np.stack([render(_BARS[:106], 11, blur) for blur in BLURS]).astype(np.float32)
    stops = np.stack([render([_BARS[_STOP]], 13, blur)[0] for blur in BLURS]).astype(np.float32)
    return symbols, stops


def normalise(profile: np.ndarray, window: int, contrast: float = 0.0) -> np.ndarray:
    """Profile scaled to 0 (ink) .. 1 (paper) against its local darkest and lightest (lighting gradients).

    Where the window holds only paper (a quiet zone), its darkest is paper too and noise is blown up to full
    contrast; with `contrast` > 0, ink lies at least that part of the whole profile's contrast below local paper.
    """
    row = profile.astype(np.float32)[None]
    kernel = np.ones((1, window), np.uint8)
    hi = cv2.blur(cv2.dilate(row, kernel), (window, 1), borderType=cv2.BORDER_REPLICATE)[0]
    lo = cv2.blur(cv2.erode(row, kernel), (window, 1), borderType=cv2.BORDER_REPLICATE)[0]
    low, high = np.percentile(profile, [2, 98])
    lo = np.minimum(lo, hi - contrast * (high - low))
    return np.clip((profile - lo) / np.maximum(hi - lo, 1e-6), -0.2, 1.2)


def extents(profile: np.ndarray) -> list[tuple[float, float]]:
    """Candidate (left edge of the first bar, right edge of the last bar) of a code, in px, sub-pixel.

    A code lies between two quiet zones: light runs longer than any space inside a code (at least 6 modules
    against at most 4), so longer than most light runs of the profile. Between two such runs lies a candidate.
    """
    light = profile > 0.7
    change = np.flatnonzero(np.diff(light.astype(np.int8))) + 1
    bounds = np.concatenate([[0], change, [len(profile)]])
    runs = [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if light[a]]
    if len(runs) < 4:
        return []
    lengths = np.array([b - a for a, b in runs], float)
    quiet = np.flatnonzero(lengths >= 2.0 * np.median(lengths))
    found = []
    for i, first in enumerate(quiet):
        for last in quiet[i + 1 :]:
            inside = lengths[first + 1 : last]
            if len(inside) >= 8 and 1.3 * inside.max() <= min(lengths[first], lengths[last]):
                found.append((len(inside), first, last))
    found.sort(reverse=True)
    return [
        (_crossing(profile, runs[first][1], -1), _crossing(profile, runs[last][0], +1)) for _, first, last in found[:2]
    ]


def _crossing(profile: np.ndarray, at: int, direction: int) -> float:
    """Sub-pixel position where the profile crosses halfway between paper and the first bar's ink."""
    i = at if direction < 0 else at - 1  # first dark sample after (before) the light run
    reach = profile[i : i + 40] if direction < 0 else profile[max(i - 39, 0) : i + 1][::-1]
    level = (1.0 + (float(reach.min()) if reach.size else 0.0)) / 2
    j = i
    while 0 < j < len(profile) - 1 and (profile[j] > level):
        j += 1 if direction < 0 else -1
    k = j - 1 if direction < 0 else j + 1
    a, b = profile[k], profile[j]
    t = (a - level) / (a - b) if a != b else 0.0
    return float(k + (j - k) * t)


@dataclass(frozen=True)
class Ends:
    """What the start and stop patterns at a code's two ends say: module widths (px), blur, and how well they fit."""

    near: float
    far: float
    blur: int  # index into BLURS
    fit: float  # mean squared error per sample of the best start and stop


_MODULES = np.geomspace(0.9, 24.0, 110)


def ends(profile: np.ndarray, left: float, right: float) -> Ends | None:
    """Module width (px) that best fits a start code at the left edge and the stop pattern at the right, and the
    blur that fits both best (at one module width: a compromise under perspective)."""
    modules = _MODULES[(right - left) / _MODULES >= 11 * 3 + 13]
    if modules.size == 0:
        return None
    grid = np.arange(len(profile), dtype=np.float64)
    head = np.interp(left + (np.arange(WINDOW) + 0.5)[None] * modules[:, None] / FINE, grid, profile)
    tail = np.interp(right - (13 * FINE - np.arange(13 * FINE) - 0.5)[None] * modules[:, None] / FINE, grid, profile)
    symbols, stops = tables()
    starts = symbols[:, 103:106, :WINDOW]  # (blurs, 3, W)
    start_errors = distances(head, starts.reshape(-1, WINDOW)).reshape(len(modules), len(BLURS), 3).min(axis=2)
    stop_errors = distances(tail, stops)  # (modules, blurs)
    both = start_errors + stop_errors
    blur = int(np.argmin(both.min(axis=0)))
    near, far = int(np.argmin(start_errors.min(axis=1))), int(np.argmin(stop_errors.min(axis=1)))
    fit = (start_errors[near].min() + stop_errors[far].min()) / (WINDOW + 13 * FINE)
    return Ends(float(modules[near]), float(modules[far]), blur, float(fit))


def distances(rows: np.ndarray, templates: np.ndarray) -> np.ndarray:
    """Squared distance of every row (n, w) to every template (m, w): (n, m)."""
    cross = np.einsum("ij,kj->ik", rows, templates)  # not BLAS: its threads spin on a busy machine
    return np.maximum((rows * rows).sum(axis=1)[:, None] + (templates * templates).sum(axis=1)[None] - 2 * cross, 0.0)


def _falling_edges(profile: np.ndarray, left: float, right: float) -> np.ndarray:
    """Sub-pixel positions where the profile falls through halfway (paper to ink) from `left` to `right`."""
    lo, hi = max(int(left) - 1, 0), min(int(np.ceil(right)) + 1, len(profile) - 1)
    seg = profile[lo : hi + 1] - 0.5
    falls = np.flatnonzero((seg[:-1] > 0) & (seg[1:] <= 0))
    rises = np.flatnonzero((seg[:-1] <= 0) & (seg[1:] > 0))
    # A thin bar blurred grey crosses halfway near its middle, not at its edge: keep the bars that reach deep.
    after = np.searchsorted(rises, falls)
    stops = np.where(after < len(rises), rises[np.minimum(after, len(rises) - 1)] + 1, len(seg))
    deep = np.array([seg[fall + 1 : stop].min() < -0.3 for fall, stop in zip(falls, stops, strict=True)], bool)
    falls = falls[deep] if falls.size else falls
    return lo + falls + seg[falls] / (seg[falls] - seg[falls + 1])


def knots(profile: np.ndarray, left: float, right: float, module: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Module positions (integers) and pixel positions of the bars' leading edges, followed like a phase-locked
    loop from the first bar: each edge lies a whole number of modules after the one before."""
    edges = _falling_edges(profile, left, right)
    if edges.size < 4:
        return None
    units, pixels = [0], [float(edges[0])]
    for edge in edges[1:]:
        guess = units[-1] + (edge - pixels[-1]) / module
        unit = round(guess)
        if unit <= units[-1] or abs(guess - unit) > 0.4:
            continue  # a spurious crossing (noise, glare): no bar starts there
        units.append(unit)
        pixels.append(float(edge))
        back = next((i for i in range(len(units) - 1, -1, -1) if units[-1] - units[i] >= 8), None)
        if back is not None:  # the module width over the last 8 or more modules
            module = (pixels[-1] - pixels[back]) / (units[-1] - units[back])
    return np.array(units, float), np.array(pixels)


def follow(profile: np.ndarray, units: np.ndarray, pixels: np.ndarray, modules: int) -> np.ndarray:
    """The profile at FINE samples per module, the module grid following the bars' leading edges."""
    step = (pixels[-1] - pixels[0]) / max(units[-1], 1.0)
    units = np.concatenate([[-2.0], units, [modules + 4.0]])
    pixels = np.concatenate([[pixels[0] - 2 * step], pixels, [pixels[-1] + (modules + 4.0 - units[-2]) * step]])
    u = (np.arange((modules + 2) * FINE) + 0.5) / FINE
    return np.interp(np.interp(u, units, pixels), np.arange(len(profile)), profile)


def resample(profile: np.ndarray, left: float, right: float, modules: int, ratio: float) -> np.ndarray:
    """The profile at FINE samples per module from `left` to `right`, the code seen in perspective.

    A 1-D projective map u -> x = left + a u / (1 + c u) with the module at the right end `ratio` times the one at
    the left end, and `modules` modules spanning exactly left..right.
    """
    c = (1.0 / np.sqrt(ratio) - 1.0) / modules
    a = (right - left) * (1 + c * modules) / modules
    u = (np.arange((modules + 2) * FINE) + 0.5) / FINE
    return np.interp(left + a * u / (1 + c * u), np.arange(len(profile)), profile)
