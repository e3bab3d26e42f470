"""Login throttling: per account and per client address, refused before any password hashing, 429 with Retry-After."""

from __future__ import annotations

import threading

import pytest
from litestar.testing import TestClient

from api.app import create_app
from application.accounts import Accounts
from application.base import OneStop
from application.throttling import BusyError
from application.tokens import Tokens
from domain.values import Actor, Role
from infrastructure.passwords import Argon2Hasher
from tests.auth_support import TOKEN_KEY
from tests.fakes import NoAttempts

SETUP = Actor(account_id="setup", role=Role.ADMINISTRATOR)
PASSWORD = "Lan-tiep-nhan-quay-3"


class CountingHasher(Argon2Hasher):
    """The fast argon2 hasher, counting the verifications it runs."""

    def __init__(self) -> None:
        super().__init__(Argon2Hasher.fast()._hasher)
        self.verified = 0

    def verify(self, stored_hash: str, password: str) -> bool:
        self.verified += 1
        return super().verify(stored_hash, password)


@pytest.fixture
def client(system):
    system.accounts.hasher = hasher = CountingHasher()
    for name in ("lan.pt", "minh.tq"):
        system.accounts.create_account(
            name, PASSWORD, name=name, role=Role.RECEPTION_OFFICER, agency="H29.06", actor=SETUP
        )
    with TestClient(create_app(system)) as client:
        client.hasher = hasher
        yield client


def attempt(client: TestClient, username: str, password: str):
    return client.post("/auth/login", json={"username": username, "password": password})


def test_after_five_wrong_passwords_even_the_right_one_waits_and_costs_no_hashing(client: TestClient, clock) -> None:
    for _ in range(5):
        assert attempt(client, "lan.pt", "sai-mat-khau-roi").status_code == 401
    hashed = client.hasher.verified
    for password in ("sai-mat-khau-roi", PASSWORD):
        locked = attempt(client, "lan.pt", password)
        assert locked.status_code == 429 and locked.json()["error"] == "too_many_attempts", locked.text
        assert locked.headers["retry-after"] == "30" and "phút" in locked.json()["message_vi"]
    assert client.hasher.verified == hashed
    assert attempt(client, "minh.tq", PASSWORD).status_code == 200  # another account is not locked
    clock.advance(seconds=30)
    assert attempt(client, "lan.pt", "sai-mat-khau-roi").status_code == 401
    assert attempt(client, "lan.pt", PASSWORD).headers["retry-after"] == "60"  # each further failure doubles the wait
    clock.advance(seconds=60)
    assert attempt(client, "lan.pt", PASSWORD).status_code == 200


def test_unknown_names_are_throttled_like_known_ones(client: TestClient) -> None:
    answers = [attempt(client, "khong.co.ai", "sai-mat-khau-roi").status_code for _ in range(6)]
    assert answers == [401] * 5 + [429]


def test_many_names_from_one_address_lock_that_address(client: TestClient) -> None:
    for n in range(20):
        assert attempt(client, f"doan.{n}", "sai-mat-khau-roi").status_code == 401
    hashed = client.hasher.verified
    locked = attempt(client, "minh.tq", PASSWORD)
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) == 60
    assert client.hasher.verified == hashed


class BlockingHasher(Argon2Hasher):
    """Holds every verification until released, so a test can fill the hashing slots."""

    def __init__(self) -> None:
        super().__init__(Argon2Hasher.fast()._hasher)
        self.entered, self.release = threading.Semaphore(0), threading.Event()

    def verify(self, stored_hash: str, password: str) -> bool:
        self.entered.release()
        self.release.wait()
        return super().verify(stored_hash, password)


def test_logins_beyond_the_hashing_slots_are_refused_at_once_not_queued(store_env, clock) -> None:
    hasher = BlockingHasher()
    accounts = Accounts(
        OneStop(store_env), hasher=hasher, tokens=Tokens(TOKEN_KEY), clock=clock, attempts=NoAttempts(), hashing_slots=2
    )
    accounts.create_account("lan.pt", PASSWORD, name="Lan", role=Role.RECEPTION_OFFICER, agency="H29.06", actor=SETUP)
    answers: list[object] = []
    threads = [threading.Thread(target=lambda: answers.append(accounts.login("lan.pt", PASSWORD))) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
            hasher.entered.acquire()  # this login holds a slot
        with pytest.raises(BusyError) as busy:
            accounts.login("lan.pt", PASSWORD)
        assert busy.value.retry_after_seconds == 1 and busy.value.message_vi
        hasher.release.set()
        for thread in threads:
            thread.join()
        assert len(answers) == 2 and accounts.login("lan.pt", PASSWORD).token  # the slots are free again
    finally:
        hasher.release.set()
        accounts.app.close()
