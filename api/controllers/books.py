"""Ledger books over HTTP: the handover book, the kiosk tracking book and the cash ledger as JSON, CSV or PDF."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Response
from litestar.di import NamedDependency, Provide
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter, SkipValidation

from api.access import read_purpose
from api.auth import BOOKS, AccessDeniedError, authorize, current_principal, in_scope, rules, within_agency
from api.books import Book, cash_document, file_name, handover_document, to_csv, to_pdf, tracking_document
from api.routing import get
from application.personal_reads import PersonalReads
from application.tokens import Principal
from domain.errors import DomainError
from domain.kiosk import KIOSK_ID
from infrastructure.bootstrap import System
from projections.book_queries import (
    InvalidPeriodError,
    Visible,
    cash_ledger,
    handover_book,
    period_bounds,
    tracking_book,
)
from projections.ports import ReadStore

FORMATS = ("json", "csv", "pdf")
CASH_SECTIONS = ("collections", "dossiers", "bank_qr", "refunds", "departments")
MEDIA = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}
From = Annotated[str, QueryParameter(name="from", description="First day of the period, YYYY-MM-DD (Vietnam date)")]
To = Annotated[
    str, QueryParameter(name="to", description="Last day of the period, YYYY-MM-DD (Vietnam date), inclusive")
]
KioskKey = Annotated[str | None, QueryParameter(description="Kiosk key, e.g. Q6-01; all kiosks when absent")]
# ReadStore is a Protocol that Litestar cannot isinstance-check; the composition root provides the real one.
Store = NamedDependency[SkipValidation[ReadStore]]
Format = Annotated[str, QueryParameter(name="format", description="json, csv (UTF-8 with BOM) or pdf")]


def bad_request(field: str, message: str, message_vi: str) -> ValidationException:
    """A 400 answer naming the parameter, in English and Vietnamese."""
    return ValidationException(detail=message, extra=[{"key": field, "message": message, "message_vi": message_vi}])


def parse_day(field: str, value: str) -> date:
    """A YYYY-MM-DD query parameter, or 400."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise bad_request(
            field, f"'{field}' must be a date YYYY-MM-DD, got {value[:40]!r}", f"'{field}' phải là ngày dạng YYYY-MM-DD"
        ) from None


def visible_to(principal: Principal, system: System, kiosk: str | None) -> Visible:
    """The lines a caller may read: dossiers in their scope, collections of their agency's kiosks; 403 for a named
    kiosk of another agency."""
    agencies: dict[str, str | None] = {}

    def agency_of(key: str) -> str | None:
        if key not in agencies:
            try:
                agencies[key] = system.kiosks.agency_of(key)
            except DomainError:
                agencies[key] = None
        return agencies[key]

    if kiosk is not None and not within_agency(principal, agency_of(kiosk) or ""):
        raise AccessDeniedError("the kiosk belongs to another agency", "kiosk thuộc cơ quan khác.")

    def visible(dossier_code: str | None, key: str | None) -> bool:
        if dossier_code:
            return in_scope(system, principal, dossier_code)
        return key is not None and within_agency(principal, agency_of(key) or "")

    return visible


class BookQuery:
    """Checked parameters of a book request."""

    def __init__(self, kiosk: str | None, start: str, end: str, fmt: str) -> None:
        if kiosk is not None and not KIOSK_ID.fullmatch(kiosk):
            raise bad_request(
                "kiosk",
                "'kiosk' must be 2-31 upper-case letters, digits or dashes, e.g. Q6-01",
                "mã kiosk không hợp lệ (ví dụ Q6-01)",
            )
        if fmt not in FORMATS:
            raise bad_request(
                "format",
                f"'format' must be one of {', '.join(FORMATS)}, got {fmt[:20]!r}",
                "định dạng phải là json, csv hoặc pdf",
            )
        self.kiosk, self.fmt = kiosk, fmt
        self.start, self.end = parse_day("from", start), parse_day("to", end)
        try:
            period_bounds(self.start, self.end)
        except InvalidPeriodError as error:
            raise bad_request(
                "from",
                str(error),
                "khoảng thời gian không hợp lệ: 'from' không được sau 'to', "
                "dài tối đa một năm, trong các năm 2000–2999",
            ) from None

    def answer(self, data: Any, document: Callable[[Any], Book], section: str | None = None) -> Response[Any]:
        """The data as JSON, or the book as a CSV table or a PDF attachment."""
        if self.fmt == "json":
            return Response(data)
        book = document(data)
        if self.fmt == "pdf":
            return self._file(to_pdf(book), file_name(book, self.kiosk, self.start, self.end, "pdf"), "pdf")
        table = next(s for s in book.sections if section in (None, s.key))
        name = file_name(book, self.kiosk, self.start, self.end, "csv", table if len(book.sections) > 1 else None)
        return self._file(to_csv(table), name, "csv")

    @staticmethod
    def _file(content: bytes, name: str, fmt: str) -> Response[bytes]:
        return Response(
            content, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )


class BooksController(Controller):
    """Sổ sách — ledger books (JSON, CSV for Excel, printable PDF with signature columns)."""

    path = "/views/books"
    tags = ["ledger books"]
    guards = [authorize]
    dependencies = {
        "principal": Provide(current_principal, sync_to_thread=False),
        "purpose": Provide(read_purpose, sync_to_thread=False),
    }

    @get("/handover", sync_to_thread=True, summary="Sổ giao nhận / Handover book", opt=rules(BOOKS, "agency"))
    def handover(
        self,
        views_store: Store,
        start: From,
        end: To,
        system: NamedDependency[System],
        principal: NamedDependency[Principal],
        kiosk: KioskKey = None,
        fmt: Format = "json",
    ) -> Response[Any]:
        """Every hand-to-hand transfer of paper in your scope in the period, both parties named; with a kiosk, its
        dossiers only."""
        query = BookQuery(kiosk, start, end, fmt)
        visible = visible_to(principal, system, query.kiosk)
        return query.answer(
            handover_book(views_store, kiosk=query.kiosk, start=query.start, end=query.end, visible=visible),
            handover_document,
        )

    @get(
        "/tracking", sync_to_thread=True, summary="Sổ theo dõi hồ sơ / Kiosk tracking book", opt=rules(BOOKS, "agency")
    )
    def tracking(
        self,
        views_store: Store,
        start: From,
        end: To,
        system: NamedDependency[System],
        principal: NamedDependency[Principal],
        reads: NamedDependency[PersonalReads],
        purpose: NamedDependency[str | None],
        kiosk: KioskKey = None,
        fmt: Format = "json",
    ) -> Response[Any]:
        """Kiosk dossiers in your scope received in the period, in the template's columns (applicant name and phone in
        clear: each applicant's access log records the read)."""
        query = BookQuery(kiosk, start, end, fmt)
        book = tracking_book(
            views_store,
            kiosk=query.kiosk,
            start=query.start,
            end=query.end,
            visible=visible_to(principal, system, query.kiosk),
        )
        reads.applicants_shown(
            [line.dossier_code for line in book.lines],
            what="xem sổ theo dõi hồ sơ",
            actor=principal.actor,
            purpose=purpose or "lập sổ sách",
        )
        return query.answer(book, tracking_document)

    @get("/cash", sync_to_thread=True, summary="Sổ quỹ / Cash ledger", opt=rules(BOOKS, "agency"))
    def cash(
        self,
        views_store: Store,
        start: From,
        end: To,
        system: NamedDependency[System],
        principal: NamedDependency[Principal],
        kiosk: KioskKey = None,
        fmt: Format = "json",
        section: Annotated[
            str, QueryParameter(description="CSV table: collections, dossiers, bank_qr, refunds or departments")
        ] = "collections",
    ) -> Response[Any]:
        """Collections with counted vs expected cash, fees and payments per dossier, bank-QR payments to reconcile.
        The PDF holds all five tables; a CSV holds the one named by `section`."""
        query = BookQuery(kiosk, start, end, fmt)
        if section not in CASH_SECTIONS:
            keys = ", ".join(CASH_SECTIONS)
            raise bad_request(
                "section",
                f"'section' must be one of {keys}, got {section[:20]!r}",
                f"'section' phải là một trong: {keys}",
            )
        visible = visible_to(principal, system, query.kiosk)
        return query.answer(
            cash_ledger(views_store, kiosk=query.kiosk, start=query.start, end=query.end, visible=visible),
            cash_document,
            section,
        )
