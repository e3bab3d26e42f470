"""Envelope barcode aggregate (mã vạch phong bì): one printed envelope, registered for a kiosk, used once."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.copying import FlatCopy
from domain.kiosk import UnknownEnvelopeError
from domain.timing import ActedEvent, MonotonicTime
from domain.values import Actor


def envelope_id(kiosk: str, barcode: str) -> UUID:
    """The aggregate id of envelope `barcode` of a kiosk."""
    return uuid5(NAMESPACE_URL, f"/kiosks/{kiosk}/envelopes/{barcode}")


class EnvelopeBarcode(MonotonicTime, FlatCopy, Aggregate):
    """One envelope of a registered batch. Its own tiny stream, so checking a barcode at intake reads two events
    at most, whatever the kiosk's age (the kiosk kept every barcode ever printed before)."""

    class State(TypedDict):
        kiosk: str
        barcode: str
        dossier_code: str | None
        last_at: datetime | None

    class Event(ActedEvent):
        """Every envelope event: who acted, and when."""

    class Registered(Aggregate.Created, Event):
        """Printed in a batch for a kiosk; valid for intake."""

        kiosk: str
        barcode: str

    class Used(Event):
        """Pulled into the kiosk's bin with a dossier; never valid again."""

        dossier_code: str

    def __init__(self, *, kiosk: str, barcode: str, actor: Actor, at: datetime) -> None:
        self.kiosk, self.barcode = kiosk, barcode
        self.dossier_code: str | None = None

    @classmethod
    def register(cls, *, kiosk: str, barcode: str, actor: Actor, at: datetime) -> EnvelopeBarcode:
        """A new unused envelope (the caller checked the barcode's format)."""
        return cls._create(
            cls.Registered, id=envelope_id(kiosk, barcode), kiosk=kiosk, barcode=barcode, actor=actor, at=at
        )

    @property
    def used(self) -> bool:
        """Already carried a dossier into the bin."""
        return self.dossier_code is not None

    def check(self) -> None:
        """An envelope used before is pushed back out."""
        if self.used:
            raise UnknownEnvelopeError(self.barcode, "barcode already used", "mã vạch này đã được sử dụng")

    def use(self, *, dossier_code: str, actor: Actor, at: datetime) -> None:
        """Carry a dossier into the bin."""
        self.check()
        self._used(dossier_code=dossier_code, actor=actor, at=at)

    @event(Used)
    def _used(self, dossier_code: str, actor: Actor, at: datetime) -> None:
        self.dossier_code = dossier_code
