"""Short-lived signed access tokens: who the caller is, checked without a server session or a database read.

A token is `v1.<base64url JSON of the Principal>.<base64url HMAC-SHA256>`; every API replica that shares the
key checks its signature alone. Lifetime 15 minutes, renewable before expiry. A token ends earlier when it is logged
out (its id is revoked) or when its account is disabled or its password reset (every token of the account issued
until then is revoked): the `Revocations` port is a store all replicas share.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

import msgspec

from application.ports import Revocations
from domain.errors import DomainError
from domain.values import Actor, Role

LIFETIME = timedelta(minutes=15)
VERIFIED_KEPT = 10_000  # tokens whose signature was checked, kept per process (one per live session, about)
EPOCH, MILLISECOND = datetime(1970, 1, 1, tzinfo=UTC), timedelta(milliseconds=1)


class TokenError(DomainError):
    """The token is missing, malformed, forged or expired."""

    code = "unauthenticated"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(
            f"access token rejected: {reason}", "Phiên đăng nhập không hợp lệ hoặc đã hết hạn, vui lòng đăng nhập lại."
        )


class Principal(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The authenticated caller: account, role and the agency, department or kiosk it works for."""

    account_id: str
    name: str
    role: Role
    agency: str
    department: str | None = None
    kiosk: str | None = None
    expires_at: int = 0
    token_id: str = ""
    issued_at_ms: int = 0

    @property
    def actor(self) -> Actor:
        return Actor(account_id=self.account_id, role=self.role)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Tokens:
    """Issues and checks access tokens with one HMAC key."""

    def __init__(self, key: bytes, lifetime: timedelta = LIFETIME, revocations: Revocations | None = None) -> None:
        if len(key) < 16:
            raise ValueError("token key must be at least 16 bytes")
        self._key = hmac.new(key, b"motcua/access-token", hashlib.sha256).digest()
        self.lifetime, self.revocations = lifetime, revocations
        self._decoder = msgspec.json.Decoder(Principal)
        # A token's signature and content never change, so a token verified once needs no second HMAC and decode:
        # only its expiry (and revocation, in `check`) depend on when it is presented, and those are checked each
        # time. Only verified tokens are kept, so a forged one is never remembered.
        self._verified_tokens: dict[str, Principal] = {}

    def issue(self, principal: Principal, at: datetime) -> tuple[str, datetime]:
        """A token for the principal (with a new token id) and the time it expires."""
        expires = at + self.lifetime
        stamped = msgspec.structs.replace(
            principal,
            expires_at=int(expires.timestamp()),
            token_id=secrets.token_hex(16),
            issued_at_ms=(at - EPOCH) // MILLISECOND,
        )
        body = _b64(msgspec.json.encode(stamped))
        return f"v1.{body}.{self._mac(body)}", expires

    def revoke(self, principal: Principal) -> None:
        """End this token now (logout, or the old token of a renewal)."""
        if self.revocations is not None:
            self.revocations.revoke_token(principal.token_id, datetime.fromtimestamp(principal.expires_at, UTC))

    def revoke_account(self, account_id: str, at: datetime) -> None:
        """End every token of the account issued until `at` (disabled, password reset)."""
        if self.revocations is not None:
            self.revocations.revoke_account(account_id, at)

    def check(self, token: str, at: datetime) -> Principal:
        """The principal the token was issued for; TokenError if it is malformed, forged, expired or revoked."""
        principal = self._verified(token, at)
        if self.revocations is not None and self.revocations.is_revoked(
            principal.token_id, principal.account_id, EPOCH + principal.issued_at_ms * MILLISECOND, at
        ):
            raise TokenError("revoked")
        return principal

    def check_at_once(self, token: str, at: datetime) -> Principal | None:
        """As `check` when the revocation verdict needs no store read (a recent one); else None (call `check`)."""
        principal = self._verified(token, at)
        revocations = self.revocations
        if revocations is None or revocations.known_unrevoked(principal.token_id, principal.account_id, at):
            return principal
        return None

    def _verified(self, token: str, at: datetime) -> Principal:
        principal = self._verified_tokens.get(token)
        if principal is None:
            principal = self._signed(token)
            if len(self._verified_tokens) >= VERIFIED_KEPT:
                self._verified_tokens.clear()
            self._verified_tokens[token] = principal
        if at.timestamp() >= principal.expires_at:
            raise TokenError("expired")
        return principal

    def _signed(self, token: str) -> Principal:
        """The principal of a token whose signature is right; TokenError if it is malformed or forged."""
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
        return principal

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())
