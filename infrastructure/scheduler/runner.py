"""The scheduler's core, independent of any timer: `tick(now)` runs what is due, if this process leads.

APScheduler (see `__main__`) only decides *when* to call `tick`; which runs are due is a pure computation
(`jobs.due_runs`) from the ledger's last recorded runs, so a normal run and a catch-up after downtime are the
same code path, and tests drive `tick` with a fake clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from application.ports import Clock
from infrastructure.scheduler.jobs import CATALOGUE, Job, Run, WorkingDays, due_runs
from infrastructure.scheduler.leader import Leadership
from infrastructure.scheduler.ledger import Ledger

log = logging.getLogger(__name__)
Body = Callable[[Run, datetime], str]


@dataclass(frozen=True)
class Outcome:
    """What one tick did with one due run."""

    run_id: str
    outcome: str | None  # "done", "failed", or None when another process had already recorded it


@dataclass
class Scheduler:
    """Runs due jobs through the ledger, only while holding leadership."""

    bodies: Mapping[str, Body]
    ledger: Ledger
    leader: Leadership
    calendar: WorkingDays
    clock: Clock
    jobs: Sequence[Job] = CATALOGUE
    was_leading: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        missing = [job.action for job in self.jobs if job.action not in self.bodies]
        if missing:
            raise ValueError(f"no body for scheduled actions: {', '.join(missing)}")

    def tick(self, now: datetime | None = None, only: Sequence[str] | None = None) -> list[Outcome]:
        """Run every due job (or the named ones) once; a follower does nothing."""
        now = now or self.clock.now()
        if not self._lead():
            return []
        jobs = [job for job in self.jobs if only is None or job.name in only]
        outcomes = []
        for run in due_runs(jobs, now, self.ledger.last_scheduled(), self.calendar):
            if not self.leader.try_lead():  # lost the lock mid-tick: the new leader takes over from here
                self.was_leading = False
                break
            outcomes.append(self._run(run))
        return outcomes

    def _lead(self) -> bool:
        leading = self.leader.try_lead()
        if leading != self.was_leading:
            log.info("scheduler is now %s", "leader: catching up missed runs" if leading else "a follower")
        self.was_leading = leading
        return leading

    def _run(self, run: Run) -> Outcome:
        action = next(job.action for job in self.jobs if job.name == run.job)
        body = self.bodies[action]
        outcome = self.ledger.record(run, lambda: body(run, self.clock.now()), self.clock.now)
        if outcome is None:
            log.info("run %s was already recorded; nothing to do", run.run_id)
        else:
            log.log(logging.INFO if outcome == "done" else logging.ERROR, "run %s: %s", run.run_id, outcome)
        return Outcome(run.run_id, outcome)

    def stop(self) -> None:
        """Give up leadership and release the ledger."""
        self.leader.resign()
        self.ledger.close()
