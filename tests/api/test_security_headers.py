"""Every answer of the API and the console carries the security headers; /schema loads nothing from a CDN."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient

from api.app import create_app


@pytest.fixture
def client(system):
    with TestClient(create_app(system)) as client:
        yield client


@pytest.mark.parametrize(
    "path", ["/console/", "/console/app.js", "/health", "/schema", "/schema/openapi.json", "/dossiers", "/no/such/page"]
)
def test_the_console_and_the_api_send_the_security_headers(client: TestClient, path: str) -> None:
    answer = client.get(path)
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src 'self';" in policy  # no inline script, no other origin
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "no-referrer"


def test_the_openapi_viewer_loads_its_script_from_this_server_only(client: TestClient) -> None:
    page = client.get("/schema")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(source.startswith("/") and not source.startswith("//") for source in sources)
    assert "<script>" not in page.text  # no inline script, which the policy would refuse anyway
    for source in sources:
        assert client.get(source).status_code == 200, source
    assert client.get("/schema/openapi.json").json()["info"]["title"] == "Một Cửa 24/7"
