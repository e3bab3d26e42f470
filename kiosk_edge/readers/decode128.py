"""Code 128 values from a bar profile: the beam search over rendered symbols, erasure repair by the checksum, and
the payload of a value sequence (sets A, B and C).

`candidates(profile)` returns every checksum-valid start..check sequence that fits a normalised profile (ink 0,
paper 1), each with its fit; the caller decides (kiosk_edge/readers/fitted.py) whether one is clear enough to act on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kiosk_edge.readers import profile128 as model
from kiosk_edge.readers.profile128 import FINE, WINDOW

_MODULUS = 103  # prime: every weight has an inverse, so one unknown symbol follows from the others
_INVERSE = [0] + [pow(weight, -1, _MODULUS) for weight in range(1, _MODULUS)]
_CODE_C, _CODE_B, _CODE_A = 99, 100, 101
_DRIFT = 3  # samples (of 1/FINE module) the next symbol may start early or late
_BEAM = 10  # sequences kept after each symbol
_SLACK = 2 * FINE  # samples a symbol may start off the module grid the profile was resampled on
_MOST = 64  # symbols before the stop: a 60-character dossier code with its start, check and a switch or two


@dataclass(frozen=True)
class Candidate:
    """A checksum-valid symbol sequence (start .. check, stop left out) and how well it fits the profile."""

    values: tuple[int, ...]
    error: float  # mean squared error per sample over the whole code (0 perfect; paper-ink contrast is 1)
    worst: float  # mean squared error per sample of its worst-fitting symbol
    repaired: bool  # one symbol was set by the checksum rather than by its fit


def checksum(values: list[int] | tuple[int, ...]) -> int:
    """The check symbol of a start..last data sequence."""
    return (values[0] + sum(i * v for i, v in enumerate(values[1:], 1))) % _MODULUS


def candidates(profile: np.ndarray, out_of_time: Callable[[], bool] = lambda: False) -> tuple[list[Candidate], float]:
    """Checksum-valid sequences fitting a normalised profile read left to right, best first, and the fit of its
    start and stop patterns (lower is better: the caller compares both directions with it). The slower tries
    (module grid guessed from the ends, not followed along the bars) are skipped once `out_of_time()`."""
    found: list[Candidate] = []
    best_fit = np.inf
    for left, right in model.extents(profile):
        if out_of_time():
            break  # every extent's followed grid and beam counts against the frame's budget too
        ends = model.ends(profile, left, right)
        if ends is None:
            continue
        best_fit = min(best_fit, ends.fit)
        knots = model.knots(profile, left, right, ends.near)
        # The stop's last bar starts 2 modules before the end: the last knot counts the symbols exactly.
        if knots is not None and (knots[0][-1] + 2 - 13) % 11 == 0 and 3 <= (knots[0][-1] + 2 - 13) // 11 <= _MOST:
            count = int(knots[0][-1] + 2 - 13) // 11
            found += beam(model.follow(profile, *knots, 11 * count + 13), ends.blur, count)
        if found:
            continue
        estimate = round(((right - left) / np.sqrt(ends.near * ends.far) - 13) / 11)
        for count in (c for c in (estimate, estimate - 1, estimate + 1) if 3 <= c <= _MOST):
            for ratio in (ends.far / ends.near * 0.93, ends.far / ends.near, ends.far / ends.near * 1.07):
                if out_of_time():
                    break
                found += beam(model.resample(profile, left, right, 11 * count + 13, ratio), ends.blur, count)
    unique: dict[tuple[int, ...], Candidate] = {}
    for candidate in sorted(found, key=lambda c: c.error):
        unique.setdefault(candidate.values, candidate)
    return list(unique.values()), best_fit


def beam(observed: np.ndarray, blur: int, count: int) -> list[Candidate]:
    """Sequences of `count` symbols (start .. check) then the stop, fitted one symbol after the other."""
    symbols, stops = model.tables()
    windows = np.lib.stride_tricks.sliding_window_view(observed.astype(np.float32), WINDOW)
    # Symbol k starts within _SLACK samples of 11 k modules: only those windows are compared (inf elsewhere).
    starts_at = np.arange(count + 1)[:, None] * 11 * FINE + np.arange(-_SLACK, _SLACK + 1)[None]
    near_grid = np.unique(np.clip(starts_at, 0, len(windows) - 1))
    errors = np.full((len(windows), 106), np.inf, np.float32)
    errors[near_grid] = model.distances(windows[near_grid], symbols[blur, :, :WINDOW])
    last = len(windows) - 1
    starts = errors[0, 103:106]
    values = np.array([[103 + i] for i in range(3)])  # (paths, symbols so far)
    at = np.zeros((3, 1), int)  # where each symbol of each path starts
    total = starts.astype(float)
    drifts = np.arange(-_DRIFT, _DRIFT + 1)
    for _ in range(count - 1):
        rows = np.clip(at[:, -1:] + 11 * FINE + drifts[None], 0, last)  # (paths, drifts)
        near = errors[rows, :103]  # (paths, drifts, 103)
        drift = near.argmin(axis=1)  # (paths, 103)
        step = np.take_along_axis(near, drift[:, None], axis=1)[:, 0] + total[:, None]
        keep = np.argsort(step, axis=None)[:_BEAM]
        path, value = np.unravel_index(keep, step.shape)
        values = np.column_stack([values[path], value])
        at = np.column_stack([at[path], rows[path, drift[path, value]]])
        total = step[path, value]
    found = []
    stop = stops[blur]
    for k in range(len(values)):
        begin = at[k, -1] + 11 * FINE
        if abs(begin - 11 * count * FINE) > FINE:
            continue
        tails = [observed[b : b + len(stop)] for b in begin + drifts if b + len(stop) <= len(observed)]
        if not tails:
            continue
        stop_error = min(float(((stop - tail) ** 2).sum()) for tail in tails)
        own = errors[at[k], values[k]]  # each symbol's own error
        found += _checked(values[k], own, errors[at[k]], stop_error)
    return found


def _checked(path: np.ndarray, own: np.ndarray, near: np.ndarray, stop_error: float) -> list[Candidate]:
    """The path itself if its checksum holds; else each repair of one data or check symbol that makes it hold."""
    size = WINDOW * len(path) + 13 * FINE
    values = [int(v) for v in path]
    if checksum(values[:-1]) == values[-1]:
        total = float(own.sum()) + stop_error
        return [Candidate(tuple(values), total / size, float(own.max()) / WINDOW, False)]
    repairs = []
    for position in range(1, len(values)):
        if position == len(values) - 1:
            value = checksum(values[:-1])
        else:
            rest = (checksum(values[:-1]) - position * values[position]) % _MODULUS
            if position % _MODULUS == 0:
                continue  # weight 0: this symbol does not enter the checksum
            value = (values[-1] - rest) * _INVERSE[position % _MODULUS] % _MODULUS
        fixed = own.copy()
        fixed[position] = near[position, value]
        repaired = [*values[:position], value, *values[position + 1 :]]
        total = float(fixed.sum()) + stop_error
        repairs.append(Candidate(tuple(repaired), total / size, float(fixed.max()) / WINDOW, True))
    repairs.sort(key=lambda c: c.error)
    return repairs[:1]


def text(values: tuple[int, ...] | list[int]) -> str | None:
    """The payload of a start..check sequence (check excluded), or None if it uses what envelopes never do."""
    mode = {103: "A", 104: "B", 105: "C"}.get(values[0])
    if mode is None:
        return None
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
