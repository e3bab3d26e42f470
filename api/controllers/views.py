"""Read-model endpoints: officer queues, the tray grid, the overdue list, lag, and waiting for one's own writes."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery, QueryParameter

from api.access import read_purpose
from api.auth import ANALYSTS, READERS, STAFF, authorize, current_principal, rules, scoped
from api.routing import get
from application.personal_reads import PersonalReads
from application.ports import ReadSide
from application.tokens import Principal
from domain.clock import VIETNAM
from infrastructure.bootstrap import System
from infrastructure.readstore.runner import Lag
from projections.queries import OverdueList, QueuePage, TrayRow, UnknownQueueError

After = Annotated[
    int | None,
    QueryParameter(
        ge=0,
        description="Wait until the read model has processed this log position (the `position` of a command's answer).",
    ),
]


class CaughtUp(msgspec.Struct):
    name: str
    position: int
    caught_up: bool


class NotCaughtUpError(HTTPException):
    """The read model is still behind the requested position."""

    status_code = 503


def wait_or_503(read_side: ReadSide, name: str | None, position: int | None, timeout: float = 5.0) -> None:
    """Block until caught up, or answer 503 with Retry-After; a position past the log's end is the caller's error."""
    if position is None:
        return
    head = read_side.head()
    if position > head:
        raise HTTPException(status_code=400, detail=f"position {position} is beyond the end of the event log ({head})")
    if not read_side.wait_for(position, name, timeout):
        raise NotCaughtUpError(
            detail=f"read model {name or 'all'} has not reached position {position} yet", headers={"Retry-After": "1"}
        )


class ViewsController(Controller):
    """Danh sách, hàng đợi — read models."""

    path = "/views"
    tags = ["read models"]
    guards = [authorize]
    dependencies = {
        "principal": Provide(current_principal, sync_to_thread=False),
        "purpose": Provide(read_purpose, sync_to_thread=False),
    }

    @get("/queues", sync_to_thread=True, summary="Số hồ sơ theo hàng đợi / Queue counts", opt=rules(READERS, "agency"))
    def counts(
        self,
        system: NamedDependency[System],
        read_side: NamedDependency[ReadSide],
        principal: NamedDependency[Principal],
        agency: FromQuery[str | None] = None,
        department: FromQuery[str | None] = None,
        after: After = None,
    ) -> dict[str, int]:
        """How many dossiers each officer queue holds, for an agency or department."""
        wait_or_503(read_side, "dossiers", after)
        return system.views.queue_counts(scoped(principal, {"agency": agency, "department": department}))

    @get(
        "/queues/{queue:str}",
        sync_to_thread=True,
        summary="Hàng đợi hồ sơ / Officer queue",
        opt=rules(READERS, "agency"),
    )
    def queue(
        self,
        queue: FromPath[str],
        system: NamedDependency[System],
        read_side: NamedDependency[ReadSide],
        principal: NamedDependency[Principal],
        agency: FromQuery[str | None] = None,
        department: FromQuery[str | None] = None,
        procedure: FromQuery[str | None] = None,
        channel: FromQuery[str | None] = None,
        overdue: FromQuery[bool | None] = None,
        page: Annotated[int, QueryParameter(ge=1, le=100000)] = 1,
        page_size: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        order: Annotated[str, QueryParameter(pattern="^-?(due_on|received_at)$")] = "due_on",
        after: After = None,
    ) -> QueuePage:
        """A page of a queue: new online, kiosk bin, to accept, to route, in processing, supplement pending,
        results to sign, results to load, ready for pickup — sorted by due date, with days left and overdue flag."""
        wait_or_503(read_side, "dossiers", after)
        today = system.clock.now().astimezone(VIETNAM).date()
        filters = scoped(
            principal, {"agency": agency, "department": department, "procedure_code": procedure, "channel": channel}
        )
        try:
            return system.views.queue(
                queue, today=today, filters=filters, overdue=overdue, page=page, page_size=page_size, order=order
            )
        except UnknownQueueError as error:
            raise HTTPException(status_code=404, detail=str(error)) from None

    @get(
        "/kiosks/{key:str}/trays",
        sync_to_thread=True,
        summary="Lưới khay / Tray grid",
        opt=rules(STAFF | READERS, "kiosk"),
    )
    def trays(
        self,
        key: FromPath[str],
        system: NamedDependency[System],
        read_side: NamedDependency[ReadSide],
        after: After = None,
    ) -> list[TrayRow]:
        """The kiosk's trays with what each holds."""
        wait_or_503(read_side, "trays", after)
        return system.views.trays(key)

    @get(
        "/kiosks/{key:str}/overdue",
        sync_to_thread=True,
        summary="Khay quá hạn / Overdue trays",
        opt=rules(STAFF | READERS, "kiosk"),
    )
    def overdue(
        self,
        key: FromPath[str],
        system: NamedDependency[System],
        reads: NamedDependency[PersonalReads],
        purpose: NamedDependency[str | None],
        principal: NamedDependency[Principal],
        read_side: NamedDependency[ReadSide],
        after: After = None,
    ) -> OverdueList:
        """Results not collected within the limit after the SMS, with masked name and phone and the suggested action
        (masked, yet enough to call the person: each applicant's access log records the read)."""
        wait_or_503(read_side, None, after)
        today = system.clock.now().astimezone(VIETNAM).date()
        overdue = system.views.overdue(key, today=today, limit_days=system.settings.overdue_days)
        reads.applicants_shown(
            [item.dossier_code for item in overdue.items],
            what="xem danh sách kết quả quá hạn",
            actor=principal.actor,
            purpose=purpose or "xử lý kết quả quá hạn",
        )
        return overdue

    @get("/lag", sync_to_thread=True, summary="Độ trễ / Read-model lag", opt=rules(ANALYSTS | STAFF, "global"))
    def lag(self, read_side: NamedDependency[ReadSide]) -> list[Lag]:
        """Events and seconds each read model is behind the event log."""
        return list(read_side.lag())

    @get(
        "/{name:str}/wait",
        sync_to_thread=True,
        summary="Chờ cập nhật / Wait for a position",
        opt=rules(ANALYSTS | STAFF, "global"),
    )
    def wait(
        self,
        name: FromPath[str],
        read_side: NamedDependency[ReadSide],
        position: Annotated[int, QueryParameter(ge=0)],
        timeout: Annotated[float, QueryParameter(gt=0, le=30)] = 5.0,
    ) -> CaughtUp:
        """Read-your-writes: returns once the named read model has processed `position` (503 if not within timeout)."""
        models = read_side.model_names()
        if name not in models:
            raise HTTPException(
                status_code=404, detail=f"unknown read model {name!r}; read models: {', '.join(models)}"
            )
        wait_or_503(read_side, name, position, timeout)
        return CaughtUp(name=name, position=read_side.position(name), caught_up=True)
