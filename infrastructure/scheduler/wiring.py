"""Wires the scheduler to a System: ledger and leadership for the chosen store, bodies, APScheduler triggers."""

from __future__ import annotations

from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from domain.clock import VIETNAM
from infrastructure.fleet.process import alerter
from infrastructure.scheduler.actions import Actions, ReadModelQueries, StaffParties
from infrastructure.scheduler.jobs import CATALOGUE
from infrastructure.scheduler.leader import AlwaysLeader, Leadership, PostgresLeader
from infrastructure.scheduler.ledger import Ledger, PostgresLedger, SqliteLedger
from infrastructure.scheduler.runner import Scheduler
from infrastructure.settings import Settings
from projections.reports import ReportsView

SQLITE_LEDGER = "scheduler.sqlite3"


def ledger_and_leader(settings: Settings) -> tuple[Ledger, Leadership]:
    """PostgreSQL: a table in the event store's schema and an advisory lock; SQLite: a file, always leader."""
    if settings.store == "postgres":
        return scheduler_ledger(settings), PostgresLeader(
            settings.postgres_conninfo(), settings.postgres.schema or "public"
        )
    return scheduler_ledger(settings), AlwaysLeader()


def scheduler_ledger(settings: Settings) -> Ledger:
    """The runs ledger of the chosen store (read by /metrics in the API processes too)."""
    if settings.store == "postgres":
        return PostgresLedger(settings.postgres_conninfo(), settings.postgres.schema or "public")
    return SqliteLedger(settings.data_dir / SQLITE_LEDGER)


def build_scheduler(system: Any) -> Scheduler:
    """The scheduler acting through the System's applications and read models."""
    reports = ReportsView(system.views.store, {d.code: d.name for d in system.catalogue.departments})
    actions = Actions(
        queries=ReadModelQueries(system.views),
        calendar=system.calendar,
        kiosks=system.kiosks,
        reports=reports,
        parties=StaffParties.from_settings(system.settings.scheduler),
        routines=system.routines,
        follow=system.policies.follow,
        alert=alerter(system.notifications.notifier, system.settings.fleet.alert_to),
        alert_to=system.settings.fleet.alert_to,
    )
    ledger, leader = ledger_and_leader(system.settings)
    bodies = {job.action: actions.body(job.action) for job in CATALOGUE}
    return Scheduler(bodies=bodies, ledger=ledger, leader=leader, calendar=system.calendar, clock=system.clock)


def triggers(scheduler: Scheduler, *, blocking: bool, poll: int) -> BaseScheduler:
    """An APScheduler with one cron trigger per job (Asia/Ho_Chi_Minh) and the leadership/catch-up heartbeat."""
    timer: BaseScheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=VIETNAM)
    for job in scheduler.jobs:
        timer.add_job(
            scheduler.tick,
            CronTrigger(timezone=VIETNAM, **job.cron()),
            kwargs={"only": [job.name]},
            id=job.name,
            name=job.name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )
    # The heartbeat: a follower tries for the lock; a new leader catches up; a leader notices a lost lock.
    timer.add_job(
        scheduler.tick, "interval", seconds=poll, id="leadership", name="leadership", coalesce=True, max_instances=1
    )
    return timer
