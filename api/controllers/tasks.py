"""The day's tasks of the kiosk team (việc trong ngày): routines per kiosk with their status, and the follow-ups of
results pulled back from trays still to be contacted (their outcome: `POST /counter/dossiers/{code}/contacts`)."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated

from litestar import Controller
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from api.auth import ADMINS, CREW, PULL_BACK, authorize, current_principal, in_scope, rules, within_agency
from api.routing import get
from application.tokens import Principal
from domain.clock import VIETNAM
from domain.values import Role
from infrastructure.bootstrap import System
from projections.tasks import FollowUpTask, RoutineTask, day_tasks, open_follow_ups

TASK_READERS = CREW | ADMINS | {Role.AUDITOR}
FOLLOW_UP_READERS = PULL_BACK | {Role.AUDITOR}


class TasksController(Controller):
    """`/views/tasks`: read from the `tasks` read model, narrowed to the caller's agency."""

    path = "/views/tasks"
    guards = [authorize]
    dependencies = {"principal": Provide(current_principal, sync_to_thread=False)}

    @get(
        "/routines",
        sync_to_thread=True,
        summary="Việc trong ngày / The day's routines",
        opt=rules(TASK_READERS, "agency"),
    )
    def routines(
        self,
        system: NamedDependency[System],
        principal: NamedDependency[Principal],
        day: Annotated[date | None, QueryParameter(name="date")] = None,
    ) -> list[RoutineTask]:
        """The 08:00 and 14:00 collections and the 16:00 loading of each kiosk of the caller's agency on `date`
        (default today): pending, done (when, by whom) or late (30 minutes after its time)."""
        now = system.clock.now()
        wanted = day or now.astimezone(VIETNAM).date()
        return day_tasks(system.projector.store, wanted, now, partial(within_agency, principal))

    @get(
        "/follow-ups",
        sync_to_thread=True,
        summary="Liên hệ công dân / Open follow-ups",
        opt=rules(FOLLOW_UP_READERS, "agency"),
    )
    def follow_ups(self, system: NamedDependency[System], principal: NamedDependency[Principal]) -> list[FollowUpTask]:
        """Results pulled back from trays whose citizen has not been contacted yet, oldest first (dossiers in the
        caller's scope)."""
        return open_follow_ups(system.projector.store, partial(in_scope, system, principal))
