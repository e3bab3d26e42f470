"""Shared dossier code sequences (PostgreSQL): seeded from the stored codes, never the same number twice."""

from __future__ import annotations

import threading
from datetime import date

import psycopg
import pytest

from application.codes import CodeAllocator
from infrastructure.code_sequences import PostgresCodeSequences
from tests.conftest import PG, fresh_schema

pytestmark = pytest.mark.postgres
CONNINFO = " ".join(f"{key}={value}" for key, value in PG.items())
DAY = date(2026, 12, 3)


@pytest.fixture
def schema():
    with fresh_schema("cs") as name:
        yield name


def test_a_new_sequence_starts_at_the_first_free_code_and_counts_on_across_processes(schema: str) -> None:
    taken = {"H29.06-261203-0001", "H29.06-261203-0002", "H29.06-261203-0003"}
    one, other = (PostgresCodeSequences(CONNINFO, schema) for _ in range(2))  # two processes' adapters
    try:
        first, second = (CodeAllocator(taken.__contains__, shared) for shared in (one, other))
        assert first.propose("H29.06", DAY) == "H29.06-261203-0004"
        assert second.propose("H29.06", DAY) == "H29.06-261203-0005"
        assert first.propose("H29.06", DAY) == "H29.06-261203-0006"
        assert second.propose("H29.06.1", DAY) == "H29.06.1-261203-0001"  # each agency its own sequence
    finally:
        one.close()
        other.close()


def test_concurrent_proposers_never_get_the_same_code(schema: str) -> None:
    adapters = [PostgresCodeSequences(CONNINFO, schema) for _ in range(2)]
    allocators = [CodeAllocator(lambda code: False, adapter) for adapter in adapters]
    codes: list[str] = []
    lock = threading.Lock()

    def propose(allocator: CodeAllocator) -> None:
        for _ in range(40):
            code = allocator.propose("H29.06", DAY)
            with lock:
                codes.append(code)

    threads = [threading.Thread(target=propose, args=(allocators[n % 2],)) for n in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for adapter in adapters:
            adapter.close()
    assert sorted(codes) == [f"H29.06-261203-{n:04d}" for n in range(1, 161)]


def test_the_counter_does_not_wait_for_a_flush_of_its_own(schema: str) -> None:
    """Its commits are covered by the dossier's synchronous commit that follows (module docstring): the sequence's
    connections run with synchronous_commit off, other connections keep the server's setting."""
    sequences = PostgresCodeSequences(CONNINFO, schema)
    try:
        with sequences._pool.connection() as conn:
            assert conn.execute("SHOW synchronous_commit").fetchone() == ("off",)
        with psycopg.connect(CONNINFO) as other:
            assert other.execute("SHOW synchronous_commit").fetchone() == ("on",)
    finally:
        sequences.close()
