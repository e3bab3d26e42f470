"""A read model that fails on one event is quarantined there; the other read models go on.

The poisoned event is an old-stored fee of 10^30 đồng, written past today's validation (as events recorded before
the money ceiling were): the dossier and cash-ledger models cannot hold it, the others do not care.
"""

from __future__ import annotations

from datetime import UTC, datetime

from application.base import OneStop
from application.dossiers import Dossiers
from domain.values import Actor, Applicant, Channel, Component, Role
from infrastructure.readstore.quarantine import release
from infrastructure.readstore.runner import Projector
from projections.models import read_models
from tests.conftest import read_store_for

CLERK = Actor(account_id="officer", role=Role.RECEPTION_OFFICER)
BIRTH = "1.001193.000.00.00.H29"
AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def receive(dossiers: Dossiers) -> str:
    code, _ = dossiers.receive(
        procedure_code=BIRTH,
        channel=Channel.COUNTER,
        actor=CLERK,
        at=AT,
        applicant=Applicant(id_number="079195000101", name="Nguyễn Thị Nhung", phone="0901000101"),
        components=[Component(name="Tờ khai", form="original")],
    )
    return code


def poison(dossiers: Dossiers, code: str) -> int:
    """Record a fee of 10^30 đồng the way an event stored before the ceiling reads: bypassing the command's check."""
    dossier = dossiers._load(code, fresh=True)
    dossier._fee_assessed(amount=10**30, actor=CLERK, at=AT)
    dossiers.app.save(dossier)
    return dossiers.app.recorder.max_notification_id()


def test_a_model_failing_on_an_event_is_quarantined_and_the_others_keep_up(
    store_env, catalogue, calendar, clock, tmp_path, caplog
) -> None:
    dossiers = Dossiers(OneStop(store_env), catalogue=catalogue, calendar=calendar, clock=clock)
    projector = Projector(
        dossiers.app.recorder, dossiers.app.mapper, read_store_for(store_env, tmp_path), read_models(catalogue), batch=3
    )
    try:
        first = receive(dossiers)
        poisoned_at = poison(dossiers, first)
        later = [receive(dossiers) for _ in range(4)]
        projector.catch_up()
        head = dossiers.app.recorder.max_notification_id()

        lags = {lag.name: lag for lag in projector.lag()}
        stopped = {name for name, lag in lags.items() if lag.quarantined_at is not None}
        assert stopped == {"dossiers", "cash_ledger"}
        for name in stopped:
            assert lags[name].quarantined_at == poisoned_at and lags[name].position == poisoned_at - 1
            assert lags[name].error.endswith(
                " on Dossier.FeeAssessed"
            )  # SQLite: OverflowError; PostgreSQL: out of range
            assert "079195000101" not in lags[name].error and "Nhung" not in lags[name].error
        assert all(lags[name].position == head for name in set(lags) - stopped)
        tracked = projector.store.query("SELECT code FROM tracking_book")
        assert {row["code"] for row in tracked} >= {first, *later}
        assert projector.wait_for(head, timeout=0.1)  # read-your-writes over all models is not held up by a quarantine
        assert "079195000101" not in caplog.text and "Nhung" not in caplog.text

        projector.catch_up()  # a retry does not move a quarantined model
        assert {lag.name: lag.position for lag in projector.lag()}["dossiers"] == poisoned_at - 1
        release(projector.store, "dossiers")
        projector.catch_up()  # released, it fails on the same event again: quarantined again, nothing lost
        assert {lag.name: lag.quarantined_at for lag in projector.lag()}["dossiers"] == poisoned_at
    finally:
        projector.store.close()
