"""Tray read model: every kiosk tray, what it holds and since when (serves the tray grid and the overdue list)."""

from __future__ import annotations

from typing import Any

from domain.dossier import Dossier
from domain.tray import Tray
from projections.base import ReadModel, on
from projections.store import Tx


class TrayReadModel(ReadModel):
    """Table `kiosk_trays`: one row per tray."""

    name = "trays"
    tables = {"kiosk_trays": """
        id TEXT NOT NULL UNIQUE, kiosk TEXT NOT NULL, tray INT NOT NULL, status TEXT NOT NULL, dossier_code TEXT,
        loaded_at TS, notified_at TS, updated_at TS NOT NULL, PRIMARY KEY (kiosk, tray)"""}
    indexes = ("CREATE INDEX IF NOT EXISTS kiosk_trays_status ON kiosk_trays (kiosk, status)",
               "CREATE INDEX IF NOT EXISTS kiosk_trays_dossier ON kiosk_trays (dossier_code)")

    @staticmethod
    def _set(tx: Tx, e: Any, **columns: Any) -> None:
        columns["updated_at"] = e.at
        assignments = ", ".join(f"{name} = ?" for name in columns)
        tx.execute(f"UPDATE kiosk_trays SET {assignments} WHERE id = ?", (*columns.values(), str(e.originator_id)))

    @on(Tray.Installed)
    def _installed(self, tx: Tx, e: Any, position: int) -> None:
        tx.execute("INSERT INTO kiosk_trays (id, kiosk, tray, status, updated_at) VALUES (?, ?, ?, 'empty', ?)",
                   (str(e.originator_id), e.kiosk_id, e.number, e.at))

    @on(Tray.Loaded)
    def _loaded(self, tx: Tx, e: Any, position: int) -> None:
        self._set(tx, e, status="loaded", dossier_code=e.dossier_code, loaded_at=e.at)

    @on(Tray.Released, Tray.PulledBack)
    def _emptied(self, tx: Tx, e: Any, position: int) -> None:
        self._set(tx, e, status="empty", dossier_code=None, loaded_at=None, notified_at=None)

    @on(Tray.TakenOutOfService)
    def _fault(self, tx: Tx, e: Any, position: int) -> None:
        self._set(tx, e, status="out_of_service")

    @on(Tray.ReturnedToService)
    def _repaired(self, tx: Tx, e: Any, position: int) -> None:
        held = tx.query("SELECT dossier_code FROM kiosk_trays WHERE id = ?", (str(e.originator_id),))[0]
        self._set(tx, e, status="loaded" if held["dossier_code"] else "empty")

    @on(Dossier.LoadedIntoTray)
    def _notified(self, tx: Tx, e: Any, position: int) -> None:
        # The pickup SMS is requested in the same commit as the load.
        tx.execute("UPDATE kiosk_trays SET notified_at = ? WHERE kiosk = ? AND tray = ?", (e.at, e.kiosk, e.tray))
