"""Electronic fee receipts (biên lai điện tử): one per payment, numbered per agency and year, sealed as PDF."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import msgspec

from application.base import MAX_RETRIES, OneStop
from application.ports import Clock, DocumentSigner, FeeReceiptRenderer
from application.vault_values import Placement, SigningKey
from domain.amount_words import amount_in_words
from domain.clock import VIETNAM, aware_utc
from domain.codes import dossier_id, parse_code
from domain.dossier import Dossier
from domain.errors import DomainError, InvalidValueError
from domain.fee_receipt import ReceiptSeries, ReceiptStatus, series_id
from domain.procedures import Catalogue
from domain.values import Actor, PaymentMethod

SERIES = ("receipt series", "dãy biên lai")
METHOD_VI = {PaymentMethod.CASH.value: "Tiền mặt", PaymentMethod.BANK_QR.value: "Chuyển khoản (mã QR)"}
SEAL_REASON = "Biên lai điện tử thu phí, lệ phí"


class FeeReceipt(msgspec.Struct, frozen=True, kw_only=True):
    """A receipt with every field Decree 123/2020 (Art. 32) and Circular 78/2021 ask of a fee receipt."""

    title: str
    form: str  # mẫu số
    serial: str  # ký hiệu
    number: str  # số biên lai, 7 digits
    agency_code: str
    agency_name: str  # tên đơn vị thu
    tax_code: str  # mã số thuế of the collecting agency
    payer_name: str  # người nộp
    dossier_code: str
    content: str  # nội dung thu
    amount: int  # số tiền bằng số
    amount_in_words: str  # số tiền bằng chữ
    method: str  # hình thức thanh toán
    issued_at: datetime  # ngày lập
    status: ReceiptStatus
    replaces: str | None = None
    replaced_by: str | None = None
    cancel_reason: str | None = None


class ReceiptRef(msgspec.Struct, frozen=True, kw_only=True):
    """Where a dossier's receipt is: its series (agency, year), number and state."""

    agency: str
    year: int
    number: int
    serial: str
    amount: int
    status: ReceiptStatus


class SigningUnavailableError(DomainError):
    """This process has no agency certificate or renderer to seal receipts with."""

    code = "signing_unavailable"

    def __init__(self) -> None:
        super().__init__(
            "receipt PDFs cannot be sealed: no signer configured",
            "Chưa cấu hình chữ ký số của đơn vị thu: không thể lập biên lai PDF.",
        )


class Receipts:
    """Issue, cancel and replace fee receipts in the shared store; render one as a PDF sealed by the agency."""

    def __init__(
        self,
        app: OneStop,
        *,
        catalogue: Catalogue,
        clock: Clock,
        tax_codes: Mapping[str, str],
        prefix: str = "AA",
        renderer: FeeReceiptRenderer | None = None,
        signer: DocumentSigner | None = None,
    ) -> None:
        self.app, self.catalogue, self.clock, self.tax_codes, self.prefix = app, catalogue, clock, tax_codes, prefix
        self.renderer, self.signer = renderer, signer

    def issue_for_payments(self, code: str, *, actor: Actor, at: datetime | None = None) -> list[tuple[int, int]]:
        """A receipt for every payment of the dossier that has none yet: [(year, number)] of those issued now."""
        parse_code(code)
        moment = aware_utc(at or self.clock.now())
        for _ in range(MAX_RETRIES * 10):  # one series per agency and year is a hot spot: every desk issues into it
            dossier: Dossier = self.app.load(dossier_id(code), ("dossier", "hồ sơ"), code, fresh=True)
            payments = [e for e in self.app.events.get(dossier_id(code)) if isinstance(e, Dossier.PaymentReceived)]
            series: dict[int, ReceiptSeries] = {}
            issued: list[tuple[int, int]] = []
            for payment in payments:
                year = payment.at.astimezone(VIETNAM).year
                book = series.get(year) or self._series(dossier.agency, year, actor, moment)
                series[year] = book
                number = self.issue_for_payment(book, dossier, payment, actor=actor, at=moment)
                if number is not None:
                    issued.append((year, number))
            if not issued:
                return []
            if self.app.commit_or_evict(*series.values()) is not None:
                return issued
        raise self.app.conflict(code)

    def issue_for_payment(
        self, book: ReceiptSeries, dossier: Dossier, payment: Dossier.PaymentReceived, *, actor: Actor, at: datetime
    ) -> int | None:
        """Issue into `book` the receipt of one payment of the dossier, unless it has one (standing or cancelled);
        the number issued, or None. `book` must be the series of the payment's agency and year."""
        if _has_receipt(book, dossier.code, payment.originator_version):
            return None
        content = f"Phí, lệ phí: {self.catalogue.procedure(dossier.procedure_code).name} (hồ sơ {dossier.code})"[:200]
        return book.issue(
            dossier_code=dossier.code,
            payment_version=payment.originator_version,
            content=content,
            amount=payment.amount,
            method=payment.method.value,
            actor=actor,
            at=at,
        )

    def open_series(self, agency: str, year: int, *, actor: Actor, at: datetime) -> ReceiptSeries:
        """A new, empty series of the agency and year (with this service's serial prefix)."""
        return ReceiptSeries.open(agency=agency, year=year, prefix=self.prefix, actor=actor, at=at)

    def cancel(
        self, agency: str, year: int, number: int, *, reason: str, actor: Actor, at: datetime | None = None
    ) -> None:
        """Cancel a receipt (hủy), with the reason."""
        moment = aware_utc(at or self.clock.now())
        self._act(agency, year, lambda s: s.cancel(number=number, reason=reason, actor=actor, at=moment))

    def replace(
        self,
        agency: str,
        year: int,
        number: int,
        *,
        reason: str,
        content: str,
        amount: int,
        actor: Actor,
        at: datetime | None = None,
    ) -> int:
        """Cancel a receipt and issue its replacement for the same payment; returns the new number."""
        moment = aware_utc(at or self.clock.now())
        numbers: list[int] = []
        self._act(
            agency,
            year,
            lambda s: numbers.append(
                s.replace(number=number, reason=reason, content=content, amount=amount, actor=actor, at=moment)
            ),
        )
        return numbers[-1]

    def list_for_dossier(self, code: str) -> list[ReceiptRef]:
        """Every receipt issued for the dossier's payments (standing or cancelled), in number order per year."""
        dossier: Dossier = self.app.load(dossier_id(code), ("dossier", "hồ sơ"), code, fresh=True)
        years = sorted(
            {
                e.at.astimezone(VIETNAM).year
                for e in self.app.events.get(dossier_id(code))
                if isinstance(e, Dossier.PaymentReceived)
            }
        )
        found: list[ReceiptRef] = []
        for year in years:
            if not self.app.recorder.select_events(series_id(dossier.agency, year), limit=1):
                continue
            series: ReceiptSeries = self.app.load(
                series_id(dossier.agency, year), SERIES, f"{dossier.agency}/{year}", fresh=True
            )
            found += [
                ReceiptRef(
                    agency=dossier.agency,
                    year=year,
                    number=r.number,
                    serial=series.serial,
                    amount=r.amount,
                    status=r.status,
                )
                for r in series.receipts
                if r.dossier_code == code
            ]
        return found

    def get_receipt(self, agency: str, year: int, number: int) -> FeeReceipt:
        """A receipt with its payer's name as the dossier shows it now."""
        series: ReceiptSeries = self.app.load(series_id(agency, year), SERIES, f"{agency}/{year}", fresh=True)
        receipt = series.receipt(number)
        dossier: Dossier = self.app.load(
            dossier_id(receipt.dossier_code), ("dossier", "hồ sơ"), receipt.dossier_code, fresh=True
        )
        payer = dossier.applicant.organisation or dossier.applicant.name
        return FeeReceipt(
            title="BIÊN LAI THU PHÍ, LỆ PHÍ",
            form=series.form,
            serial=series.serial,
            number=f"{number:07d}",
            agency_code=agency,
            agency_name=self._agency_name(agency),
            tax_code=self.tax_codes.get(agency, ""),
            payer_name=str(payer),
            dossier_code=receipt.dossier_code,
            content=receipt.content,
            amount=receipt.amount,
            amount_in_words=amount_in_words(receipt.amount),
            method=METHOD_VI.get(receipt.method, receipt.method),
            issued_at=receipt.issued_at,
            status=receipt.status,
            cancel_reason=receipt.cancel_reason,
            replaces=f"{receipt.replaces:07d}" if receipt.replaces else None,
            replaced_by=f"{receipt.replaced_by:07d}" if receipt.replaced_by else None,
        )

    def receipt_pdf(self, agency: str, year: int, number: int, *, actor: Actor) -> bytes:
        """The receipt as a PDF with the agency's digital signature (chữ ký số của đơn vị thu)."""
        if self.renderer is None or self.signer is None:
            raise SigningUnavailableError()
        receipt = self.get_receipt(agency, year, number)
        pdf = self.renderer.render_fee_receipt(receipt)
        return self.signer.sign(
            pdf,
            who=actor,
            key=SigningKey.AGENCY,
            reason=SEAL_REASON,
            placement=Placement.INVISIBLE,
            at=aware_utc(self.clock.now()),
            metadata={"receipt": f"{receipt.serial}/{receipt.number}", "dossier": receipt.dossier_code},
        ).pdf

    def _series(self, agency: str, year: int, actor: Actor, at: datetime) -> ReceiptSeries:
        if self.app.recorder.select_events(series_id(agency, year), limit=1):
            return self.app.load(series_id(agency, year), SERIES, f"{agency}/{year}")
        return self.open_series(agency, year, actor=actor, at=at)

    def _act(self, agency: str, year: int, run: object) -> None:
        self.app.update(series_id(agency, year), SERIES, f"{agency}/{year}", None, run)  # type: ignore[arg-type]

    def _agency_name(self, code: str) -> str:
        return next((a.name for a in self.catalogue.agencies if a.code == code), code)


def _has_receipt(series: ReceiptSeries, code: str, version: int) -> bool:
    """Whether the payment has a receipt, standing or cancelled (a cancelled one is replaced by an officer, never
    automatically)."""
    return any(r.dossier_code == code and r.payment_version == version for r in series.receipts)


__all__ = ["FeeReceipt", "InvalidValueError", "ReceiptRef", "Receipts", "SigningUnavailableError"]
