"""Login for officers and kiosk devices, and account administration."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from api.schemas import MAX_COMMAND_BODY
from api.auth import ADMINS, authorize, current_actor, current_principal, rules
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


class AuthController(Controller):
    """Đăng nhập — authentication (public)."""

    path = "/auth"
    request_max_body_size = MAX_COMMAND_BODY
    tags = ["authentication"]

    @post("/login", sync_to_thread=True, summary="Đăng nhập / Log in", status_code=200)
    def login(self, data: JSONBody[LoginBody], accounts: NamedDependency[Accounts]) -> Session:
        """A bearer token valid for 15 minutes; 401 on a wrong name or password (the two are not told apart)."""
        return accounts.login(data.username, data.password)

    @post("/device", sync_to_thread=True, summary="Kiosk đăng nhập / Kiosk device login", status_code=200)
    def device(self, data: JSONBody[DeviceLoginBody], accounts: NamedDependency[Accounts]) -> Session:
        """A device token for the kiosk; it may call only that kiosk's device endpoints."""
        return accounts.login_device(data.kiosk, data.secret)

    @get("/me", summary="Tài khoản đang đăng nhập / Who am I", guards=[authorize],
         opt={"roles": frozenset(Role)}, dependencies={"principal": Provide(current_principal, sync_to_thread=False)})
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

    @get("/", sync_to_thread=True, summary="Danh sách tài khoản / List accounts", opt=rules(ADMINS))
    def list_accounts(self, accounts: NamedDependency[Accounts]) -> list[AccountView]:
        return accounts.list_accounts()

    @post("/", sync_to_thread=True, summary="Tạo tài khoản / Create an account", opt=rules(ADMINS))
    def create(self, data: JSONBody[NewAccountBody], accounts: NamedDependency[Accounts], actor: NamedDependency[Actor]) -> AccountView:
        """The password is stored only as an argon2 hash."""
        return accounts.create_account(data.username, data.password, name=data.name, role=data.role, agency=data.agency,
                                       department=data.department, kiosk=data.kiosk, actor=actor)

    @post("/{username:str}/password", sync_to_thread=True, summary="Đặt lại mật khẩu / Reset a password", opt=rules(ADMINS))
    def password(self, username: FromPath[str], data: JSONBody[PasswordBody], accounts: NamedDependency[Accounts],
                 actor: NamedDependency[Actor]) -> AccountView:
        return accounts.change_password(username, data.password, actor=actor)

    @post("/{username:str}/enabled", sync_to_thread=True, summary="Khóa / mở khóa / Disable or enable", opt=rules(ADMINS))
    def enabled(self, username: FromPath[str], data: JSONBody[EnabledBody], accounts: NamedDependency[Accounts],
                actor: NamedDependency[Actor]) -> AccountView:
        """Takes effect at the account's next login (tokens live 15 minutes)."""
        return accounts.set_enabled(username, data.enabled, reason=data.reason, actor=actor)
