"""Money at the one-stop desk: refunds (cash or bank transfer), electronic fee receipts, bank statement import and
the reconciliation view. Each handler builds the plain service it calls from the system (no state of its own)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
from litestar import Controller, Response
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from api.auth import BOOKS, COUNTER, authorize, check_agency, current_principal, rules, within_agency
from api.controllers.books import visible_to
from api.controllers.dossiers import result
from api.routing import get, post
from api.schemas import MAX_COMMAND_BODY, Body, CommandResult
from application.receipts import FeeReceipt, ReceiptRef
from application.reconciliation import MAX_STATEMENT_BYTES, ImportResult, Reconciliation
from application.tokens import Principal
from domain.dossier import RefundMethod
from domain.errors import InvalidValueError
from domain.limits import check_text
from domain.values import Role
from infrastructure.bootstrap import System
from projections.book_queries import InvalidPeriodError, period_bounds
from projections.reconciliation import ReconciliationView, reconciliation_view

RECEIPT_READERS = frozenset({Role.RECEPTION_OFFICER, Role.CONSULTANT, Role.AUDITOR})  # the desk and its auditors
Reference = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
Year = Annotated[int, msgspec.Meta(ge=2000, le=2100)]
STATEMENT_JSON = MAX_STATEMENT_BYTES * 4 // 3 + 4096  # base64 of the largest statement, and the field names


class RefundBody(Body):
    method: RefundMethod
    bank_reference: Reference | None = None


class CancelBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class ReplaceBody(CancelBody):
    content: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    amount: Annotated[int, msgspec.Meta(gt=0, le=100_000_000)]


class StatementBody(msgspec.Struct, forbid_unknown_fields=True):
    """A bank statement file (CSV or camt.053 XML), base64 encoded."""

    content: Annotated[bytes, msgspec.Meta(max_length=MAX_STATEMENT_BYTES)]


class IssueBody(msgspec.Struct, forbid_unknown_fields=True):
    """No data: the receipts follow from the dossier's payments."""


class IssuedReceipts(msgspec.Struct):
    code: str
    receipts: list[str]  # "<year>/<number>"


class MoneyController(Controller):
    """Tiền: hoàn trả, biên lai điện tử, đối soát ngân hàng."""

    path = "/money"
    request_max_body_size = MAX_COMMAND_BODY
    tags = ["money"]
    guards = [authorize]
    dependencies = {"principal": Provide(current_principal, sync_to_thread=False)}

    @post(
        "/dossiers/{code:str}/refunds",
        sync_to_thread=True,
        summary="Hoàn trả tiền / Refund",
        opt=rules(COUNTER, "dossier"),
    )
    def refund(
        self,
        code: FromPath[str],
        data: JSONBody[RefundBody],
        system: NamedDependency[System],
        principal: NamedDependency[Principal],
    ) -> CommandResult:
        """The excess, or all paid for a rejected or withdrawn dossier, in cash or by bank transfer (its reference)."""
        return result(
            code,
            system.refunds.refund(
                code,
                method=data.method,
                bank_reference=data.bank_reference,
                actor=principal.actor,
                expected_version=data.expected_version,
            ),
        )

    @post(
        "/dossiers/{code:str}/fee-receipts",
        sync_to_thread=True,
        summary="Lập biên lai điện tử / Issue fee receipts",
        opt=rules(COUNTER, "dossier"),
    )
    def issue_receipts(
        self,
        code: FromPath[str],
        data: JSONBody[IssueBody],
        system: NamedDependency[System],
        principal: NamedDependency[Principal],
    ) -> IssuedReceipts:
        """A receipt for each payment of the dossier that has none yet (none new: an empty list)."""
        issued = system.receipts.issue_for_payments(code, actor=principal.actor)
        return IssuedReceipts(code=code, receipts=[f"{year}/{number}" for year, number in issued])

    @get(
        "/dossiers/{code:str}/fee-receipts",
        sync_to_thread=True,
        summary="Biên lai của hồ sơ / A dossier's receipts",
        opt=rules(RECEIPT_READERS, "dossier"),
    )
    def dossier_receipts(self, code: FromPath[str], system: NamedDependency[System]) -> list[ReceiptRef]:
        """The receipts issued for the dossier's payments, standing or cancelled."""
        return system.receipts.list_for_dossier(code)

    @get(
        "/fee-receipts/{agency:str}/{year:int}/{number:int}",
        sync_to_thread=True,
        summary="Biên lai điện tử / Fee receipt",
        opt=rules(RECEIPT_READERS, "agency"),
    )
    def receipt(
        self,
        agency: FromPath[str],
        year: FromPath[Year],
        number: FromPath[int],
        system: NamedDependency[System],
        principal: NamedDependency[Principal],
    ) -> FeeReceipt:
        """Every field of the receipt, the payer as the dossier names them."""
        check_agency(principal, agency)
        return system.receipts.get_receipt(agency, year, number)

    @get(
        "/fee-receipts/{agency:str}/{year:int}/{number:int}/pdf",
        sync_to_thread=True,
        summary="Biên lai điện tử (PDF có chữ ký số) / Signed receipt PDF",
        opt=rules(RECEIPT_READERS, "agency"),
    )
    def receipt_pdf(
        self,
        agency: FromPath[str],
        year: FromPath[Year],
        number: FromPath[int],
        system: NamedDependency[System],
        principal: NamedDependency[Principal],
    ) -> Response[bytes]:
        """The receipt as a PDF sealed with the agency's certificate."""
        check_agency(principal, agency)
        pdf = system.receipts.receipt_pdf(agency, year, number, actor=principal.actor)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="bien-lai-{year}-{number:07d}.pdf"'},
        )

    @post(
        "/fee-receipts/{agency:str}/{year:int}/{number:int}/cancel",
        sync_to_thread=True,
        status_code=200,
        summary="Hủy biên lai / Cancel a receipt",
        opt=rules(COUNTER, "agency"),
    )
    def cancel(
        self,
        agency: FromPath[str],
        year: FromPath[Year],
        number: FromPath[int],
        data: JSONBody[CancelBody],
        system: NamedDependency[System],
        principal: NamedDependency[Principal],
    ) -> FeeReceipt:
        """Cancel with a reason; the receipt stays in the series as cancelled."""
        check_agency(principal, agency)
        receipts = system.receipts
        receipts.cancel(agency, year, number, reason=check_text("reason", data.reason), actor=principal.actor)
        return receipts.get_receipt(agency, year, number)

    @post(
        "/fee-receipts/{agency:str}/{year:int}/{number:int}/replace",
        sync_to_thread=True,
        summary="Lập biên lai thay thế / Replace a receipt",
        opt=rules(COUNTER, "agency"),
    )
    def replace(
        self,
        agency: FromPath[str],
        year: FromPath[Year],
        number: FromPath[int],
        data: JSONBody[ReplaceBody],
        system: NamedDependency[System],
        principal: NamedDependency[Principal],
    ) -> FeeReceipt:
        """Cancel the receipt and issue its replacement (next number) for the same payment."""
        check_agency(principal, agency)
        receipts = system.receipts
        new = receipts.replace(
            agency, year, number, reason=data.reason, content=data.content, amount=data.amount, actor=principal.actor
        )
        return receipts.get_receipt(agency, year, new)

    @post(
        "/statements",
        sync_to_thread=True,
        request_max_body_size=STATEMENT_JSON,
        summary="Nhập sao kê ngân hàng / Import a bank statement",
        opt=rules(COUNTER, "agency"),
    )
    def import_statement(
        self, data: JSONBody[StatementBody], system: NamedDependency[System], principal: NamedDependency[Principal]
    ) -> ImportResult:
        """Match each credit line to a bank-QR payment of the caller's agency by the dossier code in its text; the
        same file again changes nothing (`imported` false); a file with a bad line is refused whole (422, each line)."""
        agencies = [a.code for a in system.catalogue.agencies if within_agency(principal, a.code)]
        return Reconciliation(system.app, agencies=agencies, clock=system.clock).import_statement(
            data.content, actor=principal.actor
        )

    @get(
        "/reconciliation",
        sync_to_thread=True,
        summary="Đối soát ngân hàng / Reconciliation",
        opt=rules(BOOKS, "agency"),
    )
    def reconciliation(
        self,
        start: Annotated[date, QueryParameter(name="from")],
        end: Annotated[date, QueryParameter(name="to")],
        system: NamedDependency[System],
        principal: NamedDependency[Principal],
    ) -> ReconciliationView:
        """Lines booked in the period: matched, unmatched (no code or no such payment) and disputed (amount differs,
        duplicate). Lines naming a dossier outside the caller's scope are left out."""
        try:
            period_bounds(start, end)
        except InvalidPeriodError as error:
            raise InvalidValueError("period", str(error), "khoảng thời gian không hợp lệ") from None
        visible = visible_to(principal, system, None)
        return reconciliation_view(system.projector.store, start=start, end=end, visible=visible)
