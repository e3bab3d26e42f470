"""`Idempotency-Key` on commands: a retried POST gets the first answer back and records nothing new.

The key is scoped to the calling account (a key is only unique per client). The first request claims it before
the command runs; a retry while it runs gets 409, a retry with a different body 422, a retry afterwards the
remembered status and body with `Idempotent-Replayed: true` (an answer is remembered before it is sent, so a
retry that follows it never finds the key in progress). A 5xx is not remembered, so it may be retried.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

import anyio
import msgspec
from litestar.types import ASGIApp, HTTPRequestEvent, Message, Receive, Scope, Send

from api.auth import PRINCIPAL, bearer_token, scope_header
from application.tokens import Principal, TokenError
from infrastructure.idempotency import IdempotencyStore, KeyInUseError, Remembered

HEADER = b"idempotency-key"
MAX_BODY = 32 * 1024 * 1024
KEY = re.compile(rb"^[\x21-\x7e]{1,200}$")
REFUSALS = {
    "in_progress": (
        409,
        "idempotency_in_progress",
        "a request with this Idempotency-Key is still being processed",
        "Yêu cầu với khóa này đang được xử lý, vui lòng đợi rồi thử lại.",
    ),
    "different_request": (
        422,
        "idempotency_key_reused",
        "this Idempotency-Key was used for a different request",
        "Khóa Idempotency-Key đã dùng cho một yêu cầu khác.",
    ),
    "too_large": (413, "body_too_large", "the request body is too large", "Dữ liệu gửi lên quá lớn."),
    "malformed": (
        400,
        "idempotency_key_invalid",
        "Idempotency-Key must be 1-200 visible ASCII characters",
        "Khóa Idempotency-Key phải gồm 1-200 ký tự ASCII nhìn thấy được.",
    ),
}


def idempotency_middleware(store: IdempotencyStore, tokens: Any, clock: Any) -> Callable[[ASGIApp], ASGIApp]:
    """A Litestar middleware factory bound to the store and to the token checker (for the account scope)."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            key = scope_header(scope, HEADER) if scope["type"] == "http" and scope.get("method") == "POST" else None
            if key is None:
                await app(scope, receive, send)
                return
            if not KEY.match(key):
                await _refuse(send, "malformed")
                return
            principal = _principal(scope_header(scope, b"authorization") or b"", tokens, clock)
            if principal is None:  # not authenticated: the route answers 401 itself, nothing to remember
                await app(scope, receive, send)
                return
            scope[PRINCIPAL] = principal  # type: ignore[literal-required]  # the route's guard reuses this check
            account = principal.account_id
            body = await _read_body(receive)
            if body is None:
                await _refuse(send, "too_large")
                return
            key_id = hashlib.sha256(b"\0".join([account.encode(), key])).hexdigest()
            fingerprint = hashlib.sha256(b"\0".join([scope["path"].encode(), body])).hexdigest()
            try:
                remembered = await anyio.to_thread.run_sync(store.claim, key_id, fingerprint)
            except KeyInUseError as error:
                await _refuse(send, error.reason)
                return
            if remembered is not None:
                await _answer(send, remembered, replayed=True)
                return
            await _run_and_remember(app, scope, body, send, store, key_id)

        return middleware

    return factory


async def _run_and_remember(
    app: ASGIApp, scope: Scope, body: bytes, send: Send, store: IdempotencyStore, key_id: str
) -> None:
    # The answer is held back until it is remembered: a client may retry the moment it has read the answer,
    # and that retry must find the answer, not a claim still "in progress".
    held: list[Message] = []

    async def replay_body() -> HTTPRequestEvent:
        return {"type": "http.request", "body": body, "more_body": False}

    async def hold(message: Message) -> None:
        held.append(message)

    try:
        await app(scope, replay_body, hold)
    except BaseException:
        await anyio.to_thread.run_sync(store.release, key_id)
        raise
    status, content_type, chunks = _held_answer(held)
    if status >= 500:
        await anyio.to_thread.run_sync(store.release, key_id)
    else:
        await anyio.to_thread.run_sync(store.remember, key_id, Remembered(status, content_type, chunks))
    for message in held:
        await send(message)


def _held_answer(held: list[Message]) -> tuple[int, str, bytes]:
    """Status (500 if the app never started an answer), content type and body of the answer held back."""
    status, content_type, started, chunks = 500, "", False, []
    for message in held:
        if message["type"] == "http.response.start" and not started:
            started, status = True, message["status"]
            content_type = dict(message.get("headers") or []).get(b"content-type", b"").decode("latin-1")
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
    return status, content_type, b"".join(chunks)


def _principal(authorization: bytes, tokens: Any, clock: Any) -> Principal | None:
    try:
        token = bearer_token(authorization.decode("latin-1"))
        return None if token is None else tokens.check(token, clock.now())
    except TokenError:
        return None


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body, or None past MAX_BODY (the largest body any command accepts)."""
    parts: list[bytes] = []
    more, size = True, 0
    while more:
        message = await receive()
        if message["type"] != "http.request":  # the client left: the body ends here
            break
        parts.append(message.get("body", b""))
        size += len(parts[-1])
        if size > MAX_BODY:
            return None
        more = message.get("more_body", False)
    return b"".join(parts)


async def _answer(send: Send, answer: Remembered, replayed: bool = False) -> None:
    headers = [
        (b"content-type", answer.content_type.encode("latin-1") or b"application/json"),
        (b"content-length", str(len(answer.body)).encode()),
    ]
    if replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body, "more_body": False})


async def _refuse(send: Send, reason: str) -> None:
    status, code, message, message_vi = REFUSALS[reason]
    body = msgspec.json.encode({"error": code, "message": message, "message_vi": message_vi, "details": {}})
    await _answer(send, Remembered(status, "application/json", body))
