"""Access tokens: a token verified once is still checked for expiry, revocation and forgery every time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from application.tokens import Principal, TokenError, Tokens
from domain.values import Role

KEY = b"unit-token-key-0123456789abcdef"
AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LAN = Principal(account_id="lan.pt", name="Lan", role=Role.RECEPTION_OFFICER, agency="H29.06")


class Revoked:
    """Revocations that answer from a set of revoked token ids."""

    def __init__(self) -> None:
        self.ids: set[str] = set()

    def known_unrevoked(self, token_id: str, account_id: str, at: datetime) -> bool:
        return False

    def is_revoked(self, token_id: str, account_id: str, issued_at: datetime, at: datetime) -> bool:
        return token_id in self.ids


def test_a_token_checked_before_is_refused_once_it_expires() -> None:
    tokens = Tokens(KEY)
    token, expires = tokens.issue(LAN, AT)
    assert tokens.check(token, AT).account_id == "lan.pt"
    with pytest.raises(TokenError, match="expired"):
        tokens.check(token, expires)
    with pytest.raises(TokenError, match="expired"):
        tokens.check_at_once(token, expires + timedelta(seconds=1))


def test_a_token_checked_before_is_refused_once_revoked() -> None:
    revocations = Revoked()
    tokens = Tokens(KEY, revocations=revocations)  # type: ignore[arg-type]
    token, _ = tokens.issue(LAN, AT)
    principal = tokens.check(token, AT)
    revocations.ids.add(principal.token_id)
    with pytest.raises(TokenError, match="revoked"):
        tokens.check(token, AT)


def test_a_forged_variant_of_a_checked_token_is_refused() -> None:
    tokens = Tokens(KEY)
    token, _ = tokens.issue(LAN, AT)
    tokens.check(token, AT)
    body, mac = token.rsplit(".", 1)
    forged = f"{body}.{'A' if mac[0] != 'A' else 'B'}{mac[1:]}"
    with pytest.raises(TokenError, match="bad signature"):
        tokens.check(forged, AT)
    with pytest.raises(TokenError, match="bad signature"):
        Tokens(b"another-key-0123456789abcdef").check(token, AT)  # another process's key: checked afresh
