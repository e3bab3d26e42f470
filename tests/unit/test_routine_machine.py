"""The routine task as a state machine (hypothesis): done once by the first recorded work, reminded at most once and
only while late and not done; its status follows from the events alone, so a replay agrees."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from domain.clock import VIETNAM
from domain.dossier import ContactOutcome
from domain.errors import ActionNotAllowedError
from domain.follow_up import FollowUp
from domain.routine import LATE_AFTER, LEAD, Routine, RoutineStatus, Slot, due_at, slot_for
from domain.values import Actor, Role

DAY = date(2026, 5, 20)
CREW = Actor(account_id="tuvan.tuan", role=Role.CONSULTANT)
minutes = st.integers(min_value=0, max_value=12 * 60)


def at(minute: int) -> datetime:
    return datetime.combine(DAY, datetime.min.time(), VIETNAM) + timedelta(hours=6, minutes=minute)


class RoutineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.slot = Slot.COLLECTION_AFTERNOON
        self.routine = Routine.schedule(kiosk="Q6-01", agency="H29.06", day=DAY, slot=self.slot, actor=CREW, at=at(0))
        self.done_at: datetime | None = None
        self.reminded = False

    @rule(minute=minutes)
    def complete(self, minute: int) -> None:
        """Recorded work marks it done the first time only."""
        changed = self.routine.complete(by="Tổ tư vấn", source_id=uuid4(), source_version=3, actor=CREW, at=at(minute))
        assert changed == (self.done_at is None)
        if changed:
            self.done_at = self.routine.done_at

    @rule(minute=minutes)
    def remind(self, minute: int) -> None:
        late = self.done_at is None and at(minute) >= self.routine.due_at + LATE_AFTER
        try:
            self.routine.remind(to="sms:0900000000", actor=CREW, at=at(minute))
        except ActionNotAllowedError:
            assert self.reminded or not late
        else:
            assert late and not self.reminded
            self.reminded = True

    @invariant()
    def status_follows_the_events(self) -> None:
        for minute in (0, 8 * 60, 8 * 60 + 29, 8 * 60 + 30, 12 * 60):
            expected = (
                RoutineStatus.DONE
                if self.done_at is not None
                else RoutineStatus.LATE
                if at(minute) >= self.routine.due_at + LATE_AFTER
                else RoutineStatus.PENDING
            )
            assert self.routine.status(at(minute)) is expected
        assert self.routine.reminded == self.reminded

    @invariant()
    def a_replay_gives_the_same_state(self) -> None:
        copy = None
        for stored in self.routine.pending_events:
            copy = stored.mutate(copy)
        assert copy is not None
        assert (copy.done_at, copy.done_by, copy.reminded) == (
            self.routine.done_at,
            self.routine.done_by,
            self.routine.reminded,
        )
        kinds = [type(e).__name__ for e in self.routine.pending_events]
        assert kinds.count("Done") <= 1 and kinds.count("Reminded") <= 1


RoutineMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=12, deadline=None)
TestRoutineMachine = RoutineMachine.TestCase


@settings(max_examples=200, deadline=None)
@given(minute=st.integers(min_value=0, max_value=18 * 60 - 1), kind=st.sampled_from(["collection", "loading"]))
def test_recorded_work_counts_for_the_latest_slot_of_its_kind_whose_lead_has_come(minute: int, kind: str) -> None:
    started = [s for s in Slot if s.kind == kind and at(minute) >= due_at(DAY, s) - LEAD]
    assert slot_for(kind, at(minute)) == (started[-1] if started else None)


def test_a_collection_counts_for_the_latest_slot_whose_lead_has_come() -> None:
    assert slot_for("collection", at(59)) is None  # 06:59: before 08:00 minus an hour
    assert slot_for("collection", at(60)) is Slot.COLLECTION_MORNING
    assert slot_for("collection", at(7 * 60)) is Slot.COLLECTION_AFTERNOON  # 13:00
    assert slot_for("collection", at(11 * 60)) is Slot.COLLECTION_AFTERNOON  # 17:00: still the afternoon's
    assert slot_for("loading", at(8 * 60)) is None and slot_for("loading", at(9 * 60)) is Slot.LOADING


def test_a_follow_up_closes_once_and_only_with_a_contact_after_its_pull_back() -> None:
    follow_up = FollowUp.open(
        dossier_code="H29.06-260520-0001", kiosk="Q6-01", tray=3, pulled_back_version=9, actor=CREW, at=at(0)
    )
    assert not follow_up.close(outcome=ContactOutcome.NO_ANSWER, contact_version=8, actor=CREW, at=at(1))
    assert follow_up.close(outcome=ContactOutcome.WILL_COME, contact_version=10, actor=CREW, at=at(2))
    assert not follow_up.close(outcome=ContactOutcome.NO_ANSWER, contact_version=11, actor=CREW, at=at(3))
    assert follow_up.outcome is ContactOutcome.WILL_COME
