"""Random command sequences: the events stored and replayed rebuild exactly the live aggregate."""

from __future__ import annotations

import copy

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from application.base import OneStop
from domain.dossier import ALLOWED
from domain.errors import DomainError
from tests.unit.dossier_paths import ACTIONS, new_dossier

POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def comparable(dossier: object) -> dict:
    state = copy.copy(vars(dossier))
    state.pop("_pending_events")
    return state


class DossierLifecycle(RuleBasedStateMachine):
    """Drives one dossier with random actions, saving each one through the real transcoder."""

    def __init__(self) -> None:
        super().__init__()
        self.app = OneStop(POPO)
        self.dossier = None

    @rule(online=st.booleans())
    def open_dossier(self, online: bool) -> None:
        if self.dossier is None:
            self.dossier = new_dossier(online=online)
            self.app.save(self.dossier)

    @rule(action=st.sampled_from(sorted(ACTIONS)))
    def act(self, action: str) -> None:
        if self.dossier is None:
            return
        before = comparable(self.dossier)
        allowed = self.dossier.status in ALLOWED[action]
        try:
            ACTIONS[action](self.dossier)
        except DomainError:
            assert comparable(self.dossier) == before, "a refused action changed the aggregate"
            assert not allowed or action == "deliver_result", f"{action} refused in {self.dossier.status}"
            return
        assert allowed, f"{action} was accepted in {before['status']}"
        self.app.save(self.dossier)

    @invariant()
    def replay_rebuilds_the_live_aggregate(self) -> None:
        if self.dossier is not None:
            replayed = self.app.repository.get(self.dossier.id)
            assert comparable(replayed) == comparable(self.dossier)
            assert not self.dossier.pending_events


TestDossierLifecycle = DossierLifecycle.TestCase
TestDossierLifecycle.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
