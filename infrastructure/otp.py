"""OTP for the embedded default: 6 digits, kept only as a keyed hash, 5-minute expiry, at most 5 attempts."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from domain.values import mask_phone

EXPIRY = timedelta(minutes=5)
MAX_ATTEMPTS = 5


class MemoryOtp:
    """Issues and checks OTPs in process memory; `deliver(phone, text)` plays the SMS gateway."""

    def __init__(self, key: bytes, deliver: Callable[[str, str], None]) -> None:
        self._key, self._deliver = key, deliver
        self._issued: dict[tuple[str, str], tuple[str, datetime, int]] = {}
        self._lock = threading.Lock()

    def send(self, phone: str, purpose: str, at: datetime) -> None:
        code = f"{secrets.randbelow(10**6):06d}"
        with self._lock:
            self._issued[phone, purpose] = (self._hash(phone, purpose, code), at + EXPIRY, 0)
        self._deliver(phone, f"Ma OTP cua ban la {code}, hieu luc 5 phut. Khong cung cap ma nay cho nguoi khac.")

    def check(self, phone: str, purpose: str, code: str, at: datetime) -> bool:
        with self._lock:
            issued = self._issued.get((phone, purpose))
            if issued is None:
                return False
            digest, expires, attempts = issued
            if at > expires or attempts >= MAX_ATTEMPTS:
                self._issued.pop((phone, purpose), None)
                return False
            if hmac.compare_digest(digest, self._hash(phone, purpose, str(code))):
                self._issued.pop((phone, purpose))
                return True
            self._issued[phone, purpose] = (digest, expires, attempts + 1)
            return False

    def _hash(self, phone: str, purpose: str, code: str) -> str:
        return hmac.new(self._key, f"{phone}|{purpose}|{code}".encode(), hashlib.sha256).hexdigest()


def console_sms(phone: str, text: str) -> None:
    """The embedded default's SMS gateway: the message on the console, the number masked."""
    print(f"[SMS {mask_phone(phone)}] {text}", flush=True)
