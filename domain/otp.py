"""One-time passwords (mã OTP): a challenge per code sent, and the quotas that limit how often codes are sent.

No event holds the code or the phone number: the code only as a keyed hash, the phone only as a keyed hash
(which names the streams) and masked (for support staff), both inside a PersonalData struct.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.copying import FlatCopy
from domain.errors import DomainError
from domain.timing import TimedEvent
from domain.values import PersonalData

CODE_DIGITS = 6
EXPIRY = timedelta(minutes=5)
MAX_FAILURES = 5
PHONE_LIMIT = (3, timedelta(minutes=15))
"""At most 3 codes to one phone in 15 minutes."""
KIOSK_LIMIT = (30, timedelta(hours=1))
"""At most 30 codes requested at one kiosk in an hour."""
KEPT_USES = 64


class ChallengeStatus(StrEnum):
    """An issued code is open until verified, locked after too many failures, or expired."""

    OPEN = "open"
    VERIFIED = "verified"
    LOCKED = "locked"


class OtpLimitError(DomainError):
    """Too many codes were asked for; the citizen must wait."""

    code = "otp_rate_limited"

    def __init__(self, scope: str, retry_after: timedelta) -> None:
        self.scope, self.retry_after_seconds = scope, max(int(retry_after.total_seconds()), 1)
        minutes = -(-self.retry_after_seconds // 60)
        where = "số điện thoại này" if scope == "phone" else "kiosk này"
        super().__init__(
            f"too many OTP requests for this {scope}; retry in {self.retry_after_seconds} s",
            f"Đã gửi quá nhiều mã OTP cho {where}. Vui lòng thử lại sau {minutes} phút.",
        )


class OtpRecipient(PersonalData, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The phone a code went to: a keyed hash (to find the streams) and the masked number (personal data)."""

    phone_key: str
    masked: str


def quota_id(scope: str, key: str) -> UUID:
    """The quota stream of a phone (by its keyed hash) or of a kiosk."""
    return uuid5(NAMESPACE_URL, f"/otp-quotas/{scope}/{key}")


def challenge_id(phone_key: str, number: int, quota: str = "phone") -> UUID:
    """The `number`-th code sent to a phone under a quota: racing senders compute the same id, so one of them loses."""
    if quota == "phone":  # the ids of the first quota, kept as they were for the streams already stored
        return uuid5(NAMESPACE_URL, f"/otp/{phone_key}/{number}")
    return uuid5(NAMESPACE_URL, f"/otp/{quota}/{phone_key}/{number}")


class OtpQuota(FlatCopy, Aggregate):
    """The recent sends counted against one phone or one kiosk; the phone's also remembers the latest code per
    purpose."""

    class Opened(Aggregate.Created):
        """The first code for this phone or at this kiosk."""

        scope: str

    class Used(Aggregate.Event):
        """A code was sent."""

        challenge_id: UUID
        purpose: str
        at: datetime

    @classmethod
    def open(cls, scope: str, key: str) -> OtpQuota:
        """A quota with no sends yet."""
        return cls._create(cls.Opened, id=quota_id(scope, key), scope=scope)

    def use(self, *, challenge_id: UUID, purpose: str, limit: tuple[int, timedelta], at: datetime) -> None:
        """Count one more send, or raise OtpLimitError naming when the oldest counted send leaves the window."""
        count, window = limit
        recent = [when for when in self.uses if when > at - window]
        if len(recent) >= count:
            raise OtpLimitError(self.scope, recent[-count] + window - at)
        self._used(challenge_id=challenge_id, purpose=purpose, at=at)

    def __init__(self, *, scope: str) -> None:
        self.scope, self.sent = scope, 0
        self.uses: list[datetime] = []
        self.latest: dict[str, UUID] = {}

    @event(Used)
    def _used(self, challenge_id: UUID, purpose: str, at: datetime) -> None:
        self.uses = [*self.uses[-(KEPT_USES - 1) :], at]
        self.sent += 1
        self.latest[purpose] = challenge_id


class OtpChallenge(FlatCopy, Aggregate):
    """One code sent to one phone for one purpose: 6 digits, 5 minutes, locked after 5 wrong tries."""

    class Event(TimedEvent):
        """Every challenge event: when."""

    class Issued(Aggregate.Created, Event):
        """A code was generated and sent; only its keyed hash is kept."""

        recipient: OtpRecipient
        purpose: str
        kiosk: str | None
        expires_at: datetime
        code_hash: str

    class Verified(Event):
        """The right code was typed in time; the code is used up."""

    class Failed(Event):
        """A wrong code was typed."""

        attempt: int

    class Locked(Event):
        """Too many wrong codes: this code no longer opens anything."""

    @classmethod
    def issue(
        cls, *, id: UUID, recipient: OtpRecipient, purpose: str, kiosk: str | None, code_hash: str, at: datetime
    ) -> OtpChallenge:
        """A new code, valid for five minutes."""
        return cls._create(
            cls.Issued,
            id=id,
            recipient=recipient,
            purpose=purpose,
            kiosk=kiosk,
            expires_at=at + EXPIRY,
            code_hash=code_hash,
            at=at,
        )

    def verify(self, *, code_hash: str, at: datetime) -> bool:
        """True (and used up) if open, in time and the hash matches; a wrong code counts, the fifth locks."""
        if self.status is not ChallengeStatus.OPEN or at > self.expires_at:
            return False
        if hmac.compare_digest(self.code_hash, code_hash):
            self._verified(at=at)
            return True
        self._failed(attempt=self.failures + 1, at=at)
        if self.failures >= MAX_FAILURES:
            self._locked(at=at)
        return False

    def __init__(
        self,
        *,
        recipient: OtpRecipient,
        purpose: str,
        kiosk: str | None,
        expires_at: datetime,
        code_hash: str,
        at: datetime,
    ) -> None:
        self.purpose, self.kiosk, self.expires_at, self.code_hash = purpose, kiosk, expires_at, code_hash
        self.status, self.failures = ChallengeStatus.OPEN, 0

    @event(Verified)
    def _verified(self, at: datetime) -> None:
        self.status = ChallengeStatus.VERIFIED

    @event(Failed)
    def _failed(self, attempt: int, at: datetime) -> None:
        self.failures = attempt

    @event(Locked)
    def _locked(self, at: datetime) -> None:
        self.status = ChallengeStatus.LOCKED
