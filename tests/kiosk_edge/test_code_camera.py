"""The code camera's scheduling with fake readers: fast pass on every frame, slow steps only after misses, on the
newest frame, never in the frame loop's way; reads reach the flow in frame order."""

from __future__ import annotations

import threading

import numpy as np

from kiosk_edge.code_camera import CodeCamera, cheap_read, envelope_feed, fast_read
from kiosk_edge.readers.payloads import Symbol
from kiosk_edge.readers.symbols import read_symbols
from kiosk_edge.readers.synthetic import blank_frame, code128_frame
from kiosk_edge.session.machine import InputNotAllowedError
from kiosk_edge.session.screens import Screen

LABEL = Symbol("code128", "Q6PB000001")


def frame(n: int) -> np.ndarray:
    """A frame that names itself: its first pixel is its number."""
    return np.full((4, 4), n, np.uint8)


class FakeReader:
    """Reads the frames whose number is in `reads`; records the number of every frame it was given."""

    def __init__(self, reads: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        self.reads, self.given = reads, []

    def __call__(self, image: np.ndarray) -> list[Symbol]:
        self.given.append(int(image[0, 0]))
        return [LABEL] if int(image[0, 0]) in self.reads else []


def camera(fast: FakeReader, slow: FakeReader, misses: int = 2) -> tuple[CodeCamera, list[list[Symbol]]]:
    found: list[list[Symbol]] = []
    return CodeCamera(found.append, fast=fast, slow=[slow], misses=misses), found


def test_a_frame_the_fast_pass_reads_is_delivered_without_the_slow_steps() -> None:
    fast, slow = FakeReader({1}), FakeReader({1})
    cam, found = camera(fast, slow)
    cam.see(frame(1))
    assert found == [[LABEL]] and not cam.lane.run_once() and slow.given == []


def test_the_slow_steps_wait_for_a_few_fast_misses_in_a_row() -> None:
    fast, slow = FakeReader(), FakeReader({2})
    cam, found = camera(fast, slow, misses=2)
    cam.see(frame(1))
    assert not cam.lane.run_once()  # one miss: nothing handed over yet
    cam.see(frame(2))
    assert cam.lane.run_once() and slow.given == [2] and found == [[LABEL]]
    assert fast.given == [1, 2]


def test_the_slow_lane_takes_the_newest_frame_and_drops_the_ones_it_had_no_time_for() -> None:
    fast, slow = FakeReader(), FakeReader()
    cam, _ = camera(fast, slow, misses=1)
    for n in (1, 2, 3, 4):  # the frame loop runs on while the lane is busy elsewhere
        cam.see(frame(n))
    assert fast.given == [1, 2, 3, 4]
    assert cam.lane.run_once() and not cam.lane.run_once()
    assert slow.given == [4]


def test_a_fast_read_cancels_the_frame_waiting_for_the_slow_steps() -> None:
    fast, slow = FakeReader({3}), FakeReader({2})
    cam, found = camera(fast, slow, misses=1)
    cam.see(frame(1))
    cam.see(frame(2))
    cam.see(frame(3))
    assert found == [[LABEL]] and not cam.lane.run_once() and slow.given == []


def test_a_slow_read_of_an_older_frame_than_one_read_already_is_dropped() -> None:
    fast, found = FakeReader({3}), []
    cam = CodeCamera(found.append, fast=fast, slow=[lambda image: (cam.see(frame(3)), [LABEL])[1]], misses=1)
    cam.see(frame(1))
    cam.see(frame(2))
    assert cam.lane.run_once()  # frame 3 comes and is read while the slow steps work on frame 2
    assert found == [[LABEL]] and fast.given == [1, 2, 3]


def test_the_frame_loop_never_waits_for_a_slow_read_under_way() -> None:
    release, started = threading.Event(), threading.Event()

    def stuck(image: np.ndarray) -> list[Symbol]:
        started.set()
        release.wait()
        return []

    fast = FakeReader({9})
    found: list[list[Symbol]] = []
    cam = CodeCamera(found.append, fast=fast, slow=[stuck], misses=1)
    cam.lane.start()
    try:
        cam.see(frame(1))
        assert started.wait(10)
        for n in range(2, 10):  # the slow read of frame 1 has not returned: these are read anyway
            cam.see(frame(n))
        assert fast.given == list(range(1, 10)) and found == [[LABEL]]
    finally:
        release.set()
        cam.lane.stop()


def test_without_fast_passes_beside_a_slow_read_the_newest_frame_waits_for_the_lane() -> None:
    fast, found = FakeReader({2, 3}), []
    seen_during: list[int] = []

    def slow(image: np.ndarray) -> list[Symbol]:
        for n in (2, 3):  # frames 2 and 3 come while frame 1 is read slowly
            cam.see(frame(n))
        seen_during.extend(fast.given)
        return []

    cam = CodeCamera(found.append, fast=fast, slow=[slow, FakeReader({3})], misses=1, fast_beside_slow=False)
    cam.see(frame(1))
    assert cam.lane.run_once() and seen_during == [1] and found == []
    assert cam.lane.run_once() and found == [[LABEL]]  # the lane's next turn is on frame 3, the newest


def test_the_camera_loop_runs_the_slow_lane_until_the_source_ends() -> None:
    fast, slow = FakeReader(), FakeReader({1, 2, 3})
    cam, found = camera(fast, slow, misses=1)
    cam.run([frame(1)], threading.Event())
    assert found == [[LABEL]] and slow.given == [1]


def test_the_fitting_step_comes_only_after_the_other_slow_steps_missed_and_a_read_starts_over() -> None:
    fast, unfitted, fitted = FakeReader({5}), FakeReader({3}), FakeReader({2})
    found: list[list[Symbol]] = []
    cam = CodeCamera(found.append, fast=fast, slow=[unfitted, fitted], misses=1)
    for n in (1, 2, 3):
        cam.see(frame(n))
        cam.lane.run_once()
    assert unfitted.given == [1, 3] and fitted.given == [2] and len(found) == 2
    cam.see(frame(4))
    cam.lane.run_once()
    assert unfitted.given == [1, 3, 4]  # frame 3 was read: the next miss starts from the first rung again
    cam.see(frame(5))
    cam.see(frame(6))
    cam.lane.run_once()
    assert unfitted.given == [1, 3, 4, 6] and fitted.given == [2]


def test_the_slow_ladder_goes_round_cheap_rungs_first_and_never_settles_on_the_last() -> None:
    fast, cheap, full = FakeReader(), FakeReader({7}), FakeReader()
    cam = CodeCamera(lambda symbols: None, fast=fast, slow=[cheap, cheap, full], misses=1)
    for n in range(1, 8):  # every frame a new drawing, and the lane has time for each
        cam.see(frame(n))
        assert cam.lane.run_once()
    assert cheap.given == [1, 2, 4, 5, 7] and full.given == [3, 6] and cam.slow_missed == 0
    for n in (8, 9):
        cam.see(frame(n))
        assert cam.lane.run_once()
    # frame 7 was read: the ladder starts again from the cheap rung
    assert cheap.given[-2:] == [8, 9] and full.given == [3, 6]


def test_two_workers_read_two_frames_at_once() -> None:
    both = threading.Barrier(2, timeout=10)  # a lane with one worker never gets both reads to it: BrokenBarrierError
    given: list[int] = []

    def slow(image: np.ndarray) -> list[Symbol]:
        given.append(int(image[0, 0]))
        both.wait()
        return []

    cam = CodeCamera(lambda symbols: None, fast=FakeReader(), slow=[slow], misses=1, workers=2)
    cam.lane.start()
    try:
        cam.see(frame(1))
        while not cam.lane.busy:  # the first worker has taken frame 1 ...
            threading.Event().wait(0.001)
        cam.see(frame(2))  # ... so the second takes frame 2 while frame 1 is still being read
    finally:
        cam.lane.stop(finish=True)
    assert sorted(given) == [1, 2] and not both.broken and cam.slow_missed == 2


def test_a_slow_read_of_an_older_frame_than_another_workers_read_is_dropped() -> None:
    label2 = Symbol("code128", "Q6PB000002")
    found: list[list[Symbol]] = []

    def slow(image: np.ndarray) -> list[Symbol]:
        if int(image[0, 0]) == 1:  # while frame 1 is read, frame 2 comes and the other worker reads it first
            cam.see(frame(2))
            assert cam.lane.busy and cam.lane.run_once()
            return [LABEL]
        return [label2]

    cam = CodeCamera(found.append, fast=FakeReader(), slow=[slow], misses=1, workers=2)
    cam.see(frame(1))
    assert cam.lane.run_once() and found == [[label2]]


def test_a_plain_envelope_label_is_read_by_the_fast_pass_alone_with_the_full_readers_payload() -> None:
    image = code128_frame("Q6PB000123", seed=7)
    found: list[list[Symbol]] = []
    cam = CodeCamera(found.append, slow=[FakeReader()])  # the slow steps are never asked
    cam.see(image)
    assert found == [read_symbols(image)] == [[Symbol("code128", "Q6PB000123")]]
    assert fast_read(blank_frame(seed=7)) == []


def test_a_code_128_read_goes_to_the_flow_and_a_read_on_another_screen_is_ignored() -> None:
    given: list[str] = []

    def inserted(barcode: str) -> None:
        if given:
            raise InputNotAllowedError(Screen.PAYMENT, "EnvelopeTaken")
        given.append(barcode)

    feed = envelope_feed(inserted)
    feed([Symbol("qrcode", "079195000101||…"), LABEL])
    feed([LABEL])  # the envelope is still in view on the payment screen
    feed([Symbol("qrcode", "079195000101||…")])
    assert given == ["Q6PB000001"]


def test_the_fast_pass_is_zxing_cpp_over_the_frame_and_nothing_slower() -> None:
    """Every reader step but zxing-cpp is off in the per-frame pass: a step added to the reader stays off here."""
    from dataclasses import fields

    from kiosk_edge.code_camera import FAST_STEPS

    assert {f.name for f in fields(FAST_STEPS) if getattr(FAST_STEPS, f.name)} == {"zxing"}


def test_the_cheap_rung_reads_the_located_regions_without_deblurring_thin_profiles_or_fitting() -> None:
    from dataclasses import fields

    from kiosk_edge.code_camera import CHEAP_STEPS

    off = {"deblur", "qrgrid", "thin", "fitted"}
    assert {f.name for f in fields(CHEAP_STEPS) if not getattr(CHEAP_STEPS, f.name)} == off
    image = code128_frame("Q6PB000123", seed=7)
    assert cheap_read(image) == read_symbols(image) and cheap_read(blank_frame(seed=7)) == []
