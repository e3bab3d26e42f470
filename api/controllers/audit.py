"""Auditors' endpoints (issue [8]): the history of a dossier, kiosk, tray or vault, and any of them or a read model as
it stood at a past instant of business time. Read-only: nothing here records an event or touches the live tables."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Annotated

from litestar import Controller, MediaType, Response
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter

from api.auth import AccessDeniedError, authorize, check_within, current_principal, rules, scoped, within_agency
from api.routing import get
from application.dossiers import Dossiers
from application.history import AS_OF_VIEWS, KINDS, AuditHistory, History, StateAsOf, ViewAsOf, target
from application.kiosk_views import local
from application.ports import ReadSide
from application.tokens import Principal
from domain.errors import InvalidValueError
from domain.values import Role

AUDIT = frozenset({Role.AUDITOR})
DOSSIER_HISTORY = frozenset({Role.AUDITOR, Role.RECEPTION_OFFICER})
At = Annotated[
    str,
    QueryParameter(
        description="RFC 3339 instant with its offset, e.g. 2026-05-20T16:05:00+07:00 "
        "(business time; encode '+' as %2B)"
    ),
]
Format = Annotated[str, QueryParameter(name="format", description="json, or html for a printable Vietnamese page")]
KioskKey = Annotated[str | None, QueryParameter(description="Kiosk key, e.g. Q6-01 (all read models but queues)")]


def check_scope(dossiers: Dossiers, history: History, principal: Principal, kind: str, key: str) -> None:
    """Reception officers read dossier histories only; everyone reads only their own agency's dossiers and kiosks."""
    target(kind, key)
    if kind == "dossier":
        check_within(principal, *dossiers.scope_of(key))
        return
    if principal.role is not Role.AUDITOR:
        raise AccessDeniedError(
            f"role {principal.role.value} may read dossier histories only",
            "vai trò của bạn chỉ được xem lịch sử hồ sơ.",
        )
    agency = history.agency_of(kind, key)
    if agency is not None and not within_agency(principal, agency):
        raise AccessDeniedError("the kiosk belongs to another agency", "kiosk thuộc cơ quan khác.")


class AuditController(Controller):
    """Kiểm tra, thanh tra — auditors' history and time travel."""

    path = "/audit"
    tags = ["audit"]
    guards = [authorize]
    dependencies = {"principal": Provide(current_principal, sync_to_thread=False)}

    @get(
        "/views/{model:str}/as-of",
        sync_to_thread=True,
        opt=rules(AUDIT, "agency"),
        summary="Dữ liệu tổng hợp tại một thời điểm / Read model as of an instant",
    )
    def view_as_of(
        self,
        model: FromPath[str],
        at: At,
        history: NamedDependency[History],
        read_side: NamedDependency[ReadSide],
        dossiers: NamedDependency[Dossiers],
        principal: NamedDependency[Principal],
        kiosk: KioskKey = None,
    ) -> ViewAsOf:
        """trays, cash-box or overdue of a kiosk, or the queue counts of your agency, replayed up to the instant."""
        if model not in AS_OF_VIEWS:
            raise InvalidValueError(
                "model",
                f"must be one of {', '.join(AS_OF_VIEWS)}",
                f"dữ liệu tổng hợp phải là một trong: {', '.join(AS_OF_VIEWS)}",
            )
        instant = history.instant(at)
        if model != "queues":
            if kiosk is None:
                raise InvalidValueError(
                    "kiosk", "is required for this read model", "cần cho biết mã kiosk (ví dụ Q6-01)"
                )
            check_scope(dossiers, history, principal, "kiosk", kiosk)
        return read_side.view_as_of(
            model, instant, kiosk=kiosk, filters=scoped(principal, {"agency": None, "department": None})
        )

    @get(
        "/{kind:str}/{key:str}/history",
        sync_to_thread=True,
        opt=rules(DOSSIER_HISTORY, "agency"),
        summary="Lịch sử đầy đủ / Full history",
    )
    def history(
        self,
        kind: FromPath[str],
        key: FromPath[str],
        history: NamedDependency[History],
        dossiers: NamedDependency[Dossiers],
        principal: NamedDependency[Principal],
        fmt: Format = "json",
    ) -> AuditHistory:
        """Every event of a dossier (code), kiosk (key), tray (`Q6-01:5`) or vault (`citizen:<ID number>`), with actor,
        role, business and recording time, in Vietnamese; `format=html` gives a printable page."""
        if fmt not in ("json", "html"):
            raise InvalidValueError("format", "must be json or html", "định dạng phải là json hoặc html")
        check_scope(dossiers, history, principal, kind, key)
        found = history.history(kind, key)
        if fmt == "html":
            # The route's return annotation is the JSON answer (it makes the OpenAPI document); html is the exception.
            return Response(content=page(found, history.clock.now()), media_type=MediaType.HTML)  # type: ignore[return-value]
        return found

    @get(
        "/{kind:str}/{key:str}/as-of",
        sync_to_thread=True,
        opt=rules(AUDIT, "agency"),
        summary="Trạng thái tại một thời điểm / State as of an instant",
    )
    def as_of(
        self,
        kind: FromPath[str],
        key: FromPath[str],
        at: At,
        history: NamedDependency[History],
        dossiers: NamedDependency[Dossiers],
        principal: NamedDependency[Principal],
    ) -> StateAsOf:
        """The dossier, kiosk (with its trays), tray or vault replayed from its events up to the instant."""
        instant = history.instant(at)
        check_scope(dossiers, history, principal, kind, key)
        return history.state_as_of(kind, key, instant)


def page(found: AuditHistory, printed: datetime) -> str:
    """The history as a printable Vietnamese page (every value escaped)."""
    head = (
        "STT",
        "Vị trí",
        "Phiên bản",
        "Thời điểm",
        "Người thực hiện",
        "Vai trò",
        "Sự kiện",
        "Nội dung",
        "Ghi nhận lúc",
    )
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(str(cell))}</td>"
            for cell in (
                n,
                e.position or "",
                e.version,
                local(e.at),
                e.account_id,
                e.role_label,
                e.label,
                e.summary,
                local(e.recorded_at),
            )
        )
        + "</tr>"
        for n, e in enumerate(found.entries, start=1)
    )
    title = f"Lịch sử {KINDS[found.kind]} {found.key}"
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{escape(title)}</title><style>'
        "body{font-family:sans-serif;font-size:12px}table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #444;padding:3px;vertical-align:top}</style></head><body>"
        f"<h1>{escape(title.upper())}</h1><p>In lúc {escape(local(printed))} · {len(found.entries)} sự kiện</p>"
        f"<table><thead><tr>{''.join(f'<th>{h}</th>' for h in head)}</tr></thead><tbody>{rows}</tbody></table>"
        "</body></html>"
    )
