"""A handover line is confirmed by its receiver only, once; the handover book shows lines unconfirmed until then."""

from __future__ import annotations

import pytest

from domain.errors import InvalidValueError
from domain.handovers import HandoverConfirmedError, NotTheReceiverError
from domain.values import Actor, Role
from infrastructure.readstore.rows import MemoryRows
from projections.books import HandoverBookReadModel
from tests.unit.dossier_paths import AT, CLERK, OFFICER, TEAM, new_dossier

AS_TEAM = Actor(account_id=TEAM.account_id, role=Role.CONSULTANT)
AS_CLERK = Actor(account_id=CLERK.account_id, role=Role.DEPARTMENT_OFFICER)


def handed_twice():
    dossier = new_dossier()
    dossier.hand_over(item="Phong bì", giver=TEAM, receiver=CLERK, actor=AS_TEAM, at=AT)
    dossier.hand_over(item="Hồ sơ giấy", giver=CLERK, receiver=TEAM, actor=AS_CLERK, at=AT)
    return dossier


def test_each_receiver_confirms_their_own_line_once() -> None:
    dossier = handed_twice()
    assert dossier.unconfirmed_for(CLERK.account_id) == [1] and dossier.unconfirmed_for(TEAM.account_id) == [2]
    dossier.confirm_handover(line=1, actor=AS_CLERK, at=AT)
    assert dossier.unconfirmed_for(CLERK.account_id) == [] and dossier.confirmed == {1}
    with pytest.raises(HandoverConfirmedError):
        dossier.confirm_handover(line=1, actor=AS_CLERK, at=AT)


@pytest.mark.parametrize(
    "line, actor, error",
    [
        (2, AS_CLERK, NotTheReceiverError),
        (1, OFFICER, NotTheReceiverError),
        (3, AS_TEAM, InvalidValueError),
        (0, AS_TEAM, InvalidValueError),
    ],
)
def test_anyone_but_the_receiver_or_a_missing_line_is_refused_and_nothing_recorded(line, actor, error) -> None:
    dossier = handed_twice()
    before = len(dossier.collect_events())
    with pytest.raises(error):
        dossier.confirm_handover(line=line, actor=actor, at=AT)
    assert dossier.collect_events() == [] and before and dossier.confirmed == set()


def test_the_handover_book_marks_lines_confirmed_when_their_receiver_confirms() -> None:
    dossier = handed_twice()
    dossier.confirm_handover(line=2, actor=AS_TEAM, at=AT)
    model = HandoverBookReadModel()
    rows = MemoryRows(model)
    for position, event in enumerate(dossier.collect_events(), start=1):
        model.apply(rows, event, position)
    lines = sorted(rows.data["handover_book"].values(), key=lambda row: row["position"])
    assert [(row["line"], row["receiver_account"], row["confirmed_at"]) for row in lines] == [
        (1, CLERK.account_id, None),
        (2, TEAM.account_id, AT),
    ]
