"""Ports: the Protocols the application needs from the outside world."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol


class Clock(Protocol):
    """Tells the current time (timezone-aware)."""

    def now(self) -> datetime: ...


class Calendar(Protocol):
    """Working days for appointment dates (weekends and holidays skipped)."""

    def add_working_days(self, received: datetime, days: int) -> date: ...

    def working_days_between(self, start: date, end: date) -> int: ...
