"""Two processes, two caches: a command refused on a stale cached copy is checked again against the store."""

from __future__ import annotations

import pytest

from application.base import OneStop
from application.dossiers import Dossiers
from domain.errors import ActionNotAllowedError
from tests.application.test_dossiers import BIRTH, OFFICER, receive


def two_processes(store_env, catalogue, calendar, clock) -> tuple[Dossiers, Dossiers]:
    return (
        Dossiers(OneStop(store_env), catalogue=catalogue, calendar=calendar, clock=clock),
        Dossiers(OneStop(store_env), catalogue=catalogue, calendar=calendar, clock=clock),
    )


def test_a_command_decided_on_a_stale_copy_is_retried_on_fresh_state(store_env, catalogue, calendar, clock) -> None:
    a, b = two_processes(store_env, catalogue, calendar, clock)
    code = receive(a)
    a.assess_fee(code, actor=OFFICER)  # a's cache now holds the dossier as "received"
    b.accept(code, actor=OFFICER)  # b moves it on; a's copy is stale
    written = a.route(code, department=catalogue.procedure(BIRTH).department, actor=OFFICER)
    assert written.version == 4 and a.get_dossier(code).status == "in_processing"
    a.app.close()
    b.app.close()


def test_a_refusal_that_stands_on_fresh_state_is_reported(store_env, catalogue, calendar, clock) -> None:
    a, b = two_processes(store_env, catalogue, calendar, clock)
    code = receive(a)
    b.reject(code, reason="Thiếu giấy tờ", actor=OFFICER)
    with pytest.raises(ActionNotAllowedError) as refused:
        a.accept(code, actor=OFFICER)  # stale copy says "received"; the store says "rejected"
    assert refused.value.state == "rejected"
    assert len(a.list_history(code)) == 2
    a.app.close()
    b.app.close()
