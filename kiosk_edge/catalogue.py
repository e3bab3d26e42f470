"""The procedures the kiosk offers, read from the core's catalogue file (MOTCUA_CATALOGUE, the same TOML), each
with the life event it belongs to (for citizens who do not know the official names) and its department's name."""

from __future__ import annotations

import json
import threading
import tomllib
from collections import Counter
from pathlib import Path

from kiosk_edge.session.inputs import Procedure

DEFAULT_CATALOGUE = Path(__file__).resolve().parents[1] / "infrastructure" / "data" / "procedures.toml"
# Life events, first match wins: (group shown on the screen, words of the official name that place a procedure in it).
LIFE_EVENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Thẻ Căn cước", ("căn cước",)),
    ("Sinh, kết hôn, giám hộ, khai tử", ("khai sinh", "kết hôn", "hôn nhân", "khai tử", "giám hộ", "hộ tịch")),
    ("Chứng thực giấy tờ", ("chứng thực",)),
    ("Kinh doanh", ("kinh doanh", "karaoke", "thuốc lá", "rượu")),
    ("Trường học", ("trường", "học sinh")),
    ("Nhà ở, xây dựng, vỉa hè", ("xây dựng", "nhà ở", "hè phố", "vỉa hè")),
    ("Lao động, việc làm", ("lao động",)),
    ("Trợ cấp, người khuyết tật", ("trợ cấp", "khuyết tật")),
)
OTHER = "Thủ tục khác"


class CatalogueError(ValueError):
    """The catalogue file is missing, is not TOML or lacks a field the kiosk needs."""


def life_event(name: str) -> str:
    """The group of a procedure by the words of its name."""
    lowered = name.lower()
    return next((group for group, words in LIFE_EVENTS if any(word in lowered for word in words)), OTHER)


def kiosk_procedures(path: str | Path = DEFAULT_CATALOGUE) -> list[Procedure]:
    """The procedures submitted at the kiosk (`kiosk_submission`; older files: `kiosk_enabled`), in catalogue order."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        departments = {str(d["code"]): str(d["name"]) for d in data.get("departments", [])}
        return [
            Procedure(
                code=str(p["code"]),
                name=str(p["name"]),
                fee=int(p["fee"]),
                face_required=bool(p["high_legal_value"]),
                group=life_event(str(p["name"])),
                department=departments.get(str(p.get("department", "")), ""),
                form=_form(p),
            )
            for p in data["procedures"]
            if p.get("kiosk_submission", p.get("kiosk_enabled"))
        ]
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as error:
        raise CatalogueError(f"cannot read the procedure catalogue {path}: {type(error).__name__} {error}") from None


def _form(procedure: dict) -> str:
    """The first component filled in on a form ("theo mẫu", "Mẫu số ..."), or ''."""
    names = [str(c.get("name", "")) for c in procedure.get("components", [])]
    return next((name for name in names if "mẫu" in name.lower()), "")


class Usage:
    """How often each procedure was submitted at this kiosk (a small JSON file beside the outbox; none in tests):
    the procedure screen shows the most used first."""

    def __init__(self, path: Path | None = None) -> None:
        self.path, self.lock = path, threading.Lock()
        self.counts: Counter[str] = Counter()
        if path is not None and path.is_file():
            try:
                self.counts.update({str(k): int(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()})
            except (ValueError, AttributeError):  # a damaged file only loses the order, never the kiosk
                self.counts.clear()

    def add(self, code: str) -> None:
        with self.lock:
            self.counts[code] += 1
            if self.path is not None:
                self.path.write_text(json.dumps(dict(self.counts)), encoding="utf-8")

    def ordered(self, procedures: list[Procedure]) -> list[Procedure]:
        """Most used first; equal counts keep the catalogue order."""
        return sorted(procedures, key=lambda p: -self.counts[p.code])
