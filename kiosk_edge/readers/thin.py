"""Code 128 too thin or too soft for the region views: bar profiles averaged per band, and the region enlarged whole.

Two cheap tries, taken after the deblurring step and before fitting (switch `Steps.thin`):

- **Band profiles.** A located barcode, bars vertical and 4x along the code, is averaged down the bars over the
  whole band, then over halves, thirds, quarters ... (perspective and a bent label tilt the bars a little, so a
  shorter band keeps them sharper; glare or a fold spoils only part of them). Each profile, as is, unsharp-masked
  or with a Gaussian blur undone (Wiener), is repeated into a few identical rows for zbar and zxing-cpp. The
  averaging takes out the noise that keeps both from finding edges of 1.2-1.5 px modules.
- **The region enlarged.** Its upright bounding box, 2x cubic and lightly sharpened, for zxing-cpp's own
  detector (which turns and samples it itself): reads some codes whose straightening went astray.

A profile whose variants give two different payloads gives none (ringing made one of them up).
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

BUDGET = 0.04  # CPU seconds per frame for the whole step
_BANDS = (1, 2, 3, 4, 6, 8)  # the bars' height cut into this many bands, in turn
_ROWS = 6  # identical rows a profile is repeated into (zbar and zxing-cpp want an image)
# Unsharp masks (Gaussian sigma in 4x-view px, amount) and Wiener-undone Gaussian blurs (sigma) tried per profile.
_UNSHARP = ((4.0, 1.0), (6.0, 2.0))
_UNBLUR = (3.0, 5.0)
_NSR = 0.005
_CROP_PAD = 30  # frame px around the region's bounding box
_CROP_SCALE, _CROP_SHARPEN = 2.0, 1.0


def read_thin(views: Iterable[np.ndarray], crops: Iterable[np.ndarray], *, budget: float = BUDGET) -> list[Symbol]:
    """The Code 128 of the first profile (or enlarged crop) that reads as one payload, within `budget` CPU seconds.

    `views`: located barcodes, bars vertical, 4x along the code; `crops`: the located regions as cut from the frame.
    """
    deadline = time.process_time() + budget
    bands = [list(band_profiles(view)) for view in views]
    whole, parts = [b[:1] for b in bands], [b[1:] for b in bands]
    for profile in (p for group in whole for p in group):
        if time.process_time() > deadline:
            return []
        found = read_profile(profile)
        if found:
            return found
    for crop in crops:
        if time.process_time() > deadline:
            return []
        found = _read_enlarged(crop)
        if found:
            return found
    for profile in (p for group in parts for p in group):
        if time.process_time() > deadline:
            return []
        found = read_profile(profile)
        if found:
            return found
    return []


def band_profiles(view: np.ndarray) -> Iterator[np.ndarray]:
    """Profiles across the bars of an upright barcode view: its bars' whole height, then 2, 3, 4, 6, 8 bands."""
    grey = view.astype(np.float32)
    energy = np.abs(np.diff(grey, axis=1)).sum(axis=1)
    rows = np.flatnonzero(energy > 0.5 * energy.max()) if energy.size and energy.max() > 0 else np.array([], int)
    if rows.size < 3:
        return
    band = grey[rows[0] : rows[-1] + 1]
    height = band.shape[0]
    for count in _BANDS:
        if height // count < 2:
            return
        for index in range(count):
            yield band[index * height // count : (index + 1) * height // count].mean(axis=0)


def read_profile(profile: np.ndarray) -> list[Symbol]:
    """The one Code 128 payload zbar or zxing-cpp reads in a profile's variants, or none (none or several read)."""
    payloads = {symbol for variant in _variants(profile) for symbol in _read_rows(variant)}
    return list(payloads) if len(payloads) == 1 else []


def crops(grey: np.ndarray, outlines: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
    """Each region's upright bounding box with some margin, as cut from the frame."""
    for outline in outlines:
        x, y, w, h = cv2.boundingRect(outline.astype(np.int32))
        yield grey[max(0, y - _CROP_PAD) : y + h + _CROP_PAD, max(0, x - _CROP_PAD) : x + w + _CROP_PAD]


def _variants(profile: np.ndarray) -> Iterator[np.ndarray]:
    """The profile as is, unsharp-masked, and with a Gaussian blur undone across the bars."""
    yield profile
    row = profile.reshape(1, -1)
    for sigma, amount in _UNSHARP:
        soft = cv2.GaussianBlur(row, (0, 0), sigmaX=sigma, sigmaY=0.1).ravel()
        yield profile + amount * (profile - soft)
    clipped = np.clip(row, 0, 255)
    for sigma in _UNBLUR:
        yield sharpened_across(clipped, sigma, _NSR).ravel().astype(np.float32)


def _read_rows(profile: np.ndarray) -> set[Symbol]:
    """Code 128 symbols zbar and zxing-cpp read in a profile repeated into identical rows."""
    image = np.ascontiguousarray(np.tile(np.clip(profile, 0, 255).astype(np.uint8), (_ROWS, 1)))
    found = {Symbol("code128", d.data.decode("latin-1")) for d in pyzbar.decode(image, symbols=[ZBarSymbol.CODE128])}
    return found | {s for s in zxing_scan(image, whole_frame=False) if s.kind == "code128"}


def _read_enlarged(crop: np.ndarray) -> list[Symbol]:
    """Code 128 zxing-cpp reads in a crop enlarged 2x (cubic) and lightly sharpened, turning it as it likes."""
    large = cv2.resize(crop, None, fx=_CROP_SCALE, fy=_CROP_SCALE, interpolation=cv2.INTER_CUBIC)
    soft = cv2.GaussianBlur(large, (0, 0), _CROP_SCALE)
    sharp = cv2.addWeighted(large, 1.0 + _CROP_SHARPEN, soft, -_CROP_SHARPEN, 0)
    found = {s for s in zxing_scan(sharp) if s.kind == "code128"}
    return list(found) if len(found) == 1 else []
