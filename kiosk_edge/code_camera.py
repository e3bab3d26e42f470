"""The kiosk's code camera: a cheap read of every frame, the reader's slow steps off the frame loop.

Every frame gets the fast pass (zxing-cpp over the whole frame: ~5-10 ms). Only after `misses` fast misses in a
row does the newest frame go to the slow steps, on two worker threads that share one waiting frame: a newer frame
replaces it, so no frame is ever queued behind a slow decode and the camera loop never waits for one; while one
worker reads a frame, the other reads a newer one (OpenCV, zbar, zxing-cpp and numpy release the GIL). The slow
steps climb a short ladder by the slow misses in a row: the cheap rungs first on each new frame (zbar and the
located regions' views: 15-60 ms on a frame they read), every third a full read (deblurring and the fitted Code 128
step, up to ~200 ms) and back to the cheap rung, so a label whose drawings the cheap steps miss is still fitted but
the lane never settles on the fitting step while new frames keep coming. Every pass is `read_symbols` with its own
steps, so the payloads are the reader's and the caller validates them as before. Run the camera only while a screen
asks for a code: on frames where nothing reads, the slow steps run back to back.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from kiosk_edge.readers.payloads import Symbol
from kiosk_edge.readers.symbols import Steps, read_symbols
from kiosk_edge.session.machine import InputNotAllowedError

log = logging.getLogger(__name__)
Reader = Callable[[np.ndarray], list[Symbol]]
Found = Callable[[list[Symbol]], None]
# A zxing-cpp read of the whole frame is a step the full reader already trusts on its own (taken when the frame-wide
# zbar pass reads nothing); zbar's frame pass is not fast, and its weak Code 128 reads need the region step's check.
FAST_STEPS = Steps(zbar=False, regions=False, deblur=False, fitted=False)
# zbar over the frame and the located regions' views: on the hard generator they read most drawings the fast pass
# missed, and on a drawing they miss they give up in 30-150 ms where deblurring and fitting take 100-750.
CHEAP_STEPS = Steps(deblur=False, fitted=False)
# Fast misses in a row before the slow steps. One: on hard labels the fast pass reads only a third to a half of the
# frames, and every further miss waited for costs a camera frame (33 ms) at the median (bench.kiosk_latency --misses).
ESCALATE_AFTER = 1
SLOW_WORKERS = 2  # the kiosk's machine has two cores or more


def fast_read(frame: np.ndarray) -> list[Symbol]:
    """The fast pass: zxing-cpp over the whole frame."""
    return read_symbols(frame, steps=FAST_STEPS)


def cheap_read(frame: np.ndarray) -> list[Symbol]:
    """The cheap slow steps: zxing-cpp and zbar over the frame, then the located regions' views."""
    return read_symbols(frame, steps=CHEAP_STEPS)


# The ladder the slow lane climbs by slow misses in a row, and starts again from after the last rung or a read.
SLOW_STEPS: tuple[Reader, ...] = (cheap_read, cheap_read, read_symbols)


class SlowLane:
    """`workers` threads running the slow reader on the newest frame offered; at most one frame waits."""

    def __init__(self, read: Reader, done: Callable[[int, list[Symbol]], None], *, workers: int = 1) -> None:
        self.read, self.done, self.workers = read, done, workers
        self._waiting: tuple[int, np.ndarray] | None = None
        self._closed = False
        self.under_way = 0  # slow reads running now
        self._ready = threading.Condition()
        self._threads: list[threading.Thread] = []

    @property
    def busy(self) -> bool:
        return self.under_way > 0

    def offer(self, seq: int, frame: np.ndarray) -> None:
        """Frame number `seq` replaces any frame still waiting."""
        with self._ready:
            self._waiting = (seq, frame)
            self._ready.notify()

    def drop(self) -> None:
        """A newer frame was read already: the waiting one is not worth the slow steps."""
        with self._ready:
            self._waiting = None

    def run_once(self) -> bool:
        """Read the waiting frame, if any, and report it; a worker's one turn (tests call it directly)."""
        with self._ready:
            job, self._waiting = self._waiting, None
            self.under_way += job is not None
        if job is None:
            return False
        try:
            self.done(job[0], self.read(job[1]))
        finally:
            with self._ready:
                self.under_way -= 1
        return True

    def start(self) -> None:
        for n in range(self.workers):
            thread = threading.Thread(target=self._run, name=f"kiosk-code-reader-{n}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def stop(self, *, finish: bool = False) -> None:
        """Stop taking frames; waits for the slow reads under way (and with `finish`, for the waiting frame's)."""
        with self._ready:
            self._closed = True
            self._waiting = self._waiting if finish else None
            self._ready.notify_all()
        for thread in self._threads:
            thread.join()

    def _run(self) -> None:
        while True:
            with self._ready:
                self._ready.wait_for(lambda: self._closed or self._waiting is not None)
            try:
                if not self.run_once() and self._closed:
                    return
            except Exception:  # one frame the reader chokes on must not stop the camera for good
                log.exception("the slow read of a camera frame failed")


class CodeCamera:
    """Reads the frames of one camera with the fast pass, and with the slow lane when the fast pass keeps missing;
    every read goes to `found`, in frame order (a slow read of an older frame than one already read is dropped)."""

    def __init__(
        self,
        found: Found,
        *,
        fast: Reader = fast_read,
        slow: Sequence[Reader] = SLOW_STEPS,
        misses: int = ESCALATE_AFTER,
        fast_beside_slow: bool = True,
        workers: int = SLOW_WORKERS,
    ) -> None:
        self.found, self.fast, self.slow, self.misses = found, fast, tuple(slow), misses
        self.fast_beside_slow = fast_beside_slow  # False: on a loaded machine the slow reads get the CPU to themselves
        self.lane = SlowLane(self._slow_read, self._deliver, workers=workers)
        self.seen = self.missed = 0
        self.slow_missed = 0  # slow reads in a row that read nothing: each climbs one rung of `slow`, then round again
        self._last_read = 0  # number of the newest frame whose read went to `found`
        self._order, self._rungs = threading.Lock(), threading.Lock()

    def see(self, frame: np.ndarray) -> None:
        """One camera frame, on the camera loop: the fast pass, then maybe a hand-over to the slow lane."""
        self.seen += 1
        if not self.fast_beside_slow and self.lane.busy:
            self.lane.offer(self.seen, frame)
            return
        symbols = self.fast(frame)
        if symbols:
            self.missed = self.slow_missed = 0
            self.lane.drop()
            self._deliver(self.seen, symbols)
            return
        self.missed += 1
        if self.missed >= self.misses:
            self.lane.offer(self.seen, frame)

    def run(self, frames: Iterable[np.ndarray], stop: threading.Event) -> None:
        """The camera loop: every frame until the source ends (the last slow read is finished) or `stop` is set."""
        self.lane.start()
        try:
            for frame in frames:
                if stop.is_set():
                    break
                self.see(frame)
        finally:
            self.lane.stop(finish=not stop.is_set())

    def _slow_read(self, frame: np.ndarray) -> list[Symbol]:
        with self._rungs:
            rung = self.slow[self.slow_missed % len(self.slow)]
        symbols = rung(frame)
        with self._rungs:
            self.slow_missed = 0 if symbols else self.slow_missed + 1
        return symbols

    def _deliver(self, seq: int, symbols: list[Symbol]) -> None:
        with self._order:
            if not symbols or seq <= self._last_read:
                return
            self._last_read = seq
            self.found(symbols)


def envelope_feed(envelope_inserted: Callable[[str], None]) -> Found:
    """Reads to the flow: a Code 128 read is the envelope in the slot while the flow waits for one, else ignored."""

    def found(symbols: list[Symbol]) -> None:
        barcodes = [symbol.payload for symbol in symbols if symbol.kind == "code128"]
        # On a screen that asks for no envelope the label is just still in view: its read is ignored.
        with contextlib.suppress(InputNotAllowedError):
            if barcodes:
                envelope_inserted(barcodes[0])

    return found
