"""The search index: keyed hashes of normalised values only, and nothing left of a person once they are erased."""

from __future__ import annotations

import hashlib
import hmac
from types import SimpleNamespace
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from infrastructure.readstore.rows import MemoryRows
from projections.search import BlindIndex, SearchIndexReadModel, code_of, name_tokens, phone_of

KEY = b"k" * 32


def received(name: str, id_number: str, phone: str) -> SimpleNamespace:
    return SimpleNamespace(
        originator_id=uuid4(),
        code="H29.06-260520-0001",
        applicant=SimpleNamespace(name=name, id_number=id_number, phone=phone),
    )


def test_names_match_without_accents_case_or_extra_spaces() -> None:
    assert name_tokens("  Nguyễn   ĐỨC  Ánh ") == ["nguyen", "duc", "anh"] == name_tokens("nguyen duc anh")


@given(st.text(max_size=60))
def test_name_tokens_are_plain_ascii_words_whatever_is_typed(text: str) -> None:
    assert all(token.isascii() and token.isalnum() and token == token.lower() for token in name_tokens(text))


@given(st.from_regex(r"0[35789]\d{8}", fullmatch=True))
def test_a_phone_reads_the_same_with_spaces_or_the_country_code(phone: str) -> None:
    spaced = f"+84 {phone[1:4]} {phone[4:7]} {phone[7:]}"
    assert phone_of(spaced) == phone_of(phone) == phone


def test_a_code_reads_the_same_in_any_case_and_spacing() -> None:
    assert code_of(" h29.06 - 260520-0001 ") == "H29.06-260520-0001"


def test_an_erased_person_leaves_no_entry_and_others_stay() -> None:
    model = SearchIndexReadModel(KEY)
    rows = MemoryRows(model)
    gone, kept = (
        received("Lưu Thị Diệp", "079301000301", "0901000301"),
        received("Quách Văn Thành", "079202000302", "0901000302"),
    )
    for event in (gone, kept):
        model._opened(rows, event, 1)
    text = repr(rows.rows("search_terms"))
    assert "Diệp" not in text and "079301000301" not in text and "0901000301" not in text
    model._erased(rows, SimpleNamespace(streams=[gone.originator_id]), 2)
    left = {row["dossier_id"] for row in rows.rows("search_terms")}
    assert left == {str(kept.originator_id)} and [r["id"] for r in rows.rows("search_dossiers")] == [
        str(kept.originator_id)
    ]


def test_the_same_value_hashes_differently_under_another_key() -> None:
    assert BlindIndex(KEY).term("phone", "0901000301") != BlindIndex(b"x" * 32).term("phone", "0901000301")


def test_a_term_is_the_hmac_of_kind_and_value_under_the_derived_key() -> None:
    """Stored terms must never change meaning: the same value gives the same hash whichever way it is computed."""
    key = b"k" * 32
    derived = hmac.new(key, b"motcua/search-index", hashlib.sha256).digest()
    index = BlindIndex(key)

    for kind, value in (("name", "nguyen"), ("id_number", "079123456789"), ("phone", "0912345678"), ("name", "an")):
        assert index.term(kind, value) == hmac.new(derived, f"{kind}|{value}".encode(), hashlib.sha256).hexdigest()[:32]
