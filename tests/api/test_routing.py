"""Route guards are handed the route handler itself (no copy per request), and refuse as Litestar's do."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.exceptions import NotAuthorizedException
from litestar.testing import TestClient

from api.app import create_app
from api.routing import GuardedInPlace, get, post


def test_guards_see_the_registered_handler_and_a_refusing_guard_stops_the_request() -> None:
    seen: list[Any] = []
    ran: list[str] = []

    def watch(connection: Any, handler: Any) -> None:
        seen.append(handler)
        if connection.headers.get("x-refuse"):
            raise NotAuthorizedException("refused")

    @get("/read", guards=[watch], sync_to_thread=False)
    def read() -> str:
        ran.append("read")
        return "ok"

    @post("/write", guards=[watch], sync_to_thread=False)
    def write() -> str:
        ran.append("write")
        return "ok"

    app = Litestar(route_handlers=[read, write])
    with TestClient(app) as client:
        assert client.get("/read").status_code == 200
        assert client.post("/write").status_code == 201
        assert client.post("/write", headers={"x-refuse": "1"}).status_code == 401
    registered = {handler.handler_name: handler for route in app.routes for handler in route.route_handlers}
    assert [h.handler_name for h in seen] == ["read", "write", "write"]
    assert all(handler is registered[handler.handler_name] for handler in seen) and ran == ["read", "write"]


def test_every_guarded_route_of_the_app_hands_its_guards_the_handler_itself(system) -> None:
    app = create_app(system)
    copying = [
        route.path
        for route in app.routes
        for handler in getattr(route, "route_handlers", ())
        if handler.resolve_guards()
        and handler.http_methods != {"OPTIONS"}  # Litestar's own OPTIONS answers
        and not isinstance(handler, GuardedInPlace)
    ]
    assert not copying, f"routes declared with litestar's own get/post (a copy of the handler per guard): {copying}"
