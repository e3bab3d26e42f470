"""Throttles: how many failures a guarded action allows before it locks, and what a locked caller is told.

Counters live in the `Attempts` port (a table every API replica shares), so a flood spread over replicas is
counted once. A locked caller is refused before any expensive or revealing work (argon2, loading the dossier).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from application.ports import Attempts
from domain.errors import DomainError


@dataclass(frozen=True)
class Limit:
    """`allowed` failures within `window` lock the key for `lockout`, doubled per further failure up to `ceiling`."""

    allowed: int
    window: timedelta
    lockout: timedelta
    ceiling: timedelta


MINUTE = timedelta(minutes=1)
LOGIN_ACCOUNT = Limit(5, 15 * MINUTE, timedelta(seconds=30), 15 * MINUTE)
LOGIN_ADDRESS = Limit(20, 15 * MINUTE, MINUTE, 15 * MINUTE)
PICKUP_DOSSIER = Limit(5, 60 * MINUTE, 15 * MINUTE, 4 * 60 * MINUTE)
PICKUP_KIOSK = Limit(20, 60 * MINUTE, 10 * MINUTE, 60 * MINUTE)
ACCESS_LOG_CODE = Limit(3, 15 * MINUTE, 15 * MINUTE, 60 * MINUTE)
"""Counted per request, whatever the data: three code requests per person and per phone in 15 minutes."""


def seconds_until(until: datetime, at: datetime) -> int:
    return max(int(-(-(until - at).total_seconds() // 1)), 1)


class TooManyAttemptsError(DomainError):
    """Too many failed logins or requests for this account or address: wait before trying again."""

    code = "too_many_attempts"

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        minutes = -(-retry_after_seconds // 60)
        super().__init__(
            f"too many attempts; retry in {retry_after_seconds} s",
            f"Bạn đã thử quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
        )


class PickupLockedError(DomainError):
    """Too many wrong identity checks on this dossier or at this kiosk: kiosk pickup is locked for a while."""

    code = "pickup_locked"

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        minutes = -(-retry_after_seconds // 60)
        super().__init__(
            f"kiosk pickup is locked after too many wrong tries; retry in {retry_after_seconds} s",
            f"Đã nhập sai quá nhiều lần nên tạm khóa nhận kết quả tại kiosk. Vui lòng thử lại sau "
            f"{minutes} phút hoặc liên hệ quầy Một cửa.",
        )


class BusyError(DomainError):
    """Every password-hashing slot is taken: refused at once rather than queued, so a flood cannot starve the API."""

    code = "busy"

    def __init__(self) -> None:
        self.retry_after_seconds = 1
        super().__init__(
            "too many logins at once; retry in a second",
            "Hệ thống đang bận xử lý đăng nhập, vui lòng thử lại sau giây lát.",
        )


class Throttle:
    """Applies limits to keys in an Attempts store (the guard store every replica shares)."""

    def __init__(self, attempts: Attempts) -> None:
        self.attempts = attempts

    def locked_until(self, keys: Sequence[str], at: datetime) -> datetime | None:
        """The latest end of the keys' lockouts, or None if none is locked."""
        ends = [end for end in (self.attempts.locked_until(key, at) for key in keys) if end is not None]
        return max(ends) if ends else None

    def failed(self, limits: Sequence[tuple[str, Limit]], at: datetime) -> None:
        for key, limit in limits:
            self.attempts.fail(
                key, at, allowed=limit.allowed, window=limit.window, lockout=limit.lockout, ceiling=limit.ceiling
            )

    def clear(self, key: str) -> None:
        self.attempts.clear(key)
