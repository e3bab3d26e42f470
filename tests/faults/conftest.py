"""Fault tests: real processes against PostgreSQL and NATS; run by `make test-faults`, not by `make test`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import pg_connect


@pytest.fixture
def fault_schema() -> Iterator[str]:
    """A fresh event-store schema of the shared database; it and its read-model twin are dropped afterwards."""
    schema = f"f_{uuid.uuid4().hex[:12]}"
    with pg_connect() as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield schema
    with pg_connect() as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"DROP SCHEMA IF EXISTS {schema}_read CASCADE")
        conn.execute(f"DROP SCHEMA IF EXISTS {schema}_read_private CASCADE")
