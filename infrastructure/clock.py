"""The real clock."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """Wall-clock time in UTC (business rules convert to Asia/Ho_Chi_Minh themselves)."""

    def now(self) -> datetime:
        return datetime.now(UTC)
