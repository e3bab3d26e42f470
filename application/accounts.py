"""Accounts: create staff and device logins, check passwords, issue, renew and revoke access tokens.

Logins are throttled per account and per client address before any password is hashed, and at most
`hashing_slots` hashes run at once (beyond that the login is refused, not queued), so a flood cannot starve the API.
"""

from __future__ import annotations

import threading
from datetime import datetime

import msgspec
from eventsourcing.persistence import IntegrityError

from application.base import OneStop
from application.errors import NotFoundError
from application.ports import Attempts, Clock, PasswordHasher
from application.throttling import (
    LOGIN_ACCOUNT,
    LOGIN_ADDRESS,
    BusyError,
    Throttle,
    TooManyAttemptsError,
    seconds_until,
)
from application.tokens import Principal, Tokens
from domain.account import (
    STAFF_ROLES,
    Account,
    AccountDisabledError,
    account_id,
    check_password,
    check_username,
    device_username,
)
from domain.errors import DomainError, InvalidValueError
from domain.values import Actor, Role

ACCOUNT = ("account", "tài khoản")
# Departments are required for the roles that work inside one; the others work for the whole agency.
DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_OFFICER, Role.POLICE_OFFICER})


class BadCredentialsError(DomainError):
    """Unknown login name, wrong password or wrong device secret (deliberately not told apart)."""

    code = "bad_credentials"

    def __init__(self) -> None:
        super().__init__("wrong login name or password", "Tên đăng nhập hoặc mật khẩu không đúng.")


class AccountExistsError(DomainError):
    code = "account_exists"

    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(f"account {username!r} already exists", f"Tài khoản {username} đã tồn tại.")


class AccountView(msgspec.Struct, frozen=True):
    """An account as shown to administrators and to its owner (never the password hash)."""

    id: str
    username: str
    name: str
    role: Role
    agency: str
    department: str | None
    kiosk: str | None
    enabled: bool
    version: int


class Session(msgspec.Struct, frozen=True):
    """What a successful login returns."""

    token: str
    expires_at: str
    account: AccountView
    token_type: str = "Bearer"


def view(account: Account) -> AccountView:
    return AccountView(
        id=str(account.id),
        username=account.username,
        name=account.name,
        role=account.role,
        agency=account.agency,
        department=account.department,
        kiosk=account.kiosk,
        enabled=account.enabled,
        version=account.version,
    )


class Accounts:
    """Staff and kiosk-device accounts."""

    def __init__(
        self,
        app: OneStop,
        *,
        hasher: PasswordHasher,
        tokens: Tokens,
        clock: Clock,
        attempts: Attempts,
        common_passwords: frozenset[str] = frozenset(),
        hashing_slots: int = 4,
    ) -> None:
        self.app, self.hasher, self.tokens, self.clock = app, hasher, tokens, clock
        self.throttle, self.common_passwords = Throttle(attempts), common_passwords
        self._hashing = threading.BoundedSemaphore(hashing_slots)
        self._dummy = hasher.hash("not a password of anyone")

    def create_account(
        self,
        username: str,
        password: str,
        *,
        name: str,
        role: Role,
        agency: str,
        department: str | None = None,
        kiosk: str | None = None,
        actor: Actor,
        demo_password: bool = False,
    ) -> AccountView:
        """`demo_password` is for the demo seeder only: its public passwords are shorter than the policy wants."""
        check_username(username)
        if not demo_password:
            check_password(password, username, self.common_passwords)
        if role not in STAFF_ROLES:
            raise InvalidValueError("role", "not a staff or device role", "Vai trò không dùng cho tài khoản cán bộ.")
        if role in DEPARTMENT_ROLES and not department:
            raise InvalidValueError("department", "required for this role", "Vai trò này cần chọn phòng ban.")
        if (role == Role.KIOSK) != bool(kiosk):
            raise InvalidValueError(
                "kiosk",
                "a kiosk account names its kiosk, and only it does",
                "Chỉ tài khoản thiết bị kiosk mới gắn với một kiosk.",
            )
        account = Account(
            username=username,
            name=name,
            role=role,
            agency=agency,
            department=department,
            kiosk=kiosk,
            password_hash=self.hasher.hash(password),
            actor=actor,
        )
        try:
            self.app.commit(account)
        except IntegrityError:
            raise AccountExistsError(username) from None
        return view(account)

    def create_device(
        self, kiosk: str, secret: str, *, agency: str, actor: Actor, demo_password: bool = False
    ) -> AccountView:
        """The login of a kiosk device (its secret is checked like a password)."""
        return self.create_account(
            device_username(kiosk),
            secret,
            name=f"Kiosk {kiosk}",
            role=Role.KIOSK,
            agency=agency,
            kiosk=kiosk,
            actor=actor,
            demo_password=demo_password,
        )

    def login(self, username: str, password: str, *, client: str | None = None) -> Session:
        """A session token for a correct password; BadCredentialsError otherwise, TooManyAttemptsError when locked."""
        at = self.clock.now()
        limits = [(f"login:account:{username}", LOGIN_ACCOUNT)]
        if client:
            limits.append((f"login:address:{client}", LOGIN_ADDRESS))
        locked = self.throttle.locked_until([key for key, _ in limits], at)
        if locked is not None:  # refused before hashing: a locked flood costs no argon2
            raise TooManyAttemptsError(seconds_until(locked, at))
        account = self._find(username)
        if not self._verify(account, password):
            self.throttle.failed(limits, at)
            raise BadCredentialsError()
        assert account is not None
        if not account.enabled:
            raise AccountDisabledError()
        self.throttle.clear(limits[0][0])
        return self._session(account, at)

    def login_device(self, kiosk: str, secret: str, *, client: str | None = None) -> Session:
        return self.login(device_username(kiosk), secret, client=client)

    def renew(self, principal: Principal) -> Session:
        """A fresh token for a caller whose token is still valid; the old one ends (the account is read again)."""
        account = self._find(principal.account_id)
        if account is None or not account.enabled:
            raise AccountDisabledError()
        session = self._session(account, self.clock.now())
        self.tokens.revoke(principal)
        return session

    def logout(self, principal: Principal) -> None:
        """The presented token ends now, on every replica."""
        self.tokens.revoke(principal)

    def get_account(self, username: str) -> AccountView:
        account = self._find(username)
        if account is None:
            raise NotFoundError(*ACCOUNT, username)
        return view(account)

    def display_name(self, username: str) -> str | None:
        """The account's name as printed on documents and certificates, or None for an unknown account."""
        account = self._find(username)
        return account.name if account else None

    def list_accounts(self) -> list[AccountView]:
        accounts: list[Account] = [self.app.repository.get(account_id(name)) for name in self._usernames()]
        return sorted((view(a) for a in accounts), key=lambda v: v.username)

    def change_password(self, username: str, password: str, *, actor: Actor) -> AccountView:
        """A reset: the new password follows the policy and every token issued until now ends."""
        check_password(password, username, self.common_passwords)
        self.app.update(
            account_id(username),
            ACCOUNT,
            username,
            None,
            lambda account: account.change_password(self.hasher.hash(password), actor),
        )
        self.tokens.revoke_account(username, self.clock.now())
        return self.get_account(username)

    def set_enabled(self, username: str, enabled: bool, *, reason: str, actor: Actor) -> AccountView:
        """Disabling ends every token of the account at once, on every replica."""
        self.app.update(
            account_id(username),
            ACCOUNT,
            username,
            None,
            lambda account: account.enable(actor) if enabled else account.disable(reason, actor),
        )
        if not enabled:
            self.tokens.revoke_account(username, self.clock.now())
        return self.get_account(username)

    def reassign(self, username: str, *, role: Role, agency: str, department: str | None, actor: Actor) -> AccountView:
        """A new role and unit for a staff account (not a kiosk's); every token issued until now ends."""
        if role not in STAFF_ROLES or role == Role.KIOSK:
            raise InvalidValueError("role", "not a staff role", "Vai trò không dùng cho tài khoản cán bộ.")
        if role in DEPARTMENT_ROLES and not department:
            raise InvalidValueError("department", "required for this role", "Vai trò này cần chọn phòng ban.")

        def command(account: Account) -> None:
            if account.role == Role.KIOSK:
                raise InvalidValueError(
                    "username",
                    "a kiosk's device account keeps its role",
                    "Tài khoản thiết bị kiosk không đổi vai trò được.",
                )
            account.reassign(role, agency, department, actor)

        self.app.update(account_id(username), ACCOUNT, username, None, command)
        self.tokens.revoke_account(username, self.clock.now())
        return self.get_account(username)

    def _verify(self, account: Account | None, password: str) -> bool:
        if not self._hashing.acquire(blocking=False):
            raise BusyError()
        try:
            if account is None:
                self.hasher.verify(self._dummy, password)  # the same work as for a known name: no timing oracle
                return False
            return self.hasher.verify(account.password_hash, password)
        finally:
            self._hashing.release()

    def _session(self, account: Account, at: datetime) -> Session:
        principal = Principal(
            account_id=account.username,
            name=account.name,
            role=account.role,
            agency=account.agency,
            department=account.department,
            kiosk=account.kiosk,
        )
        token, expires = self.tokens.issue(principal, at)
        return Session(token=token, expires_at=expires.isoformat(), account=view(account))

    def _find(self, username: str) -> Account | None:
        try:
            return self.app.load(account_id(username), ACCOUNT, username, fresh=True)
        except NotFoundError:
            return None

    def _usernames(self) -> list[str]:
        topic = f"{Account.__module__}:{Account.__qualname__}.Created"
        names = []
        for notification in self.app.recorder.select_notifications(1, 1_000_000, topics=[topic]):
            created = self.app.mapper.to_domain_event(notification)
            if not isinstance(created, Account.Created):
                raise TypeError(f"an event of topic {topic} decoded as {type(created).__name__}")
            names.append(created.username)
        return names
