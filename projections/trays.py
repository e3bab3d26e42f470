"""Tray read model: every kiosk tray, what it holds and since when (serves the tray grid and the overdue list)."""

from __future__ import annotations

from typing import Any

from domain.dossier import Dossier
from domain.tray import Tray, tray_id
from projections.base import ReadModel, Rows, Table, existing, on

COLUMNS = (
    ("id", "TEXT NOT NULL"),
    ("kiosk", "TEXT NOT NULL"),
    ("tray", "INT NOT NULL"),
    ("status", "TEXT NOT NULL"),
    ("dossier_code", "TEXT"),
    ("loaded_at", "TS"),
    ("notified_at", "TS"),
    ("updated_at", "TS NOT NULL"),
)


class TrayReadModel(ReadModel):
    """Table `kiosk_trays`: one row per tray."""

    name = "trays"
    tables = (Table("kiosk_trays", COLUMNS, key="id"),)
    indexes = (
        "CREATE UNIQUE INDEX IF NOT EXISTS kiosk_trays_number ON kiosk_trays (kiosk, tray)",
        "CREATE INDEX IF NOT EXISTS kiosk_trays_status ON kiosk_trays (kiosk, status)",
        "CREATE INDEX IF NOT EXISTS kiosk_trays_dossier ON kiosk_trays (dossier_code)",
    )

    @staticmethod
    def _set(rows: Rows, key: str, at: Any, **columns: Any) -> None:
        row = existing(rows, "kiosk_trays", key)
        row.update(columns, updated_at=at)
        rows.put("kiosk_trays", row)

    @on(Tray.Installed)
    def _installed(self, rows: Rows, e: Any, position: int) -> None:
        rows.put(
            "kiosk_trays",
            self.tables[0].new_row(
                id=str(e.originator_id), kiosk=e.kiosk_id, tray=e.number, status="empty", updated_at=e.at
            ),
        )

    @on(Tray.Loaded)
    def _loaded(self, rows: Rows, e: Any, position: int) -> None:
        self._set(rows, str(e.originator_id), e.at, status="loaded", dossier_code=e.dossier_code, loaded_at=e.at)

    @on(Tray.Released, Tray.PulledBack)
    def _emptied(self, rows: Rows, e: Any, position: int) -> None:
        self._set(rows, str(e.originator_id), e.at, status="empty", dossier_code=None, loaded_at=None, notified_at=None)

    @on(Tray.TakenOutOfService)
    def _fault(self, rows: Rows, e: Any, position: int) -> None:
        self._set(rows, str(e.originator_id), e.at, status="out_of_service")

    @on(Tray.ReturnedToService)
    def _repaired(self, rows: Rows, e: Any, position: int) -> None:
        held = existing(rows, "kiosk_trays", str(e.originator_id))["dossier_code"]
        self._set(rows, str(e.originator_id), e.at, status="loaded" if held else "empty")

    @on(Dossier.LoadedIntoTray, Dossier.ReturnLoadedIntoTray)
    def _notified(self, rows: Rows, e: Any, position: int) -> None:
        # The pickup SMS is requested in the same commit as the load.
        key = str(tray_id(e.kiosk, e.tray))
        row = existing(rows, "kiosk_trays", key)
        row["notified_at"] = e.at
        rows.put("kiosk_trays", row)
