"""Bounds of what people and devices send: lengths, lists, printable characters, dates.

One set of annotated types, used by the API's request Structs (msgspec checks them and the OpenAPI document
shows them) and by the aggregates' commands through the `check_*` functions. Stored events keep their plain
types: an event recorded before a bound existed must still replay.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

import msgspec

from domain.errors import InvalidValueError

# C0 and C1 controls and DEL, and the bidirectional embeddings, overrides and isolates (U+202A-202E,
# U+2066-2069) that can make a printed name read differently from what was stored.
_BIDI = "\u202a-\u202e\u2066-\u2069"
ONE_LINE = rf"^[^\x00-\x1f\x7f-\x9f{_BIDI}]*\Z"
MULTI_LINE = rf"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]*\Z"  # tab, line feed and carriage return allowed
_ONE_LINE, _MULTI_LINE = re.compile(ONE_LINE), re.compile(MULTI_LINE)

NAME_MAX = 200  # the longest Vietnamese full names are under 60 characters; organisations' names run longer
ADDRESS_MAX = 500
TEXT_MAX = 2000  # reasons, summaries, notes: a paragraph, not a document
LIST_MAX = 100  # components of one dossier, items of one request: procedures list at most a few dozen
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2100, 12, 31)

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=NAME_MAX, pattern=ONE_LINE)]
"""A name or a one-line text printed on documents (people, units, items, procedures)."""
Reference = Annotated[str, msgspec.Meta(max_length=100, pattern=ONE_LINE)]
"""A one-line reference: a bank transfer's, a document number, a lawful request's number."""
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9._-]+\Z")]
"""A catalogue or record code: procedure, agency, department, dossier."""
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=TEXT_MAX, pattern=MULTI_LINE)]
"""A free text that may span lines: a reason, a summary, a note."""


def check_line(field: str, value: str | None, max_length: int = NAME_MAX) -> str | None:
    """The value if it is one printable line of at most max_length characters (None passes), or raise."""
    if value is not None and (not isinstance(value, str) or len(value) > max_length or not _ONE_LINE.match(value)):
        raise InvalidValueError(
            field,
            f"must be one line of at most {max_length} characters, without control or direction-override characters",
            f"phải là một dòng tối đa {max_length} ký tự, không chứa ký tự điều khiển",
        )
    return value


def check_text(field: str, value: str, max_length: int = TEXT_MAX) -> str:
    """The value if it is printable text of at most max_length characters, or raise."""
    if not isinstance(value, str) or len(value) > max_length or not _MULTI_LINE.match(value):
        raise InvalidValueError(
            field,
            f"must be at most {max_length} characters, without control or direction-override characters",
            f"tối đa {max_length} ký tự, không chứa ký tự điều khiển",
        )
    return value


def check_count(field: str, items: list | tuple, maximum: int = LIST_MAX) -> None:
    """Raise if the list holds more than `maximum` items."""
    if len(items) > maximum:
        raise InvalidValueError(field, f"at most {maximum} items", f"tối đa {maximum} mục")


def check_day(field: str, value: date | None) -> date | None:
    """The day if it lies between 1900-01-01 and 2100-12-31 (None passes), or raise."""
    if value is not None and not FIRST_DATE <= value <= LAST_DATE:
        raise InvalidValueError(
            field,
            "must be a day between 1900-01-01 and 2100-12-31",
            "phải là ngày trong khoảng 01/01/1900 đến 31/12/2100",
        )
    return value
