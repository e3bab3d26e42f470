"""Bank reconciliation (đối soát): statement lines matched to bank-QR payments by the dossier code in their text.

A `BankStatement` is identified by the hash of its file, so importing the same file again finds it already there
and records nothing. Each matched payment gets a `PaymentMatch` (one per payment event of a dossier), created in the
same commit: a second line for the same payment cannot match it again and is listed as a duplicate.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from eventsourcing.domain import Aggregate

from domain.bank_statement import StatementLine
from domain.clock import aware
from domain.codes import parse_code
from domain.errors import InvalidValueError
from domain.timing import ActedEvent
from domain.values import Actor


class LineStatus(StrEnum):
    """What became of a statement line."""

    MATCHED = "matched"  # khớp: a bank-QR payment of that dossier and amount
    UNMATCHED = "unmatched"  # không khớp: no dossier code found, or no bank-QR payment for it
    DISPUTED = "disputed"  # chênh lệch: the dossier has bank-QR payments, but the amount differs or it was matched


class DisputeReason(StrEnum):
    """Why a line that names a paid dossier did not match."""

    AMOUNT_DIFFERS = "amount_differs"
    DUPLICATE = "duplicate"


class ReconciledLine(msgspec.Struct, frozen=True, kw_only=True):
    """One statement line with its outcome; `payment_version` is the matched `PaymentReceived`'s dossier version."""

    line: int
    booked_on: date
    bank_reference: str
    amount: int
    text: str
    status: LineStatus
    dossier_code: str | None = None
    payment_version: int | None = None
    reason: DisputeReason | None = None


def statement_id(sha256: str) -> UUID:
    """The id of the statement whose file has this SHA-256."""
    return uuid5(NAMESPACE_URL, f"/bank-statements/{sha256}")


def match_id(dossier_code: str, payment_version: int) -> UUID:
    """The id of the match of one payment event of one dossier."""
    return uuid5(NAMESPACE_URL, f"/payment-matches/{dossier_code}/{payment_version}")


def compact(text: str) -> str:
    """Upper-case letters and digits only, accents dropped: how a code survives a bank app's reference field."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return re.sub(r"[^A-Z0-9]", "", "".join(c for c in text if not unicodedata.combining(c)).upper())


def codes_in(text: str, agencies: Iterable[str]) -> list[str]:
    """Dossier codes a free-text reference may name, however spaced, cased or stripped of '.' and '-'.

    Each agency's compact code followed by ten digits (yymmdd + NNNN) that form a valid code is a candidate;
    the caller keeps those that name a dossier with a bank-QR payment. A mistyped code names no such dossier."""
    flat = compact(text)
    found: list[str] = []
    for agency in sorted(set(agencies), key=len, reverse=True):
        for start in (m.start() for m in re.finditer(re.escape(compact(agency)), flat)):
            digits = flat[start + len(compact(agency)) :][:10]
            if len(digits) == 10 and digits.isdigit():
                code = f"{agency}-{digits[:6]}-{digits[6:]}"
                try:
                    parse_code(code)
                except InvalidValueError:
                    continue
                if code not in found:
                    found.append(code)
    return found


class BankStatement(Aggregate):
    """An imported statement file and the outcome of each of its credit lines."""

    class Event(ActedEvent):
        """Every statement event: who imported it, and when."""

    class Imported(Aggregate.Created, Event):
        """The file was read and every credit line matched, left unmatched or disputed."""

        sha256: str
        format: str
        lines: list[ReconciledLine]

    def __init__(self, *, sha256: str, format: str, lines: list[ReconciledLine], actor: Actor, at: datetime) -> None:
        self.sha256, self.format, self.lines = sha256, format, list(lines)

    @classmethod
    def import_(
        cls, *, sha256: str, format: str, lines: list[ReconciledLine], actor: Actor, at: datetime
    ) -> BankStatement:
        """A statement with its reconciled lines."""
        return cls._create(
            cls.Imported,
            id=statement_id(sha256),
            sha256=sha256,
            format=format,
            lines=list(lines),
            actor=actor,
            at=aware(at),
        )


class PaymentMatch(Aggregate):
    """The one statement line that confirmed a bank-QR payment (đã đối soát)."""

    class Event(ActedEvent):
        """Every match event: who imported the statement, and when."""

    class Matched(Aggregate.Created, Event):
        """The payment `payment_version` of the dossier was found on the bank statement."""

        dossier_code: str
        payment_version: int
        amount: int
        statement_sha256: str
        bank_reference: str
        booked_on: date

    def __init__(
        self,
        *,
        dossier_code: str,
        payment_version: int,
        amount: int,
        statement_sha256: str,
        bank_reference: str,
        booked_on: date,
        actor: Actor,
        at: datetime,
    ) -> None:
        self.dossier_code, self.payment_version, self.amount = dossier_code, payment_version, amount

    @classmethod
    def record(
        cls,
        line: StatementLine,
        *,
        dossier_code: str,
        payment_version: int,
        statement_sha256: str,
        actor: Actor,
        at: datetime,
    ) -> PaymentMatch:
        """The match of a payment with a statement line."""
        return cls._create(
            cls.Matched,
            id=match_id(dossier_code, payment_version),
            dossier_code=dossier_code,
            payment_version=payment_version,
            amount=line.amount,
            statement_sha256=statement_sha256,
            bank_reference=line.bank_reference,
            booked_on=line.booked_on,
            actor=actor,
            at=aware(at),
        )
