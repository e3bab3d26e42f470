"""Progress of a long replay (rebuild, audit chain) on one line of stderr; stdlib only, so light CLIs can import it."""

from __future__ import annotations

import sys
import time


class ProgressBar:
    """A one-line progress bar with events/s, on stderr."""

    def __init__(self, label: str, width: int = 30) -> None:
        self.label, self.width, self.started = label, width, time.perf_counter()
        self.first = 0

    def __call__(self, position: int, head: int) -> None:
        done = position / head if head else 1.0
        rate = (position - self.first) / max(time.perf_counter() - self.started, 1e-9)
        bar = "#" * int(done * self.width)
        sys.stderr.write(f"\r{self.label:<10} [{bar:<{self.width}}] {position}/{head} events  {rate:,.0f} events/s")
        sys.stderr.flush()

    def finish(self, count: int) -> None:
        elapsed = time.perf_counter() - self.started
        sys.stderr.write(
            f"\n{self.label}: {count} events in {elapsed:.1f}s ({count / max(elapsed, 1e-9):,.0f} events/s)\n"
        )
