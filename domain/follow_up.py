"""Follow-up of an overdue result (liên hệ công dân): after a result is pulled back from its tray, someone must tell
the citizen where to collect it now. The task opens with the pull-back and closes with the outcome of the contact,
which is the dossier's own `ContactRecorded` (the follow-up names its version), so the outcome is kept once.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.clock import aware_utc
from domain.dossier import ContactOutcome
from domain.timing import ActedEvent, MonotonicTime
from domain.values import Actor


def follow_up_id(dossier_code: str, pulled_back_version: int) -> UUID:
    """The id of the follow-up opened by the pull-back that brought the dossier to `pulled_back_version`."""
    return uuid5(NAMESPACE_URL, f"/follow-ups/{dossier_code}/{pulled_back_version}")


class FollowUp(MonotonicTime, Aggregate):
    """Contact the citizen whose result was pulled back from a kiosk tray; open until the outcome is recorded."""

    class Event(ActedEvent):
        """Every follow-up event: who acted, and when."""

    class Opened(Aggregate.Created, Event):
        """The result left its tray (the dossier's `PulledBackFromTray` at `pulled_back_version`)."""

        dossier_code: str
        kiosk: str
        tray: int
        pulled_back_version: int

    class Closed(Event):
        """The contact's outcome was recorded on the dossier (its `ContactRecorded` at `contact_version`)."""

        outcome: ContactOutcome
        contact_version: int

    def __init__(
        self, *, dossier_code: str, kiosk: str, tray: int, pulled_back_version: int, actor: Actor, at: datetime
    ) -> None:
        self.dossier_code, self.kiosk, self.tray = dossier_code, kiosk, tray
        self.pulled_back_version = pulled_back_version
        self.outcome: ContactOutcome | None = None

    @classmethod
    def open(
        cls, *, dossier_code: str, kiosk: str, tray: int, pulled_back_version: int, actor: Actor, at: datetime
    ) -> FollowUp:
        """The follow-up of one pull-back."""
        return cls._create(
            cls.Opened,
            id=follow_up_id(dossier_code, pulled_back_version),
            dossier_code=dossier_code,
            kiosk=kiosk,
            tray=tray,
            pulled_back_version=pulled_back_version,
            actor=actor,
            at=aware_utc(at),
        )

    @property
    def closed(self) -> bool:
        return self.outcome is not None

    def close(self, *, outcome: ContactOutcome, contact_version: int, actor: Actor, at: datetime) -> bool:
        """Close it with the contact's outcome; False (nothing recorded) when it was closed already or the contact
        came before the pull-back."""
        if self.closed or contact_version <= self.pulled_back_version:
            return False
        self._closed(outcome=ContactOutcome(outcome), contact_version=contact_version, actor=actor, at=aware_utc(at))
        return True

    @event(Closed)
    def _closed(self, outcome: ContactOutcome, contact_version: int, actor: Actor, at: datetime) -> None:
        self.outcome = outcome
