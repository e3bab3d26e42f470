"""Our own QR sampler (kiosk_edge/readers/qrgrid.py, equaliser.py): blurred QR codes that zxing-cpp, zbar and the
deblurring step miss are read from their module grid, with exactly the printed payload, and garbage reads as nothing."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import segno
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.decode_hard import accepted
from bench.frames_hard import hard_sample
from kiosk_edge.readers import read_symbols
from kiosk_edge.readers.equaliser import equalised
from kiosk_edge.readers.qrgrid import _decode, read_qr_grid
from kiosk_edge.readers.symbols import Steps, _qr_outlines

_WITHOUT = Steps(thin=True)  # every step the reader takes unless told: the QR sampler is opt-in
_WITH = Steps(thin=True, qrgrid=True)


def test_a_tuning_frame_only_the_qr_sampler_reads_gives_its_exact_payload() -> None:
    frame, expected, _ = hard_sample(795)  # QR at 1.8 px per module, defocus 0.46 px, dim light
    assert [s for s in read_symbols(frame, steps=_WITHOUT) if accepted(s)] == []
    assert [s for s in read_symbols(frame, steps=_WITH) if accepted(s)] == [expected]


@pytest.mark.parametrize("seed", [5292, 855])  # defocus discs of 1.96 px at 2.4 px/module, 1.65 px at 2.4 px/module
def test_defocused_tuning_frames_are_read_from_their_module_grid(seed: int) -> None:
    frame, expected, _ = hard_sample(seed)
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    assert [s for s in read_symbols(frame, steps=_WITHOUT) if accepted(s)] == []
    assert read_qr_grid(grey, _qr_outlines(grey), budget=10.0) == [expected]


def test_the_equaliser_undoes_motion_blur_that_centre_sampling_gets_wrong() -> None:
    matrix = np.array(segno.make("079200001234|Nguyễn Văn An|01012000", error="m", micro=False).matrix, bool)
    n, module = matrix.shape[0], 2.0
    cells = np.pad(np.where(matrix, 40.0, 220.0), 4, constant_values=220.0)
    image = cv2.resize(cells, None, fx=module, fy=module, interpolation=cv2.INTER_NEAREST).astype(np.float32)
    line = np.zeros((5, 5), np.float32)
    line[2] = np.array([0.5, 1, 1, 1, 0.5]) / 4  # camera travel of 4 px = 2 modules, along the rows
    blurred = cv2.filter2D(image, -1, line) + np.random.default_rng(3).normal(0, 4, image.shape).astype(np.float32)
    shift = 4 * module - 0.5  # quiet zone; pixel i is centred on coordinate i
    to_px = np.array([[module, 0, shift], [0, module, shift], [0, 0, 1]])  # module coordinates to px
    centres = cv2.blur(blurred, (2, 2))[2 * np.arange(n) + 9][:, 2 * np.arange(n) + 9]  # mean of the 4 centre px
    centre_errors = int(((centres < centres.mean()) != matrix).sum())
    errors = int((equalised(blurred, to_px, n) != matrix).sum())
    # A 2-module box has a spectral null at the finest module pattern: the equaliser leaves about a quarter of the
    # centre sampler's errors (30 of 112 here), which Reed-Solomon correction then has to carry.
    assert centre_errors > 0.1 * n * n
    assert 3 * errors <= centre_errors


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(version=st.integers(2, 10), seed=st.integers(0, 2**32 - 1))
def test_random_modules_in_a_qr_frame_decode_to_nothing(version: int, seed: int) -> None:
    n = 17 + 4 * version
    noise = np.random.default_rng(seed).random((n, n)) < 0.5
    assert _decode(noise) == []
