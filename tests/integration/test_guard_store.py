"""The shared guard store on SQLite and PostgreSQL: lockouts that double, counters that reset, revocations seen by
all."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from infrastructure.guards import CACHE_FOR, GuardStore
from tests.conftest import read_store_for
from tests.fakes import FakeClock

LIMIT = dict(allowed=3, window=timedelta(minutes=15), lockout=timedelta(seconds=30), ceiling=timedelta(minutes=2))


@pytest.fixture
def stores(store_env, tmp_path):
    """Two replicas' stores over the same tables."""
    first, second = (GuardStore(read_store_for(store_env, tmp_path, "guards")) for _ in range(2))
    yield first, second
    first.close()
    second.close()


def test_the_allowed_th_failure_locks_and_each_further_one_doubles_the_wait_up_to_the_ceiling(stores) -> None:
    store, other = stores
    at = FakeClock().now()
    assert [store.fail("k", at, **LIMIT) for _ in range(2)] == [None, None]
    assert other.locked_until("k", at) is None
    waits = [(store.fail("k", at, **LIMIT) - at).total_seconds() for _ in range(4)]
    assert waits == [30, 60, 120, 120]
    assert other.locked_until("k", at) == at + timedelta(minutes=2)  # the other replica sees the lock
    assert other.locked_until("k", at + timedelta(minutes=2)) is None


def test_a_quiet_window_resets_the_count_and_clear_forgets_it(stores) -> None:
    store, _ = stores
    at = FakeClock().now()
    for _ in range(2):
        store.fail("k", at, **LIMIT)
    assert store.fail("k", at + timedelta(minutes=15), **LIMIT) is None  # counted from 1 again
    store.fail("k", at, **LIMIT)
    store.clear("k")
    assert store.fail("k", at, **LIMIT) is None


def test_concurrent_failures_are_all_counted(stores) -> None:
    store, other = stores
    at = FakeClock().now()
    big = dict(LIMIT, allowed=1000)
    threads = [
        threading.Thread(target=lambda s=s: [s.fail("k", at, **big) for _ in range(10)]) for s in (store, other) * 2
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.store.query("SELECT failures FROM api_attempts WHERE key = ?", ("k",))[0]["failures"] == 40


def test_a_revocation_on_one_replica_is_seen_by_another_within_the_cache_time(stores) -> None:
    store, other = stores
    at = FakeClock().now()
    issued = at - timedelta(minutes=1)
    assert other.is_revoked("t1", "lan.pt", issued, at) is False
    store.revoke_token("t1", at + timedelta(minutes=14))
    store.revoke_account("minh.tq", at)
    assert other.is_revoked("t2", "minh.tq", issued, at) is True  # never asked before: seen at once
    assert other.is_revoked("t1", "lan.pt", issued, at + CACHE_FOR) is True
    assert other.is_revoked("t3", "minh.tq", at + timedelta(seconds=1), at + timedelta(seconds=2)) is False
