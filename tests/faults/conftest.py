"""Fault tests: real processes against PostgreSQL and NATS; run by `make test-faults`, not by `make test`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import fresh_schema


@pytest.fixture
def fault_schema() -> Iterator[str]:
    """A fresh event-store schema of the shared database; it, its read-model and idempotency twins are dropped."""
    with fresh_schema("f", ("_read", "_read_private")) as schema:
        yield schema
