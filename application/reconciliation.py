"""Reconciliation (đối soát ngân hàng): import a bank statement, match its credit lines to bank-QR payments."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import msgspec
from eventsourcing.persistence import IntegrityError

from application.base import MAX_RETRIES, OneStop
from application.errors import NotFoundError
from application.ports import Clock
from application.privacy import is_erased
from domain.bank_statement import StatementLine, parse_statement
from domain.clock import aware_utc
from domain.codes import dossier_id
from domain.dossier import Dossier
from domain.reconciliation import (
    BankStatement,
    DisputeReason,
    LineStatus,
    PaymentMatch,
    ReconciledLine,
    codes_in,
    match_id,
    statement_id,
)
from domain.statement_text import PayerText, StatementText, statement_text_id
from domain.values import Actor, PaymentMethod

MAX_STATEMENT_BYTES = 5_000_000


class ImportResult(msgspec.Struct, frozen=True, kw_only=True):
    """A statement's outcome; `imported` is False when the same file had been imported before (nothing changed)."""

    sha256: str
    format: str
    imported: bool
    matched: int
    unmatched: int
    disputed: int
    lines: list[ReconciledLine]
    position: int


class Reconciliation:
    """Import statements into the shared event store; `agencies` are the codes a reference may start with."""

    def __init__(self, app: OneStop, *, agencies: Iterable[str], clock: Clock) -> None:
        self.app, self.agencies, self.clock = app, sorted(set(agencies)), clock

    def import_statement(self, data: bytes, *, actor: Actor, at: datetime | None = None) -> ImportResult:
        """Parse the file (all or nothing), match every credit line and record it with its matches in one commit."""
        sha256 = hashlib.sha256(data).hexdigest()
        at = aware_utc(at or self.clock.now())
        for _ in range(MAX_RETRIES):
            if self._exists(statement_id(sha256)):
                return self.get_statement(sha256, imported=False)
            form, lines = parse_statement(data)
            outcomes, matches = self._reconcile(lines, sha256, actor, at)
            # The payers' texts are personal data: each is sealed in its own stream, the statement keeps none.
            stored = [msgspec.structs.replace(line, text="") for line in outcomes]
            statement = BankStatement.import_(sha256=sha256, format=form, lines=stored, actor=actor, at=at)
            texts = [self._text(sha256, line, actor, at) for line in outcomes if line.text]
            try:
                written = self.app.commit(statement, *matches, *texts)
            except IntegrityError:
                continue  # the same file, or a line for the same payment, was recorded meanwhile: decide again
            shown = {line.line: line.text for line in outcomes}
            return _result(statement, imported=True, position=written.position, texts=shown)
        raise self.app.conflict(sha256)

    def get_statement(self, sha256: str, *, imported: bool = False) -> ImportResult:
        """A statement imported before, by the SHA-256 of its file."""
        statement: BankStatement = self.app.load(statement_id(sha256), ("statement", "sao kê"), sha256, fresh=True)
        texts = {}
        for line in statement.lines:
            text_id = statement_text_id(sha256, line.line)
            if self._exists(text_id):  # statements imported before the texts were sealed keep theirs in the line
                text: StatementText = self.app.load(text_id, ("statement line", "dòng sao kê"), sha256, fresh=True)
                texts[line.line] = text.payer.text
        return _result(statement, imported=imported, position=0, texts=texts)

    def _text(self, sha256: str, line: ReconciledLine, actor: Actor, at: datetime) -> StatementText:
        """The line's text, sealed under the key of the applicant of the dossier it names (else its own stream)."""
        id_number = None
        if line.dossier_code is not None:
            dossier: Dossier = self.app.load(dossier_id(line.dossier_code), ("dossier", "hồ sơ"), line.dossier_code)
            found = dossier.applicant.id_number
            id_number = found if found and not is_erased(dossier.applicant) else None
        payer = PayerText(text=line.text, id_number=id_number)
        return StatementText.record(sha256=sha256, line=line.line, payer=payer, actor=actor, at=at)

    def _exists(self, aggregate_id: Any) -> bool:
        return bool(self.app.recorder.select_events(aggregate_id, limit=1))

    def _reconcile(
        self, lines: list[StatementLine], sha256: str, actor: Actor, at: datetime
    ) -> tuple[list[ReconciledLine], list[PaymentMatch]]:
        outcomes: list[ReconciledLine] = []
        matches: list[PaymentMatch] = []
        taken: set[tuple[str, int]] = set()
        references: set[str] = set()
        for line in lines:
            outcome, match = self._one(line, taken, line.bank_reference in references, sha256, actor, at)
            references.add(line.bank_reference)
            outcomes.append(outcome)
            if match is not None:
                matches.append(match)
        return outcomes, matches

    def _one(
        self, line: StatementLine, taken: set[tuple[str, int]], repeated: bool, sha256: str, actor: Actor, at: datetime
    ) -> tuple[ReconciledLine, PaymentMatch | None]:
        fields = msgspec.structs.asdict(line)
        candidates = [(code, self._bank_payments(code)) for code in codes_in(line.text, self.agencies)]
        paid = [(code, payments) for code, payments in candidates if payments]
        if not paid:
            return ReconciledLine(**fields, status=LineStatus.UNMATCHED), None
        code, payments = paid[0]
        if repeated:
            return ReconciledLine(
                **fields, status=LineStatus.DISPUTED, dossier_code=code, reason=DisputeReason.DUPLICATE
            ), None
        same = [version for version, amount in payments if amount == line.amount]
        free = [v for v in same if (code, v) not in taken and not self._exists(match_id(code, v))]
        if free:
            taken.add((code, free[0]))
            match = PaymentMatch.record(
                line, dossier_code=code, payment_version=free[0], statement_sha256=sha256, actor=actor, at=at
            )
            return ReconciledLine(
                **fields, status=LineStatus.MATCHED, dossier_code=code, payment_version=free[0]
            ), match
        reason = DisputeReason.DUPLICATE if same else DisputeReason.AMOUNT_DIFFERS
        return ReconciledLine(**fields, status=LineStatus.DISPUTED, dossier_code=code, reason=reason), None

    def _bank_payments(self, code: str) -> list[tuple[int, int]]:
        """(version, amount) of each bank-QR payment of the dossier; none when there is no such dossier."""
        return [
            (e.originator_version, e.amount)
            for e in self.app.events.get(dossier_id(code))
            if isinstance(e, Dossier.PaymentReceived) and e.method == PaymentMethod.BANK_QR
        ]


def _result(statement: BankStatement, *, imported: bool, position: int, texts: dict[int, str]) -> ImportResult:
    """The statement's outcome, each line with its text (sealed apart: `texts`, by line number)."""
    count = {status: sum(1 for line in statement.lines if line.status == status) for status in LineStatus}
    return ImportResult(
        sha256=statement.sha256,
        format=statement.format,
        imported=imported,
        position=position,
        matched=count[LineStatus.MATCHED],
        unmatched=count[LineStatus.UNMATCHED],
        disputed=count[LineStatus.DISPUTED],
        lines=[msgspec.structs.replace(line, text=texts.get(line.line, line.text)) for line in statement.lines],
    )


__all__ = ["ImportResult", "MAX_STATEMENT_BYTES", "NotFoundError", "Reconciliation"]
