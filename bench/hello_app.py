"""A bare Litestar app with one JSON endpoint: the baseline of bench/api.py (served by uvicorn like the API)."""

from __future__ import annotations

from litestar import Litestar, get


@get("/hello")
async def hello() -> dict[str, str]:
    """The smallest JSON answer Litestar gives."""
    return {"hello": "world"}


app = Litestar(route_handlers=[hello])
