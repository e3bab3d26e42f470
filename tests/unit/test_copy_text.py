"""COPY text format of read-model values (a rebuild loads every row through it)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from infrastructure.readstore.store import _copy_text

ESCAPED = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}


def unescape(field: str) -> str:
    """How PostgreSQL reads a text-format COPY field back (the escapes _copy_text writes)."""
    return re.sub(r"\\[\\tnr]", lambda m: ESCAPED[m.group(0)], field)


@given(st.text())
def test_any_text_survives_the_copy_format(value: str) -> None:
    field = _copy_text(value)
    assert not {"\t", "\n", "\r"} & set(field)  # a raw one would split the field or the row
    assert unescape(field) == value


def test_other_values_are_written_as_postgresql_reads_them() -> None:
    moment = datetime(2026, 12, 3, 8, 30, tzinfo=UTC)
    assert [_copy_text(v) for v in (None, True, False, 42, moment, date(2026, 12, 3))] == [
        "\\N",
        "t",
        "f",
        "42",
        "2026-12-03T08:30:00+00:00",
        "2026-12-03",
    ]
