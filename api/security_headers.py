"""Security headers on every answer of the API, the officer console and the OpenAPI viewer.

Scripts only from this origin (the console's modules and the local OpenAPI viewer; nothing inline, no CDN);
inline styles are allowed because the printable report and audit pages carry their own `<style>` block.
Nothing may frame a page of ours (clickjacking of the console); the console itself frames only its own blob: URLs
(the PDF a signer previews, fetched with the credentials); types are never sniffed and no address with
a dossier code in it leaks to another site through the Referer header.
"""

from __future__ import annotations

from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; frame-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
_NAMES = {name for name, _ in HEADERS}


async def add_security_headers(message: Message, scope: Scope) -> None:
    """`before_send` hook: runs on every answer of the app, 404s of unknown paths and static files included."""
    if message["type"] == "http.response.start":
        headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() not in _NAMES]
        message["headers"] = [*headers, *HEADERS]
