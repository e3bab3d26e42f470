"""Load and validate the working-day calendar files (one `<year>.toml` per year) at start-up."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import msgspec

from domain.calendar import CalendarYear, WorkingCalendar

DEFAULT_CALENDAR_DIR = Path(__file__).parent / "data" / "calendar"
YEAR_FILE = re.compile(r"^(\d{4})\.toml$")


class CalendarFileError(ValueError):
    """A calendar file or directory is missing or invalid; the message names the file."""


def load_calendar(directory: Path = DEFAULT_CALENDAR_DIR) -> WorkingCalendar:
    """Read every `<year>.toml` in `directory` into one calendar; any bad file is an error."""
    if not directory.is_dir():
        raise CalendarFileError(f"calendar directory not found: {directory}")
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        raise CalendarFileError(f"no <year>.toml calendar files in {directory}")
    return WorkingCalendar(load_year(path) for path in paths)


def load_year(path: Path) -> CalendarYear:
    """Read and validate one `<year>.toml`; its `year` must match the file name."""
    match = YEAR_FILE.match(path.name)
    if match is None:
        raise CalendarFileError(f"calendar file {path} must be named <year>.toml")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise CalendarFileError(f"calendar file {path} cannot be read: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise CalendarFileError(f"calendar file {path} is not valid TOML: {error}") from error
    try:
        year = msgspec.convert(raw, CalendarYear)
    except (msgspec.ValidationError, ValueError) as error:
        raise CalendarFileError(f"calendar file {path} is invalid: {error}") from error
    if year.year != int(match.group(1)):
        raise CalendarFileError(f"calendar file {path} declares year {year.year}, not {match.group(1)}")
    return year
