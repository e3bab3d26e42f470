"""Load and validate the procedure catalogue file at start-up."""

from __future__ import annotations

import tomllib
from pathlib import Path

import msgspec

from domain.procedures import Catalogue

DEFAULT_CATALOGUE = Path(__file__).parent / "data" / "procedures.toml"


class CatalogueError(ValueError):
    """The catalogue file is missing or invalid; the message says where."""


def load_catalogue(path: Path = DEFAULT_CATALOGUE) -> Catalogue:
    """Read the TOML catalogue at `path`, validated field by field."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise CatalogueError(f"catalogue file not found: {path}") from error
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"catalogue {path} is not valid TOML: {error}") from error
    except UnicodeDecodeError as error:
        raise CatalogueError(f"catalogue {path} is not UTF-8 text: {error}") from error
    except OSError as error:
        raise CatalogueError(f"catalogue {path} cannot be read: {error}") from error
    _read_legacy_kiosk_flag(raw)
    try:
        return msgspec.convert(raw, Catalogue)
    except (msgspec.ValidationError, ValueError) as error:
        raise CatalogueError(f"catalogue {path} is invalid: {error}") from error


def _read_legacy_kiosk_flag(raw: object) -> None:
    """A file of the first format has only `kiosk_enabled`: it meant kiosk submission, and every result could go back
    through a tray. Read it as kiosk_submission (and kiosk_return = true) so older catalogue files still load."""
    procedures = raw.get("procedures") if isinstance(raw, dict) else None
    for procedure in procedures if isinstance(procedures, list) else []:
        if isinstance(procedure, dict) and "kiosk_submission" not in procedure and "kiosk_enabled" in procedure:
            procedure["kiosk_submission"] = procedure["kiosk_enabled"]
            procedure.setdefault("kiosk_return", True)
