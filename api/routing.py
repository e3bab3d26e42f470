"""Litestar's `get` and `post` route decorators, with guards that are handed the route handler itself.

Litestar hands each guard a shallow copy of the handler (`copy(self)` in `BaseRouteHandler.authorize_connection`),
so that a guard cannot change the handler for later requests: a copy of its sixty-odd slots, a twentieth of the CPU
of a request. The one guard of this API (`api.auth.authorize`) only reads the handler's `opt`, so here it gets the
handler as is. A guard added to these routes must not change the handler either.

The decorators are functions making an `HTTPRouteHandler` of our own, as `litestar.get` and `litestar.post` do:
subclassing those semantic classes is deprecated (Litestar 3 makes them functions).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import HttpMethod
from litestar.handlers import HTTPRouteHandler


class GuardedInPlace(HTTPRouteHandler):
    """An HTTP route handler that runs its guards as Litestar does, without copying itself for each."""

    __slots__ = ()

    async def authorize_connection(self, connection: ASGIConnection) -> None:
        for guard in self.resolve_guards():
            await guard(connection, self)  # type: ignore[misc]  # resolve_guards made every guard async


def get(path: str | Sequence[str] | None = None, **kwargs: Any) -> GuardedInPlace:
    """`litestar.get` whose guards see the handler itself."""
    return GuardedInPlace(path, http_method=HttpMethod.GET, **kwargs)


def post(path: str | Sequence[str] | None = None, **kwargs: Any) -> GuardedInPlace:
    """`litestar.post` whose guards see the handler itself."""
    return GuardedInPlace(path, http_method=HttpMethod.POST, **kwargs)
