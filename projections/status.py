"""Public status lookup (tra cứu hồ sơ): a dossier code plus the last 4 digits of the applicant's phone tell where
the dossier stands, its appointment date and where to collect the result, and nothing personal.

The phone is sealed personal data: this read model keeps only a keyed hash of its last 4 digits (`BlindIndex`
under a key the read store never holds), and deletes it when the person is erased. A lookup answers the same
`not found` for an unknown code and for wrong digits, so the page cannot tell which dossier codes exist; failures
are counted per client address and per dossier code by the caller (api/controllers/status.py).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import msgspec

from domain.dossier import Dossier as D
from domain.erasure import Erasure
from domain.procedures import Catalogue
from projections.base import ReadModel, Rows, Table, on
from projections.search import BlindIndex, SearchInputError

STATUS_VI = {
    "registered": "Đã đăng ký trực tuyến, chờ cán bộ tiếp nhận",
    "received": "Đã tiếp nhận, chờ kiểm tra hồ sơ",
    "accepted": "Đã tiếp nhận, đang chuyển xử lý",
    "in_processing": "Đang giải quyết",
    "supplement_requested": "Cần bổ sung hồ sơ: Ông/Bà vui lòng liên hệ Bộ phận Một cửa",
    "withdrawal_requested": "Đang xử lý yêu cầu rút hồ sơ",
    "result_issued": "Đã có kết quả, chờ trả",
    "in_tray": "Đã có kết quả tại Kiosk 24/7, mời Ông/Bà đến nhận",
    "delivered": "Đã trả kết quả",
    "rated": "Đã trả kết quả",
    "rejected": "Hồ sơ không được giải quyết: Ông/Bà vui lòng liên hệ Bộ phận Một cửa",
    "withdrawn": "Đã rút hồ sơ",
}
FINISHED = frozenset({"delivered", "rated", "rejected", "withdrawn"})  # nothing left to collect
NOT_FOUND_VI = (
    "Không tìm thấy hồ sơ với mã và 4 số cuối điện thoại này. Ông/Bà vui lòng kiểm tra lại mã hồ sơ "
    "trên giấy biên nhận và 4 số cuối của số điện thoại đã đăng ký."
)


class PublicStatus(msgspec.Struct, frozen=True, kw_only=True):
    """The answer of a lookup: the same shape whether or not a dossier was found (no enumeration)."""

    found: bool
    message_vi: str  # what to show: the status, or the one "not found" sentence
    code: str | None = None
    status: str | None = None
    status_label: str | None = None
    procedure: str | None = None
    appointment_date: date | None = None
    collect_at: str | None = None
    kiosk: str | None = None
    tray: int | None = None


def last_four(text: str) -> str:
    """Exactly 4 digits (spaces allowed between them); SearchInputError otherwise."""
    digits = re.sub(r"\s", "", text or "")
    if not re.fullmatch(r"[0-9]{4}", digits):
        raise SearchInputError("phone_last4", "cần nhập đúng 4 chữ số cuối của số điện thoại đã đăng ký.")
    return digits


def tail_term(index: BlindIndex, digits: str) -> str:
    """The keyed hash of a phone's last 4 digits; the `tail:` prefix keeps it apart from a whole phone's term."""
    return index.term("phone", f"tail:{digits}")


class StatusLookupReadModel(ReadModel):
    """Table `status_phone_tails`: per dossier, its code and the keyed hash of its phone's last 4 digits."""

    name = "status_lookup"
    tables = (
        Table(
            "status_phone_tails",
            (("id", "TEXT NOT NULL"), ("code", "TEXT NOT NULL"), ("tail", "TEXT NOT NULL")),
            key="id",
        ),
    )
    indexes = ("CREATE INDEX IF NOT EXISTS status_phone_tails_code ON status_phone_tails (code)",)

    def __init__(self, key: bytes) -> None:
        self.index = BlindIndex(key)

    @on(D.Registered, D.Received)
    def _opened(self, rows: Rows, e: Any, position: int) -> None:
        phone = getattr(e.applicant, "phone", None)
        if isinstance(phone, str) and phone.isdigit() and len(phone) >= 4:  # no phone (or an erased one): no lookup
            rows.put(
                "status_phone_tails",
                {"id": str(e.originator_id), "code": e.code, "tail": tail_term(self.index, phone[-4:])},
            )

    @on(Erasure.Recorded)
    def _erased(self, rows: Rows, e: Any, position: int) -> None:
        """An erased person's dossiers can no longer be looked up by phone: the hashes are deleted, not masked."""
        for stream in map(str, e.streams):
            if rows.get("status_phone_tails", stream) is not None:
                rows.delete("status_phone_tails", stream)


class StatusLookup:
    """The query side: `status_phone_tails` joined with the `dossiers` read model."""

    def __init__(
        self, store: Any, key_index: BlindIndex, catalogue: Catalogue, kiosk_names: dict[str, str] | None = None
    ) -> None:
        self.store, self.index, self.catalogue, self.kiosk_names = store, key_index, catalogue, dict(kiosk_names or {})

    def lookup(self, code: str, digits: str) -> PublicStatus:
        """The dossier's public status, or the one `not found` answer (`code` canonical, `digits` checked)."""
        rows = self.store.query(
            "SELECT d.* FROM status_phone_tails t JOIN dossiers d ON d.id = t.id WHERE t.code = ? AND t.tail = ?",
            [code, tail_term(self.index, digits)],
        )
        return self._public(rows[0]) if rows else PublicStatus(found=False, message_vi=NOT_FOUND_VI)

    def _public(self, row: dict[str, Any]) -> PublicStatus:
        status, in_tray = row["status"], row["status"] == "in_tray" and row["tray"] is not None
        return PublicStatus(
            found=True,
            message_vi=STATUS_VI.get(status, "Đang giải quyết"),
            code=row["code"],
            status=status,
            status_label=STATUS_VI.get(status, "Đang giải quyết"),
            procedure=row["procedure_name"],
            appointment_date=_day(row["due_on"]),
            collect_at=None if status in FINISHED else self._where(row, in_tray),
            kiosk=row["kiosk"] if in_tray else None,
            tray=row["tray"] if in_tray else None,
        )

    def _where(self, row: dict[str, Any], in_tray: bool) -> str:
        if in_tray:
            kiosk = self.kiosk_names.get(row["kiosk"], f"Kiosk 24/7 {row['kiosk']}")
            return f"{kiosk}, khay số {row['tray']}"
        agency = next((a for a in self.catalogue.agencies if a.code == row["agency"]), None)
        return f"Bộ phận Một cửa – {agency.name if agency else row['agency']}"


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
