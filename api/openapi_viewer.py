"""The OpenAPI viewer at /schema, from this server only: a page listing the operations of /schema/openapi.json.

Litestar's default viewers load their scripts from a CDN, which the Content-Security-Policy forbids and which
would let a third party run code next to an officer's token. The page's script is a console file
(api/console/static/schema-viewer.js).
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin

PAGE = """<!DOCTYPE html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Một Cửa 24/7 – Tài liệu API</title>
  <link rel="stylesheet" href="/console/console.css">
  <script type="module" src="/console/schema-viewer.js"></script>
</head>
<body>
  <main id="main" data-schema="/schema/openapi.json"><p>Đang tải…</p></main>
</body>
</html>
""".encode()


class LocalViewerPlugin(OpenAPIRenderPlugin):
    """Serves the page above at /schema."""

    def __init__(self) -> None:
        super().__init__(path="/")

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        return PAGE


def render_plugins() -> list[OpenAPIRenderPlugin]:
    """The local viewer at /schema and the document at /schema/openapi.json; nothing from a CDN."""
    return [LocalViewerPlugin(), JsonRenderPlugin()]
