"""Business time never runs backwards within one aggregate's history, whatever order commands finish in."""

from __future__ import annotations

from datetime import timedelta

from application.base import OneStop
from application.dossiers import Dossiers
from domain.codes import dossier_id
from domain.values import PaymentMethod
from tests.application.test_dossiers import OFFICER, receive


def times(app: Dossiers, code: str) -> list:
    return [e.at for e in app.app.events.get(dossier_id(code))]


def test_a_command_that_took_its_time_before_waiting_is_recorded_no_earlier_than_the_one_before(
    dossiers, clock
) -> None:
    code = receive(dossiers)
    dossiers.assess_fee(code, actor=OFFICER)
    started = clock.now()  # this command read the clock, then waited for its turn while another one went first
    dossiers.record_payment(
        code, method=PaymentMethod.CASH, amount=1000, actor=OFFICER, at=started + timedelta(seconds=8)
    )
    dossiers.record_payment(code, method=PaymentMethod.CASH, amount=1000, actor=OFFICER, at=started)
    recorded = times(dossiers, code)
    assert recorded == sorted(recorded) and recorded[-1] == started + timedelta(seconds=8)


def test_an_aggregate_replayed_from_the_store_keeps_its_last_time(store_env, catalogue, calendar, clock) -> None:
    first = Dossiers(OneStop(store_env), catalogue=catalogue, calendar=calendar, clock=clock)
    code = receive(first)
    first.assess_fee(code, actor=OFFICER, at=clock.now() + timedelta(minutes=5))
    other = Dossiers(
        OneStop(store_env), catalogue=catalogue, calendar=calendar, clock=clock
    )  # another process: no cache
    other.record_payment(code, method=PaymentMethod.CASH, amount=1000, actor=OFFICER, at=clock.now())
    recorded = times(other, code)
    assert recorded == sorted(recorded) and recorded[-1] == clock.now() + timedelta(minutes=5)
    assert other.get_dossier(code).paid == 1000
    first.app.close()
    other.app.close()
