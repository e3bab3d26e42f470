"""The reference-data files read at start-up (procedure catalogue, working-day calendar), damaged at random:
each loads whole or stops the process with the loader's own error naming the file, never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.procedures import Catalogue
from infrastructure.calendar import CalendarFileError, load_year
from infrastructure.catalogue import DEFAULT_CATALOGUE, CatalogueError, load_catalogue

CATALOGUE = DEFAULT_CATALOGUE.read_bytes()
CALENDAR = (DEFAULT_CATALOGUE.parent / "calendar" / "2026.toml").read_bytes()
NOISE = st.one_of(
    st.binary(max_size=12),
    st.text(max_size=12).map(str.encode),
    st.sampled_from([b"\xff", b"\xc3(", b"=", b"[[", b"]", b'"', b"-1", b"2026-02-30", b"\n[procedures]\n"]),
)


@st.composite
def damaged(draw, original: bytes) -> bytes:
    """The file with one slice replaced by noise (a deletion when the noise is empty)."""
    start = draw(st.integers(0, len(original)))
    end = draw(st.integers(start, min(len(original), start + 40)))
    return original[:start] + draw(NOISE) + original[end:]


def _written(directory: str, name: str, content: bytes) -> Path:
    path = Path(directory) / name
    path.write_bytes(content)
    return path


@given(damaged(CATALOGUE))
@settings(max_examples=150, deadline=None)
def test_a_damaged_catalogue_loads_whole_or_is_refused_with_a_catalogue_error(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = _written(directory, "procedures.toml", content)
        try:
            catalogue = load_catalogue(path)
        except CatalogueError as error:
            assert str(path) in str(error)
            return
    assert isinstance(catalogue, Catalogue) and catalogue.procedures


@given(damaged(CALENDAR))
@settings(max_examples=150, deadline=None)
def test_a_damaged_calendar_year_loads_whole_or_is_refused_with_a_calendar_error(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = _written(directory, "2026.toml", content)
        try:
            year = load_year(path)
        except CalendarFileError as error:
            assert str(path) in str(error)
            return
    assert year.year == 2026 and all(day.date.year == 2026 for day in year.holidays)
