"""Recording officers' reads of citizens' personal data, and the citizen's view of that record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import unquote

import msgspec
from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from api.auth import PUBLIC, authenticate
from api.schemas import MAX_COMMAND_BODY
from application.access_log import AccessEntry, AccessLogs

ReadLog = Callable[[str, str | None, str | None, str, str], None]
"""record(id_number, phone, dossier_code, what, default purpose)"""
IdNumber = Annotated[str, msgspec.Meta(pattern=r"^\d{12}$", description="Số CCCD (12 chữ số)")]
Phone = Annotated[str, msgspec.Meta(pattern=r"^0\d{9}$", description="Số điện thoại trên hồ sơ")]
Code = Annotated[str, msgspec.Meta(pattern=r"^\d{6}$")]


def read_log(request: Request, access_logs: NamedDependency[AccessLogs | None]) -> ReadLog:
    """A function that records one read by the caller; the reason is `X-Purpose` (percent-encoded UTF-8) or the screen's default."""
    purpose = unquote(request.headers.get("x-purpose") or "").strip()[:200]  # percent-encoded UTF-8 (headers are ASCII)

    def record(id_number: str, phone: str | None, dossier_code: str | None, what: str, default_purpose: str) -> None:
        if access_logs is not None and id_number:
            access_logs.record_read(id_number=id_number, phone=phone, dossier_code=dossier_code, what=what,
                             purpose=purpose or default_purpose, actor=authenticate(request).actor)
    return record


class CodeRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Xin mã OTP để xem nhật ký truy cập / Ask for a code to see one's access log."""

    id_number: IdNumber
    phone: Phone


class LogRequest(CodeRequest, forbid_unknown_fields=True):
    code: Code


class Requested(msgspec.Struct):
    message_vi: str = "Nếu số điện thoại có trên hồ sơ của bạn, mã OTP sẽ được gửi đến số đó."


class CitizenController(Controller):
    """Công dân — a citizen's own access log (CCCD + OTP; no staff login)."""

    path = "/citizens/access-log"
    request_max_body_size = MAX_COMMAND_BODY
    tags = ["citizens"]

    @post("/code", sync_to_thread=True, status_code=202, opt=PUBLIC, summary="Gửi mã OTP xem nhật ký / Send the access-log code")
    def request_code(self, data: JSONBody[CodeRequest], access_logs: NamedDependency[AccessLogs]) -> Requested:
        """Sends an OTP only to a phone that appears on the person's dossiers; the answer is the same either way."""
        access_logs.request_code(data.id_number, data.phone)
        return Requested()

    @post("/", sync_to_thread=True, status_code=200, opt=PUBLIC, summary="Nhật ký truy cập dữ liệu cá nhân / My access log")
    def entries(self, data: JSONBody[LogRequest], access_logs: NamedDependency[AccessLogs]) -> list[AccessEntry]:
        """Who read or changed your data, when, for which dossier and why, oldest first."""
        return access_logs.entries(data.id_number, data.phone, data.code)
