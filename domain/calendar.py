"""Working-day calendar (lịch ngày làm việc): appointment dates and working-day counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Annotated

import msgspec

from domain.clock import VIETNAM, aware

OFFICE_CLOSES = time(17, 0)
SATURDAY = 5

NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]


class CalendarNotLoadedError(LookupError):
    """No calendar data is loaded for a year; never guess its holidays."""

    def __init__(self, year: int) -> None:
        super().__init__(f"no working-day calendar loaded for year {year}")
        self.year = year


class NamedDay(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One dated entry of a year's calendar, with its Vietnamese name."""

    date: dt.date
    name: NonEmpty


class CalendarYear(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One year's holidays (ngày lễ, Tết), days off (ngày nghỉ bù) and working weekend days (ngày làm bù)."""

    year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]
    holidays: tuple[NamedDay, ...]
    days_off: tuple[NamedDay, ...] = ()
    working_weekend_days: tuple[NamedDay, ...] = ()

    def __post_init__(self) -> None:
        seen: set[date] = set()
        for kind, entries in self._kinds():
            for entry in entries:
                if entry.date.year != self.year:
                    raise ValueError(f"{kind} {entry.date} is outside year {self.year}")
                if entry.date in seen:
                    raise ValueError(f"{entry.date} is listed more than once in year {self.year}")
                seen.add(entry.date)
        for entry in self.days_off:
            if entry.date.weekday() >= SATURDAY:
                raise ValueError(f"day off {entry.date} falls on a weekend, only a weekday can be given off")
        for entry in self.working_weekend_days:
            if entry.date.weekday() < SATURDAY:
                raise ValueError(f"working weekend day {entry.date} is not a Saturday or Sunday")

    def _kinds(self) -> tuple[tuple[str, tuple[NamedDay, ...]], ...]:
        return (
            ("holiday", self.holidays),
            ("day off", self.days_off),
            ("working weekend day", self.working_weekend_days),
        )


def business_date(at: datetime) -> date:
    """The calendar date of `at` in Asia/Ho_Chi_Minh; a naive datetime is refused."""
    return aware(at).astimezone(VIETNAM).date()


class WorkingCalendar:
    """Immutable working-day calendar over the years it was built from."""

    __slots__ = ("_years", "_closed", "_open_weekend_days", "_office_closes", "_rank")
    _years: frozenset[int]
    _closed: frozenset[date]
    _open_weekend_days: frozenset[date]
    _office_closes: time
    _rank: dict[date, int]

    def __init__(self, years: Iterable[CalendarYear], office_closes: time = OFFICE_CLOSES) -> None:
        by_year: dict[int, CalendarYear] = {}
        for year in years:
            if year.year in by_year:
                raise ValueError(f"calendar year {year.year} given more than once")
            by_year[year.year] = year
        every = by_year.values()
        closed = {entry.date for year in every for entry in (*year.holidays, *year.days_off)}
        open_weekend = {entry.date for year in every for entry in year.working_weekend_days}
        object.__setattr__(self, "_years", frozenset(by_year))
        object.__setattr__(self, "_closed", frozenset(closed))
        object.__setattr__(self, "_open_weekend_days", frozenset(open_weekend))
        object.__setattr__(self, "_office_closes", office_closes)
        object.__setattr__(self, "_rank", self._ranks())

    def _ranks(self) -> dict[date, int]:
        """Working days up to and including each covered date, so that counting between dates is one subtraction."""
        rank, count = {}, 0
        for year in sorted(self._years):
            d = date(year, 1, 1)
            while d.year == year:
                count += self.is_working_day(d)
                rank[d] = count
                d += timedelta(days=1)
        return rank

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("WorkingCalendar is immutable")

    def __repr__(self) -> str:
        return f"WorkingCalendar(years={self.years})"

    @property
    def years(self) -> tuple[int, ...]:
        """The years this calendar has data for, ascending."""
        return tuple(sorted(self._years))

    def covers(self, d: date) -> bool:
        """Whether the year of `d` has calendar data."""
        return d.year in self._years

    def is_working_day(self, d: date) -> bool:
        """Mon–Fri unless a holiday or day off; a listed working Saturday/Sunday also counts."""
        if not self.covers(d):
            raise CalendarNotLoadedError(d.year)
        if d in self._open_weekend_days:
            return True
        return d.weekday() < SATURDAY and d not in self._closed

    def first_working_day_from(self, d: date) -> date:
        """`d` itself if it is a working day, else the next working day after it."""
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def receipt_day(self, received: datetime) -> date:
        """The working day a receipt counts from (ngày tiếp nhận).

        Take the Asia/Ho_Chi_Minh date of `received`. On a working day before the
        office closes (default 17:00) that date is the receipt day. At or after closing
        time, or on a non-working day, the receipt day is the first working day after it.
        """
        day = business_date(received)
        local_time = received.astimezone(VIETNAM).time()
        if self.is_working_day(day) and local_time < self._office_closes:
            return day
        return self.first_working_day_from(day + timedelta(days=1))

    def add_working_days(self, received: datetime, days: int) -> date:
        """The appointment date (ngày hẹn trả): `days` working days after the receipt day.

        Counting starts on the working day after the receipt day (see `receipt_day`),
        so a dossier received on Friday within office hours with `days=1` is due on
        the next working Monday, and one received on Sunday with `days=1` is due on
        the Tuesday after it (Monday is its receipt day). `days=0` gives the receipt
        day itself: the same working day, or the next working day when received on a
        non-working day or after closing time. Naive datetimes raise ValueError.
        """
        if days < 0:
            raise ValueError(f"days must be zero or more, got {days}")
        due = self.receipt_day(received)
        for _ in range(days):
            due = self.first_working_day_from(due + timedelta(days=1))
        return due

    def working_days_between(self, start: date, end: date) -> int:
        """Working days strictly after `start` up to and including `end`; 0 if end <= start."""
        if end <= start:
            return 0
        for d in (start + timedelta(days=1), end):
            if d not in self._rank:
                raise CalendarNotLoadedError(d.year)
        # Years are loaded whole but may not be contiguous: count through any gap day by day to raise there.
        if end.year - start.year > 1 and any(y not in self._years for y in range(start.year, end.year + 1)):
            raise CalendarNotLoadedError(next(y for y in range(start.year, end.year + 1) if y not in self._years))
        return self._rank[end] - self._rank[start + timedelta(days=1)] + self.is_working_day(start + timedelta(days=1))
