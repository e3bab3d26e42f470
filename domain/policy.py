"""How far a policy (process manager) has read the shared log: saved in the same commit as what it made, so each
event it reacts to is acted on exactly once. One stream per policy: `/policies/<name>`."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event


def cursor_id(policy: str) -> UUID:
    """The stream of the named policy's position."""
    return uuid5(NAMESPACE_URL, f"/policies/{policy}")


class PolicyCursor(Aggregate):
    """The log position up to which a policy has acted."""

    class Started(Aggregate.Created):
        """The policy ran for the first time."""

        policy: str

    class Advanced(Aggregate.Event):
        """Events up to `position` were acted on (what they caused is in the same commit)."""

        position: int
        at: datetime

    def __init__(self, policy: str) -> None:
        self.policy, self.position = policy, 0

    @classmethod
    def start(cls, policy: str) -> PolicyCursor:
        """A policy that has read nothing yet."""
        return cls._create(cls.Started, id=cursor_id(policy), policy=policy)

    def advance(self, *, position: int, at: datetime) -> None:
        """Record the position the aggregates committed alongside cover."""
        if position > self.position:
            self._advanced(position=position, at=at)

    @event(Advanced)
    def _advanced(self, position: int, at: datetime) -> None:
        self.position = position
