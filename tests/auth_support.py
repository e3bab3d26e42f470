"""Bearer tokens for tests: minted with the key the `system` fixture gives its Accounts, valid until 2120."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from application.tokens import Principal, Tokens
from domain.values import Role

TOKEN_KEY = b"tests-token-key-0123456789abcdef"
TOKENS = Tokens(TOKEN_KEY, lifetime=timedelta(days=36500))
ISSUED = datetime(2020, 1, 1, tzinfo=UTC)


def bearer(
    role: Role | str,
    account: str = "officer-1",
    *,
    agency: str = "H29.06",
    department: str | None = None,
    kiosk: str | None = None,
    tokens: Tokens = TOKENS,
    at: datetime = ISSUED,
) -> dict[str, str]:
    """The Authorization header of a token for this account, role and scope."""
    principal = Principal(
        account_id=account, name=account, role=Role(role), agency=agency, department=department, kiosk=kiosk
    )
    token, _ = tokens.issue(principal, at)
    return {"Authorization": f"Bearer {token}"}


def accounts_for(app, clock):
    """The Accounts service on a test application, checking tokens minted by `bearer`; logins never locked."""
    from application.accounts import Accounts
    from infrastructure.passwords import Argon2Hasher
    from tests.fakes import NoAttempts

    return Accounts(app, hasher=Argon2Hasher.fast(), tokens=TOKENS, clock=clock, attempts=NoAttempts())


STAFF_PASSWORD = "thu-nghiem-mot-cua-2026"
ADMIN = Principal(account_id="admin", name="Quản trị", role=Role.ADMINISTRATOR, agency="H29.06").actor


def enrol(
    accounts,
    username: str,
    role: Role | str,
    *,
    name: str | None = None,
    agency: str = "H29.06",
    department: str | None = None,
    enabled: bool = True,
) -> None:
    """A real account behind a `bearer` token, for commands that name another account (a handover's receiver)."""
    accounts.create_account(
        username,
        STAFF_PASSWORD,
        name=name or username,
        role=Role(role),
        agency=agency,
        department=department,
        actor=ADMIN,
    )
    if not enabled:
        accounts.set_enabled(username, False, reason="Nghỉ việc", actor=ADMIN)
