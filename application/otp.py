"""Otps: one-time passwords as events (implements the `Otp` port used by the kiosk flows).

A code is sent through the `Notifier` port at once (it must not wait for the dispatcher's poll). Only its
keyed hash is recorded; the phone only as a keyed hash and masked. Sends are limited per phone and per kiosk.
A phone has one quota per use (`quota`): codes asked for the access log never use up the phone's pickup codes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from application.base import MAX_RETRIES, OneStop
from application.errors import NotFoundError
from application.ports import Notifier
from domain.errors import DomainError
from domain.notification import DeliveryError
from domain.otp import (
    CODE_DIGITS,
    EXPIRY,
    KIOSK_LIMIT,
    PHONE_LIMIT,
    OtpChallenge,
    OtpQuota,
    OtpRecipient,
    challenge_id,
    quota_id,
)
from domain.values import check_phone, mask_phone

log = logging.getLogger("motcua.otp")
OTP_TEMPLATE, OTP_TEMPLATE_VERSION = "otp", 1
QUOTA, CHALLENGE = ("OTP quota", "hạn mức OTP"), ("OTP challenge", "mã OTP")


class OtpNotSentError(DomainError):
    """No channel could take the code."""

    code = "otp_not_sent"

    def __init__(self) -> None:
        super().__init__(
            "no channel could send the OTP",
            "Không gửi được mã OTP. Vui lòng thử lại sau ít phút hoặc liên hệ quầy Một cửa.",
        )


def random_code() -> str:
    """Six random digits."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def phone_keys(key: bytes) -> Callable[[str], str]:
    """The keyed hash that stands for a phone in OTP events and stream ids (erasures find a phone's OTPs by it)."""
    phone_key = hmac.new(key, b"motcua/otp/phone", hashlib.sha256).digest()
    return lambda phone: hmac.new(phone_key, phone.encode(), hashlib.sha256).hexdigest()


class Otps:
    """Issues and checks OTPs; `send` and `check` are the `Otp` port."""

    def __init__(
        self,
        app: OneStop,
        *,
        key: bytes,
        notifier: Notifier,
        channels: Sequence[str] = ("sms", "zalo"),
        code_source: Callable[[], str] = random_code,
        phone_limit: tuple[int, timedelta] = PHONE_LIMIT,
        kiosk_limit: tuple[int, timedelta] = KIOSK_LIMIT,
    ) -> None:
        self.app, self.phone_key = app, phone_keys(key)
        self._code_key = hmac.new(key, b"motcua/otp/code", hashlib.sha256).digest()
        self.notifier, self.channels, self.code_source = notifier, tuple(channels), code_source
        self.phone_limit, self.kiosk_limit = phone_limit, kiosk_limit

    def send(self, phone: str, purpose: str, at: datetime, *, kiosk: str | None = None, quota: str = "phone") -> None:
        """Issue a new code for the phone and purpose and send it; OtpLimitError when asked for too often."""
        phone_key = self.phone_key(check_phone(phone))
        for _ in range(MAX_RETRIES):
            phone_quota = self._quota(quota, phone_key)
            issued = challenge_id(phone_key, phone_quota.sent + 1, quota)
            phone_quota.use(challenge_id=issued, purpose=purpose, limit=self.phone_limit, at=at)
            changed: list[Any] = [phone_quota]
            if kiosk is not None:
                changed.append(self._quota("kiosk", kiosk))
                changed[-1].use(challenge_id=issued, purpose=purpose, limit=self.kiosk_limit, at=at)
            code = self.code_source()
            challenge = OtpChallenge.issue(
                id=issued,
                recipient=OtpRecipient(phone_key=phone_key, masked=mask_phone(phone)),
                purpose=purpose,
                kiosk=kiosk,
                code_hash=self._hash(issued, code),
                at=at,
            )
            if self.app.commit_or_evict(challenge, *changed) is not None:
                self._deliver(phone, code, issued)
                return
        raise self.app.conflict(purpose)

    def check(self, phone: str, purpose: str, code: str, at: datetime, *, quota: str = "phone") -> bool:
        """True once if the code is the latest sent for the phone and purpose, in time and not locked."""
        try:
            phone_quota = self.app.load(quota_id(quota, self.phone_key(phone)), QUOTA, quota, fresh=True)
        except NotFoundError:
            return False
        issued = phone_quota.latest.get(purpose)
        if issued is None:
            return False
        for _ in range(MAX_RETRIES):
            challenge = self.app.load(issued, CHALLENGE, str(issued), fresh=True)
            matched = challenge.verify(code_hash=self._hash(issued, str(code)), at=at)
            if not challenge.pending_events or self.app.commit_or_evict(challenge) is not None:
                log.info("OTP challenge %s checked: %s", issued, "verified" if matched else "refused")
                return matched
        raise self.app.conflict(purpose)

    @property
    def expiry(self) -> timedelta:
        """How long a code stays valid."""
        return EXPIRY

    def _deliver(self, phone: str, code: str, issued: UUID) -> None:
        params = {"code": code, "minutes": str(int(EXPIRY.total_seconds() // 60))}
        for channel in self.channels:
            try:
                self.notifier.send(channel, phone, OTP_TEMPLATE, OTP_TEMPLATE_VERSION, params)
            except DeliveryError as error:
                log.warning("OTP challenge %s: %s failed (%s)", issued, channel, error.kind)
                continue
            log.info("OTP challenge %s sent by %s", issued, channel)
            return
        raise OtpNotSentError()

    def _quota(self, scope: str, key: str) -> OtpQuota:
        try:
            return self.app.load(quota_id(scope, key), QUOTA, scope)
        except NotFoundError:
            return OtpQuota.open(scope, key)

    def _hash(self, issued: UUID, code: str) -> str:
        return hmac.new(self._code_key, f"{issued}|{code}".encode(), hashlib.sha256).hexdigest()
