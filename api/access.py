"""The officer's reason for a read of personal data (`X-Purpose`), and the citizen's view of the access log.

Reads themselves are recorded by the application (application/personal_reads.py): a route makes one call."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote

import msgspec
from litestar import Controller, Request
from litestar.di import NamedDependency
from litestar.params import JSONBody

from api.auth import PUBLIC
from api.routing import post
from api.schemas import MAX_COMMAND_BODY
from application.access_log import AccessEntry, AccessLogs

IdNumber = Annotated[str, msgspec.Meta(pattern=r"^\d{12}$", description="Số CCCD (12 chữ số)")]
Phone = Annotated[str, msgspec.Meta(pattern=r"^0\d{9}$", description="Số điện thoại trên hồ sơ")]
Code = Annotated[str, msgspec.Meta(pattern=r"^\d{6}$")]


def read_purpose(request: Request) -> str | None:
    """The caller's reason for a read, `X-Purpose` (percent-encoded UTF-8: headers are ASCII); None for the screen's
    default reason."""
    return unquote(request.headers.get("x-purpose") or "").strip()[:200] or None


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

    @post(
        "/code",
        sync_to_thread=True,
        status_code=202,
        opt=PUBLIC,
        summary="Gửi mã OTP xem nhật ký / Send the access-log code",
    )
    def request_code(self, data: JSONBody[CodeRequest], access_logs: NamedDependency[AccessLogs]) -> Requested:
        """Sends an OTP only to a phone that appears on the person's dossiers; the answer is the same either way."""
        access_logs.request_code(data.id_number, data.phone)
        return Requested()

    @post(
        "/",
        sync_to_thread=True,
        status_code=200,
        opt=PUBLIC,
        summary="Nhật ký truy cập dữ liệu cá nhân / My access log",
    )
    def entries(self, data: JSONBody[LogRequest], access_logs: NamedDependency[AccessLogs]) -> list[AccessEntry]:
        """Who read or changed your data, when, for which dossier and why, oldest first."""
        return access_logs.entries(data.id_number, data.phone, data.code)
