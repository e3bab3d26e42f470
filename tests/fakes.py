"""Fakes for the ports, for tests that do not exercise the real adapters."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = datetime(2026, 5, 20, 1, 30, tzinfo=timezone.utc)) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


class WeekdayCalendar:
    """Monday to Friday are working days; no holidays."""

    def add_working_days(self, received: datetime, days: int) -> date:
        day = received.astimezone(VIETNAM).date()
        while days > 0 or day.weekday() >= 5:
            day += timedelta(days=1)
            if day.weekday() < 5:
                days -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += day.weekday() < 5
        return count
