"""Accounts: create staff and device logins, check passwords, issue access tokens."""

from __future__ import annotations

from typing import Any

import msgspec
from eventsourcing.persistence import IntegrityError

from application.base import OneStopApplication
from application.errors import NotFoundError
from application.ports import Clock, PasswordHasher
from application.tokens import Principal, Tokens
from domain.account import (
    STAFF_ROLES, Account, AccountDisabledError, account_id, check_password, check_username, device_username,
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
    return AccountView(id=str(account.id), username=account.username, name=account.name, role=account.role,
                       agency=account.agency, department=account.department, kiosk=account.kiosk,
                       enabled=account.enabled, version=account.version)


class Accounts(OneStopApplication):
    """Staff and kiosk-device accounts."""

    def __init__(self, env: Any = None, *, hasher: PasswordHasher, tokens: Tokens, clock: Clock) -> None:
        super().__init__(env)
        self.hasher, self.tokens, self.clock = hasher, tokens, clock
        self._dummy = hasher.hash("not a password of anyone")

    def create_account(self, username: str, password: str, *, name: str, role: Role, agency: str,
                       department: str | None = None, kiosk: str | None = None, actor: Actor) -> AccountView:
        check_username(username)
        check_password(password)
        if role not in STAFF_ROLES:
            raise InvalidValueError("role", "not a staff or device role", "Vai trò không dùng cho tài khoản cán bộ.")
        if role in DEPARTMENT_ROLES and not department:
            raise InvalidValueError("department", "required for this role", "Vai trò này cần chọn phòng ban.")
        if (role == Role.KIOSK) != bool(kiosk):
            raise InvalidValueError("kiosk", "a kiosk account names its kiosk, and only it does",
                                    "Chỉ tài khoản thiết bị kiosk mới gắn với một kiosk.")
        account = Account(username=username, name=name, role=role, agency=agency, department=department,
                          kiosk=kiosk, password_hash=self.hasher.hash(password), actor=actor)
        try:
            self.commit(account)
        except IntegrityError:
            raise AccountExistsError(username) from None
        return view(account)

    def create_device(self, kiosk: str, secret: str, *, agency: str, actor: Actor) -> AccountView:
        """The login of a kiosk device (its secret is checked like a password)."""
        return self.create_account(device_username(kiosk), secret, name=f"Kiosk {kiosk}", role=Role.KIOSK,
                                   agency=agency, kiosk=kiosk, actor=actor)

    def login(self, username: str, password: str) -> Session:
        """A session token for a correct password; BadCredentialsError otherwise."""
        account = self._find(username)
        if account is None:
            self.hasher.verify(self._dummy, password)  # the same work as for a known name: no timing oracle
            raise BadCredentialsError()
        if not self.hasher.verify(account.password_hash, password):
            raise BadCredentialsError()
        if not account.enabled:
            raise AccountDisabledError()
        principal = Principal(account_id=account.username, name=account.name, role=account.role,
                              agency=account.agency, department=account.department, kiosk=account.kiosk)
        token, expires = self.tokens.issue(principal, self.clock.now())
        return Session(token=token, expires_at=expires.isoformat(), account=view(account))

    def login_device(self, kiosk: str, secret: str) -> Session:
        return self.login(device_username(kiosk), secret)

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
        accounts = [self.repository.get(account_id(name)) for name in self._usernames()]
        return sorted((view(a) for a in accounts), key=lambda v: v.username)

    def change_password(self, username: str, password: str, *, actor: Actor) -> AccountView:
        check_password(password)
        self.update(account_id(username), ACCOUNT, username, None,
                    lambda account: account.change_password(self.hasher.hash(password), actor))
        return self.get_account(username)

    def set_enabled(self, username: str, enabled: bool, *, reason: str, actor: Actor) -> AccountView:
        self.update(account_id(username), ACCOUNT, username, None,
                    lambda account: account.enable(actor) if enabled else account.disable(reason, actor))
        return self.get_account(username)

    def _find(self, username: str) -> Account | None:
        try:
            return self.load(account_id(username), ACCOUNT, username, fresh=True)
        except NotFoundError:
            return None

    def _usernames(self) -> list[str]:
        topic = f"{Account.__module__}:{Account.__qualname__}.Created"
        names = []
        for notification in self.recorder.select_notifications(1, 1_000_000, topics=[topic]):
            names.append(self.mapper.to_domain_event(notification).username)
        return names
