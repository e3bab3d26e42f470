"""Working-day calendar: appointment dates, day counts and the yearly data files."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import CalendarNotLoadedError, CalendarYear, NamedDay, WorkingCalendar, business_date
from infrastructure.calendar import CalendarFileError, load_calendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = load_calendar()


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=VN)


def due(day: str, days: int, clock: str = "10:00") -> date:
    return CALENDAR.add_working_days(at(day, clock), days)


def test_ships_calendars_for_2025_to_2027():
    assert CALENDAR.years == (2025, 2026, 2027)


def test_one_working_day_from_friday_is_the_next_monday():
    assert due("2026-03-06", 1) == date(2026, 3, 9)


def test_weekends_are_skipped():
    assert due("2026-03-05", 2) == date(2026, 3, 9)
    assert not CALENDAR.is_working_day(date(2026, 3, 7))
    assert not CALENDAR.is_working_day(date(2026, 3, 8))


def test_appointment_skips_the_whole_tet_2026_break():
    assert due("2026-02-13", 3) == date(2026, 2, 25)
    assert CALENDAR.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1


def test_appointment_skips_the_tet_2027_break():
    assert due("2027-02-03", 1) == date(2027, 2, 11)
    assert due("2027-02-03", 3) == date(2027, 2, 15)


def test_appointment_skips_tet_2025():
    assert due("2025-01-24", 1) == date(2025, 2, 3)


def test_appointment_skips_hung_kings_day_off_in_lieu_and_30_4_and_1_5_in_2026():
    assert not CALENDAR.is_working_day(date(2026, 4, 26))
    assert not CALENDAR.is_working_day(date(2026, 4, 27))
    assert due("2026-04-24", 3) == date(2026, 5, 4)


def test_appointment_skips_hung_kings_day_in_2025():
    assert due("2025-04-03", 2) == date(2025, 4, 8)


def test_swapped_working_saturday_counts_as_a_working_day():
    assert CALENDAR.is_working_day(date(2025, 4, 26))
    assert due("2025-04-25", 1) == date(2025, 4, 26)
    assert due("2025-04-25", 4) == date(2025, 5, 5)


def test_swapped_weekday_is_a_day_off_and_its_saturday_is_worked():
    assert not CALENDAR.is_working_day(date(2026, 1, 2))
    assert CALENDAR.is_working_day(date(2026, 1, 10))
    assert due("2025-12-31", 1) == date(2026, 1, 5)


def test_national_day_2026_break_runs_from_monday_31_august_to_2_september():
    assert CALENDAR.is_working_day(date(2026, 8, 22))
    assert due("2026-08-28", 1) == date(2026, 9, 3)


def test_receipt_on_a_sunday_counts_from_monday():
    assert due("2026-03-08", 0) == date(2026, 3, 9)
    assert due("2026-03-08", 1) == date(2026, 3, 10)


def test_receipt_after_closing_time_counts_from_the_next_working_day():
    assert due("2026-03-09", 0, "17:30") == date(2026, 3, 10)
    assert due("2026-03-09", 1, "17:30") == date(2026, 3, 11)
    assert due("2026-03-06", 1, "20:00") == date(2026, 3, 10)


def test_zero_days_on_a_working_day_is_the_same_day_even_before_opening():
    assert due("2026-03-09", 0) == date(2026, 3, 9)
    assert due("2026-03-09", 0, "06:00") == date(2026, 3, 9)


def test_utc_evening_is_the_next_day_in_vietnam():
    received = datetime(2026, 3, 5, 23, 30, tzinfo=UTC)
    assert business_date(received) == date(2026, 3, 6)
    assert CALENDAR.add_working_days(received, 1) == date(2026, 3, 9)


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        CALENDAR.add_working_days(datetime(2026, 3, 5, 10, 0), 1)


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="zero or more"):
        due("2026-03-05", -1)


def test_working_days_between_is_zero_when_end_is_not_after_start():
    assert CALENDAR.working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0
    assert CALENDAR.working_days_between(date(2026, 3, 9), date(2026, 3, 2)) == 0


def test_working_days_between_counts_after_start_up_to_and_including_end():
    assert CALENDAR.working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1
    assert CALENDAR.working_days_between(date(2025, 12, 31), date(2026, 1, 5)) == 1
    assert CALENDAR.working_days_between(date(2026, 3, 2), date(2026, 3, 13)) == 9


def test_unknown_year_raises_calendar_not_loaded():
    assert not CALENDAR.covers(date(2028, 1, 3))
    with pytest.raises(CalendarNotLoadedError) as raised:
        CALENDAR.is_working_day(date(2028, 1, 3))
    assert raised.value.year == 2028
    with pytest.raises(CalendarNotLoadedError):
        due("2027-12-30", 5)
    with pytest.raises(CalendarNotLoadedError):
        CALENDAR.working_days_between(date(2024, 12, 30), date(2025, 1, 3))


def test_calendar_is_immutable_and_refuses_a_year_twice():
    with pytest.raises(AttributeError):
        CALENDAR._closed = frozenset()  # type: ignore[misc]
    year = CalendarYear(year=2026, holidays=())
    with pytest.raises(ValueError, match="more than once"):
        WorkingCalendar([year, year])


@pytest.mark.parametrize(
    ("year", "kind", "day", "message"),
    [
        (2026, "holidays", date(2025, 12, 31), "outside year"),
        (2026, "days_off", date(2026, 3, 7), "weekend"),
        (2026, "working_weekend_days", date(2026, 3, 9), "not a Saturday or Sunday"),
    ],
)
def test_year_rejects_misplaced_days(year, kind, day, message):
    with pytest.raises(ValueError, match=message):
        CalendarYear(year=year, **{"holidays": (), kind: (NamedDay(day, "x"),)})


def test_year_rejects_a_date_listed_as_holiday_and_day_off():
    entry = NamedDay(date(2026, 3, 9), "x")
    with pytest.raises(ValueError, match="more than once"):
        CalendarYear(year=2026, holidays=(entry,), days_off=(entry,))


# Data files.

GOOD = 'year = 2026\n[[holidays]]\ndate = 2026-01-01\nname = "Tết Dương lịch"\n'


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_a_directory_of_year_files(tmp_path):
    write(tmp_path, "2026.toml", GOOD)
    calendar = load_calendar(tmp_path)
    assert calendar.years == (2026,)
    assert not calendar.is_working_day(date(2026, 1, 1))


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("2026.toml", "year = 2026\n[[holidays]\n", "not valid TOML"),
        ("2026.toml", GOOD.replace("date = 2026-01-01", "date = 2025-01-01"), "outside year"),
        ("2026.toml", GOOD + '[[holidays]]\ndate = 2026-01-01\nname = "x"\n', "more than once"),
        ("2026.toml", GOOD + '[[working_weekend_days]]\ndate = 2026-01-05\nname = "x"\n', "Saturday"),
        ("2026.toml", GOOD + "colour = 1\n", "colour"),
        ("2026.toml", GOOD.replace('name = "Tết Dương lịch"', 'name = ""'), "name"),
        ("2025.toml", GOOD, "declares year 2026"),
        ("holidays.toml", GOOD, "must be named"),
    ],
)
def test_bad_data_file_raises_calendar_file_error_naming_the_file(tmp_path, name, text, message):
    write(tmp_path, name, text)
    with pytest.raises(CalendarFileError, match=message) as raised:
        load_calendar(tmp_path)
    assert name in str(raised.value)


def test_missing_or_empty_directory_raises_calendar_file_error(tmp_path):
    with pytest.raises(CalendarFileError, match="not found"):
        load_calendar(tmp_path / "absent")
    with pytest.raises(CalendarFileError, match="no <year>.toml"):
        load_calendar(tmp_path)


# Properties.

receipt_days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 9, 30))
working_receipt_days = receipt_days.filter(CALENDAR.is_working_day)
clocks = st.times()
office_clocks = st.times(max_value=time(16, 59, 59))
counts = st.integers(min_value=0, max_value=40)


@given(receipt_days, clocks, counts)
def test_appointment_is_always_a_working_day(day, clock, n):
    assert CALENDAR.is_working_day(CALENDAR.add_working_days(datetime.combine(day, clock, VN), n))


@given(receipt_days, clocks, counts, st.integers(min_value=1, max_value=20))
def test_more_days_never_give_an_earlier_date(day, clock, n, more):
    received = datetime.combine(day, clock, VN)
    assert CALENDAR.add_working_days(received, n) < CALENDAR.add_working_days(received, n + more)


@given(working_receipt_days, office_clocks, counts)
def test_working_days_between_receipt_and_appointment_equals_the_days_added(day, clock, n):
    appointment = CALENDAR.add_working_days(datetime.combine(day, clock, VN), n)
    assert CALENDAR.working_days_between(day, appointment) == n


@given(st.datetimes(min_value=datetime(2025, 1, 2), max_value=datetime(2027, 9, 30)), counts)
def test_the_same_instant_gives_the_same_date_in_any_time_zone(instant, n):
    in_utc = instant.replace(tzinfo=UTC)
    elsewhere = in_utc.astimezone(ZoneInfo("America/New_York"))
    assert CALENDAR.add_working_days(in_utc, n) == CALENDAR.add_working_days(elsewhere, n)


@given(st.integers(min_value=2000, max_value=2100), st.dates())
def test_year_rejects_dates_outside_it(year, day):
    entry = NamedDay(day, "x")
    if day.year == year:
        assert CalendarYear(year=year, holidays=(entry,)).holidays == (entry,)
    else:
        with pytest.raises(ValueError, match="outside year"):
            CalendarYear(year=year, holidays=(entry,))


@given(st.lists(st.dates(date(2026, 1, 1), date(2026, 12, 31)), min_size=1, max_size=20))
def test_year_rejects_duplicate_dates(days):
    holidays = tuple(NamedDay(d, "x") for d in [*days, days[0]])
    with pytest.raises(ValueError, match="more than once"):
        CalendarYear(year=2026, holidays=holidays)
