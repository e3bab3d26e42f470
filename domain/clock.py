"""Business time: the one Vietnam time zone and the one check that a moment carries a zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from domain.errors import InvalidValueError

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # business rules (working days, dossier codes, books); storage is UTC


def aware(at: datetime, name: str = "at") -> datetime:
    """`at` itself if it is timezone-aware; InvalidValueError (a ValueError) naming it otherwise, because a naive
    time would be read in whatever zone the machine happens to be in."""
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise InvalidValueError(name, "time must be timezone-aware", "thời điểm phải có múi giờ")
    return at


def aware_utc(at: datetime, name: str = "at") -> datetime:
    """`at` in UTC, as events store it; a naive time is refused as by `aware`."""
    return aware(at, name).astimezone(UTC)
