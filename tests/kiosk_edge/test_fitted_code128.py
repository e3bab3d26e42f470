"""The fitted Code 128 step (kiosk_edge/readers/fitted.py, decode128.py, profile128.py): it reads blurred bar
profiles it is given, returns exactly the printed payload or nothing, and the value-to-text rules of sets A/B/C."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import hard_symbols as hs
from bench.decode_hard import accepted
from bench.frames_hard import hard_sample
from kiosk_edge.readers import Symbol, decode128, profile128, read_symbols
from kiosk_edge.readers.fitted import plausible, read_fitted
from kiosk_edge.readers.symbols import Steps, warm_up

_FITTED_ONLY = Steps(zbar=False, zxing=False, regions=False, deblur=False, fitted=True)
_GENEROUS = 60.0  # CPU seconds: the tests check what the step reads, not how fast


def _payload(seed: int, kind: str) -> str:
    rng = np.random.default_rng(seed)
    return hs.envelope_barcode(rng) if kind == "envelope" else hs.dossier_code(rng)


def _view(
    payload: str,
    encoder: str,
    *,
    px: float,
    sigma: float,
    spread: float,
    ratio: float,
    noise: float,
    seed: int,
    flip: bool = False,
) -> np.ndarray:
    """A barcode as the reader's fitting step sees it: printed by the bench's encoders, imaged at `px` camera px per
    module in perspective (module widths at the two ends differ by `ratio` squared), blurred (sigma in modules),
    with sensor noise in each of 16 rows, then enlarged 4x along the code."""
    ink = hs.print_bars(hs.code128_modules(payload, encoder), quiet=12, dots_per_module=3.0, spread=spread)
    covered = np.concatenate([[0.0], np.cumsum(ink, dtype=np.float64)])
    pixels = int(ink.size / hs.TEXEL * px)
    t = np.linspace(0.0, 1.0, pixels + 1)
    edges = ink.size * t / (ratio + (1 - ratio) * t)  # a 1-D projective map from camera px to label texels
    texel = np.arange(covered.size, dtype=np.float64)
    row = np.diff(np.interp(edges, texel, covered)) / np.maximum(np.diff(edges), 1e-9)
    row = cv2.GaussianBlur(row[None].astype(np.float32), (0, 1), sigmaX=max(sigma * px, 0.1))[0]
    rng = np.random.default_rng(seed)
    light = 40 + 170 * (1 - row[::-1] if flip else 1 - row) + rng.normal(0, 255 * noise, (16, row.size))
    return cv2.resize(np.clip(light, 0, 255).astype(np.uint8), None, fx=4.0, fy=1.0, interpolation=cv2.INTER_CUBIC)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(["envelope", "dossier"]),
    encoder=st.sampled_from(["own", "python-barcode", "zxing-cpp"]),
    px=st.floats(1.4, 3.0),
    sigma=st.floats(0.0, 0.5),
    spread=st.floats(-0.15, 0.25),
    ratio=st.floats(0.9, 1.1),
    noise=st.floats(0.0, 0.04),
    flip=st.booleans(),
)
def test_a_blurred_profile_reads_as_its_payload_or_not_at_all(
    seed: int, kind: str, encoder: str, px: float, sigma: float, spread: float, ratio: float, noise: float, flip: bool
) -> None:
    payload = _payload(seed, kind)
    view = _view(payload, encoder, px=px, sigma=sigma, spread=spread, ratio=ratio, noise=noise, seed=seed, flip=flip)
    assert read_fitted([view], budget=_GENEROUS) in ([], [Symbol("code128", payload)])


def test_most_moderately_blurred_profiles_are_read() -> None:
    # Blur 0.3-0.45 module at 1.5-2.5 px per module: zbar reads few of these; the fitting step must read most.
    rng = np.random.default_rng(7)
    read = 0
    for case in range(12):
        payload = _payload(case, "envelope" if case % 3 else "dossier")
        view = _view(
            payload,
            ["own", "python-barcode", "zxing-cpp"][case % 3],
            px=float(rng.uniform(1.5, 2.5)),
            sigma=float(rng.uniform(0.3, 0.45)),
            spread=float(rng.uniform(-0.1, 0.2)),
            ratio=float(rng.uniform(0.9, 1.1)),
            noise=0.01,
            seed=case,
            flip=bool(case % 2),
        )
        found = read_fitted([view], budget=_GENEROUS)
        assert found in ([], [Symbol("code128", payload)])
        read += found == [Symbol("code128", payload)]
    assert read >= 9


@pytest.mark.parametrize("seed", [26, 67, 81, 168, 221])
def test_hard_frames_zbar_and_zxing_miss_are_read_by_fitting_alone(seed: int) -> None:
    # Tuning seeds (defocus 0.7-1.0 module, motion blur ~1 module, 1.3-1.8 px per module) all other steps miss.
    frame, expected, _ = hard_sample(seed)
    assert read_symbols(frame, steps=Steps(deblur=False, fitted=False)) == []
    assert read_symbols(frame, steps=_FITTED_ONLY) == [expected]


@pytest.mark.parametrize("seed", [1000147, 8, 34, 90, 3, 10])
def test_fitting_alone_reads_regression_frames_exactly_or_not_at_all(seed: int) -> None:
    frame, expected, _ = hard_sample(seed)
    assert read_symbols(frame, steps=_FITTED_ONLY) in ([], [expected])


def test_one_unreadable_symbol_is_set_by_the_checksum() -> None:
    values = hs._own_code128("PB0348722271")[:-1]  # start .. check, without the stop
    symbols, stops = profile128.tables()
    blur = profile128.BLURS.index(profile128.Blur(0.35, 0.0, 0.05))
    rendered = np.concatenate([*(symbols[blur, v] for v in values), stops[blur], np.ones(16, np.float32)])
    spoiled = rendered.copy()
    spoiled[4 * 88 : 5 * 88] = 0.5  # the fifth symbol lost under a glare veil
    [clean] = decode128.beam(rendered, blur, len(values))[:1]
    assert (clean.values, clean.repaired) == (tuple(values), False)
    repaired = [c for c in decode128.beam(spoiled, blur, len(values)) if c.values == tuple(values)]
    assert repaired and repaired[0].repaired


@settings(max_examples=200)
@given(payload=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", min_size=1, max_size=30))
def test_text_reads_back_the_sets_b_and_c_of_an_independent_encoder(payload: str) -> None:
    values = hs._own_code128(payload)[:-1]
    assert decode128.checksum(values[:-1]) == values[-1]
    assert decode128.text(values) == payload


def test_text_of_set_a_and_the_switches() -> None:
    check = decode128.checksum
    a = [103, 33, 34, 64 + 13, 100, 65]  # set A "AB", CR, then CODE B and "a"
    assert decode128.text([*a, check(a)]) == "AB\ra"
    c = [105, 12, 34, 100, 33, 99, 5]  # set C "1234", CODE B "A", CODE C "05"
    assert decode128.text([*c, check(c)]) == "1234A05"
    b = [104, 33, 101, 64, 100, 66]  # set B "A", CODE A, NUL (value 64), CODE B "b"
    assert decode128.text([*b, check(b)]) == "A\x00b"
    for odd in ([104, 98, 33], [104, 102, 33], [105, 101, 102], [105, 103]):  # SHIFT, FNC1, a start inside
        assert decode128.text([*odd, check(odd)]) is None


@given(text=st.text(min_size=0, max_size=70))
def test_plausible_payloads_are_ones_the_kiosk_parsers_accept(text: str) -> None:
    if plausible(text):
        assert accepted(Symbol("code128", text))


@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["envelope", "dossier"]))
def test_printed_payloads_are_plausible(seed: int, kind: str) -> None:
    assert plausible(_payload(seed, kind))


def test_warm_up_builds_the_fitted_tables_before_any_frame() -> None:
    profile128.tables.cache_clear()
    warm_up()
    assert profile128.tables.cache_info().currsize == 1
