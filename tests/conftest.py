"""Shared fixtures: event-store environments for SQLite and for the real PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

from tests.fakes import FakeClock, WeekdayCalendar

PG = {
    "host": os.environ.get("TEST_POSTGRES_HOST", "127.0.0.1"),
    "port": os.environ.get("TEST_POSTGRES_PORT", "5432"),
    "dbname": os.environ.get("TEST_POSTGRES_DBNAME", "test"),
    "user": os.environ.get("TEST_POSTGRES_USER", "postgres"),
}
COMMON = {"AGGREGATE_CACHE_MAXSIZE": "1000", "AGGREGATE_CACHE_FASTFORWARD": "n"}


def postgres_env(schema: str) -> dict[str, str]:
    """eventsourcing settings for a schema of the test database."""
    return COMMON | {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_HOST": PG["host"],
        "POSTGRES_PORT": PG["port"],
        "POSTGRES_DBNAME": PG["dbname"],
        "POSTGRES_USER": PG["user"],
        "POSTGRES_PASSWORD": "",
        "POSTGRES_SCHEMA": schema,
    }


def pg_connect() -> psycopg.Connection:
    return psycopg.connect(autocommit=True, **PG)


@contextmanager
def fresh_schema(prefix: str, companions: tuple[str, ...] = ()) -> Iterator[str]:
    """A new schema of the test database; it and the schemas named after it (`<schema><companion>`) are dropped
    afterwards, so runs never collide."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with pg_connect() as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield schema
    finally:
        with pg_connect() as conn:
            for name in (schema, *(schema + companion for companion in companions)):
                conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema (and the idempotency schema an API built on it makes)."""
    with fresh_schema("t", ("_private",)) as schema:
        yield schema


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_env(request: pytest.FixtureRequest, tmp_path) -> dict[str, str]:
    """The event-store environment, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        return COMMON | {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(tmp_path / "events.sqlite3"),
        }
    return postgres_env(request.getfixturevalue("pg_schema"))


def read_store_for(store_env: dict[str, str], tmp_path, name: str = "readmodels"):
    """A read store beside the event store: an SQLite file, or the same PostgreSQL schema."""
    from infrastructure.readstore.store import PostgresReadStore, SqliteReadStore

    if store_env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        return SqliteReadStore(tmp_path / f"{name}.sqlite3")
    conninfo = " ".join(f"{k}={v}" for k, v in PG.items())
    return PostgresReadStore(conninfo, store_env["POSTGRES_SCHEMA"])


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def calendar() -> WeekdayCalendar:
    return WeekdayCalendar()


@pytest.fixture(scope="session")
def catalogue():
    """The shipped procedure catalogue."""
    from infrastructure.catalogue import load_catalogue

    return load_catalogue()


@pytest.fixture
def dossiers(store_env, catalogue, calendar, clock):
    """The Dossiers service on an application of the parametrised store."""
    from tests.onestop_support import dossiers_on

    service = dossiers_on(store_env, catalogue, calendar, clock)
    yield service
    service.app.close()


@pytest.fixture
def otp():
    from tests.fakes import FakeOtp

    return FakeOtp()


@pytest.fixture
def system(store_env, catalogue, calendar, clock, otp, tmp_path):
    """The whole System on the parametrised store, with fakes for the outside world; its read models kept up."""
    from application.accounts import Accounts
    from application.base import OneStop
    from application.tokens import Tokens
    from infrastructure.guards import GuardStore
    from infrastructure.idempotency import IdempotencyStore
    from infrastructure.passwords import Argon2Hasher, load_common_passwords
    from tests.auth_support import TOKEN_KEY
    from tests.onestop_support import system_of

    app = OneStop(store_env)
    guards = GuardStore(read_store_for(store_env, tmp_path, "guards"))
    tokens = Tokens(TOKEN_KEY, revocations=guards)  # checks the tokens `bearer` mints; its own last 15 minutes
    accounts = Accounts(
        app,
        hasher=Argon2Hasher.fast(),
        tokens=tokens,
        clock=clock,
        attempts=guards,
        common_passwords=load_common_passwords(),
    )
    system = system_of(
        app,
        catalogue=catalogue,
        calendar=calendar,
        clock=clock,
        otp=otp,
        store=read_store_for(store_env, tmp_path),
        guards=guards,
        accounts=accounts,
        idempotency=IdempotencyStore(read_store_for(store_env, tmp_path, "idempotency")),
    )
    app.after_commit.append(system.projector.poke)
    system.projector.start(poll=0.1)
    yield system
    system.close()
