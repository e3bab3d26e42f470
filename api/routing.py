"""Litestar's `get` and `post` route decorators, with guards that are handed the route handler itself.

Litestar hands each guard a shallow copy of the handler (`copy(self)` in `BaseRouteHandler.authorize_connection`),
so that a guard cannot change the handler for later requests: a copy of its sixty-odd slots, a twentieth of the CPU
of a request. The one guard of this API (`api.auth.authorize`) only reads the handler's `opt`, so here it gets the
handler as is. A guard added to these routes must not change the handler either.
"""

from __future__ import annotations

import litestar
from litestar.connection import ASGIConnection


class _GuardedInPlace:
    """Runs the handler's guards as Litestar does, without copying the handler for each."""

    __slots__ = ()

    async def authorize_connection(self, connection: ASGIConnection) -> None:
        for guard in self.resolve_guards():  # type: ignore[attr-defined]
            await guard(connection, self)


class get(_GuardedInPlace, litestar.get):  # noqa: N801 - named as Litestar's decorator it stands for
    """`litestar.get` whose guards see the handler itself."""

    __slots__ = ()


class post(_GuardedInPlace, litestar.post):  # noqa: N801
    """`litestar.post` whose guards see the handler itself."""

    __slots__ = ()
