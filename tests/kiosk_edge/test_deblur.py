"""The deblurring step (kiosk_edge/readers/deblur.py): QR codes and barcodes blurred past zbar and zxing-cpp are
read once a guessed blur is undone, with exactly the printed payload."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest

from bench.decode_hard import accepted
from bench.frames_hard import hard_sample
from kiosk_edge.readers import deblur, read_symbols
from kiosk_edge.readers.deblur import read_deblurred, sharpened_across
from kiosk_edge.readers.symbols import Steps, _qr_outlines

_NO_DEBLUR = Steps(deblur=False)


@pytest.mark.parametrize(
    "seed",
    [
        190,  # QR, motion blur 3.6 px (1.4 modules), no defocus
        344,  # QR, defocus disc of 2.1 px at 2.3 px per module
        242,  # Code 128 at 1.4 px per module, defocus 1.1 px
    ],
)
def test_tuning_frames_only_the_deblurring_step_reads_give_their_exact_payload(seed: int) -> None:
    frame, expected, _ = hard_sample(seed)
    assert [s for s in read_symbols(frame, steps=_NO_DEBLUR) if accepted(s)] == []
    assert [s for s in read_symbols(frame) if accepted(s)] == [expected]


@pytest.mark.parametrize(
    "seed",
    [
        445,  # QR, defocus disc of 1.2 px at 1.6 px per module, three glare spots
        905,  # QR, defocus disc of 2.0 px at 2.1 px per module, dim light
    ],
)
def test_deconvolved_qr_codes_that_zxing_cpp_cannot_binarise_are_read_from_a_locally_binarised_view(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame, expected, _ = hard_sample(seed)
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    outlines = _qr_outlines(grey)
    assert read_deblurred(grey, outlines, budget=10.0) == [expected]
    monkeypatch.setattr(deblur, "_MEANS", ())  # the deconvolved views as they are, for zxing-cpp to binarise
    assert read_deblurred(grey, outlines, budget=10.0) == []


def test_a_square_region_is_deconvolved_before_a_long_one(monkeypatch: pytest.MonkeyPatch) -> None:
    frame, _, _ = hard_sample(6)  # QR beside its text column: the long text region is located first
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    outlines = _qr_outlines(grey)
    sides = [sorted(cv2.minAreaRect(outline)[1]) for outline in outlines]
    assert sides[0][1] > 2 * sides[0][0] and any(long < 1.3 * short for short, long in sides[1:])
    regions: list[tuple[int, ...]] = []
    crop = deblur.padded_region

    def recorded(*args: Any) -> np.ndarray:
        region = crop(*args)
        regions.append(region.shape)
        return region

    monkeypatch.setattr(deblur, "padded_region", recorded)
    read_deblurred(grey, outlines, budget=10.0)
    assert max(regions[0]) < 1.3 * min(regions[0])


def test_undoing_the_blur_across_bars_restores_their_contrast() -> None:
    rng = np.random.default_rng(7)
    row = np.repeat(rng.integers(0, 2, 120), 2).astype(np.float32) * 200 + 25  # bars of 1 module = 2 px
    sharp = np.tile(row, (9, 1))
    blurred = cv2.GaussianBlur(sharp, (0, 0), sigmaX=1.2, sigmaY=0.01)
    restored = sharpened_across(blurred.astype(np.uint8), 1.2, 0.003).astype(np.float32)
    middle = slice(20, -20)
    error_before = np.abs(blurred[4, middle] - sharp[4, middle]).mean()
    error_after = np.abs(restored[4, middle] - sharp[4, middle]).mean()
    assert error_after < 0.5 * error_before
