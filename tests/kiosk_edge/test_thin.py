"""The thin-code step (kiosk_edge/readers/thin.py): band-averaged bar profiles of a located barcode, levelled and
stood upright, read by zbar and zxing-cpp; exactly the printed payload or nothing."""

from __future__ import annotations

from dataclasses import fields

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bench import hard_symbols as hs
from bench.decode_hard import accepted
from bench.frames_hard import hard_sample
from kiosk_edge.readers import Symbol, read_symbols
from kiosk_edge.readers.symbols import ALL_STEPS, Steps
from kiosk_edge.readers.thin import band_profiles, level, read_profile, read_thin, upright

_GENEROUS = 60.0  # CPU seconds: the tests check what the step reads, not how fast


def _bars_view(payload: str, encoder: str, *, px: float, noise: float, lean: float, slope: float, seed: int):
    """A barcode as the step sees it: printed at `px` camera px per module, 40 noisy rows of bars with text-like
    clutter below them, its bars leaning by `lean` px per row and the code climbing by `slope` rows per px, then
    enlarged 4x along the code."""
    ink = hs.print_bars(hs.code128_modules(payload, encoder), quiet=12, dots_per_module=3.0, spread=0.0)
    width = int(ink.size / hs.TEXEL * px)
    row = cv2.resize(ink[None].astype(np.float32), (width, 1), interpolation=cv2.INTER_AREA)[0]
    rng = np.random.default_rng(seed)
    image = np.full((80, width), 210.0, np.float32)
    image[10:50] = 40 + 170 * (1 - row)
    image[56:64] = 210 - 120 * (rng.random((8, width)) < 0.3)  # a line of text under the bars
    image += rng.normal(0, 255 * noise, image.shape)
    middle_x, middle_y = (width - 1) / 2, 40.0
    matrix = np.array([[1.0, lean, -lean * middle_y], [slope, 1.0, -slope * middle_x]])
    image = cv2.warpAffine(image, matrix, (width, 80), borderMode=cv2.BORDER_REPLICATE)
    image = cv2.resize(image, None, fx=4.0, fy=1.0, interpolation=cv2.INTER_CUBIC)
    return np.clip(image, 0, 255).astype(np.uint8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    encoder=st.sampled_from(["own", "python-barcode", "zxing-cpp"]),
    px=st.floats(1.6, 2.5),
    lean=st.floats(-0.1, 0.1),
    slope=st.floats(-0.04, 0.04),
)
def test_a_noisy_leaning_climbing_barcode_reads_as_its_payload(
    seed: int, encoder: str, px: float, lean: float, slope: float
) -> None:
    payload = hs.envelope_barcode(np.random.default_rng(seed))
    view = _bars_view(payload, encoder, px=px, noise=0.12, lean=lean, slope=slope, seed=seed)
    assert read_thin([view], budget=_GENEROUS) == [Symbol("code128", payload)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), px=st.floats(1.0, 1.6), noise=st.floats(0.1, 0.3))
@example(seed=6704, px=1.0, noise=0.125)  # one profile read "G01.TP-250421-6834" as " 01.TP-250421-6834"
def test_the_step_gives_the_printed_payload_or_nothing(seed: int, px: float, noise: float) -> None:
    rng = np.random.default_rng(seed)
    payload = hs.envelope_barcode(rng) if seed % 2 else hs.dossier_code(rng)
    view = _bars_view(payload, "own", px=px, noise=noise, lean=0.05, slope=0.03, seed=seed)
    assert read_thin([view], budget=_GENEROUS) in ([], [Symbol("code128", payload)])


def test_levelling_and_standing_up_undo_a_climb_and_a_lean() -> None:
    payload = hs.envelope_barcode(np.random.default_rng(3))
    straight = _bars_view(payload, "own", px=2.0, noise=0.0, lean=0.0, slope=0.0, seed=3).astype(np.float32)
    bent = _bars_view(payload, "own", px=2.0, noise=0.0, lean=0.08, slope=0.04, seed=3).astype(np.float32)

    def sharpness(image: np.ndarray) -> float:
        return float(np.square(np.diff(image[10:50].mean(axis=0))).sum())

    def above_the_bars(image: np.ndarray) -> float:  # edge energy in the rows above where the bars were drawn
        return float(np.abs(np.diff(image[:9], axis=1)).sum())

    assert above_the_bars(level(bent)) < 0.5 * above_the_bars(bent)
    assert sharpness(upright(level(bent))) > 2 * sharpness(bent)
    assert sharpness(upright(straight)) == pytest.approx(sharpness(straight))


def test_a_profile_whose_variants_disagree_gives_nothing() -> None:
    payload = hs.envelope_barcode(np.random.default_rng(5))
    view = _bars_view(payload, "own", px=2.5, noise=0.0, lean=0.0, slope=0.0, seed=5)
    profile = next(band_profiles(view))
    assert read_profile(profile) == [Symbol("code128", payload)]
    other = _bars_view(hs.envelope_barcode(np.random.default_rng(6)), "own", px=2.5, noise=0.0, lean=0, slope=0, seed=6)
    glued = np.concatenate([profile, next(band_profiles(other))])
    assert read_profile(glued) == []


@pytest.mark.parametrize(
    "seed",
    [
        270,  # 1.34 px per module, no blur, dim light, JPEG 56: the code climbs across its straightened view
        303,  # 1.71 px per module, motion blur 2 px
        457,  # 1.35 px per module, defocus 0.46 px
    ],
)
def test_tuning_frames_only_the_thin_step_reads_give_their_exact_payload(seed: int) -> None:
    frame, expected, _ = hard_sample(seed)
    assert [s for s in read_symbols(frame, steps=Steps(thin=False, fitted=False)) if accepted(s)] == []
    assert [s for s in read_symbols(frame, steps=Steps(fitted=False, thin=True)) if accepted(s)] == [expected]


def test_every_step_is_taken_unless_told_and_step_sets_written_before_keep_the_thin_step_off() -> None:
    # The QR sampler (qrgrid.py) is opt-in: it costs 0.07-0.6 s of CPU per read, past the kiosk's budgets.
    assert all(getattr(ALL_STEPS, f.name) for f in fields(ALL_STEPS) if f.name != "qrgrid")
    assert not ALL_STEPS.qrgrid
    assert not Steps().thin
