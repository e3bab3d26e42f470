"""The status lookup read model keeps no phone, only a keyed hash of its last 4 digits, and forgets it on erasure."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from hypothesis import example, given
from hypothesis import strategies as st

from domain.procedures import Catalogue
from projections.search import BlindIndex, SearchInputError
from projections.status import StatusLookup, StatusLookupReadModel, last_four, tail_term

KEY = b"k" * 32


class MemoryRows:
    def __init__(self) -> None:
        self.tables: dict[str, dict] = {}

    def get(self, table, key):
        return self.tables.get(table, {}).get(key)

    def put(self, table, row):
        self.tables.setdefault(table, {})[row["id"]] = row

    def delete(self, table, key):
        self.tables.get(table, {}).pop(key, None)


def opened(phone: str | None):
    return SimpleNamespace(
        originator_id=uuid.uuid4(), code="H29.06-260520-0001", applicant=SimpleNamespace(phone=phone)
    )


def test_only_a_keyed_hash_of_the_last_four_digits_is_kept() -> None:
    rows, event = MemoryRows(), opened("0912345678")
    StatusLookupReadModel(KEY)._opened(rows, event, 1)
    row = rows.get("status_phone_tails", str(event.originator_id))
    assert row["tail"] == tail_term(BlindIndex(KEY), "5678") != tail_term(BlindIndex(b"x" * 32), "5678")
    assert row["tail"] != BlindIndex(KEY).term("phone", "0912345678")  # not the search index's term of the phone
    assert "5678" not in str(row) and "0912345678" not in str(row)


def test_erasure_deletes_the_hash_so_the_dossier_can_no_longer_be_looked_up() -> None:
    rows, event, other = MemoryRows(), opened("0912345678"), opened("0987654321")
    model = StatusLookupReadModel(KEY)
    model._opened(rows, event, 1)
    model._opened(rows, other, 2)
    model._erased(rows, SimpleNamespace(streams=[event.originator_id]), 3)
    assert rows.get("status_phone_tails", str(event.originator_id)) is None
    assert rows.get("status_phone_tails", str(other.originator_id)) is not None


def test_a_dossier_without_a_phone_or_with_an_erased_one_has_no_entry() -> None:
    rows = MemoryRows()
    for phone in (None, "[đã xóa]"):
        StatusLookupReadModel(KEY)._opened(rows, opened(phone), 1)
    assert not rows.tables.get("status_phone_tails")


def test_a_result_in_a_tray_is_collected_at_that_kiosk_and_tray(catalogue: Catalogue) -> None:
    row = {
        "status": "in_tray",
        "tray": 17,
        "kiosk": "Q6-01",
        "code": "H29.06-260520-0001",
        "procedure_name": "Cấp bản sao",
        "due_on": "2026-05-27",
        "agency": "H29.06",
    }
    answer = StatusLookup(None, BlindIndex(KEY), catalogue)._public(row)
    assert (answer.kiosk, answer.tray, answer.collect_at) == ("Q6-01", 17, "Kiosk 24/7 Q6-01, khay số 17")
    assert answer.appointment_date.isoformat() == "2026-05-27" and "Kiosk 24/7" in answer.status_label
    counter = StatusLookup(None, BlindIndex(KEY), catalogue)._public(row | {"status": "result_issued", "tray": None})
    assert counter.tray is None and counter.collect_at == "Bộ phận Một cửa – Ủy ban nhân dân Quận 6"
    delivered = StatusLookup(None, BlindIndex(KEY), catalogue)._public(row | {"status": "delivered", "tray": None})
    assert delivered.collect_at is None and delivered.status_label == "Đã trả kết quả"


@given(st.text(max_size=12))
@example("\u0663\u0664\u0665\u0666")  # Arabic-Indic digits are digits to Python's \d, not to a phone
@example(" 12 34 ")
def test_last_four_accepts_exactly_four_digits_with_spaces_and_refuses_anything_else(text: str) -> None:
    stripped = "".join(text.split())
    try:
        digits = last_four(text)
    except SearchInputError as refused:
        assert not (len(stripped) == 4 and stripped.isascii() and stripped.isdigit())
        assert "4 chữ số" in refused.message_vi
    else:
        assert digits == stripped and len(digits) == 4 and all(c in "0123456789" for c in digits)
