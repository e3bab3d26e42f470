"""Code 128 read from a blurred bar profile by fitting rendered symbols to it (a deformable template).

zbar and zxing-cpp threshold the profile into bar widths, which fails once defocus or motion blur melts the
one-module bars into grey. Here each symbol is instead *rendered*: its bars, widened by the printer's ink spread
and blurred by the estimated camera blur, are compared with the observed profile, 103 candidates at a time,
symbol after symbol in a beam search that lets the module width drift (perspective, a bent envelope). Only a
sequence that starts with a start code, ends with the stop pattern where the code ends and passes the mod-103
checksum is returned, and only when it fits clearly better than every other such sequence.
(After Gallo and Manduchi, "Reading 1D barcodes with mobile phones using deformable templates", 2011.)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import erf

# Code 128 symbol values 0..106 as bar/space widths in modules (ISO/IEC 15417 table 1); 103-105 start, 106 stop.
_TABLE = (
    "212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 122132 122231 113222 "
    "123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 321221 312212 322112 322211 212123 212321 "
    "232121 111323 131123 131321 112313 132113 132311 211313 231113 231311 112133 112331 132131 113123 113321 133121 "
    "313121 211331 231131 213113 213311 213131 311123 311321 331121 312113 312311 332111 314111 221411 431111 111224 "
    "111422 121124 121421 141122 141221 112214 112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 "
    "111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 214121 412121 111143 111341 131141 114113 "
    "114311 411113 411311 113141 114131 311141 411131 211412 211214 211232 2331112"
).split()
_STARTS, _STOP = (103, 104, 105), 106
_SHIFT, _CODE_C, _CODE_B, _CODE_A = 98, 99, 100, 101
_BEAM = 6


def _bars(widths: str) -> list[tuple[int, int]]:
    """(start, end) in modules of each dark bar of a width string (bar first)."""
    bars, at = [], 0
    for index, width in enumerate(widths):
        if index % 2 == 0:
            bars.append((at, at + int(width)))
        at += int(width)
    return bars


_BARS = [_bars(w) for w in _TABLE]
_DATA = np.array([b for b in _BARS[:103]], dtype=np.float64)  # (103, 3, 2): every data symbol has three bars


@dataclass(frozen=True)
class Blur:
    """How the camera and the printer changed the bars: Gaussian blur and ink spread, both in modules."""

    sigma: float
    spread: float


def _render(bars: np.ndarray, u: np.ndarray, blur: Blur) -> np.ndarray:
    """Light level (1 paper, 0 ink) at module positions `u` of bars (..., n, 2) once spread and blurred."""
    s = blur.sigma * np.sqrt(2.0)
    low = bars[..., 0:1] - blur.spread / 2  # (..., n, 1)
    high = bars[..., 1:2] + blur.spread / 2
    ink = 0.5 * (erf((u - low) / s) - erf((u - high) / s))  # (..., n, len(u))
    return 1.0 - np.clip(ink.sum(axis=-2), 0.0, 1.0)


def normalise(profile: np.ndarray, window: int) -> np.ndarray:
    """Profile scaled to 0 (ink) .. 1 (paper) against its local darkest and lightest (lighting gradients)."""
    from scipy.ndimage import maximum_filter1d, minimum_filter1d, uniform_filter1d

    hi = uniform_filter1d(maximum_filter1d(profile, window), window)
    lo = uniform_filter1d(minimum_filter1d(profile, window), window)
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
    ink = float(reach.min()) if reach.size else 0.0
    level = (1.0 + ink) / 2
    j = i
    while 0 < j < len(profile) - 1 and (profile[j] > level):
        j += 1 if direction < 0 else -1
    k = j - 1 if direction < 0 else j + 1
    a, b = profile[k], profile[j]
    t = (a - level) / (a - b) if a != b else 0.0
    return float(k + (j - k) * t)


def _peak(values: np.ndarray, near: int, reach: int) -> float:
    """Sub-pixel position of the largest value within `reach` of `near` (a parabola through its neighbours)."""
    low, high = max(near - reach, 1), min(near + reach + 1, len(values) - 1)
    i = low + int(np.argmax(values[low:high]))
    i = min(max(i, 1), len(values) - 2)
    a, b, c = values[i - 1 : i + 2]
    bend = a - 2 * b + c
    return i + (0.5 * (a - c) / bend if bend < 0 else 0.0)


_FINE = 8  # samples per module once the profile is resampled in module coordinates
_WINDOW = int((11 - 0.5) * _FINE)  # a symbol's last half module is left out: the next symbol's first bar bleeds in
_DRIFT = 3  # samples (of 1/_FINE module) the next symbol may start early or late
_BLURS = tuple(Blur(sigma, spread) for sigma in (0.15, 0.25, 0.35, 0.45, 0.55, 0.7, 0.85) for spread in (-0.2, 0.0, 0.2))


@lru_cache(maxsize=len(_BLURS))
def _tables(blur: Blur) -> tuple[np.ndarray, np.ndarray]:
    """The 103 data symbols and the 3 start codes rendered over 11 modules, and the stop over 13."""
    u = (np.arange(13 * _FINE) + 0.5) / _FINE  # each sample at its slot's middle
    symbols = _render(np.array([_BARS[v] for v in range(106)], dtype=np.float64), u[: 11 * _FINE], blur)
    stop = _render(np.array([_BARS[_STOP]], float), u, blur)[0]
    return symbols, stop


def _resample(profile: np.ndarray, left: float, right: float, modules: int, ratio: float) -> np.ndarray:
    """The profile at _FINE samples per module from `left` to `right`, the code seen in perspective.

    A 1-D projective map u -> x = left + a u / (1 + c u) with the module at the right end `ratio` times the one at
    the left end, and `modules` modules spanning exactly left..right.
    """
    c = (1.0 / np.sqrt(ratio) - 1.0) / modules
    a = (right - left) * (1 + c * modules) / modules
    u = np.arange((modules + 2) * _FINE) / _FINE  # two modules more: room for drift at the end
    x = left + a * u / (1 + c * u)
    return np.interp(x + a / (2 * _FINE), np.arange(len(profile)), profile)  # each sample at its slot's middle


def _falling_edges(profile: np.ndarray, left: float, right: float) -> np.ndarray:
    """Sub-pixel positions where the profile falls through halfway (paper to ink) from `left` to `right`."""
    lo, hi = max(int(left) - 1, 0), min(int(np.ceil(right)) + 1, len(profile) - 1)
    seg = profile[lo : hi + 1] - 0.5
    falls = np.flatnonzero((seg[:-1] > 0) & (seg[1:] <= 0))
    rises = np.flatnonzero((seg[:-1] <= 0) & (seg[1:] > 0))
    # A thin bar blurred grey crosses halfway near its middle, not at its edge: keep the bars that reach deep.
    ends = np.searchsorted(rises, falls)
    deep = [
        i for i, fall in enumerate(falls) if seg[fall + 1 : (rises[ends[i]] + 1 if ends[i] < len(rises) else None)].min() < -0.3
    ]
    falls = falls[deep]
    return lo + falls + seg[falls] / (seg[falls] - seg[falls + 1])


def _knots(profile: np.ndarray, left: float, right: float, module: float) -> tuple[np.ndarray, np.ndarray] | None:
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


def _follow(profile: np.ndarray, units: np.ndarray, pixels: np.ndarray, modules: int) -> np.ndarray:
    """The profile at _FINE samples per module, the module grid following the bars' leading edges."""
    step = (pixels[-1] - pixels[0]) / max(units[-1], 1.0)
    units = np.concatenate([[-2.0], units, [modules + 4.0]])
    pixels = np.concatenate([[pixels[0] - 2 * step], pixels, [pixels[-1] + (modules + 4.0 - units[-2]) * step]])
    u = (np.arange((modules + 2) * _FINE) + 0.5) / _FINE
    return np.interp(np.interp(u, units, pixels), np.arange(len(profile)), profile)


@dataclass(frozen=True)
class _Path:
    values: tuple[int, ...]
    at: int  # sample where this path's next symbol starts
    error: float


def decode(profile: np.ndarray) -> list[tuple[list[int], float]]:
    """Checksum-valid symbol value sequences (start..check) that fit the profile, best fit first, with the fit."""
    found: list[tuple[list[int], float]] = []
    for left, right in extents(profile):
        near, far, blur = _ends(profile, left, right)
        knots = _knots(profile, left, right, near)
        if knots is not None and (knots[0][-1] + 2 - 13) % 11 == 0:  # the stop's last bar starts 2 modules from the end
            count = int(knots[0][-1] + 2 - 13) // 11
            found += _beam(_follow(profile, *knots, 11 * count + 13), *_tables(blur), count)
            if found:
                continue
        estimate = round(((right - left) / np.sqrt(near * far) - 13) / 11)
        for count in (c for c in (estimate, estimate - 1, estimate + 1) if c >= 3):
            for ratio in (far / near * 0.93, far / near, far / near * 1.07):
                observed = _resample(profile, left, right, 11 * count + 13, ratio)
                found += _beam(observed, *_tables(blur), count)
    found.sort(key=lambda f: f[1])
    return found


def _ends(profile: np.ndarray, left: float, right: float) -> tuple[float, float, Blur]:
    """Module width (px) that best fits a start pattern at the left edge and the stop pattern at the right, and
    the blur that fits both best."""
    grid = np.arange(len(profile), dtype=np.float64)
    best_near = best_far = np.inf
    near = far = 1.0
    errors: dict[Blur, float] = {}
    for module in np.geomspace(0.9, 24.0, 90):
        if (right - left) / module < 11 * 3 + 13:
            break
        head = np.interp(left + (np.arange(11 * _FINE) + 0.5) * module / _FINE, grid, profile)
        tail = np.interp(right - (13 * _FINE - np.arange(13 * _FINE) - 0.5) * module / _FINE, grid, profile)
        for blur in _BLURS:
            symbols, stop = _tables(blur)
            start_error = float(((symbols[103:, :_WINDOW] - head[:_WINDOW]) ** 2).sum(axis=1).min())
            stop_error = float(((stop - tail) ** 2).sum())
            if start_error < best_near:
                best_near, near = start_error, module
            if stop_error < best_far:
                best_far, far = stop_error, module
            errors[blur] = min(errors.get(blur, np.inf), start_error + stop_error)
    return near, far, min(errors, key=errors.__getitem__) if errors else _BLURS[0]


def _beam(observed: np.ndarray, symbols: np.ndarray, stop: np.ndarray, count: int) -> list[tuple[list[int], float]]:
    windows = np.lib.stride_tricks.sliding_window_view(observed, _WINDOW)
    start_errors = ((symbols[103:, :_WINDOW] - windows[0]) ** 2).sum(axis=1)
    paths = [_Path((103 + int(i),), 11 * _FINE, float(start_errors[i])) for i in np.argsort(start_errors)[:2]]
    data = symbols[:103, None, :_WINDOW]
    for _ in range(count - 1):
        grown: list[_Path] = []
        for path in paths:
            low = max(path.at - _DRIFT, 0)
            near = windows[low : path.at + _DRIFT + 1]
            if len(near) == 0:
                continue
            errors = ((data - near[None]) ** 2).sum(axis=2)  # (103, drifts)
            flat = np.argpartition(errors, 4, axis=None)[:4]
            for value, drift in zip(*np.unravel_index(flat, errors.shape), strict=True):
                at = low + int(drift)
                grown.append(_Path((*path.values, int(value)), at + 11 * _FINE, path.error + float(errors[value, drift])))
        grown.sort(key=lambda p: p.error)
        paths = grown[:_BEAM]
    results = []
    end = (11 * count) * _FINE  # where the stop should begin
    for path in paths:
        values = list(path.values)
        if _checksum(values[:-1]) != values[-1] or abs(path.at - end) > _FINE:
            continue
        tail = observed[path.at : path.at + 13 * _FINE]
        error = path.error + float(((stop[: len(tail)] - tail) ** 2).sum())
        results.append((values, error / (path.at + len(tail))))
    return results


def _checksum(values: list[int]) -> int:
    return (values[0] + sum(i * v for i, v in enumerate(values[1:], 1))) % 103


def text(values: list[int]) -> str | None:
    """The payload of a start..check sequence (check excluded), or None if it uses what envelopes never do."""
    mode = {103: "A", 104: "B", 105: "C"}[values[0]]
    out: list[str] = []
    for value in values[1:-1]:
        if mode == "C":
            if value < 100:
                out.append(f"{value:02d}")
            elif value in (_CODE_B, _CODE_A):
                mode = "B" if value == _CODE_B else "A"
            else:
                return None
        elif value < 96:
            out.append(chr(value + 32) if mode == "B" or value < 64 else chr(value - 64))
        elif value == _CODE_C:
            mode = "C"
        elif (mode, value) in (("B", _CODE_A), ("A", _CODE_B)):
            mode = "A" if value == _CODE_A else "B"
        else:
            return None  # SHIFT, FNC1-4: never on an envelope
    return "".join(out)
