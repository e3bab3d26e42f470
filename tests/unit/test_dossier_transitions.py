"""Every action in every state: allowed ones record one event, refused ones record nothing."""

from __future__ import annotations

import copy

import pytest

from domain.dossier import ALLOWED, Dossier, Status
from domain.errors import ActionNotAllowedError, InvalidValueError, PaymentOutstandingError
from tests.unit.dossier_paths import ACTIONS, AT, OFFICER, TEAM, dossier_in, new_dossier

NEXT_STATUS = {
    "accept": Status.ACCEPTED,
    "reject": Status.REJECTED,
    "request_supplement": Status.SUPPLEMENT_REQUESTED,
    "request_withdrawal": Status.WITHDRAWAL_REQUESTED,
    "withdraw": Status.WITHDRAWN,
    "route": Status.IN_PROCESSING,
    "issue_result": Status.RESULT_ISSUED,
    "deliver_result": Status.DELIVERED,
    "rate": Status.RATED,
    "load_into_tray": Status.IN_TRAY,
    "pull_back": Status.RESULT_ISSUED,
    "record_card": Status.RESULT_ISSUED,  # [14] kflows2
}
D = Dossier
EVENTS = {
    "accept": [D.Accepted],
    "reject": [D.Rejected],
    "request_supplement": [D.SupplementRequested],
    "provide_supplement": [D.SupplementProvided],
    "request_withdrawal": [D.WithdrawalRequested],
    "withdraw": [D.Withdrawn],
    "assess_fee": [D.FeeAssessed],
    "record_payment": [D.PaymentReceived],
    "route": [D.Routed],
    "hand_over": [D.HandedOver],
    "issue_result": [D.ResultIssued],
    "deliver_result": [D.ResultDelivered],
    "rate": [D.Rated],
    "load_into_tray": [D.LoadedIntoTray, D.NotificationRequested],
    "pull_back": [D.PulledBackFromTray, D.HandedOver],
    "record_card": [D.CardRecorded],  # [14] kflows2
    "enrol_face": [D.FaceEnrolled],
    "link_portal": [D.PortalSubmitted],
}
CASES = [(status, action) for status in Status for action in ACTIONS]


@pytest.mark.parametrize(("status", "action"), CASES, ids=[f"{s.value}-{a}" for s, a in CASES])
def test_each_action_is_recorded_where_allowed_and_refused_elsewhere(status: Status, action: str) -> None:
    dossier = dossier_in(status)
    before_events, before_state = len(dossier.pending_events), copy.deepcopy(vars(dossier))
    if status in ALLOWED[action]:
        ACTIONS[action](dossier)
        new = dossier.pending_events[before_events:]
        assert [type(e) for e in new] == EVENTS[action]
        assert all(e.actor == OFFICER and e.at == AT for e in new)
        expected = NEXT_STATUS.get(action, before_state["status"])
        if action == "provide_supplement":
            expected = before_state["resume_status"]
        assert dossier.status is expected
    else:
        with pytest.raises(ActionNotAllowedError) as refused:
            ACTIONS[action](dossier)
        assert refused.value.state == status.value
        assert refused.value.allowed == dossier.allowed_actions()
        assert action not in refused.value.allowed
        assert status.value in str(refused.value)
        assert len(dossier.pending_events) == before_events
        assert vars(dossier) == before_state


def test_every_state_is_reachable_and_every_action_allowed_somewhere() -> None:
    assert {s for states in ALLOWED.values() for s in states} <= set(Status)
    assert set(ALLOWED) == set(ACTIONS)
    assert all(ALLOWED[action] for action in ALLOWED)


def test_supplement_returns_to_the_state_it_interrupted_with_a_new_appointment() -> None:
    dossier = dossier_in(Status.IN_PROCESSING)
    ACTIONS["request_supplement"](dossier)
    ACTIONS["provide_supplement"](dossier)
    assert dossier.status is Status.IN_PROCESSING
    assert dossier.due_on == dossier.pending_events[-1].due_on
    assert dossier.supplement_items == []


def test_payments_track_running_shortfall_and_excess() -> None:
    dossier = dossier_in(Status.RECEIVED)
    dossier.assess_fee(amount=8000, actor=OFFICER, at=AT)
    ACTIONS["record_payment"](dossier)
    assert (dossier.pending_events[-1].shortfall, dossier.pending_events[-1].excess) == (3000, 0)
    ACTIONS["record_payment"](dossier)
    assert (dossier.pending_events[-1].shortfall, dossier.pending_events[-1].excess) == (0, 2000)
    assert (dossier.shortfall, dossier.excess, dossier.paid) == (0, 2000, 10000)


def test_result_is_not_delivered_while_a_shortfall_is_owed() -> None:
    dossier = dossier_in(Status.RESULT_ISSUED)
    dossier.assess_fee(amount=8000, actor=OFFICER, at=AT)
    count = len(dossier.pending_events)
    with pytest.raises(PaymentOutstandingError) as owed:
        ACTIONS["deliver_result"](dossier)
    assert owed.value.shortfall == 8000 and len(dossier.pending_events) == count
    dossier.record_payment(method="cash", amount=8000, reference=None, actor=OFFICER, at=AT)
    ACTIONS["deliver_result"](dossier)
    assert dossier.status is Status.DELIVERED


@pytest.mark.parametrize("bad", [0, -5, 1.5, True])
def test_payment_amount_must_be_a_positive_whole_number(bad: object) -> None:
    dossier = dossier_in(Status.RECEIVED)
    with pytest.raises(InvalidValueError):
        dossier.record_payment(method="cash", amount=bad, reference=None, actor=OFFICER, at=AT)
    assert len(dossier.pending_events) == 1


def test_naive_times_and_blank_reasons_are_refused() -> None:
    dossier = new_dossier()
    with pytest.raises(InvalidValueError, match="timezone"):
        dossier.reject(reason="x", actor=OFFICER, at=AT.replace(tzinfo=None))
    with pytest.raises(InvalidValueError, match="empty"):
        dossier.reject(reason="   ", actor=OFFICER, at=AT)
    with pytest.raises(InvalidValueError, match="differ"):
        dossier.hand_over(item="x", giver=TEAM, receiver=TEAM, actor=OFFICER, at=AT)
    assert len(dossier.pending_events) == 1
