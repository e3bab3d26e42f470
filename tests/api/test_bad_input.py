"""Bad bodies on every POST route of the OpenAPI document: a clear 4xx error and no event.

The routes come from the schema, so a new route is covered as soon as it exists; each request carries a token
of a role the route allows, on resources in that caller's scope (kiosk Q6-01 of the district, a dossier it received,
the vault of its applicant), so what is tested is the body handling, not the access check.
"""

from __future__ import annotations

import uuid

import pytest
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from api.app import create_app
from tests.api.test_kiosk_api import STAFF, submit
from tests.faults.auth import in_process
from tests.kiosk_support import Citizen

pytestmark = pytest.mark.parametrize(
    "store_env", ["sqlite"], indirect=True
)  # body handling does not depend on the store

BAD_BODIES = {
    "malformed JSON": b'{"procedure_code": "1.0',
    "invalid UTF-8": b'{"reason": "\xff\xfe\xfd"}',
    "wrong type": b"[1, 2, 3]",
    "unknown field": b'{"no_such_field": 1}',
    "empty": b"",
}
APPLICANT = Citizen(5)
PATH_VALUES = {
    "key": "Q6-01",
    "number": "1",
    "line": "1",
    "owner_kind": "citizen",
    "owner_id": APPLICANT.id_number,
    "document_id": str(uuid.UUID(int=7)),
    "username": "tiepnhan",
    "agency": "H29.06",
    "year": "2026",
}


def post_routes(app) -> list[tuple[str, object]]:
    """(path template, handler) of every POST operation in the OpenAPI document."""
    handlers = {
        r.path_format: r.route_handler_map["POST"][0]
        for r in app.routes
        if isinstance(r, HTTPRoute) and "POST" in r.route_handler_map
    }
    paths = app.openapi_schema.to_schema()["paths"]
    return [(path, handlers[path]) for path, item in sorted(paths.items()) if "post" in item]


def caller_for(handler) -> dict[str, str]:
    """A token of a role the handler allows (public routes need none)."""
    roles = sorted(role.value for role in handler.opt.get("roles") or ())
    return in_process(roles[0]) if roles else {}


@pytest.fixture(scope="module")
def signer(tmp_path_factory):
    from infrastructure.signing.adapter import PyhankoSigner
    from infrastructure.signing.pki import ensure_dev_pki

    return PyhankoSigner.from_dev_pki(ensure_dev_pki(tmp_path_factory.mktemp("pki")))


@pytest.fixture
def api(system, store_env, signer, clock, otp):

    system.vaults.signer = signer  # the real signer over the test CA
    app = create_app(system)
    with TestClient(app) as client:
        assert (
            client.post(
                "/kiosks", json={"key": "Q6-01", "name": "Kiosk 24/7 Quận 6", "agency": "H29.06"}, headers=STAFF
            ).status_code
            == 201
        )
        assert (
            client.post("/kiosks/Q6-01/envelope-batches", json={"barcodes": ["Q6PB000001"]}, headers=STAFF).status_code
            == 201
        )
        submitted = submit(client, otp, APPLICANT)
        assert submitted.status_code == 201, submitted.text
        yield client, app, PATH_VALUES | {"code": submitted.json()["dossier_code"]}, system


def events(system) -> int:
    return system.app.recorder.max_notification_id() or 0


def assert_clear_error(response, status: int | None = None) -> None:
    """A 4xx (the given one, if any) with a stable error code and an English and a Vietnamese message."""
    assert 400 <= response.status_code < 500 and response.status_code == (status or response.status_code), response.text
    body = response.json()
    assert body["error"] and body["message"] and body["message_vi"], body


def test_bad_bodies_on_every_post_route_get_a_clear_4xx_and_store_nothing(api) -> None:
    client, app, values, system = api
    before, routes = events(system), post_routes(app)
    assert len(routes) >= 40  # the whole API, not an empty schema
    for path, handler in routes:
        url = path.format(**values)
        for case, body in BAD_BODIES.items():
            answer = client.post(
                url,
                content=body,
                params={"dossier": values["code"]},
                headers=caller_for(handler) | {"Content-Type": "application/json"},
            )
            assert 400 <= answer.status_code < 500, (path, case, answer.status_code, answer.text[:300])
            assert_clear_error(answer)
    assert events(system) == before


def test_a_body_over_the_route_limit_is_refused_with_413_before_it_is_read(api) -> None:
    client, app, values, system = api
    before = events(system)
    for path, handler in post_routes(app):
        limit = handler.resolve_request_max_body_size()
        answer = client.post(
            path.format(**values),
            content=b" " * (limit + 1),
            params={"dossier": values["code"]},
            headers=caller_for(handler) | {"Content-Type": "application/json"},
        )
        assert_clear_error(answer, 413)
        assert answer.json()["message_vi"].startswith("Dữ liệu gửi lên quá lớn"), path
    assert events(system) == before


def test_a_refused_body_names_the_problem_in_english_and_vietnamese(api) -> None:
    client, _, values, _ = api
    answer = client.post(
        f"/dossiers/{values['code']}/payments",
        json={"method": "cash", "amount": "một nghìn"},
        headers=in_process("reception_officer"),
    )
    assert_clear_error(answer, 400)
    assert "amount" in answer.json()["message"] + str(answer.json()["details"])
    assert answer.json()["message_vi"] == "Dữ liệu gửi lên không hợp lệ, vui lòng kiểm tra lại."
