"""The analyst login on the real PostgreSQL: it reads the read models and nothing else, and writes nothing."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg import errors

from application.base import OneStop
from application.dossiers import Dossiers
from infrastructure.readstore.analyst import ANALYST_TABLES, AnalystGrantError, drop_analyst, grant_analyst
from infrastructure.readstore.runner import Projector
from infrastructure.readstore.store import PostgresReadStore
from projections.models import read_models
from tests.application.test_dossiers import receive
from tests.conftest import PG, pg_connect, postgres_env
from tests.fakes import FakeClock, WeekdayCalendar

pytestmark = pytest.mark.postgres
PRIVATE = "internal_notes"
CONNINFO = " ".join(f"{k}={v}" for k, v in PG.items())


@pytest.fixture
def world(pg_schema, catalogue, calendar, clock):
    """Events in `pg_schema`, read models in a schema of their own with one dossier in them."""
    read_schema = f"r_{uuid.uuid4().hex[:12]}"
    dossiers = Dossiers(OneStop(postgres_env(pg_schema)), catalogue=catalogue, calendar=calendar, clock=clock)
    store = PostgresReadStore(CONNINFO, read_schema)
    try:
        code = receive(dossiers)
        Projector(dossiers.app.recorder, dossiers.app.mapper, store, read_models(catalogue)).catch_up()
        with pg_connect() as conn:  # a table no analyst is meant to see
            conn.execute(f"CREATE TABLE {read_schema}.{PRIVATE} (code TEXT)")
            conn.execute(f"INSERT INTO {read_schema}.{PRIVATE} VALUES (%s)", (code,))
        yield pg_schema, read_schema, code
    finally:
        store.close()
        dossiers.app.close()
        with pg_connect() as conn:
            conn.execute(f"DROP SCHEMA {read_schema} CASCADE")


@pytest.fixture
def role():
    name = f"analyst_{uuid.uuid4().hex[:10]}"
    yield name
    drop_analyst(CONNINFO, name)
    with pg_connect() as conn:
        assert conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is None


def login(role: str) -> psycopg.Connection:
    """A session of the analyst itself (the test server trusts local logins; production checks the password)."""
    return psycopg.connect(autocommit=True, **(PG | {"user": role}))


def test_the_analyst_reads_the_read_models(world, role, catalogue) -> None:
    _, read_schema, code = world
    assert grant_analyst(CONNINFO, read_schema, role, "mat-khau-phan-tich") == list(ANALYST_TABLES)
    with login(role) as conn:
        assert conn.execute("SELECT code, channel FROM dossiers").fetchall() == [(code, "counter")]
        assert conn.execute(f"SELECT COUNT(*) FROM {read_schema}.kiosk_trays").fetchone() == (0,)
        assert {name for (name,) in conn.execute("SELECT name FROM projection_tracking")} == {
            m.name for m in read_models(catalogue)
        }
        assert conn.execute("SHOW default_transaction_read_only").fetchone() == ("on",)


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO dossiers (code) VALUES ('X-1')",
        "UPDATE dossiers SET status = 'delivered'",
        "DELETE FROM dossiers",
        "TRUNCATE kiosk_trays",
        "UPDATE projection_tracking SET position = 0",
        "CREATE TABLE notes (id INT)",
    ],
)
def test_the_analyst_cannot_write_even_after_leaving_read_only_mode(world, role, statement) -> None:
    _, read_schema, code = world
    grant_analyst(CONNINFO, read_schema, role, "mat-khau-phan-tich")
    with login(role) as conn:
        with pytest.raises(errors.ReadOnlySqlTransaction):
            conn.execute(statement)
        conn.execute("SET default_transaction_read_only = off")
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(statement)
    with pg_connect() as conn:
        assert conn.execute(f"SELECT code, status FROM {read_schema}.dossiers").fetchall() == [(code, "received")]


def test_the_analyst_cannot_read_the_event_store_or_unlisted_tables(world, role) -> None:
    event_schema, read_schema, _ = world
    grant_analyst(CONNINFO, read_schema, role, "mat-khau-phan-tich")
    with pg_connect() as conn:
        assert conn.execute(f"SELECT COUNT(*) FROM {event_schema}.onestop_events").fetchone()[0] >= 1
    with login(role) as conn:
        for table in (f"{event_schema}.onestop_events", f"{read_schema}.{PRIVATE}"):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(f"SELECT * FROM {table}")


def test_granting_again_updates_the_role_and_adds_the_tables_passed_in(world, role) -> None:
    _, read_schema, code = world
    grant_analyst(CONNINFO, read_schema, role, "mat-khau-1")
    assert grant_analyst(CONNINFO, read_schema, role, "mat-khau-2", tables=[PRIVATE]) == [*ANALYST_TABLES, PRIVATE]
    with login(role) as conn:
        assert conn.execute(f"SELECT code FROM {PRIVATE}").fetchall() == [(code,)]
    with pg_connect() as conn:
        flags = conn.execute(
            "SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = %s", (role,)
        ).fetchone()
    assert flags == (True, False, False, False)


def test_a_rebuild_keeps_the_analysts_grants(world, role, catalogue) -> None:
    event_schema, read_schema, code = world
    grant_analyst(CONNINFO, read_schema, role, "mat-khau-phan-tich")
    dossiers = Dossiers(
        OneStop(postgres_env(event_schema)), catalogue=catalogue, calendar=WeekdayCalendar(), clock=FakeClock()
    )
    store = PostgresReadStore(CONNINFO, read_schema)
    try:
        Projector(dossiers.app.recorder, dossiers.app.mapper, store, read_models(catalogue)).rebuild()
    finally:
        store.close()
        dossiers.app.close()
    with login(role) as conn:  # no new grant needed: the rebuild reloads the tables in place
        assert conn.execute("SELECT code FROM dossiers").fetchall() == [(code,)]
    grant_analyst(CONNINFO, read_schema, role, None)  # granting again keeps the password
    with login(role) as conn:
        assert conn.execute("SELECT code FROM dossiers").fetchall() == [(code,)]


def test_a_missing_table_a_superuser_or_a_bad_name_is_refused(world, role) -> None:
    _, read_schema, _ = world
    with pytest.raises(AnalystGrantError, match="no table ledger"):
        grant_analyst(CONNINFO, read_schema, role, "pw", tables=["ledger"])
    with pytest.raises(AnalystGrantError, match="superuser"):
        grant_analyst(CONNINFO, read_schema, PG["user"], "pw")
    with pytest.raises(AnalystGrantError, match="lower-case"):
        grant_analyst(CONNINFO, read_schema, "Robert'); DROP TABLE dossiers;--", "pw")
    with pytest.raises(AnalystGrantError, match="password"):
        grant_analyst(CONNINFO, read_schema, role, None)
    with pg_connect() as conn:
        assert conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None
