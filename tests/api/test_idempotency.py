"""Idempotency-Key: a retried command returns the first answer and records nothing new."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from litestar.testing import TestClient

from api.app import create_app
from tests.api.test_dossier_api import BODY
from tests.auth_support import bearer

COUNTER = bearer("reception_officer", "officer-1")
OTHER = bearer("reception_officer", "officer-2")


@pytest.fixture
def client(system):
    with TestClient(create_app(system)) as client:
        client.headers.update(COUNTER)
        yield client


def events(client: TestClient) -> int:
    return client.get("/health").json()["events"]


def test_a_retried_command_returns_the_first_answer_and_records_nothing(client: TestClient) -> None:
    first = client.post("/dossiers", json=BODY, headers={"Idempotency-Key": "receipt-0001"})
    assert first.status_code == 201
    after_first = events(client)
    again = client.post("/dossiers", json=BODY, headers={"Idempotency-Key": "receipt-0001"})
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert events(client) == after_first
    other_key = client.post("/dossiers", json=BODY, headers={"Idempotency-Key": "receipt-0002"})
    assert other_key.json()["code"] != first.json()["code"] and events(client) == after_first + 1


def test_a_refusal_is_remembered_too_and_keys_are_per_account(client: TestClient) -> None:
    code = client.post("/dossiers", json=BODY).json()["code"]
    refused = client.post(f"/dossiers/{code}/withdraw", json={}, headers={"Idempotency-Key": "k1"})
    assert refused.status_code == 409
    assert (
        client.post(f"/dossiers/{code}/withdraw", json={}, headers={"Idempotency-Key": "k1"}).json() == refused.json()
    )
    mine = client.post(f"/dossiers/{code}/accept", json={}, headers={"Idempotency-Key": "shared"})
    theirs = client.post(f"/dossiers/{code}/accept", json={}, headers={**OTHER, "Idempotency-Key": "shared"})
    assert mine.status_code == 201 and theirs.status_code == 409  # a new command of another account: refused by state


def test_the_same_key_for_a_different_request_or_a_bad_key_is_refused(client: TestClient) -> None:
    client.post("/dossiers", json=BODY, headers={"Idempotency-Key": "abc"})
    before = events(client)
    changed = client.post("/dossiers", json={**BODY, "channel": "postal"}, headers={"Idempotency-Key": "abc"})
    assert changed.status_code == 422 and changed.json()["error"] == "idempotency_key_reused"
    bad = client.post("/dossiers", json=BODY, headers={"Idempotency-Key": "has a space"})
    assert bad.status_code == 400 and bad.json()["message_vi"]
    assert events(client) == before


def test_concurrent_retries_record_one_command(client: TestClient) -> None:
    before = events(client)

    def send(_: int):
        return client.post("/dossiers", json=BODY, headers={"Idempotency-Key": "burst"})

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(send, range(8)))
    created = [a for a in answers if a.status_code == 201]
    assert created and {a.json()["code"] for a in created} == {created[0].json()["code"]}
    assert all(a.status_code in (201, 409) for a in answers)
    assert events(client) == before + 1


def test_a_retry_sent_the_moment_the_first_answer_arrives_gets_that_answer(tmp_path) -> None:
    # The client's side is played by `send`: as soon as the answer's body reaches it, it retries with the same key.
    import anyio

    from api.idempotency import idempotency_middleware
    from infrastructure.idempotency import IdempotencyStore
    from infrastructure.readstore.store import SqliteReadStore

    class Tokens:
        def check(self, token, now):
            return type("Principal", (), {"account_id": "officer-1"})()

    class Clock:
        def now(self):
            return None

    async def command(scope, receive, send) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 201, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"code": "A"}', "more_body": False})

    middleware = idempotency_middleware(IdempotencyStore(SqliteReadStore(tmp_path / "i.sqlite3")), Tokens(), Clock())(
        command
    )
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/dossiers",
        "headers": [(b"idempotency-key", b"k-1"), (b"authorization", b"Bearer t")],
    }
    retries: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def client(message) -> None:
        if message["type"] == "http.response.body" and not retries:
            retries.append({})
            await middleware(scope, receive, lambda reply: _collect(retries[0], reply))

    async def _collect(into: dict, message) -> None:
        into.setdefault(message["type"], message)

    anyio.run(middleware, scope, receive, client)
    assert retries[0]["http.response.start"]["status"] == 201
    assert retries[0]["http.response.body"]["body"] == b'{"code": "A"}'
