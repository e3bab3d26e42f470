"""Report endpoint: weekly, monthly and quarterly reports on receipt and return, as JSON, CSV, XLSX, PDF or a printable
page.

Needs the `views_store` (the read models' ReadStore) and `department_names` (code → name, from the catalogue the
system runs with) dependencies registered with Provide.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from litestar import Controller, Request, Response
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, SkipValidation

from api.auth import ANALYSTS, STAFF, authorize, current_principal, rules
from api.errors import ErrorBody
from api.report_files import render_pdf, render_xlsx
from api.reports import render_csv, render_html
from api.routing import get
from domain.clock import VIETNAM
from projections.book_queries import EARLIEST, LATEST
from projections.ports import ReadStore
from projections.reports import PERIODS, ReportPeriodError, ReportsView

FORMATS = ("json", "csv", "xlsx", "pdf", "html")
FILES = {
    "csv": ("text/csv", render_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", render_xlsx),
    "pdf": ("application/pdf", render_pdf),
}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
AGENCY = re.compile(r"[A-Za-z0-9.]{1,40}")
# ReadStore is a Protocol: Litestar cannot isinstance-check it, and the composition root provides the real one.
Store = NamedDependency[SkipValidation[ReadStore]]


class ReportRequestError(ReportPeriodError):
    """A query parameter of the report request is not usable."""


def bad_request(_: Request, error: ReportPeriodError) -> Response[ErrorBody]:
    body = ErrorBody(error="invalid_report_request", message=error.message, message_vi=error.message_vi)
    return Response(body, status_code=400)


def reference_date(value: str | None) -> date:
    """The `date` parameter (YYYY-MM-DD), or today in Vietnam."""
    if value is None:
        return datetime.now(VIETNAM).date()
    try:
        if ISO_DATE.fullmatch(value) and EARLIEST <= (day := date.fromisoformat(value)) <= LATEST:
            return day  # the books' range: a later period (one ending in year 10000) cannot be computed
    except ValueError:
        pass
    raise ReportRequestError(
        f"date must be a calendar date YYYY-MM-DD from {EARLIEST} to {LATEST}, not {value[:40]!r}",
        f"ngày {value[:40]!r} không hợp lệ; nhập theo dạng YYYY-MM-DD trong khoảng "
        f"{EARLIEST:%Y}-{LATEST:%Y}, ví dụ 2026-03-31",
    )


def checked(period: str, agency: str | None, output: str) -> None:
    if period not in PERIODS:
        raise ReportPeriodError(
            f"unknown period {period!r}; periods: {', '.join(PERIODS)}",
            f"kỳ báo cáo {period!r} không hợp lệ; chọn week (tuần), month (tháng) hoặc quarter (quý)",
        )
    if output not in FORMATS:
        raise ReportRequestError(
            f"unknown format {output!r}; formats: {', '.join(FORMATS)}",
            f"định dạng {output!r} không hợp lệ; chọn json, csv, xlsx, pdf hoặc html",
        )
    if agency is not None and not AGENCY.fullmatch(agency):
        raise ReportRequestError(
            f"agency must be an agency code such as H29.06, not {agency!r}",
            f"mã cơ quan {agency!r} không hợp lệ (ví dụ: H29.06)",
        )


class ReportsController(Controller):
    """Báo cáo — reports."""

    path = "/views/reports"
    tags = ["reports"]
    guards = [authorize]
    exception_handlers = {ReportPeriodError: bad_request}

    @get(
        "/{period:str}",
        sync_to_thread=True,
        summary="Báo cáo tiếp nhận và trả kết quả / Receipt and return report",
        opt=rules(ANALYSTS | STAFF, "agency"),
    )
    def report(
        self,
        period: FromPath[str],
        views_store: Store,
        department_names: NamedDependency[dict[str, str]],
        request: Request,
        reference: Annotated[
            str | None, QueryParameter(name="date", description="a day of the period, YYYY-MM-DD; default today")
        ] = None,
        agency: Annotated[
            str | None, QueryParameter(description="agency code (yours by default); covers its units too")
        ] = None,
        output: Annotated[str, QueryParameter(name="format", description="json, csv, xlsx, pdf or html")] = "json",
    ) -> Response:
        """Dossiers received by channel, kiosk targets (40% of dossiers overall and per department named in seed 000,
        20% of CCCD cards), on-time and supplement rates, satisfaction on Circular 01 levels, digitization per unit
        and month — for the week, month or quarter holding `date`, in total and per department."""
        checked(period, agency, output)
        agency = agency or current_principal(request).agency  # the guard refused an agency outside the caller's
        today = datetime.now(VIETNAM).date()
        report = ReportsView(views_store, department_names).report(
            period, reference_date(reference), today=today, agency=agency
        )
        name = f"bao-cao-{period}-{report.start.isoformat()}"
        if output in FILES:
            media_type, render = FILES[output]
            return Response(
                render(report),
                media_type=media_type,
                headers={"Content-Disposition": f'attachment; filename="{name}.{output}"'},
            )
        if output == "html":
            return Response(render_html(report), media_type="text/html")
        return Response(report)
