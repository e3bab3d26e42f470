"""The scheduler's job catalogue as data, and pure computations of which runs are due.

A run is one job at one scheduled local time; its id `"<job>:<local ISO datetime>"` is deterministic, so a
repeated or caught-up run is recognised by the ledger and changes nothing. Times are Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

from domain.calendar import CalendarNotLoadedError
from domain.clock import VIETNAM

SATURDAY = 5
DAILY, WEEKLY, MONTHLY, QUARTERLY = "daily", "weekly", "monthly", "quarterly"
QUARTER_MONTHS = (1, 4, 7, 10)


class WorkingDays(Protocol):
    def is_working_day(self, d: date) -> bool: ...


@dataclass(frozen=True)
class Job:
    """One scheduled routine: what it does, at what local time, on which days, and how late it may still run."""

    name: str
    action: str
    at: time
    every: str = DAILY
    working_days_only: bool = True
    catch_up_within: timedelta = timedelta(days=1)

    def cron(self) -> dict[str, str | int]:
        """The APScheduler CronTrigger fields (local time); the working-day filter is applied when the job fires."""
        fields: dict[str, str | int] = {"hour": self.at.hour, "minute": self.at.minute}
        if self.every == WEEKLY:
            fields["day_of_week"] = "mon"
        elif self.every in (MONTHLY, QUARTERLY):
            fields["day"] = 1
        if self.every == QUARTERLY:
            fields["month"] = ",".join(map(str, QUARTER_MONTHS))
        return fields


@dataclass(frozen=True, order=True)
class Run:
    """One job at one scheduled local time."""

    scheduled_for: datetime
    job: str

    @property
    def run_id(self) -> str:
        return run_id(self.job, self.scheduled_for)


CATALOGUE: tuple[Job, ...] = (
    Job("overdue_sweep", "overdue_sweep", time(7, 30)),
    Job("due_soon_alerts", "due_soon_alerts", time(7, 45)),
    Job("routines_of_the_day", "schedule_routines", time(6, 45), catch_up_within=timedelta(hours=9)),
    Job("pickup_reminders", "pickup_reminders", time(9, 0), catch_up_within=timedelta(hours=8)),
    Job("collection_morning", "collection_reminder", time(8, 0), catch_up_within=timedelta(hours=4)),
    Job("collection_morning_late", "late_routines", time(8, 30), catch_up_within=timedelta(hours=4)),
    Job("collection_afternoon", "collection_reminder", time(14, 0), catch_up_within=timedelta(hours=2)),
    Job("collection_afternoon_late", "late_routines", time(14, 30), catch_up_within=timedelta(hours=2)),
    Job("loading_round", "loading_reminder", time(16, 0), catch_up_within=timedelta(hours=2)),
    Job("loading_round_late", "late_routines", time(16, 30), catch_up_within=timedelta(hours=2)),
    Job("weekly_report", "report:week", time(6, 0), WEEKLY, False, timedelta(days=7)),
    Job("monthly_report", "report:month", time(6, 15), MONTHLY, False, timedelta(days=28)),
    Job("quarterly_report", "report:quarter", time(6, 30), QUARTERLY, False, timedelta(days=90)),
)


def run_id(job: str, scheduled_for: datetime) -> str:
    """`collection_morning:2026-05-20T08:00:00+07:00`: the same job and time always give the same id."""
    return f"{job}:{scheduled_for.astimezone(VIETNAM).isoformat()}"


def runs_on(job: Job, day: date, calendar: WorkingDays) -> bool:
    """Whether `job` is scheduled on the local date `day`."""
    if job.every == WEEKLY and day.weekday() != 0:
        return False
    if job.every in (MONTHLY, QUARTERLY) and day.day != 1:
        return False
    if job.every == QUARTERLY and day.month not in QUARTER_MONTHS:
        return False
    return not job.working_days_only or is_working_day(calendar, day)


def is_working_day(calendar: WorkingDays, day: date) -> bool:
    """The calendar's answer; for a year without calendar data, Monday to Friday (a reminder too many beats none)."""
    try:
        return calendar.is_working_day(day)
    except CalendarNotLoadedError:
        return day.weekday() < SATURDAY


def scheduled_between(job: Job, after: datetime, until: datetime, calendar: WorkingDays) -> Iterator[datetime]:
    """Scheduled local times of `job` in the half-open interval (after, until], ascending."""
    day, last = after.astimezone(VIETNAM).date(), until.astimezone(VIETNAM).date()
    while day <= last:
        at = datetime.combine(day, job.at, VIETNAM)
        if after < at <= until and runs_on(job, day, calendar):
            yield at
        day += timedelta(days=1)


def due_run(job: Job, now: datetime, last: datetime | None, calendar: WorkingDays) -> Run | None:
    """The one run to do now: the latest scheduled time after the last recorded run and within the catch-up window.

    Older missed times are skipped on purpose: a routine missed several times while the scheduler was down is
    caught up once, for its latest time.
    """
    after = now - job.catch_up_within
    if last is not None and last > after:
        after = last
    latest = deque(scheduled_between(job, after, now, calendar), maxlen=1)
    return Run(latest[0], job.name) if latest else None


def due_runs(jobs: Sequence[Job], now: datetime, last: dict[str, datetime], calendar: WorkingDays) -> list[Run]:
    """For every job, its due run if any, in scheduled order (so a catch-up replays the day in order)."""
    runs = [due_run(job, now, last.get(job.name), calendar) for job in jobs]
    return sorted(run for run in runs if run is not None)


def job_named(name: str, jobs: Sequence[Job] = CATALOGUE) -> Job:
    """The catalogue entry of that name."""
    for job in jobs:
        if job.name == name:
            return job
    raise KeyError(f"no scheduled job {name!r}; jobs: {', '.join(j.name for j in jobs)}")
