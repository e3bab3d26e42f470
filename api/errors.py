"""Map errors to HTTP answers: a clear message (English and Vietnamese) and a stable error code; never a 500 for bad
input."""

from __future__ import annotations

import logging

import msgspec
import psycopg
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.types import ExceptionHandlersMap

from api.auth import AccessDeniedError
from application.access_log import AccessLogRefusedError
from application.accounts import AccountExistsError, BadCredentialsError
from application.errors import (
    FaceMismatchError,
    KioskFullError,
    KioskRefusal,
    NotFoundError,
    NotReadyError,
    PickupRefusedError,
    ProcedureNotAtKioskError,
    UnknownReferenceError,
    VersionConflictError,
    WrongOtpError,
)
from application.otp import OtpNotSentError
from application.privacy import DocumentErasedError
from application.proofs import ProofError
from application.receipts import SigningUnavailableError
from application.throttling import BusyError, PickupLockedError, TooManyAttemptsError
from application.tokens import TokenError
from domain.account import AccountDisabledError
from domain.errors import ActionNotAllowedError, DomainError, InvalidValueError, PaymentOutstandingError
from domain.handovers import HandoverConfirmedError, NotTheReceiverError
from domain.kiosk import UnknownEnvelopeError
from domain.otp import OtpLimitError

log = logging.getLogger("motcua.api")

STATUS: dict[type[DomainError], int] = {
    NotFoundError: 404,
    ActionNotAllowedError: 409,
    VersionConflictError: 409,
    PaymentOutstandingError: 409,
    InvalidValueError: 422,
    UnknownReferenceError: 422,
    UnknownEnvelopeError: 422,
    ProcedureNotAtKioskError: 422,
    NotReadyError: 404,
    KioskFullError: 409,
    FaceMismatchError: 403,
    WrongOtpError: 403,
    PickupRefusedError: 403,
    ProofError: 403,
    KioskRefusal: 409,
    OtpLimitError: 429,
    OtpNotSentError: 503,
    TokenError: 401,
    BadCredentialsError: 401,
    AccountDisabledError: 403,
    AccessDeniedError: 403,
    AccountExistsError: 409,
    AccessLogRefusedError: 403,
    TooManyAttemptsError: 429,
    PickupLockedError: 429,
    BusyError: 503,
    SigningUnavailableError: 503,
    DocumentErasedError: 410,
    NotTheReceiverError: 403,
    HandoverConfirmedError: 409,
}


class ErrorBody(msgspec.Struct):
    """The body of every error answer."""

    error: str
    message: str
    message_vi: str
    details: dict[str, object] = {}


def status_of(error: DomainError) -> int:
    """The HTTP status for a domain or application error."""
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 422


def domain_error(_: Request, error: DomainError) -> Response[ErrorBody]:
    details = {k: v for k, v in vars(error).items() if k not in ("message", "message_vi", "args")}
    body = ErrorBody(error=error.code, message=error.message, message_vi=error.message_vi, details=details)
    wait = getattr(error, "retry_after_seconds", None)  # throttles and quotas say when to come back
    return Response(body, status_code=status_of(error), headers={"Retry-After": str(wait)} if wait else None)


def validation_error(_: Request, error: ValidationException) -> Response[ErrorBody]:
    body = ErrorBody(
        error="invalid_request",
        message=str(error.detail),
        message_vi="Dữ liệu gửi lên không hợp lệ, vui lòng kiểm tra lại.",
        details={"problems": error.extra or []},
    )
    return Response(body, status_code=400)


# Vietnamese for the framework's own refusals, whose detail is English.
# An officer never reads the English detail: a status without its own sentence gets the general one of its class.
FRAMEWORK_VI = {
    400: "Dữ liệu gửi lên không hợp lệ, vui lòng kiểm tra lại.",
    404: "Không tìm thấy dữ liệu yêu cầu (đường dẫn, hàng đợi hoặc mã không tồn tại).",
    405: "Chức năng này không hỗ trợ thao tác đã gửi.",
    429: "Quá nhiều yêu cầu, vui lòng thử lại sau ít phút.",
    503: "Hệ thống đang bận, vui lòng thử lại sau giây lát.",
    413: "Dữ liệu gửi lên quá lớn so với giới hạn của chức năng này, vui lòng gửi tệp nhỏ hơn.",
}
GENERAL_VI = {4: "Yêu cầu không được chấp nhận, vui lòng kiểm tra lại.", 5: "Lỗi hệ thống, vui lòng thử lại sau."}


def http_error(request: Request, error: HTTPException) -> Response[ErrorBody]:
    if error.status_code >= 500 and error.status_code != 503:
        _log_internal(request, error)
    body = ErrorBody(
        error=f"http_{error.status_code}",
        message=str(error.detail),
        message_vi=FRAMEWORK_VI.get(error.status_code) or GENERAL_VI[error.status_code // 100],
    )
    return Response(body, status_code=error.status_code, headers=error.headers)


def _log_internal(request: Request, error: Exception) -> None:
    # Log the type and the route template only: exception text and concrete paths (/vaults/citizen/<ID number>)
    # may carry personal data.
    route = request.scope.get("path_template", "?")
    log.error("internal error %s on %s %s", type(error).__name__, request.method, route)


def lost_race(_: Request, error: IntegrityError) -> Response[ErrorBody]:
    body = ErrorBody(
        error="conflict",
        message="another write to the same record won; reload and retry",
        message_vi="Dữ liệu vừa được cập nhật bởi thao tác khác, vui lòng tải lại và thử lại.",
    )
    return Response(body, status_code=409)


RETRY_AFTER = "5"  # seconds: about a PostgreSQL restart or a pool's connect timeout


def store_unavailable(request: Request, error: Exception) -> Response[ErrorBody]:
    """The database is down, restarting or out of connections: nothing was stored, the caller may retry."""
    # The driver's text names hosts and may quote statement values: log the type and route template only.
    log.warning(
        "store unavailable (%s) on %s %s", type(error).__name__, request.method, request.scope.get("path_template", "?")
    )
    body = ErrorBody(
        error="store_unavailable",
        message="the database is not reachable right now; retry later",
        message_vi="Hệ thống đang tạm gián đoạn kết nối cơ sở dữ liệu, vui lòng thử lại sau ít phút.",
    )
    return Response(body, status_code=503, headers={"Retry-After": RETRY_AFTER})


def undecodable(_: Request, error: UnicodeDecodeError) -> Response[ErrorBody]:
    """Bytes that are not UTF-8 where JSON or text was due (msgspec raises this, not a DecodeError)."""
    body = ErrorBody(
        error="invalid_encoding",
        message=f"the request is not UTF-8 text (byte {error.start})",
        message_vi="Dữ liệu gửi lên không phải văn bản UTF-8 hợp lệ, vui lòng kiểm tra lại.",
    )
    return Response(body, status_code=400)


def too_deep(request: Request, error: RecursionError) -> Response[ErrorBody]:
    """JSON nested past the decoder's recursion limit: msgspec raises RecursionError, not a DecodeError. No request
    body of this API nests more than a few levels, so the nesting is the caller's error; it is logged in case a
    recursion of ours ever lands here."""
    log.warning("recursion limit reached on %s %s", request.method, request.scope.get("path_template", "?"))
    body = ErrorBody(
        error="nested_too_deeply",
        message="the request body is nested too deeply",
        message_vi="Dữ liệu gửi lên lồng nhau quá nhiều cấp, vui lòng kiểm tra lại.",
    )
    return Response(body, status_code=400)


def internal_error(request: Request, error: Exception) -> Response[ErrorBody]:
    _log_internal(request, error)
    body = ErrorBody(
        error="internal_error",
        message="internal error; it has been logged",
        message_vi="Lỗi hệ thống, vui lòng thử lại sau.",
    )
    return Response(body, status_code=500)


ERROR_RESPONSES = {
    status: ResponseSpec(data_container=ErrorBody, description=description, generate_examples=False)
    for status, description in [
        (400, "Yêu cầu không hợp lệ / Bad request"),
        (401, "Chưa đăng nhập / Not authenticated"),
        (403, "Không có quyền / Forbidden"),
        (404, "Không tìm thấy / Not found"),
        (409, "Xung đột trạng thái hoặc phiên bản / Conflict"),
        (413, "Dữ liệu quá lớn / Body too large"),
        (422, "Dữ liệu không đúng quy định / Unprocessable"),
        (429, "Quá nhiều yêu cầu / Too many requests"),
        (503, "Tạm thời không phục vụ được / Unavailable"),
    ]
}

EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error,
    IntegrityError: lost_race,
    OperationalError: store_unavailable,  # eventsourcing's wrappers of psycopg's and sqlite3's errors
    InterfaceError: store_unavailable,
    psycopg.OperationalError: store_unavailable,  # the read models' pool (PoolTimeout is one)
    psycopg.InterfaceError: store_unavailable,
    ValidationException: validation_error,
    UnicodeDecodeError: undecodable,
    RecursionError: too_deep,
    HTTPException: http_error,
    Exception: internal_error,
}
