"""Search (tra cứu hồ sơ) by citizen name, ID number or phone over a keyed blind index; by dossier code in clear.

Personal data never reaches this table: each normalised value is stored as an HMAC under a server key the read
store never holds (names as accent-free lower-case tokens, ID numbers as 12 digits, phones as 10 digits from 0).
A search hashes what the officer typed the same way and looks the hash up. When a person is erased, the entries of
their dossiers are deleted (the `Erasure.Recorded` event names the streams), so no trace of them stays here.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from typing import Any, Literal, TypeGuard, get_args

from domain.dossier import Dossier as D
from domain.erasure import Erasure
from domain.values import ERASED
from projections.base import ReadModel, Rows, Table, on

Kind = Literal["name", "id_number", "phone"]


def _is_kind(kind: str) -> TypeGuard[Kind]:
    """Whether `kind` is searched through the blind index."""
    return kind in get_args(Kind)


MAX_TOKENS = 8  # a name longer than this is searched by its first eight words


class SearchInputError(ValueError):
    """What was typed cannot be searched as that kind; `message_vi` says why."""

    def __init__(self, field: str, message_vi: str) -> None:
        super().__init__(f"{field}: {message_vi}")
        self.field, self.message_vi = field, message_vi


def name_tokens(text: str) -> list[str]:
    """`Nguyễn  Văn Ánh` → ["nguyen", "van", "anh"]: accents and case dropped, đ as d, split on anything else."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    return [token for token in re.split(r"[^0-9a-z]+", plain) if token][:MAX_TOKENS]


def id_number_of(text: str) -> str:
    """The 12 digits of an ID number typed with or without spaces; SearchInputError otherwise."""
    digits = re.sub(r"[\s.-]", "", text)
    if not re.fullmatch(r"\d{12}", digits):
        raise SearchInputError("id_number", "số CCCD phải gồm đúng 12 chữ số.")
    return digits


def phone_of(text: str) -> str:
    """A mobile number as 10 digits from 0 (`+84 912 345 678` → `0912345678`); SearchInputError otherwise."""
    digits = re.sub(r"[\s().-]", "", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not re.fullmatch(r"0\d{9}", digits):
        raise SearchInputError("phone", "số điện thoại phải gồm 10 chữ số, bắt đầu bằng 0.")
    return digits


def code_of(text: str) -> str:
    """A dossier code in any case and spacing → its canonical form (`h29.06 - 260520-0001` → `H29.06-260520-0001`)."""
    code = re.sub(r"\s+", "", text).upper()
    if not code or len(code) > 40:
        raise SearchInputError("code", "mã hồ sơ không hợp lệ.")
    return code


class BlindIndex:
    """The keyed hashes of normalised values (the key is derived for this use only)."""

    def __init__(self, key: bytes) -> None:
        # The HMAC keyed once: each term copies it (a third of the time of keying a new one per term, measured).
        self._keyed = hmac.new(hmac.new(key, b"motcua/search-index", hashlib.sha256).digest(), None, hashlib.sha256)

    def term(self, kind: Kind, value: str) -> str:
        digest = self._keyed.copy()
        digest.update(f"{kind}|{value}".encode())
        return digest.hexdigest()[:32]

    def terms_of(self, applicant: Any) -> set[str]:
        """Every term of an applicant: each name token, the ID number, the phone (erased values give none)."""
        terms: set[str] = set()
        name = getattr(applicant, "name", None)
        if isinstance(name, str) and name != ERASED:
            terms |= {self.term("name", token) for token in name_tokens(name)}
        id_number = getattr(applicant, "id_number", None)
        if isinstance(id_number, str) and id_number.isdigit():
            terms.add(self.term("id_number", id_number))
        phone = getattr(applicant, "phone", None)
        if isinstance(phone, str) and phone.isdigit():
            terms.add(self.term("phone", phone))
        return terms

    def query_terms(self, kind: Kind, text: str) -> list[str]:
        """The terms a search must all match."""
        if kind == "name":
            tokens = name_tokens(text)
            if not tokens:
                raise SearchInputError("name", "cần nhập ít nhất một từ của họ tên.")
            return [self.term("name", token) for token in tokens]
        if kind == "id_number":
            return [self.term("id_number", id_number_of(text))]
        return [self.term("phone", phone_of(text))]


class SearchIndexReadModel(ReadModel):
    """Tables `search_terms` (term hash → dossier) and `search_dossiers` (a dossier's terms, deleted on erasure)."""

    name = "search_index"
    tables = (
        Table(
            "search_terms",
            (
                ("id", "TEXT NOT NULL"),
                ("term", "TEXT NOT NULL"),
                ("dossier_id", "TEXT NOT NULL"),
                ("code", "TEXT NOT NULL"),
            ),
            key="id",
        ),
        Table("search_dossiers", (("id", "TEXT NOT NULL"), ("terms", "TEXT NOT NULL")), key="id"),
    )
    indexes = ("CREATE INDEX IF NOT EXISTS search_terms_term ON search_terms (term)",)

    def __init__(self, key: bytes) -> None:
        self.index = BlindIndex(key)

    @on(D.Registered, D.Received)
    def _opened(self, rows: Rows, e: Any, position: int) -> None:
        dossier = str(e.originator_id)
        terms = sorted(self.index.terms_of(e.applicant))
        for term in terms:
            rows.put("search_terms", {"id": f"{term}/{dossier}", "term": term, "dossier_id": dossier, "code": e.code})
        rows.put("search_dossiers", {"id": dossier, "terms": " ".join(terms)})

    @on(Erasure.Recorded)
    def _erased(self, rows: Rows, e: Any, position: int) -> None:
        """The person's dossiers leave the index: their terms are deleted, not masked."""
        for stream in map(str, e.streams):
            row = rows.get("search_dossiers", stream)
            if row is None:
                continue
            for term in row["terms"].split():
                rows.delete("search_terms", f"{term}/{stream}")
            rows.delete("search_dossiers", stream)


class DossierSearch:
    """The query side: dossiers in the caller's scope (queue rows, applicant masked) whose entries match every term."""

    def __init__(self, store: Any, views: Any, key: bytes) -> None:
        self.store, self.views, self.index = store, views, BlindIndex(key)

    def find(self, kind: str, text: str, *, today: Any, filters: dict[str, str | None], limit: int = 50) -> list[Any]:
        """At most `limit` matches, newest first; `kind` is code, name, id_number or phone."""
        if kind == "code":
            ids = [row["id"] for row in self.store.query("SELECT id FROM dossiers WHERE code = ?", [code_of(text)])]
        elif _is_kind(kind):
            terms = sorted(set(self.index.query_terms(kind, text)))
            marks = ", ".join("?" for _ in terms)
            ids = [
                row["dossier_id"]
                for row in self.store.query(
                    f"SELECT dossier_id FROM search_terms WHERE term IN ({marks}) GROUP BY dossier_id "
                    "HAVING COUNT(DISTINCT term) = ?",
                    [*terms, len(terms)],
                )
            ]
        else:
            raise SearchInputError("kind", "kiểu tra cứu phải là mã hồ sơ, họ tên, số CCCD hoặc số điện thoại.")
        if not ids:
            return []
        where, params = ["1 = 1"], []
        for name, value in filters.items():
            if name in ("agency", "department") and value:
                where.append(f"{name} = ?")
                params.append(value)
            elif name == "within" and value:
                where.append("(agency = ? OR agency LIKE ?)")
                params.extend([value, f"{value}.%"])
        marks = ", ".join("?" for _ in ids)
        rows = self.store.query(
            f"SELECT * FROM dossiers WHERE id IN ({marks}) AND {' AND '.join(where)} "
            "ORDER BY received_at DESC, code DESC LIMIT ?",
            [*ids, *params, limit],
        )
        return [self.views._item(row, today) for row in rows]
