"""Short-lived signed proofs (phone verified by OTP, pickup authorised) so kiosk steps need no server session."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from domain.errors import DomainError


class ProofError(DomainError):
    """The proof is missing, forged, for someone else, or expired."""

    code = "proof_invalid"

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"proof rejected: {reason}", "Phiên xác thực đã hết hạn hoặc không hợp lệ, vui lòng xác thực lại."
        )


class Proofs:
    """HMAC tokens binding a subject (a phone, a dossier code) to a purpose until an expiry time."""

    def __init__(self, key: bytes, lifetime: timedelta = timedelta(minutes=15)) -> None:
        if len(key) < 16:
            raise ValueError("proof key must be at least 16 bytes")
        self._key, self._lifetime = key, lifetime

    def issue(self, subject: str, purpose: str, at: datetime) -> str:
        """A token valid for `subject` and `purpose` until at + lifetime."""
        expires = int((at + self._lifetime).timestamp())
        return f"{expires}.{self._mac(subject, purpose, expires)}"

    def check(self, token: str, subject: str, purpose: str, at: datetime) -> None:
        """Raise ProofError unless the token was issued for this subject and purpose and is not expired."""
        expires_text, _, mac = (token or "").partition(".")
        if not expires_text.isdigit() or not mac:
            raise ProofError("malformed")
        expires = int(expires_text)
        if not hmac.compare_digest(mac, self._mac(subject, purpose, expires)):
            raise ProofError("not issued for this subject")
        if at.timestamp() > expires:
            raise ProofError("expired")

    def _mac(self, subject: str, purpose: str, expires: int) -> str:
        message = f"{purpose}|{subject}|{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]
