"""Digitization read model (số hóa, seed 002): per dossier, how many of its components were scanned at receipt and how
many were reused from the applicant's vault instead. Reports count, per unit and month, the paper dossiers that
were digitized, the scans made of dossiers that arrived electronically (which needed none), and the scans refused
(`ScanRefusal.Recorded`, its own table `dossier_scan_refusals`).

Only dossier codes and counts are kept: nothing personal, so erasure has nothing to remove here.
"""

from __future__ import annotations

from typing import Any

from domain.scan_refusal import ScanRefusal
from domain.vault import DocumentOrigin, Vault
from projections.base import ReadModel, Rows, Table, on

COLUMNS = (
    ("code", "TEXT NOT NULL"),
    ("scans", "INT NOT NULL"),
    ("scanned_pages", "INT NOT NULL"),
    ("reuses", "INT NOT NULL"),
    ("first_at", "TS NOT NULL"),
)


REFUSALS = (("code", "TEXT NOT NULL"), ("refused", "INT NOT NULL"), ("first_at", "TS NOT NULL"))


class DigitizationReadModel(ReadModel):
    """Tables `dossier_digitization` (scans and vault reuses per dossier code) and `dossier_scan_refusals` (refused
    scans per dossier code)."""

    name = "digitization"
    tables = (Table("dossier_digitization", COLUMNS, key="code"), Table("dossier_scan_refusals", REFUSALS, key="code"))

    def _count(self, rows: Rows, code: str, at: Any, **add: int) -> None:
        row = rows.get("dossier_digitization", code) or self.tables[0].new_row(
            code=code, scans=0, scanned_pages=0, reuses=0, first_at=at
        )
        rows.put("dossier_digitization", row | {name: row[name] + n for name, n in add.items()})

    @on(Vault.DocumentStored)
    def _stored(self, rows: Rows, e: Any, position: int) -> None:
        if e.origin == DocumentOrigin.SCAN and e.dossier_code:
            self._count(rows, e.dossier_code, e.at, scans=1, scanned_pages=e.pages)

    @on(Vault.ReuseChecked)
    def _reused(self, rows: Rows, e: Any, position: int) -> None:
        self._count(rows, e.dossier_code, e.at, reuses=1)

    @on(ScanRefusal.Recorded)
    def _refused(self, rows: Rows, e: Any, position: int) -> None:
        row = rows.get("dossier_scan_refusals", e.dossier_code) or {
            "code": e.dossier_code,
            "refused": 0,
            "first_at": e.at,
        }
        rows.put("dossier_scan_refusals", row | {"refused": row["refused"] + 1})
