"""Sessions that end: logout, disabling and password resets revoke tokens at once on every replica; renewal; password
policy."""

from __future__ import annotations

import dataclasses

import pytest
from litestar.testing import TestClient

from api import auth
from api.app import create_app
from application.accounts import Accounts
from application.base import OneStop
from application.tokens import Tokens
from infrastructure.guards import GuardStore
from infrastructure.passwords import Argon2Hasher
from tests.auth_support import TOKEN_KEY, bearer
from tests.conftest import read_store_for

ADMIN = bearer("administrator", "admin-1")
PASSWORD = "Lan-tiep-nhan-quay-3"
NEW = {
    "username": "lan.pt",
    "password": PASSWORD,
    "name": "Phạm Thị Lan",
    "role": "reception_officer",
    "agency": "H29.06",
}


@pytest.fixture
def client(system):
    with TestClient(create_app(system)) as client:
        assert client.post("/accounts", json=NEW, headers=ADMIN).status_code == 201
        yield client


def login(client: TestClient, password: str = PASSWORD) -> dict[str, str]:
    answer = client.post("/auth/login", json={"username": "lan.pt", "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def events(client: TestClient) -> int:
    return client.get("/health").json()["events"]


def refused_token(answer) -> bool:
    return answer.status_code == 401 and answer.json()["error"] == "unauthenticated" and answer.json()["message_vi"]


def test_logout_ends_the_presented_token_only(client: TestClient) -> None:
    first, second = login(client), login(client)
    assert client.post("/auth/logout", json={}, headers=first).status_code == 204
    assert refused_token(client.get("/auth/me", headers=first))
    assert refused_token(client.post("/auth/logout", json={}, headers=first))
    assert client.get("/auth/me", headers=second).json()["account_id"] == "lan.pt"


def test_a_token_checked_a_moment_ago_is_guarded_without_a_thread_and_still_ends_at_logout(
    client: TestClient, monkeypatch
) -> None:
    handed_off: list[str] = []
    in_thread = auth.sync_to_thread

    async def counted(function, *args):
        handed_off.append(function.__name__)
        return await in_thread(function, *args)

    monkeypatch.setattr(auth, "sync_to_thread", counted)
    headers = login(client)
    assert client.get("/auth/me", headers=headers).status_code == 200  # the first check reads the revocations
    checked = handed_off.count("check_access")
    assert client.get("/auth/me", headers=headers).json()["account_id"] == "lan.pt"
    assert handed_off.count("check_access") == checked  # the verdict of a moment ago: guarded on the event loop
    assert client.post("/auth/logout", json={}, headers=headers).status_code == 204
    assert refused_token(client.get("/auth/me", headers=headers))


def test_disabling_an_account_ends_its_tokens_at_once(client: TestClient, clock) -> None:
    token = login(client)
    clock.advance(seconds=1)
    assert client.post("/accounts/lan.pt/enabled", json={"enabled": False}, headers=ADMIN).status_code == 201
    assert refused_token(client.get("/auth/me", headers=token))
    assert refused_token(client.post("/auth/renew", json={}, headers=token))
    clock.advance(seconds=1)
    assert client.post("/accounts/lan.pt/enabled", json={"enabled": True}, headers=ADMIN).status_code == 201
    assert refused_token(client.get("/auth/me", headers=token))  # enabling again does not bring old tokens back
    assert client.get("/auth/me", headers=login(client)).status_code == 200


def test_a_password_reset_ends_the_tokens_issued_before_it(client: TestClient, clock) -> None:
    token = login(client)
    clock.advance(seconds=1)
    reset = client.post("/accounts/lan.pt/password", json={"password": "Mat-khau-moi-cua-Lan"}, headers=ADMIN)
    assert reset.status_code == 201, reset.text
    assert refused_token(client.get("/auth/me", headers=token))
    clock.advance(seconds=1)  # a token issued in the same millisecond as the reset counts as issued before it
    assert client.get("/auth/me", headers=login(client, "Mat-khau-moi-cua-Lan")).status_code == 200


def test_renewal_gives_a_fresh_token_before_expiry_and_ends_the_old_one(client: TestClient, clock) -> None:
    token = login(client)
    clock.advance(minutes=14)
    renewed = client.post("/auth/renew", json={}, headers=token)
    assert renewed.status_code == 200, renewed.text
    fresh = {"Authorization": f"Bearer {renewed.json()['token']}"}
    assert refused_token(client.get("/auth/me", headers=token))
    clock.advance(minutes=14)  # 28 minutes after the login: the renewed token still works
    assert client.get("/auth/me", headers=fresh).json()["account_id"] == "lan.pt"
    clock.advance(minutes=2)
    assert refused_token(client.post("/auth/renew", json={}, headers=fresh))  # an expired token cannot be renewed


def test_disabling_on_one_replica_is_refused_on_another_at_once(system, store_env, tmp_path, clock) -> None:
    """Two API instances on the same store: each has its own guard store connection and revocation cache."""
    guards = GuardStore(read_store_for(store_env, tmp_path, "guards"))
    tokens = Tokens(TOKEN_KEY, revocations=guards)
    accounts = Accounts(OneStop(store_env), hasher=Argon2Hasher.fast(), tokens=tokens, clock=clock, attempts=guards)
    other = dataclasses.replace(system, accounts=accounts, guards=guards, idempotency=None)
    replica_a, replica_b = (
        TestClient(create_app(system)),
        TestClient(create_app(other)),
    )  # no lifespan: nothing closed twice
    try:
        assert replica_a.post("/accounts", json=NEW, headers=ADMIN).status_code == 201
        seen, unseen = login(replica_a), login(replica_a)
        assert replica_b.get("/auth/me", headers=seen).status_code == 200  # replica B caches "not revoked" for 1 s
        clock.advance(seconds=1)
        assert replica_a.post("/accounts/lan.pt/enabled", json={"enabled": False}, headers=ADMIN).status_code == 201
        assert refused_token(replica_b.get("/auth/me", headers=unseen))
        assert refused_token(replica_b.get("/auth/me", headers=seen))
    finally:
        accounts.app.close()
        guards.close()


WEAK = [
    ("password", "12 ký tự"),
    ("12345678", "12 ký tự"),
    (" " * 8, "12 ký tự"),
    (" " * 14, "khoảng trắng"),
    ("aaaaaaaaaaaaaa", "lặp lại"),
    ("password1234", "phổ biến"),
    ("Qwertyuiop123", "phổ biến"),
    ("xin-chao-lan.pt-2026", "tên đăng nhập"),
]


@pytest.mark.parametrize("password,reason", WEAK)
def test_weak_staff_passwords_are_refused_with_the_reason_and_record_nothing(
    client: TestClient, password, reason
) -> None:
    before = events(client)
    created = client.post(
        "/accounts",
        json={
            **NEW,
            "username": "quantri.moi",
            "role": "administrator",
            "password": password.replace("lan.pt", "quantri.moi"),
        },
        headers=ADMIN,
    )
    reset = client.post("/accounts/lan.pt/password", json={"password": password}, headers=ADMIN)
    for answer in (created, reset):
        assert answer.status_code == 422 and answer.json()["details"]["field"] == "password", answer.text
        assert reason in answer.json()["message_vi"]
    assert events(client) == before
