"""Electronic fee receipts (biên lai điện tử thu phí, lệ phí; Decree 123/2020/NĐ-CP, Circular 78/2021/TT-BTC).

One `ReceiptSeries` per agency and calendar year holds its receipts: numbers run 1, 2, 3 … without gaps because each
is the series' next number under the aggregate's version check (two issuers racing conflict, one retries). A receipt
is never deleted: it is cancelled (hủy) with a reason, and a replacement (biên lai thay thế) is a new number naming
the one it replaces. The series keeps no personal data: the payer's name is read from the dossier when the receipt
is shown, so an erasure reaches receipts too.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from eventsourcing.domain import Aggregate, event

from domain.clock import aware
from domain.errors import DomainError, InvalidValueError
from domain.limits import check_text
from domain.timing import ActedEvent, MonotonicTime
from domain.values import Actor, check_amount

RECEIPT_FORM = "01BLP0-001"
"""Mẫu số: receipt of fees and charges without a printed face value (biên lai thu phí, lệ phí không in sẵn mệnh giá),
as published on e-receipts of district one-stop desks; # unverified against the Circular's annex."""


def receipt_serial(prefix: str, year: int) -> str:
    """Ký hiệu: two letters chosen by the agency, the year's last two digits and E for electronic ("AA-26E")."""
    return f"{prefix}-{year % 100:02d}E"


def series_id(agency: str, year: int) -> UUID:
    """The id of an agency's receipt series of a year."""
    return uuid5(NAMESPACE_URL, f"/receipt-series/{agency}/{year}")


class ReceiptStatus(StrEnum):
    """Whether a receipt stands."""

    ISSUED = "issued"
    CANCELLED = "cancelled"


class Receipt(msgspec.Struct, kw_only=True):
    """One receipt of a series as it stands."""

    number: int
    dossier_code: str
    payment_version: int
    content: str
    amount: int
    method: str
    issued_at: datetime
    issued_by: str
    status: ReceiptStatus = ReceiptStatus.ISSUED
    replaces: int | None = None
    replaced_by: int | None = None
    cancel_reason: str | None = None


class ReceiptExistsError(DomainError):
    """The payment already has a receipt that stands."""

    code = "receipt_exists"

    def __init__(self, number: int) -> None:
        self.number = number
        super().__init__(f"the payment already has receipt {number}", f"Khoản nộp này đã có biên lai số {number:07d}.")


class ReceiptSeries(MonotonicTime, Aggregate):
    """The receipts of one agency in one year, numbered from 1 without gaps."""

    class Event(ActedEvent):
        """Every series event: who acted, and when."""

    class Opened(Aggregate.Created, Event):
        """The series was opened with its form number (mẫu số) and serial (ký hiệu)."""

        agency: str
        year: int
        form: str
        serial: str

    class Issued(Event):
        """Receipt `number` was issued for the dossier's payment event `payment_version`."""

        number: int
        dossier_code: str
        payment_version: int
        content: str
        amount: int
        method: str
        replaces: int | None

    class Cancelled(Event):
        """Receipt `number` no longer stands (hủy biên lai), with the reason."""

        number: int
        reason: str

    def __init__(self, *, agency: str, year: int, form: str, serial: str, actor: Actor, at: datetime) -> None:
        self.agency, self.year, self.form, self.serial = agency, year, form, serial
        self.receipts: list[Receipt] = []

    @classmethod
    def open(cls, *, agency: str, year: int, prefix: str, actor: Actor, at: datetime) -> ReceiptSeries:
        """A new empty series."""
        return cls._create(
            cls.Opened,
            id=series_id(agency, year),
            agency=agency,
            year=year,
            form=RECEIPT_FORM,
            serial=receipt_serial(prefix, year),
            actor=actor,
            at=aware(at),
        )

    def standing_for(self, dossier_code: str, payment_version: int) -> Receipt | None:
        """The receipt that stands for this payment, if any."""
        return next(
            (
                r
                for r in self.receipts
                if (r.dossier_code, r.payment_version) == (dossier_code, payment_version)
                and r.status is ReceiptStatus.ISSUED
            ),
            None,
        )

    def receipt(self, number: int) -> Receipt:
        """Receipt `number`, or InvalidValueError."""
        if not 1 <= number <= len(self.receipts):
            raise InvalidValueError(
                "number",
                f"no receipt {number} in {self.serial}",
                f"không có biên lai số {number} ký hiệu {self.serial}",
            )
        return self.receipts[number - 1]

    def issue(
        self,
        *,
        dossier_code: str,
        payment_version: int,
        content: str,
        amount: int,
        method: str,
        actor: Actor,
        at: datetime,
        replaces: int | None = None,
    ) -> int:
        """The next number, for a payment that has no standing receipt."""
        standing = self.standing_for(dossier_code, payment_version)
        if standing is not None:
            raise ReceiptExistsError(standing.number)
        self._issued(
            number=len(self.receipts) + 1,
            dossier_code=dossier_code,
            payment_version=payment_version,
            content=check_text("content", content),
            amount=check_amount("amount", amount),
            method=method,
            replaces=replaces,
            actor=actor,
            at=aware(at),
        )
        return len(self.receipts)

    def cancel(self, *, number: int, reason: str, actor: Actor, at: datetime) -> None:
        """Cancel a standing receipt with a reason."""
        receipt = self.receipt(number)
        if receipt.status is ReceiptStatus.CANCELLED:
            raise InvalidValueError("number", "the receipt is already cancelled", f"biên lai số {number:07d} đã bị hủy")
        if not reason.strip():
            raise InvalidValueError("reason", "must not be empty", "phải nêu lý do hủy")
        self._cancelled(number=number, reason=check_text("reason", reason.strip()), actor=actor, at=aware(at))

    def replace(self, *, number: int, reason: str, content: str, amount: int, actor: Actor, at: datetime) -> int:
        """Cancel receipt `number` and issue its replacement (corrected content or amount) for the same payment."""
        old = self.receipt(number)
        self.cancel(number=number, reason=reason, actor=actor, at=at)
        return self.issue(
            dossier_code=old.dossier_code,
            payment_version=old.payment_version,
            content=content,
            amount=amount,
            method=old.method,
            actor=actor,
            at=at,
            replaces=number,
        )

    @event(Issued)
    def _issued(
        self,
        number: int,
        dossier_code: str,
        payment_version: int,
        content: str,
        amount: int,
        method: str,
        replaces: int | None,
        actor: Actor,
        at: datetime,
    ) -> None:
        self.receipts.append(
            Receipt(
                number=number,
                dossier_code=dossier_code,
                payment_version=payment_version,
                content=content,
                amount=amount,
                method=method,
                issued_at=at,
                issued_by=actor.account_id,
                replaces=replaces,
            )
        )
        if replaces is not None:
            self.receipts[replaces - 1].replaced_by = number

    @event(Cancelled)
    def _cancelled(self, number: int, reason: str, actor: Actor, at: datetime) -> None:
        self.receipts[number - 1].status = ReceiptStatus.CANCELLED
        self.receipts[number - 1].cancel_reason = reason
