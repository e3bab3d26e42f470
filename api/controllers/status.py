"""Public status lookup (tra cứu hồ sơ): `POST /status` for the kiosk and other programs, `/tra-cuu` for people.

No login: both are PUBLIC in the access rules. A lookup that finds nothing (unknown code or wrong digits: one answer)
counts a failure for the client address and for the dossier code in the shared guard store; a locked caller gets
429 before any lookup.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody

from api.auth import PUBLIC
from api.controllers.auth import client_address
from api.routing import get, post
from api.status_page import render_page
from application.throttling import Limit, Throttle, TooManyAttemptsError, seconds_until
from projections.search import SearchInputError, code_of
from projections.status import PublicStatus, StatusLookup, last_four

MINUTE = timedelta(minutes=1)
STATUS_ADDRESS = Limit(10, 15 * MINUTE, 15 * MINUTE, 60 * MINUTE)
"""Ten lookups finding nothing from one address in 15 minutes lock that address (doubling up to an hour)."""
STATUS_DOSSIER = Limit(5, 15 * MINUTE, 15 * MINUTE, 4 * 60 * MINUTE)
"""Five lookups of one code finding nothing in 15 minutes lock that code from every address (up to 4 hours)."""


class StatusQuery(msgspec.Struct, forbid_unknown_fields=True):
    """A lookup: the dossier code (any case or spacing) and the last 4 digits of the applicant's phone."""

    code: Annotated[str, msgspec.Meta(max_length=80)]
    phone_last4: Annotated[str, msgspec.Meta(max_length=16)]


class StatusInputError(Exception):
    """What was typed cannot be looked up."""

    def __init__(self, field: str, message_vi: str) -> None:
        super().__init__(f"{field}: {message_vi}")
        self.field, self.message_vi = field, message_vi


def bad_input(_: Request, error: StatusInputError) -> Response[dict[str, Any]]:
    return Response(
        {
            "error": "invalid_status_query",
            "message": f"{error.field} is not usable",
            "message_vi": error.message_vi,
            "details": {"field": error.field},
        },
        status_code=400,
    )


def lookup(request: Request, query: StatusQuery) -> PublicStatus:
    """Check the input, refuse a locked caller, look the dossier up, count a miss."""
    system = request.app.state["system"]
    try:
        code, digits = code_of(query.code), last_four(query.phone_last4)
    except SearchInputError as error:
        raise StatusInputError(error.field, error.message_vi) from None
    address = client_address(request)
    limits = [
        (f"status:code:{code}", STATUS_DOSSIER),
        *([(f"status:address:{address}", STATUS_ADDRESS)] if address else []),
    ]
    throttle, at = Throttle(system.guards), system.clock.now()
    locked = throttle.locked_until([key for key, _ in limits], at)
    if locked is not None:
        raise TooManyAttemptsError(seconds_until(locked, at))
    answer = StatusLookup(system.projector.store, system.search.index, system.catalogue).lookup(code, digits)
    if not answer.found:
        throttle.failed(limits, at)
    return answer


class StatusController(Controller):
    """Tra cứu hồ sơ — public status lookup."""

    path = "/"
    tags = ["status"]
    exception_handlers = {StatusInputError: bad_input}

    @post("/status", sync_to_thread=True, opt=PUBLIC, summary="Tra cứu tình trạng hồ sơ / Dossier status lookup")
    def status(self, request: Request, data: JSONBody[StatusQuery]) -> Response[PublicStatus]:
        """Status, appointment date and where to collect; 404 with the same body for an unknown code or wrong digits."""
        answer = lookup(request, data)
        return Response(answer, status_code=200 if answer.found else 404, headers={"Cache-Control": "no-store"})

    @get(
        "/tra-cuu",
        sync_to_thread=False,
        opt=PUBLIC,
        summary="Trang tra cứu hồ sơ / Status page",
        include_in_schema=False,
    )
    def page(self) -> Response[str]:
        """The page with the lookup form."""
        return Response(render_page(), media_type="text/html")

    @post(
        "/tra-cuu",
        sync_to_thread=True,
        opt=PUBLIC,
        summary="Trang tra cứu hồ sơ: kết quả / Status page answer",
        include_in_schema=False,
    )
    def page_answer(
        self, request: Request, data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
    ) -> Response[str]:
        """The page with the answer of the lookup sent by its form."""
        code = str(data.get("code", ""))[:80]
        try:
            answer = lookup(request, StatusQuery(code=code, phone_last4=str(data.get("phone_last4", ""))[:16]))
        except StatusInputError as error:
            return Response(render_page(code=code, error=error.message_vi), media_type="text/html", status_code=400)
        except TooManyAttemptsError as error:
            return Response(
                render_page(code=code, error=error.message_vi),
                media_type="text/html",
                status_code=429,
                headers={"Retry-After": str(error.retry_after_seconds)},
            )
        return Response(
            render_page(answer, code=code),
            media_type="text/html",
            status_code=200 if answer.found else 404,
            headers={"Cache-Control": "no-store"},
        )
