"""Read models on a hot standby (MOTCUA_READ_REPLICA): a standby made with pg_basebackup serves the API's read models,
refuses writes, and catches up with what the runner writes on the primary."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from infrastructure.bootstrap import build, build_projector
from infrastructure.settings import Settings, SettingsError
from tests.faults.private_pg import PrivatePostgres
from tests.faults.replica_pg import Standby, receive, store_env
from tests.faults.support import dev_pki, wait_until


def test_a_hot_standby_serves_the_read_models_refuses_writes_and_catches_up(tmp_path: Path, catalogue) -> None:
    primary, standby, system = PrivatePostgres(), None, None
    try:
        primary.start()
        primary.create_schema("ops")
        env = store_env(primary, "ops", tmp_path / "var", MOTCUA_DEV_PKI_DIR=str(dev_pki(tmp_path)))
        settings = Settings.from_env(env)
        first = receive(settings.event_store_env(), catalogue, 3)
        _project(settings)
        standby = Standby(primary)
        standby.start()
        replica = f"host=127.0.0.1 port={standby.port} dbname=postgres user=postgres"
        system = build(Settings.from_env(env | {"MOTCUA_READ_REPLICA": replica}))  # an API process on the standby

        assert system.projector.store.read_only
        assert _codes(system) == sorted(first)  # the read models, as of the base backup, from the standby
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction), system.projector.store.transaction() as tx:
            tx.execute("DELETE FROM dossiers")

        later = receive(settings.event_store_env(), catalogue, 2, first=3)
        _project(settings)  # the runner writes the primary; streaming replication brings it over
        wait_until(lambda: _codes(system) == sorted(first + later), 60, "the standby caught up with the primary")
        head = system.app.recorder.max_notification_id()
        wait_until(
            lambda: all(lag.events_behind == 0 for lag in system.projector.lag()), 60, "no lag seen on the standby"
        )
        assert set(system.projector.positions().values()) == {head}
    finally:
        if system is not None:
            system.close()
        for server in (standby, primary):
            if server is not None:
                server.remove()


def test_a_read_replica_needs_postgres_and_an_external_runner(tmp_path: Path) -> None:
    replica = {"MOTCUA_READ_REPLICA": "host=127.0.0.1 port=1 dbname=postgres"}
    for env in ({"MOTCUA_STORE": "sqlite"}, {"MOTCUA_STORE": "postgres", "MOTCUA_PROJECTIONS": "inprocess"}):
        with pytest.raises(SettingsError, match="MOTCUA_READ_REPLICA needs"):
            Settings.from_env(env | replica).read_replica_conninfo()


def _project(settings: Settings) -> None:
    projector = build_projector(settings)
    try:
        projector.catch_up()
    finally:
        projector.store.close()


def _codes(system) -> list[str]:
    return sorted(row["code"] for row in system.projector.store.query("SELECT code FROM dossiers"))
