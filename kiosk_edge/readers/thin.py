"""Code 128 too thin or too soft for the region views: bar profiles averaged over bands of the bars.

Taken after the deblurring step and before fitting (switch `Steps.thin`). A located barcode, bars vertical and 4x
along the code, is first levelled (seen at a slant, the code's axis need not be square to its bars, so the code
can climb across the view) and its bars stood upright by a shear; then it is averaged down the bars over their
whole height, then over halves, thirds, quarters, sixths and eighths (glare, a fold or a bend spoils only part of
the bars). Each profile, as is, unsharp-masked or with a Gaussian or box blur undone (Wiener), is repeated into a few
identical rows for zbar and zxing-cpp: the averaging takes out the noise that keeps both from finding the edges of
1.2-1.5 px modules. A profile whose variants give two different payloads gives none (ringing made one up).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

import cv2
import numpy as np
from pyzbar import pyzbar
from pyzbar.pyzbar import ZBarSymbol

from kiosk_edge.readers.deblur import sharpened_across
from kiosk_edge.readers.payloads import Symbol
from kiosk_edge.readers.zxing import zxing_scan

BUDGET = 0.06  # CPU seconds per frame for the whole step
_BANDS = (1, 2, 3, 4, 6, 8)  # the bars' height cut into this many bands, in turn
_SHEARS = tuple(np.linspace(-0.6, 0.6, 13))  # px along the code per row of a 4x view: leans of up to ~8.5°
_SLOPES = tuple(np.linspace(-0.05, 0.05, 11))  # px across per px along a 4x view: ~11° in the frame
_ROWS = 2  # identical rows a profile is repeated into (zbar and zxing-cpp want an image)
# Unsharp masks (Gaussian sigma in 4x-view px, amount) and Wiener-undone Gaussian blurs (sigma) tried per profile.
_UNSHARP = ((4.0, 1.0), (6.0, 2.0))
_UNBLUR = (3.0,)
_NSR = 0.005
_UNMOVE = (8.0, 12.0, 16.0)  # box blurs undone (Wiener), in 4x-view px: 2-4 camera px
_BOX_NSR = 0.01
_PAD = 64  # px of edge value beyond each end of a profile (the filters wrap around)


def read_thin(views: Iterable[np.ndarray], *, budget: float = BUDGET) -> list[Symbol]:
    """The Code 128 payload that two band profiles read alike (and no profile reads otherwise), within `budget`
    CPU seconds.

    `views`: the located barcodes, bars vertical, 4x along the code; each view's whole band first, then its parts.
    One profile alone is not trusted: on noisy 1 px modules a profile passed a wrong payload through the checksum
    (tests/kiosk_edge/test_thin.py).
    """
    deadline = time.thread_time() + budget
    groups = [band_profiles(view) for view in views]
    read: Symbol | None = None
    for count in _BANDS:
        for group in groups:
            for _ in range(count):
                profile = next(group, None)
                if profile is None:
                    break
                if time.thread_time() > deadline:
                    return []
                found = read_profile(profile)
                if found and read is not None:
                    return found if found == [read] else []
                read = read or (found[0] if found else None)
    return []


def band_profiles(view: np.ndarray) -> Iterator[np.ndarray]:
    """Profiles across the bars of an upright barcode view: its bars' whole height, then 2, 3, 4, 6, 8 bands."""
    grey = level(view.astype(np.float32))
    energy = np.abs(np.diff(grey, axis=1)).sum(axis=1)
    rows = np.flatnonzero(energy > 0.5 * energy.max()) if energy.size and energy.max() > 0 else np.array([], int)
    if rows.size < 3:
        return
    band = upright(grey[rows[0] : rows[-1] + 1])
    height = band.shape[0]
    for count in _BANDS:
        if height // count < 2:
            return
        for index in range(count):
            yield band[index * height // count : (index + 1) * height // count].mean(axis=0)


def level(view: np.ndarray) -> np.ndarray:
    """The view with its columns shifted so that the code runs level: the slope whose bar rows are most distinct.

    Seen at a slant, the code's axis need not be square to its bars, so with the bars stood up the code can still
    climb across the view, and a band of rows would take in the text above or below the bars at one end.
    """
    height, width = view.shape
    middle = (width - 1) / 2

    def sloped(slope: float) -> np.ndarray:
        matrix = np.array([[1.0, 0.0, 0.0], [slope, 1.0, -slope * middle]])
        return cv2.warpAffine(view, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

    def distinct(image: np.ndarray) -> float:
        energy = np.abs(np.diff(image, axis=1)).sum(axis=1)
        return float(np.square(np.diff(energy)).sum())

    scores = [distinct(sloped(s)) for s in _SLOPES]
    best = _SLOPES[int(np.argmax(scores))]
    return view if best == 0 else sloped(best)


def upright(band: np.ndarray) -> np.ndarray:
    """The band sheared so that its bars stand vertical: the shear whose column means are sharpest.

    Seen at a slant, a label's bars are not square to its edges, so the turn found from the edges can leave
    them leaning by a few degrees, which averaging down the bars would smear.
    """
    height, width = band.shape
    middle = (height - 1) / 2

    def sheared(shear: float) -> np.ndarray:
        matrix = np.array([[1.0, shear, -shear * middle], [0.0, 1.0, 0.0]])
        return cv2.warpAffine(band, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

    sharpness = [float(np.square(np.diff(sheared(s).mean(axis=0))).sum()) for s in _SHEARS]
    best = _SHEARS[int(np.argmax(sharpness))]
    return band if best == 0 else sheared(best)


def read_profile(profile: np.ndarray) -> list[Symbol]:
    """The one Code 128 payload zbar or zxing-cpp reads in a profile's variants, or none (none or several read)."""
    payloads = {symbol for variant in _variants(profile) for symbol in _read_rows(variant)}
    return list(payloads) if len(payloads) == 1 else []


def _variants(profile: np.ndarray) -> Iterator[np.ndarray]:
    """The profile as is, unsharp-masked, and with a Gaussian or a box blur undone across the bars."""
    yield profile
    row = profile.reshape(1, -1)
    for sigma, amount in _UNSHARP:
        soft = cv2.GaussianBlur(row, (0, 0), sigmaX=sigma, sigmaY=0.1).ravel()
        yield profile + amount * (profile - soft)
    clipped = np.clip(row, 0, 255)
    for sigma in _UNBLUR:
        yield sharpened_across(clipped, sigma, _NSR).ravel().astype(np.float32)
    padded = np.pad(clipped.ravel(), _PAD, mode="edge")
    spectrum, frequencies = np.fft.rfft(padded), np.fft.rfftfreq(padded.size)
    for length in _UNMOVE:
        transfer = np.sinc(frequencies * length)  # a box of `length` px: motion across the bars, or heavy defocus
        restored = np.fft.irfft(spectrum * transfer / (transfer**2 + _BOX_NSR), n=padded.size)
        yield restored[_PAD:-_PAD].astype(np.float32)


def _read_rows(profile: np.ndarray) -> set[Symbol]:
    """Code 128 symbols zbar and zxing-cpp read in a profile repeated into identical rows."""
    image = np.ascontiguousarray(np.tile(np.clip(profile, 0, 255).astype(np.uint8), (_ROWS, 1)))
    found = {Symbol("code128", d.data.decode("latin-1")) for d in pyzbar.decode(image, symbols=[ZBarSymbol.CODE128])}
    return found | {s for s in zxing_scan(image, whole_frame=False) if s.kind == "code128"}
