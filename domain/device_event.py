"""KioskDeviceEvent aggregate: the core's record that a kiosk device event (by its event_id) was applied.

Its id is derived from the kiosk's event_id, so recording the same device event twice collides on the
store's unique (id, version) constraint: that collision is what makes applying a device event idempotent
whatever NATS redelivers or a kiosk replays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.copying import FlatCopy
from domain.timing import ActedEvent
from domain.values import Actor

APPLIED, REFUSED = "applied", "refused"


def device_event_id(event_id: str) -> UUID:
    """The aggregate id of the record of device event `event_id`."""
    return uuid5(NAMESPACE_URL, f"/device-events/{event_id}")


class KioskDeviceEvent(FlatCopy, Aggregate):
    """One device event, received once: its type, its payload (no personal data) and the outcome."""

    class Event(ActedEvent):
        """The record's one event: who acted, and when."""

    class Recorded(Aggregate.Created, Event):
        """The core received the device event and applied it, or refused what it asked for."""

        event_id: str
        kiosk: str
        type: str
        payload: dict[str, Any]
        outcome: str
        reason: str
        device_at: datetime

    def __init__(
        self,
        *,
        event_id: str,
        kiosk: str,
        type: str,
        payload: dict[str, Any],
        outcome: str,
        reason: str,
        device_at: datetime,
        actor: Actor,
        at: datetime,
    ) -> None:
        self.event_id, self.kiosk, self.type, self.payload = event_id, kiosk, type, payload
        self.outcome, self.reason, self.device_at, self.received_at = outcome, reason, device_at, at

    @classmethod
    def record(
        cls,
        *,
        event_id: str,
        kiosk: str,
        type: str,
        payload: dict[str, Any],
        device_at: datetime,
        actor: Actor,
        at: datetime,
        refused: str = "",
    ) -> KioskDeviceEvent:
        """The record of a device event; `refused` names the error code when the core refused its effect."""
        return cls._create(
            cls.Recorded,
            id=device_event_id(event_id),
            event_id=event_id,
            kiosk=kiosk,
            type=type,
            payload=payload,
            outcome=REFUSED if refused else APPLIED,
            reason=refused,
            device_at=device_at,
            actor=actor,
            at=at,
        )
