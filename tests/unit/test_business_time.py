"""One Vietnam time zone and one check that a moment carries a zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.clock import VIETNAM, aware, aware_utc
from domain.errors import InvalidValueError

ROOT = Path(__file__).resolve().parents[2]


def test_the_vietnam_time_zone_is_declared_once() -> None:
    copies = [
        str(path.relative_to(ROOT))
        for package in ("domain", "application", "infrastructure", "projections", "api", "kiosk_edge")
        for path in (ROOT / package).rglob("*.py")
        if 'Asia/Ho_Chi_Minh")' in path.read_text(encoding="utf-8")
    ]
    assert copies == ["domain/clock.py"]


def test_an_aware_time_is_kept_and_stored_in_utc() -> None:
    at = datetime(2026, 5, 20, 16, 5, tzinfo=VIETNAM)
    assert aware(at) is at
    assert aware_utc(at) == at and aware_utc(at).tzinfo == UTC and aware_utc(at).hour == 9


def test_a_naive_time_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidValueError, match="timezone-aware") as refused:
        aware(datetime(2026, 5, 20, 16, 5), "signed_at")
    assert refused.value.field == "signed_at"
    assert VIETNAM.utcoffset(datetime(2026, 1, 1)) == timedelta(hours=7)
