"""The camera of bench.kiosk_latency: frames of an envelope's label from the hard generator, paced as a camera."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import numpy as np

from bench import frames_hard
from kiosk_edge.code_camera import Reader
from kiosk_edge.readers import Symbol


def frame_of(barcode: str, seed: int) -> np.ndarray:
    """A camera frame of the envelope's printed label (the hard generator's printer, paper, camera and light)."""
    rng = np.random.default_rng(seed)
    label, _, _, anchor = frames_hard._barcode_label(rng, barcode)
    frame, _ = frames_hard._photograph(rng, label, anchor, "code128")
    return frame


FRAME_PERIOD = 1 / 30  # s between camera frames
GIVE_UP = 3.0  # s of frames after which an envelope counts as unread


def paced(frames: list[np.ndarray], started: float, stop: threading.Event) -> Iterator[np.ndarray]:
    """The camera: frame k at `started` + k × 33 ms; a reader that comes late gets the newest frame made by then."""
    k = 0
    while not stop.is_set():
        wait = started + k * FRAME_PERIOD - time.perf_counter()
        if wait > 0:
            stop.wait(wait)
        else:
            k = int((time.perf_counter() - started) / FRAME_PERIOD)
        if stop.is_set() or k * FRAME_PERIOD > GIVE_UP:
            return
        yield frames[k % len(frames)]
        k += 1


def timed(reader: Reader, into: list[float]) -> Reader:
    """`reader`, each call's seconds appended to `into`."""

    def run(image: np.ndarray) -> list[Symbol]:
        began = time.perf_counter()
        try:
            return reader(image)
        finally:
            into.append(time.perf_counter() - began)

    return run
