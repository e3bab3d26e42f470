"""The reader's last step for a located barcode: fit rendered Code 128 symbols to its bar profiles (decode128.py),
within a CPU budget, and act on a payload only when nothing else fits nearly as well.

zbar and zxing-cpp read nothing once motion blur or defocus melts one-module bars into grey; this step still can,
but a model fit always returns *something*, so a payload is kept only when (1) it passes the mod-103 checksum,
(2) it has the shape of an envelope barcode or a dossier code (what the kiosk acts on), (3) it fits the profile
closely and (4) no other checksum-valid sequence of any profile tried fits within a margin of it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from datetime import date

import msgspec
import numpy as np

from domain.kiosk_wire import Barcode
from kiosk_edge.readers import decode128, profile128
from kiosk_edge.readers.decode128 import Candidate
from kiosk_edge.readers.payloads import Symbol

# CPU seconds (the process's, so a loaded machine does not cut the search short) per frame: on 47 tuning frames
# that reached this step, 0.1 s read 13 and 0.15 s 14, at a third more CPU for the frames nothing reads.
BUDGET = 0.1
_NORMALISE = 60  # px of the 4x view (15 camera px, about 10 modules) over which paper and ink levels are taken
# Mean squared error per sample (ink 0, paper 1) a payload may have: on tuning frames right reads fitted at
# 0.007-0.02 and wrong checksum-valid ones at 0.009 and up, but every wrong one under 0.02 had an impossible payload.
_FITS, _REPAIRED_FITS = 0.018, 0.015
_MARGIN = 1.25  # another plausible checksum-valid payload must fit this much worse
# The dossier code's shape (domain/codes.py DOSSIER_CODE; the kiosk process may import only the wire messages).
_DOSSIER = re.compile(r"[A-Z0-9]+(?:\.[A-Z0-9]+)*-(\d\d)(\d\d)(\d\d)-(\d{4})", re.ASCII)


def plausible(payload: str) -> bool:
    """Whether a payload has the shape of an envelope barcode or a dossier code (a real day, sequence from 1)."""
    try:
        msgspec.convert(payload, Barcode)
        return True
    except msgspec.ValidationError:
        pass
    match = _DOSSIER.fullmatch(payload)
    if match is None or len(payload) > 60 or int(match[4]) == 0:
        return False
    try:
        date(2000 + int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return False
    return True


def read_fitted(views: Iterable[np.ndarray], *, budget: float = BUDGET) -> list[Symbol]:
    """The Code 128 payload of the first view (bars vertical, 4x along the code) whose profiles give a clear fit."""
    deadline = time.thread_time() + budget

    def out_of_time() -> bool:
        return time.thread_time() > deadline

    for view in views:
        seen: dict[tuple[int, ...], Candidate] = {}
        facing = 0
        for band, contrast in _bands(view):
            if out_of_time():
                return []
            profile = profile128.normalise(band, _NORMALISE, contrast)
            facing = facing or _facing(profile)
            found, _ = decode128.candidates(profile if facing >= 0 else profile[::-1].copy(), out_of_time)
            for candidate in found:
                if candidate.values not in seen or candidate.error < seen[candidate.values].error:
                    seen[candidate.values] = candidate
            payload = _clear(seen.values())
            if payload is not None:
                return [Symbol("code128", payload)]
    return []


def _bands(view: np.ndarray) -> Iterator[tuple[np.ndarray, float]]:
    """Profiles across the bars, each with the least contrast its normalisation assumes: averaged over the whole
    height of the bars (scaled to local contrast, then to at least a quarter of the overall contrast: noisy quiet
    zones), then over each half, then the middle (glare, a fold or a shadow often spoils part of the bars)."""
    grey = view.astype(np.float64)
    energy = np.abs(np.diff(grey, axis=1)).sum(axis=1)
    rows = np.flatnonzero(energy > 0.5 * energy.max()) if energy.size else np.array([], int)
    if rows.size < 3:
        return
    band = grey[rows[0] : rows[-1] + 1]
    h = band.shape[0]
    for low, high, contrast in (
        (0, h, 0.0),
        (0, h, 0.25),
        (0, h // 2, 0.0),
        (h // 2, h, 0.0),
        (h // 4, 3 * h // 4, 0.0),
    ):
        if high - low >= 2:
            yield band[low:high].mean(axis=0), contrast


def _facing(profile: np.ndarray) -> int:
    """+1 if the code reads left to right in this profile, -1 if right to left: where a start code and the stop
    pattern fit best at the ends of its widest candidate extent (0 if none)."""
    spans = profile128.extents(profile)
    if not spans:
        return 0
    left, right = spans[0]
    last = len(profile) - 1
    forward = profile128.ends(profile, left, right)
    backward = profile128.ends(profile[::-1].copy(), last - right, last - left)
    if forward is None or backward is None:
        return 0
    return 1 if forward.fit <= backward.fit else -1


def _clear(candidates: Iterable[Candidate]) -> str | None:
    """The payload of the best-fitting plausible candidate if it fits closely and clearly better than the rest."""
    ranked = sorted(
        ((c, text) for c in candidates if (text := decode128.text(c.values)) is not None),
        key=lambda pair: pair[0].error,
    )
    if not ranked:
        return None
    best, payload = ranked[0]
    if not plausible(payload) or best.error > (_REPAIRED_FITS if best.repaired else _FITS):
        return None
    # A rival the kiosk could never act on (not a plausible payload) need only fit worse; a plausible one, clearly.
    rivals = [(c, plausible(text)) for c, text in ranked[1:] if text != payload]
    return payload if all(c.error >= (_MARGIN if real else 1.0) * best.error for c, real in rivals) else None
