"""schemathesis over the whole OpenAPI document: no 5xx, and every answer matches its documented schema.

Each operation is called with a token of a role it admits where one exists, so generated requests reach the
handlers (and, with random codes and keys, mostly their 4xx answers); refusals must still be well-formed.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from api.app import create_app
from tests.auth_support import TOKEN_KEY, bearer

TOKENS = {
    "device": bearer("kiosk", "kiosk.q6-01", kiosk="Q6-01"),
    "admin": bearer("administrator", "admin-1"),
    "staff": bearer("consultant", "tuvan-1"),
    "clerk": bearer("department_officer", "clerk-1", department="H29.06.1.TPHT"),
    "counter": bearer("reception_officer", "officer-1"),
}
EXAMPLES = 10
DEVICE_STEPS = ("/identity", "/otp", "/envelopes", "/submissions", "/dossiers/", "/pickups")


def token_for(path: str, method: str) -> dict[str, str]:
    if path.startswith("/kiosks/{key}") and any(step in path for step in DEVICE_STEPS):
        return TOKENS["device"]
    if path.startswith("/accounts"):
        return TOKENS["admin"]
    if path.startswith("/kiosks"):
        return TOKENS["staff"]
    if path.endswith(("/result", "/result-document")):
        return TOKENS["clerk"]
    return TOKENS["counter"]


@pytest.fixture
def system(tmp_path):
    """The real composition (vaults, signer, OTP...) on SQLite, with the key the test tokens are minted with."""
    from infrastructure.bootstrap import build
    from infrastructure.settings import Settings

    system = build(Settings(data_dir=tmp_path, notifications="external", secret=TOKEN_KEY.decode()))
    yield system
    system.close()


def test_no_server_error_and_every_answer_matches_the_document(system) -> None:
    # The operations are walked here rather than with schemathesis' pytest plugin, which does not run under pytest 9.
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", create_app(system))
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 60
    calls = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case) -> None:
            response = case.call_and_validate(headers=token_for(case.path, case.method), checks=checks)
            calls.append(response.status_code)

        check()
    assert calls and max(calls) < 500
