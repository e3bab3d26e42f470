"""The procedures the kiosk offers, read from the core's catalogue file (MOTCUA_CATALOGUE, the same TOML)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from kiosk_edge.session.inputs import Procedure

DEFAULT_CATALOGUE = Path(__file__).resolve().parents[1] / "infrastructure" / "data" / "procedures.toml"


class CatalogueError(ValueError):
    """The catalogue file is missing, is not TOML or lacks a field the kiosk needs."""


def kiosk_procedures(path: str | Path = DEFAULT_CATALOGUE) -> list[Procedure]:
    """The kiosk-enabled procedures in catalogue order."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        return [Procedure(code=str(p["code"]), name=str(p["name"]), fee=int(p["fee"]),
                          face_required=bool(p["high_legal_value"]))
                for p in data["procedures"] if p.get("kiosk_enabled")]
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as error:
        raise CatalogueError(f"cannot read the procedure catalogue {path}: {type(error).__name__} {error}") from None
