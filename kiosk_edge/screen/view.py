"""What the citizen's page is sent: the session's screen and numbers, the citizen's own name and a masked ID."""

from __future__ import annotations

from typing import Any

from kiosk_edge.flow import KioskFlow
from kiosk_edge.session.screens import Screen


def view_of(flow: KioskFlow) -> dict[str, Any]:
    """The page's state (nothing personal beyond the name the citizen's own card just showed)."""
    with flow.lock:
        s, c = flow.state, flow.citizen
        return {
            "screen": s.screen.value, "flow": s.flow.value if s.flow else None, "message": s.message,
            "procedure": s.procedure.__dict__ if s.procedure else None, "dossier_code": s.dossier_code,
            "due_on": s.due_on.strftime("%d/%m/%Y") if s.due_on else None, "owed": s.owed, "paid": s.paid,
            "shortfall": s.shortfall, "excess": s.excess, "tray": s.tray, "offline": s.offline,
            "name": c.name or None, "id_masked": _mask(c.id_number),
            "procedures": [p.__dict__ for p in flow.procedures.values()] if s.screen is Screen.PROCEDURES else [],
        }


def _mask(id_number: str) -> str | None:
    return f"{id_number[:3]}******{id_number[-3:]}" if len(id_number) >= 9 else None
