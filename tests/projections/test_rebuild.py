"""Read models: live processing and a rebuild from zero give exactly the same rows (full-day scenario)."""

from __future__ import annotations

import contextlib
import os
from typing import Any

import psycopg
import pytest

from application.base import OneStop
from application.dossiers import Dossiers
from infrastructure.bootstrap import projector_over
from infrastructure.calendar import load_calendar
from infrastructure.readstore.parallel import groups_of, rebuild_parallel
from infrastructure.readstore.runner import Projector
from projections.models import read_models
from tests.application.test_kiosk_day import DAY, play_full_day
from tests.conftest import PG, read_store_for
from tests.fakes import FakeClock, FakeOtp
from tests.kiosk_support import STAFF_ACTOR, kiosks_app, vn

TABLES = {"dossiers": "dossiers", "kiosk_trays": "trays"}


def snapshot(store: Any, tables: Any = TABLES) -> dict[str, list[tuple]]:
    return {
        table: sorted(
            tuple(sorted((k, str(v)) for k, v in row.items())) for row in store.query(f"SELECT * FROM {table}")
        )
        for table in tables
    }


@pytest.fixture
def live(store_env, catalogue, tmp_path):
    clock, otp = FakeClock(vn(DAY, 7)), FakeOtp()
    dossiers = Dossiers(OneStop(store_env), catalogue=catalogue, calendar=load_calendar(), clock=clock)
    kiosks = kiosks_app(dossiers, otp, clock)
    store = read_store_for(store_env, tmp_path)
    projector = Projector(dossiers.app.recorder, dossiers.app.mapper, store, read_models(catalogue), batch=50)
    for app in (dossiers, kiosks):
        app.app.after_commit.append(projector.poke)
    projector.start(poll=0.05)
    yield dossiers, kiosks, clock, otp, projector
    projector.stop()
    store.close()
    dossiers.app.close()


def test_rebuilding_every_read_model_gives_the_rows_live_processing_made(live, catalogue) -> None:
    dossiers, kiosks, clock, otp, projector = live
    codes = play_full_day(dossiers, kiosks, clock, otp, catalogue)
    head = dossiers.app.recorder.max_notification_id()
    assert projector.wait_for(head, timeout=60)
    projector.stop()
    before = snapshot(projector.store)
    assert len(before["dossiers"]) == 102 and len(before["kiosk_trays"]) == 90  # 40 kiosk, 2 ID cards, 60 counter
    assert set(codes) <= {dict(row)["code"] for row in before["dossiers"]}
    projector.rebuild("trays")
    assert snapshot(projector.store) == before
    projector.rebuild()
    assert snapshot(projector.store) == before
    assert all(lag.events_behind == 0 for lag in projector.lag())


def test_a_rebuild_in_two_processes_gives_every_table_the_same_rows(live, catalogue, store_env, tmp_path) -> None:
    dossiers, kiosks, clock, otp, projector = live
    play_full_day(dossiers, kiosks, clock, otp, catalogue)
    assert projector.wait_for(dossiers.app.recorder.max_notification_id(), timeout=60)
    projector.stop()
    tables = [table.name for model in projector.models.values() for table in model.tables]
    before = snapshot(projector.store, tables)

    def fresh() -> Projector:  # what each worker process builds for itself
        return projector_over(store_env, read_store_for(store_env, tmp_path), read_models(catalogue))

    groups = groups_of(projector, list(projector.models), 2)  # the heavy dossiers model balances the light ones
    assert len(groups) == 2 and sorted(sum(groups, [])) == sorted(projector.models)
    for table in tables:  # prove the rows come back from the replay, not from before
        with projector.store.transaction() as tx:
            tx.execute(f"DELETE FROM {table}")
    assert rebuild_parallel(projector, fresh, workers=2) == dossiers.app.recorder.max_notification_id()
    assert snapshot(projector.store, tables) == before
    assert all(lag.events_behind == 0 for lag in projector.lag())


def test_a_rebuild_worker_keeps_no_copy_of_the_parents_database_connections(
    live, catalogue, store_env, tmp_path
) -> None:
    """A parent killed mid-swap must lose its connection (and its locks) even while its worker runs on."""
    projector = live[4]
    parents = psycopg.connect(**PG)

    def fresh() -> Projector:  # runs in the worker, right after the fork
        with contextlib.suppress(OSError):
            os.fstat(parents.fileno())
            raise AssertionError("the worker holds the parent's connection open")
        return projector_over(store_env, read_store_for(store_env, tmp_path), read_models(catalogue))

    try:
        rebuild_parallel(projector, fresh, workers=2)
    finally:
        parents.close()


def test_read_your_writes_waits_for_the_named_read_model(live, catalogue) -> None:
    dossiers, kiosks, clock, otp, projector = live
    kiosks.install_kiosk("Q6-01", name="Kiosk", agency="H29.06", actor=STAFF_ACTOR)
    written = kiosks.register_envelopes("Q6-01", barcodes=["Q6PB000001"], actor=STAFF_ACTOR)
    assert projector.wait_for(written.position, "trays", timeout=10)
    assert projector.positions()["trays"] >= written.position
    assert len(projector.store.query("SELECT * FROM kiosk_trays WHERE kiosk = ?", ("Q6-01",))) == 90
