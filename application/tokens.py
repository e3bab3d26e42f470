"""Short-lived signed access tokens: who the caller is, checked without a server session or a database read.

A token is `v1.<base64url JSON of the Principal>.<base64url HMAC-SHA256>`; every API replica that shares the
key checks it alone. Lifetime 15 minutes: a disabled account or a changed role takes effect at the next login.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

import msgspec

from domain.errors import DomainError
from domain.values import Actor, Role

LIFETIME = timedelta(minutes=15)


class TokenError(DomainError):
    """The token is missing, malformed, forged or expired."""

    code = "unauthenticated"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"access token rejected: {reason}", "Phiên đăng nhập không hợp lệ hoặc đã hết hạn, vui lòng đăng nhập lại.")


class Principal(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The authenticated caller: account, role and the agency, department or kiosk it works for."""

    account_id: str
    name: str
    role: Role
    agency: str
    department: str | None = None
    kiosk: str | None = None
    expires_at: int = 0

    @property
    def actor(self) -> Actor:
        return Actor(account_id=self.account_id, role=self.role)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Tokens:
    """Issues and checks access tokens with one HMAC key."""

    def __init__(self, key: bytes, lifetime: timedelta = LIFETIME) -> None:
        if len(key) < 16:
            raise ValueError("token key must be at least 16 bytes")
        self._key = hmac.new(key, b"motcua/access-token", hashlib.sha256).digest()
        self.lifetime = lifetime
        self._decoder = msgspec.json.Decoder(Principal)

    def issue(self, principal: Principal, at: datetime) -> tuple[str, datetime]:
        """A token for the principal and the time it expires."""
        expires = at + self.lifetime
        body = _b64(msgspec.json.encode(msgspec.structs.replace(principal, expires_at=int(expires.timestamp()))))
        return f"v1.{body}.{self._mac(body)}", expires

    def check(self, token: str, at: datetime) -> Principal:
        """The principal the token was issued for; TokenError if it is malformed, forged or expired."""
        version, _, rest = token.partition(".")
        body, _, mac = rest.partition(".")
        if version != "v1" or not body or not mac:
            raise TokenError("malformed")
        if not hmac.compare_digest(mac, self._mac(body)):
            raise TokenError("bad signature")
        try:
            principal = self._decoder.decode(_unb64(body))
        except (msgspec.DecodeError, ValueError):
            raise TokenError("malformed") from None
        if at.timestamp() >= principal.expires_at:
            raise TokenError("expired")
        return principal

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())
