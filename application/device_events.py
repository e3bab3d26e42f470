"""DeviceEvents: applies kiosk device events from NATS to the core exactly once in effect.

Every device event is recorded as a `KioskDeviceEvent` aggregate whose id derives from the kiosk's
event_id, committed in the SAME transaction as the event's effect (e.g. a cash payment's Dossier and
Kiosk events). A second delivery of the same event_id fails on the unique (id, version) constraint,
so the effect can never be applied twice, and it is reported as a duplicate to be acknowledged.
"""

from __future__ import annotations

import msgspec
from eventsourcing.domain import Aggregate

from application.base import MAX_RETRIES, OneStop
from application.ports import Clock
from domain.codes import dossier_id, parse_code
from domain.device_event import APPLIED, REFUSED, KioskDeviceEvent, device_event_id
from domain.dossier import Dossier
from domain.errors import DomainError
from domain.kiosk import Kiosk, kiosk_id
from domain.kiosk_wire import CashInserted, DeviceEvent, event_type
from domain.values import Actor, PaymentMethod, Role

DUPLICATE = "duplicate"


class Applied(msgspec.Struct, frozen=True):
    """What became of a device event: applied, refused (recorded, no effect) or duplicate (seen before)."""

    event_id: str
    outcome: str
    reason: str = ""
    position: int = 0


class DeviceEvents:
    """The core side of the kiosk's device events."""

    def __init__(self, app: OneStop, *, clock: Clock) -> None:
        self.app, self.clock = app, clock

    def apply(self, event: DeviceEvent) -> Applied:
        """Record the device event and apply its effect, both in one commit, unless it was seen before."""
        if self.seen(event.event_id):
            return Applied(event_id=event.event_id, outcome=DUPLICATE)
        actor = Actor(account_id=f"kiosk-{event.kiosk}", role=Role.KIOSK)
        for _ in range(MAX_RETRIES):
            try:
                changed, refused = self._effects(event, actor), ""
            except DomainError as error:  # a valid message the domain refuses: recorded, never retried
                changed, refused = [], error.code
            record = KioskDeviceEvent.record(
                event_id=event.event_id,
                kiosk=event.kiosk,
                type=event_type(event),
                payload=msgspec.to_builtins(event),
                device_at=event.at,
                actor=actor,
                at=self.clock.now(),
                refused=refused,
            )
            written = self.app.commit_or_evict(record, *changed)
            if written is not None:
                return Applied(
                    event_id=event.event_id,
                    outcome=REFUSED if refused else APPLIED,
                    reason=refused,
                    position=written.position,
                )
            if self.seen(event.event_id):  # another consumer recorded it first
                return Applied(event_id=event.event_id, outcome=DUPLICATE)
        raise self.app.conflict(event.event_id)

    def seen(self, event_id: str) -> bool:
        """Whether the core already recorded the device event `event_id` (read from the store)."""
        return any(True for _ in self.app.events.get(device_event_id(event_id), limit=1))

    def get_device_event(self, event_id: str) -> KioskDeviceEvent:
        """The record of a device event; NotFoundError if it never arrived."""
        return self.app.load(device_event_id(event_id), ("device event", "sự kiện thiết bị"), event_id, fresh=True)

    def _effects(self, event: DeviceEvent, actor: Actor) -> list[Aggregate]:
        """The aggregates a device event changes (not yet committed). Only cash changes anything today."""
        if isinstance(event, CashInserted):
            return self._cash(event, actor)
        return []

    def _cash(self, event: CashInserted, actor: Actor) -> list[Aggregate]:
        parse_code(event.dossier_code)
        dossier: Dossier = self.app.load(dossier_id(event.dossier_code), ("dossier", "hồ sơ"), event.dossier_code)
        machine: Kiosk = self.app.load(kiosk_id(event.kiosk), ("kiosk", "kiosk"), event.kiosk)
        dossier.record_payment(method=PaymentMethod.CASH, amount=event.amount, reference=None, actor=actor, at=event.at)
        machine.accept_cash(dossier_code=event.dossier_code, amount=event.amount, actor=actor, at=event.at)
        return [dossier, machine]
