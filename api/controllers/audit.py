"""Auditors' endpoints (issue [8]): the history of a dossier, kiosk, tray or vault, and any of them or a read model as
it stood at a past instant of business time. Read-only: nothing here records an event or touches the live tables."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from html import escape
from typing import Annotated, Any

import msgspec
from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter

from api.auth import AccessDeniedError, authorize, check_within, current_principal, rules, scoped, within_agency
from application.history import KINDS, AuditHistory, History, StateAsOf, target
from application.kiosk_views import local
from application.tokens import Principal
from domain.clock import VIETNAM
from domain.errors import InvalidValueError
from domain.values import Role
from infrastructure.bootstrap import System
from projections.queries import Views
from infrastructure.readstore.time_travel import Snapshot, positions_of, replay_as_of
from projections.book_queries import cash_box

AUDIT = frozenset({Role.AUDITOR})
DOSSIER_HISTORY = frozenset({Role.AUDITOR, Role.RECEPTION_OFFICER})
VIEWS = {"trays": ("trays",), "cash-box": ("cash_ledger",), "overdue": ("trays", "dossiers"), "queues": ("dossiers",)}
At = Annotated[str, QueryParameter(description="RFC 3339 instant with its offset, e.g. 2026-05-20T16:05:00+07:00 "
                                               "(business time; encode '+' as %2B)")]
Format = Annotated[str, QueryParameter(name="format", description="json, or html for a printable Vietnamese page")]
KioskKey = Annotated[str | None, QueryParameter(description="Kiosk key, e.g. Q6-01 (all read models but queues)")]


class ViewAsOf(msgspec.Struct, frozen=True):
    """A read model's answer as it would have been at `at`: the live view's shape, from a replay up to `position`."""

    model: str
    at: datetime
    kiosk: str | None
    position: int
    events_applied: int
    data: Any


def history_service(system: System) -> History:
    """The auditors' reader over the shared event store."""
    return History(system.dossiers, clock=system.clock, positions=partial(positions_of, system.dossiers.recorder))


def check_scope(system: System, history: History, principal: Principal, kind: str, key: str) -> None:
    """Reception officers read dossier histories only; everyone reads only their own agency's dossiers and kiosks."""
    target(kind, key)
    if kind == "dossier":
        check_within(principal, *system.dossiers.scope_of(key))
        return
    if principal.role is not Role.AUDITOR:
        raise AccessDeniedError(f"role {principal.role.value} may read dossier histories only",
                                "vai trò của bạn chỉ được xem lịch sử hồ sơ.")
    agency = history.agency_of(kind, key)
    if agency is not None and not within_agency(principal, agency):
        raise AccessDeniedError("the kiosk belongs to another agency", "kiosk thuộc cơ quan khác.")


def read_view(model: str, snapshot: Snapshot, system: System, principal: Principal, kiosk: str | None) -> Any:
    """The live query of the read model, on the snapshot's tables."""
    views = Views(snapshot.store, system.calendar)
    if model == "trays":
        return views.trays(kiosk)
    if model == "cash-box":
        return cash_box(snapshot.store, kiosk)
    if model == "overdue":
        return views.overdue(kiosk, today=snapshot.instant.astimezone(VIETNAM).date(), limit_days=system.settings.overdue_days)
    return views.queue_counts(scoped(principal, {"agency": None, "department": None}))


class AuditController(Controller):
    """Kiểm tra, thanh tra — auditors' history and time travel."""

    path = "/audit"
    tags = ["audit"]
    guards = [authorize]
    dependencies = {"principal": Provide(current_principal, sync_to_thread=False)}

    @get("/views/{model:str}/as-of", sync_to_thread=True, opt=rules(AUDIT, "agency"),
         summary="Dữ liệu tổng hợp tại một thời điểm / Read model as of an instant")
    def view_as_of(self, model: FromPath[str], at: At, system: NamedDependency[System],
                   principal: NamedDependency[Principal], kiosk: KioskKey = None) -> ViewAsOf:
        """trays, cash-box or overdue of a kiosk, or the queue counts of your agency, replayed up to the instant."""
        if model not in VIEWS:
            raise InvalidValueError("model", f"must be one of {', '.join(VIEWS)}",
                                    f"dữ liệu tổng hợp phải là một trong: {', '.join(VIEWS)}")
        history = history_service(system)
        instant = history.instant(at)
        if model != "queues":
            if kiosk is None:
                raise InvalidValueError("kiosk", "is required for this read model", "cần cho biết mã kiosk (ví dụ Q6-01)")
            check_scope(system, history, principal, "kiosk", kiosk)
        models = [system.projector.models[name] for name in VIEWS[model]]
        with replay_as_of(system.dossiers.recorder, system.dossiers.mapper, models, instant) as snapshot:
            data = read_view(model, snapshot, system, principal, kiosk)
        return ViewAsOf(model=model, at=instant, kiosk=kiosk, position=snapshot.position,
                        events_applied=snapshot.applied, data=data)

    @get("/{kind:str}/{key:str}/history", sync_to_thread=True, opt=rules(DOSSIER_HISTORY, "agency"),
         summary="Lịch sử đầy đủ / Full history")
    def history(self, kind: FromPath[str], key: FromPath[str], system: NamedDependency[System],
                principal: NamedDependency[Principal], fmt: Format = "json") -> AuditHistory:
        """Every event of a dossier (code), kiosk (key), tray (`Q6-01:5`) or vault (`citizen:<ID number>`), with actor,
        role, business and recording time, in Vietnamese; `format=html` gives a printable page."""
        if fmt not in ("json", "html"):
            raise InvalidValueError("format", "must be json or html", "định dạng phải là json hoặc html")
        history = history_service(system)
        check_scope(system, history, principal, kind, key)
        found = history.history(kind, key)
        if fmt == "html":
            return Response(content=page(found, system.clock.now()), media_type=MediaType.HTML)  # type: ignore[return-value]
        return found

    @get("/{kind:str}/{key:str}/as-of", sync_to_thread=True, opt=rules(AUDIT, "agency"),
         summary="Trạng thái tại một thời điểm / State as of an instant")
    def as_of(self, kind: FromPath[str], key: FromPath[str], at: At, system: NamedDependency[System],
              principal: NamedDependency[Principal]) -> StateAsOf:
        """The dossier, kiosk (with its trays), tray or vault replayed from its events up to the instant."""
        history = history_service(system)
        instant = history.instant(at)
        check_scope(system, history, principal, kind, key)
        return history.state_as_of(kind, key, instant)


def page(found: AuditHistory, printed: datetime) -> str:
    """The history as a printable Vietnamese page (every value escaped)."""
    head = ("STT", "Vị trí", "Phiên bản", "Thời điểm", "Người thực hiện", "Vai trò", "Sự kiện", "Nội dung", "Ghi nhận lúc")
    rows = "".join("<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in (
        n, e.position or "", e.version, local(e.at), e.account_id, e.role_label, e.label, e.summary, local(e.recorded_at)))
        + "</tr>" for n, e in enumerate(found.entries, start=1))
    title = f"Lịch sử {KINDS[found.kind]} {found.key}"
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{escape(title)}</title><style>'
            "body{font-family:sans-serif;font-size:12px}table{border-collapse:collapse;width:100%}"
            "td,th{border:1px solid #444;padding:3px;vertical-align:top}</style></head><body>"
            f"<h1>{escape(title.upper())}</h1><p>In lúc {escape(local(printed))} · {len(found.entries)} sự kiện</p>"
            f"<table><thead><tr>{''.join(f'<th>{h}</th>' for h in head)}</tr></thead><tbody>{rows}</tbody></table>"
            "</body></html>")
