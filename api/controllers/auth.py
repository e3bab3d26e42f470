"""Login, renewal and logout for officers and kiosk devices, and account administration."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from api.auth import ADMINS, PUBLIC, authorize, current_actor, current_principal, rules
from api.routing import get, post
from api.schemas import MAX_COMMAND_BODY
from application.accounts import Accounts, AccountView, Session
from application.tokens import Principal
from domain.limits import Name
from domain.values import Actor, Role

Short = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Secret = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class LoginBody(msgspec.Struct, forbid_unknown_fields=True):
    """Đăng nhập / Log in."""

    username: Short
    password: Secret


class DeviceLoginBody(msgspec.Struct, forbid_unknown_fields=True):
    """Kiosk đăng nhập bằng khóa thiết bị / A kiosk logs in with its device secret."""

    kiosk: Short
    secret: Secret


class SessionBody(msgspec.Struct, forbid_unknown_fields=True):
    """Gia hạn hoặc kết thúc phiên / Renew or end the session: an empty object `{}` (the token says whose)."""


class NewAccountBody(msgspec.Struct, forbid_unknown_fields=True):
    """Tạo tài khoản / Create an account."""

    username: Short
    password: Secret
    name: Name
    role: Role
    agency: Short
    department: Short | None = None
    kiosk: Short | None = None


class PasswordBody(msgspec.Struct, forbid_unknown_fields=True):
    password: Secret


class EnabledBody(msgspec.Struct, forbid_unknown_fields=True):
    enabled: bool
    reason: Short = "quản trị viên thay đổi"


def client_address(request: Request) -> str | None:
    """The peer address the login throttle counts (behind a proxy: run uvicorn with --proxy-headers from it only)."""
    return request.client.host if request.client else None


class AuthController(Controller):
    """Đăng nhập — authentication (public)."""

    path = "/auth"
    request_max_body_size = MAX_COMMAND_BODY
    tags = ["authentication"]

    @post("/login", sync_to_thread=True, opt=PUBLIC, summary="Đăng nhập / Log in", status_code=200)
    def login(self, data: JSONBody[LoginBody], accounts: NamedDependency[Accounts], request: Request) -> Session:
        """A bearer token valid for 15 minutes; 401 on a wrong name or password (the two are not told apart);
        429 with Retry-After after repeated failures for the account or from the address."""
        return accounts.login(data.username, data.password, client=client_address(request))

    @post("/device", sync_to_thread=True, opt=PUBLIC, summary="Kiosk đăng nhập / Kiosk device login", status_code=200)
    def device(self, data: JSONBody[DeviceLoginBody], accounts: NamedDependency[Accounts], request: Request) -> Session:
        """A device token for the kiosk; it may call only that kiosk's device endpoints."""
        return accounts.login_device(data.kiosk, data.secret, client=client_address(request))

    @post(
        "/renew",
        sync_to_thread=True,
        summary="Gia hạn phiên / Renew the session",
        status_code=200,
        guards=[authorize],
        opt=rules(frozenset(Role), "self"),
        dependencies={"principal": Provide(current_principal, sync_to_thread=False)},
    )
    def renew(
        self, data: JSONBody[SessionBody], principal: NamedDependency[Principal], accounts: NamedDependency[Accounts]
    ) -> Session:
        """A fresh token before the current one expires (the current one ends); 401 once it has expired or ended."""
        return accounts.renew(principal)

    @post(
        "/logout",
        sync_to_thread=True,
        summary="Đăng xuất / Log out",
        status_code=204,
        guards=[authorize],
        opt=rules(frozenset(Role), "self"),
        dependencies={"principal": Provide(current_principal, sync_to_thread=False)},
    )
    def logout(
        self, data: JSONBody[SessionBody], principal: NamedDependency[Principal], accounts: NamedDependency[Accounts]
    ) -> None:
        """The presented token ends now, on every replica."""
        accounts.logout(principal)

    @get(
        "/me",
        summary="Tài khoản đang đăng nhập / Who am I",
        guards=[authorize],
        opt=rules(frozenset(Role), "self"),
        dependencies={"principal": Provide(current_principal, sync_to_thread=False)},
    )
    async def me(self, principal: NamedDependency[Principal]) -> Principal:
        """The caller's account, role and scope as the token states them."""
        return principal


class AccountsController(Controller):
    """Tài khoản — account administration (administrators)."""

    path = "/accounts"
    request_max_body_size = MAX_COMMAND_BODY
    tags = ["accounts"]
    guards = [authorize]
    dependencies = {"actor": Provide(current_actor, sync_to_thread=False)}

    @get("/", sync_to_thread=True, summary="Danh sách tài khoản / List accounts", opt=rules(ADMINS, "global"))
    def list_accounts(self, accounts: NamedDependency[Accounts]) -> list[AccountView]:
        return accounts.list_accounts()

    @post("/", sync_to_thread=True, summary="Tạo tài khoản / Create an account", opt=rules(ADMINS, "global"))
    def create(
        self, data: JSONBody[NewAccountBody], accounts: NamedDependency[Accounts], actor: NamedDependency[Actor]
    ) -> AccountView:
        """The password is stored only as an argon2 hash."""
        return accounts.create_account(
            data.username,
            data.password,
            name=data.name,
            role=data.role,
            agency=data.agency,
            department=data.department,
            kiosk=data.kiosk,
            actor=actor,
        )

    @post(
        "/{username:str}/password",
        sync_to_thread=True,
        summary="Đặt lại mật khẩu / Reset a password",
        opt=rules(ADMINS, "global"),
    )
    def password(
        self,
        username: FromPath[str],
        data: JSONBody[PasswordBody],
        accounts: NamedDependency[Accounts],
        actor: NamedDependency[Actor],
    ) -> AccountView:
        return accounts.change_password(username, data.password, actor=actor)

    @post(
        "/{username:str}/enabled",
        sync_to_thread=True,
        summary="Khóa / mở khóa / Disable or enable",
        opt=rules(ADMINS, "global"),
    )
    def enabled(
        self,
        username: FromPath[str],
        data: JSONBody[EnabledBody],
        accounts: NamedDependency[Accounts],
        actor: NamedDependency[Actor],
    ) -> AccountView:
        """Disabling ends the account's tokens at once, on every replica."""
        return accounts.set_enabled(username, data.enabled, reason=data.reason, actor=actor)
