"""Hands out dossier codes: one daily sequence per agency, never reused, safe across processes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from threading import Lock
from typing import Protocol

from domain.codes import MAX_DAILY_SEQUENCE, format_code


class SequenceExhaustedError(RuntimeError):
    """An agency used all 9999 codes of a day."""


class CodeSequences(Protocol):
    """Daily sequences every process shares (infrastructure/code_sequences.py)."""

    def next(self, agency: str, day: date, first_free: Callable[[], int]) -> int:
        """The agency's next number of `day`; `first_free()` seeds a sequence nobody has counted yet."""
        ...


class CodeAllocator:
    """Proposes the next free code; the event store's uniqueness is the real arbiter.

    Within a process the lock hands each thread its own number. Across processes a taken
    number shows up as a conflict on save and the caller asks again; with `shared` sequences
    (several API workers on PostgreSQL) processes never propose the same number. After a
    restart the first free number is found with an exponential then binary search over stored codes.
    """

    def __init__(self, taken: Callable[[str], bool], shared: CodeSequences | None = None) -> None:
        self._taken, self._shared = taken, shared
        self._next: dict[tuple[str, date], int] = {}
        self._lock = Lock()

    def propose(self, agency: str, day: date) -> str:
        """A code that was free a moment ago."""
        if self._shared is not None:
            sequence = self._shared.next(agency, day, lambda: self._first_free(agency, day))
            if sequence > MAX_DAILY_SEQUENCE:
                raise SequenceExhaustedError(f"{agency} has used every code of {day}")
            return format_code(agency, day, sequence)
        with self._lock:
            key = (agency, day)
            sequence = self._next.get(key) or self._first_free(agency, day)
            if sequence > MAX_DAILY_SEQUENCE:
                raise SequenceExhaustedError(f"{agency} has used every code of {day}")
            self._next[key] = sequence + 1
            return format_code(agency, day, sequence)

    def _first_free(self, agency: str, day: date) -> int:
        def taken(n: int) -> bool:
            return n <= MAX_DAILY_SEQUENCE and self._taken(format_code(agency, day, n))

        low, high = 0, 1  # low is taken (or 0), high is the probe
        while taken(high):
            low, high = high, high * 2
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if taken(middle) else (low, middle)
        return high
