"""Reconciliation view (đối soát): every imported bank statement line with its outcome, and its query."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec

from domain.erasure import Erasure
from domain.reconciliation import BankStatement
from domain.statement_text import StatementText
from domain.values import ERASED
from projections.base import ReadModel, Rows, Table, on
from projections.book_queries import Visible, everything
from projections.books import columns, utc
from projections.ports import ReadStore

STATUSES = ("matched", "unmatched", "disputed")


class ReconciliationReadModel(ReadModel):
    """Table `reconciliation_lines`: one row per credit line of each imported statement (key `<sha256>/<line>`);
    `reconciliation_texts` maps each sealed text's stream to its line, so an erasure blanks the payer's text."""

    name = "reconciliation"
    tables = (
        Table(
            "reconciliation_lines",
            columns(
                "id TEXT NOT NULL",
                "position INT NOT NULL",
                "statement TEXT NOT NULL",
                "format TEXT NOT NULL",
                "imported_at TS NOT NULL",
                "line INT NOT NULL",
                "booked_on DATE NOT NULL",
                "bank_reference TEXT NOT NULL",
                "amount INT NOT NULL",
                "text TEXT NOT NULL",
                "status TEXT NOT NULL",
                "dossier_code TEXT",
                "reason TEXT",
            ),
            key="id",
        ),
        Table("reconciliation_texts", columns("stream TEXT NOT NULL", "line_id TEXT NOT NULL"), key="stream"),
    )
    indexes = ("CREATE INDEX IF NOT EXISTS reconciliation_lines_booked ON reconciliation_lines (booked_on, status)",)

    @on(BankStatement.Imported)
    def _imported(self, rows: Rows, e: Any, position: int) -> None:
        for line in e.lines:
            rows.put(
                "reconciliation_lines",
                {
                    "id": f"{e.sha256}/{line.line}",
                    "position": position,
                    "statement": e.sha256,
                    "format": e.format,
                    "imported_at": utc(e.at),
                    "line": line.line,
                    "booked_on": line.booked_on,
                    "bank_reference": line.bank_reference,
                    "amount": line.amount,
                    "text": line.text,
                    "status": line.status.value,
                    "dossier_code": line.dossier_code,
                    "reason": line.reason.value if line.reason else None,
                },
            )

    @on(StatementText.Recorded)
    def _text(self, rows: Rows, e: Any, position: int) -> None:
        line_id = f"{e.sha256}/{e.line}"
        rows.put("reconciliation_texts", {"stream": str(e.originator_id), "line_id": line_id})
        row = rows.get("reconciliation_lines", line_id)
        if row is not None:
            rows.put("reconciliation_lines", row | {"text": e.payer.text})

    @on(Erasure.Recorded)
    def _erased(self, rows: Rows, e: Any, position: int) -> None:
        """A payer's text reads as a replay would now show it (its key is gone)."""
        for stream in e.streams:
            found = rows.get("reconciliation_texts", str(stream))
            row = rows.get("reconciliation_lines", found["line_id"]) if found else None
            if row is not None:
                rows.put("reconciliation_lines", row | {"text": ERASED})


class ReconciliationLine(msgspec.Struct, frozen=True):
    """A statement line as the reconciliation page shows it."""

    statement: str
    line: int
    booked_on: date
    bank_reference: str
    amount: int
    text: str
    status: str
    dossier_code: str | None
    reason: str | None
    imported_at: datetime


class ReconciliationView(msgspec.Struct, frozen=True):
    """Statement lines booked in a period, by outcome, with their counts and sums."""

    start: date
    end: date
    matched: list[ReconciliationLine]
    unmatched: list[ReconciliationLine]
    disputed: list[ReconciliationLine]
    totals: dict[str, int]


def reconciliation_view(
    store: ReadStore, *, start: date, end: date, visible: Visible = everything
) -> ReconciliationView:
    """Lines booked from `start` to `end`; a matched or disputed line outside the reader's scope is left out."""
    rows = store.query(
        "SELECT * FROM reconciliation_lines WHERE booked_on >= ? AND booked_on <= ? ORDER BY booked_on, position, line",
        (start, end),
    )
    lines = [
        msgspec.convert(row, ReconciliationLine, strict=False)
        for row in rows
        if row["dossier_code"] is None or visible(row["dossier_code"], None)
    ]
    by = {status: [line for line in lines if line.status == status] for status in STATUSES}
    totals = {
        f"{status}_{what}": (len(by[status]) if what == "lines" else sum(ln.amount for ln in by[status]))
        for status in STATUSES
        for what in ("lines", "amount")
    }
    return ReconciliationView(start=start, end=end, totals=totals, **by)
