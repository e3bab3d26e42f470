"""Hostile values in every path parameter, query parameter and header the API reads: a 4xx or an answer, never 5xx.

The operations and their parameters come from the OpenAPI document, so a new route or parameter is fuzzed as soon
as it exists. Each request carries a token of a role the route allows, so the values reach the handlers.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.routes import HTTPRoute

from tests.api import test_bad_input
from tests.api.test_bad_input import caller_for
from tests.auth_support import bearer

api, signer = test_bad_input.api, test_bad_input.signer  # the fixtures, for pytest to find here
pytestmark = pytest.mark.parametrize(
    "store_env", ["sqlite"], indirect=True
)  # parameter handling does not depend on the store

HOSTILE = [
    "",
    " ",
    "\x00",
    "%00",
    "../../etc/passwd",
    "9" * 400,
    "-1",
    "0",
    "1e309",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "'; DROP TABLE dossiers;--",
    "\u202eevil",
    "💥",
    "%ff%fe",
    "a" * 5000,
    "H29.06-999999-9999",
    "<script>",
    "true",
    "[]",
    "{}",
]
RANDOM = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
RAW_HEADERS = {  # the headers the API reads, with values no well-behaved client sends (raw bytes allowed)
    "authorization": [
        b"Bearer \xff\xfe",
        b"Bearer " + b"a" * 10_000,
        b"Basic Zm9vOmJhcg==",
        b"Bearer",
        b"bearer  ",
        b"Bearer v1.\xc3\x28.x",
        b"Bearer v1..",
        b"Bearer v1.e30.sig",
    ],
    "idempotency-key": [b"\xff", b"a" * 201, b"", b"k k", b"\x00"],
    "x-purpose": [b"%ff%fe", b"%E0%A4%A", b"\xc3\x28", b"a" * 10_000, b"%00", b"%"],
    "content-type": [b"application/json; charset=latin-1", b"text/plain", b"\xff", b"multipart/form-data"],
}


VALID = {
    "model": "dossiers",
    "name": "dossiers",
    "kind": "dossier",
    "period": "quarter",
    "queue": "to_accept",
    "procedure": "2.000815.000.00.00.H29",
}


def operations(app) -> list[tuple[str, str, object, list[dict]]]:
    """(method, path template, handler, parameters) of every GET and POST operation in the OpenAPI document."""
    handlers = {
        (method, r.path_format): r.route_handler_map[method][0]
        for r in app.routes
        if isinstance(r, HTTPRoute)
        for method in r.route_handler_map
    }
    found = []
    for path, item in sorted(app.openapi_schema.to_schema()["paths"].items()):
        for method in ("get", "post"):
            if method in item:
                found.append(
                    (method.upper(), path, handlers[(method.upper(), path)], item[method].get("parameters", []))
                )
    return found


def send(client, method: str, url: str, headers: dict, params: dict | None = None):
    if method == "GET":
        return client.get(url, params=params, headers=headers)
    return client.post(url, params=params, headers=headers, content=b"{}")


def assert_not_5xx(answer, where) -> None:
    assert answer.status_code < 500, (where, answer.status_code, answer.text[:300])


def parameter_check(
    client, method: str, path: str, url: str, headers: dict[str, str], values: dict[str, str]
) -> Callable[[tuple[str, str], str], None]:
    """The check of one operation: one hostile `value` in its path or query parameter `name`."""

    def check(name: tuple[str, str], value: str) -> None:
        if name[1] == "path":
            hostile = path.format(**(values | {name[0]: quote(value, safe="") or "%20"}))
            assert_not_5xx(send(client, method, hostile, headers), (method, path, name, value[:40]))
        else:
            assert_not_5xx(send(client, method, url, headers, {name[0]: value}), (method, path, name, value[:40]))

    return check


def test_hostile_path_and_query_parameters_never_get_a_5xx(api) -> None:
    client, app, values, system = api
    values = VALID | values
    found = operations(app)
    assert len(found) >= 60
    for method, path, handler, parameters in found:
        headers = {k: v for k, v in caller_for(handler).items()}
        url = path.format(**values)
        names = [(p["name"], p["in"]) for p in parameters if p["in"] in ("path", "query")]
        if not names:
            continue
        check = parameter_check(client, method, path, url, headers, values)
        for name in names:  # every known-hostile value in every parameter, then random text
            for value in HOSTILE:
                check(name, value)
        given(name=st.sampled_from(names), value=RANDOM)(
            settings(max_examples=5, deadline=None, database=None, suppress_health_check=list(HealthCheck))(check)
        )()


def test_hostile_headers_never_get_a_5xx(api) -> None:
    client, app, values, system = api
    values = VALID | values
    for method, path, handler, _ in operations(app):
        url, allowed = path.format(**values), caller_for(handler)
        for header, raw_values in RAW_HEADERS.items():
            for raw in raw_values:
                headers = dict(allowed)
                headers[header] = raw
                if header == "idempotency-key" and method == "POST":
                    headers.setdefault("authorization", bearer("reception_officer")["Authorization"])
                assert_not_5xx(send(client, method, url, headers), (method, path, header, raw[:40]))
