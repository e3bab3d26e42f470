"""Staff and device accounts: who may log in, in which role, for which agency, department or kiosk.

The password is kept only as an argon2 hash (never the password). Tokens are not events: they are short-lived
signed values (application/tokens.py); disabling an account or resetting its password revokes its tokens at once.
"""

from __future__ import annotations

import re
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.copying import FlatCopy
from domain.errors import DomainError, InvalidValueError
from domain.values import Actor, Role

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
STAFF_ROLES = frozenset(Role) - {Role.CITIZEN, Role.SYSTEM}
MIN_PASSWORD = 12


class AccountDisabledError(DomainError):
    """The account is disabled."""

    code = "account_disabled"

    def __init__(self) -> None:
        super().__init__("the account is disabled", "Tài khoản đã bị khóa. Vui lòng liên hệ quản trị viên.")


def account_id(username: str) -> UUID:
    """The stream of an account, named by its login name."""
    return uuid5(NAMESPACE_URL, f"/accounts/{username}")


def device_username(kiosk: str) -> str:
    """The login name of a kiosk's device account."""
    return f"kiosk.{kiosk.lower()}"


def check_username(username: str) -> str:
    if not USERNAME.match(username):
        raise InvalidValueError(
            "username",
            "2-64 lowercase letters, digits, '.', '_' or '-'",
            "Tên đăng nhập gồm 2-64 chữ thường không dấu, chữ số, '.', '_' hoặc '-'.",
        )
    return username


def check_password(password: str, username: str = "", common: frozenset[str] = frozenset()) -> str:
    """A staff password: at least 12 characters, not blank or one repeated character, not the login name, not common."""
    if len(password) < MIN_PASSWORD:
        raise InvalidValueError(
            "password", f"at least {MIN_PASSWORD} characters", f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự."
        )
    if not password.strip() or len(set(password)) == 1:
        raise InvalidValueError(
            "password",
            "blank or one repeated character",
            "Mật khẩu không được chỉ gồm khoảng trắng hoặc một ký tự lặp lại.",
        )
    if username and username.lower() in password.lower():
        raise InvalidValueError("password", "contains the login name", "Mật khẩu không được chứa tên đăng nhập.")
    if password.lower() in common or password.lower().strip() in common:
        raise InvalidValueError(
            "password",
            "a commonly used password",
            "Mật khẩu này quá phổ biến, dễ bị đoán. Vui lòng chọn mật khẩu khác.",
        )
    return password


class Account(FlatCopy, Aggregate):
    """A login: an officer, a team member, an auditor, an analyst, an administrator or a kiosk device."""

    class Event(Aggregate.Event):
        """Every account event: who acted (the time is eventsourcing's own timestamp)."""

        actor: Actor

    class Created(Aggregate.Created, Event):
        username: str
        name: str
        role: Role
        agency: str
        department: str | None
        kiosk: str | None
        password_hash: str

    @event(Created)
    def __init__(
        self,
        username: str,
        name: str,
        role: Role,
        agency: str,
        department: str | None,
        kiosk: str | None,
        password_hash: str,
        actor: Actor,
    ) -> None:
        self.username, self.name, self.role = username, name, role
        self.agency, self.department, self.kiosk = agency, department, kiosk
        self.password_hash, self.enabled = password_hash, True

    @classmethod
    def create_id(cls, username: str, **_: object) -> UUID:
        return account_id(username)

    class PasswordChanged(Event):
        password_hash: str

    def change_password(self, password_hash: str, actor: Actor) -> None:
        self._change_password(password_hash, actor)

    @event(PasswordChanged)
    def _change_password(self, password_hash: str, actor: Actor) -> None:
        self.password_hash = password_hash

    class Disabled(Event):
        reason: str

    def disable(self, reason: str, actor: Actor) -> None:
        if self.enabled:
            self._disable(reason, actor)

    @event(Disabled)
    def _disable(self, reason: str, actor: Actor) -> None:
        self.enabled = False

    class Enabled(Event):
        """The login works again."""

    def enable(self, actor: Actor) -> None:
        if not self.enabled:
            self._enable(actor)

    @event(Enabled)
    def _enable(self, actor: Actor) -> None:
        self.enabled = True

    class Reassigned(Event):
        """The officer moved to another role, agency or department (điều động); their sessions end."""

        role: Role
        agency: str
        department: str | None

    def reassign(self, role: Role, agency: str, department: str | None, actor: Actor) -> None:
        self._reassign(role, agency, department, actor)

    @event(Reassigned)
    def _reassign(self, role: Role, agency: str, department: str | None, actor: Actor) -> None:
        self.role, self.agency, self.department = role, agency, department
