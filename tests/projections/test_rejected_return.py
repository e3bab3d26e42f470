"""Read models of a rejected dossier given back at the kiosk (issue [14]): the queue row stays rejected while it waits
in a tray, after it is taken and after it is pulled back; the tray row shows it loaded and notified, then empty; a
rebuild from zero gives the same rows."""

from __future__ import annotations

from datetime import date

import pytest

from application.base import OneStop
from application.dossiers import Dossiers
from domain.codes import dossier_id
from domain.tray import PickupMethod
from infrastructure.calendar import load_calendar
from infrastructure.readstore.runner import Projector
from projections.books import book_read_models
from projections.models import read_models
from tests.application.test_kiosk_day import CLERK, KIOSK_PROCEDURES, submit
from tests.conftest import read_store_for
from tests.fakes import FakeClock, FakeOtp
from tests.kiosk_support import KIOSK_ACTOR, ONE_STOP, STAFF, STAFF_ACTOR, Citizen, kiosks_app, vn

DAY = date(2026, 5, 20)


@pytest.fixture
def world(store_env, catalogue, tmp_path):
    clock, otp = FakeClock(vn(DAY, 7)), FakeOtp()
    dossiers = Dossiers(OneStop(store_env), catalogue=catalogue, calendar=load_calendar(), clock=clock)
    kiosks = kiosks_app(dossiers, otp, clock)
    kiosks.install_kiosk("Q6-01", name="Kiosk 24/7 UBND Quận 6", agency="H29.06", actor=STAFF_ACTOR, tray_count=3)
    kiosks.register_envelopes("Q6-01", barcodes=["Q6PB000001", "Q6PB000002"], actor=STAFF_ACTOR)
    store = read_store_for(store_env, tmp_path)
    models = [*read_models(catalogue), *book_read_models(catalogue)]
    projector = Projector(dossiers.app.recorder, dossiers.app.mapper, store, models, batch=50)
    yield dossiers, kiosks, otp, projector
    store.close()
    dossiers.app.close()


def rows(projector: Projector) -> tuple[list[dict], list[dict]]:
    dossiers = projector.store.query("SELECT code, status, kiosk, tray, delivered_at FROM dossiers ORDER BY code")
    trays = projector.store.query("SELECT tray, status, dossier_code FROM kiosk_trays ORDER BY tray")
    return dossiers, trays


def test_a_rejected_dossier_in_a_tray_stays_rejected_in_the_read_models(world, catalogue) -> None:
    dossiers, kiosks, otp, projector = world
    taken, pulled = (
        submit(kiosks, otp, catalogue, Citizen(n), KIOSK_PROCEDURES[4], f"Q6PB00000{n}", []) for n in (1, 2)
    )
    for code in (taken, pulled):
        dossiers.reject(code, reason="Sai thủ tục", actor=CLERK)
    kiosks.load_results("Q6-01", [taken, pulled], staff=STAFF, actor=STAFF_ACTOR)
    projector.catch_up()
    queue, trays = rows(projector)
    assert [(r["status"], r["kiosk"], r["tray"]) for r in queue] == [("rejected", "Q6-01", 1), ("rejected", "Q6-01", 2)]
    assert [(t["status"], t["dossier_code"]) for t in trays] == [("loaded", taken), ("loaded", pulled), ("empty", None)]
    notified = projector.store.query("SELECT notified_at FROM kiosk_trays WHERE tray < 3")
    assert all(row["notified_at"] is not None for row in notified)

    ticket = kiosks.start_pickup_with_receipt("Q6-01", id_number=Citizen(1).id_number, code=taken)
    kiosks.release("Q6-01", taken, ticket=ticket.token, method=PickupMethod.CCCD_AND_RECEIPT, actor=KIOSK_ACTOR)
    dossier = dossiers.app.load(dossier_id(pulled), ("dossier", "hồ sơ"), pulled)
    tray = kiosks._tray("Q6-01", 2)
    tray.pull_back(dossier_code=pulled, receiver=ONE_STOP, actor=STAFF_ACTOR, at=vn(DAY, 16))
    dossier.pull_back(giver=STAFF, receiver=ONE_STOP, actor=STAFF_ACTOR, at=vn(DAY, 16))
    dossiers.app.commit(dossier, tray)
    projector.catch_up()
    live = rows(projector)
    queue, trays = live
    assert [(r["status"], r["tray"], r["delivered_at"]) for r in queue] == [("rejected", None, None)] * 2
    assert [t["status"] for t in trays] == ["empty"] * 3
    projector.rebuild()
    assert rows(projector) == live
