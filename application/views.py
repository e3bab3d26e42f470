"""Plain values the applications return: never aggregates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import msgspec

from domain.dossier import Dossier
from domain.values import Actor, Applicant, Component, Party, Rating

_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor", "at"}


class PendingHandover(msgspec.Struct, frozen=True):
    """A handover line its receiver has not confirmed yet."""

    line: int
    receiver: str


class DossierDetails(msgspec.Struct, frozen=True):
    """A dossier as it stands now."""

    code: str
    version: int
    status: str
    procedure_code: str
    agency: str
    channel: str
    applicant: Applicant
    components: list[Component]
    received_at: datetime
    due_on: date | None
    fee: int
    paid: int
    shortfall: int
    excess: int
    department: str | None
    holder: Party | None
    result: str | None
    rating: Rating | None
    reason: str | None
    supplement_items: list[str]
    delivered_at: datetime | None
    allowed_actions: list[str]
    unconfirmed_handovers: list[PendingHandover] = msgspec.field(default_factory=list)
    contact_channels: list[str] = msgspec.field(default_factory=list)
    """How the citizen chose to be told of each step, first choice first (empty: none chosen, SMS first)."""


class HistoryEntry(msgspec.Struct, frozen=True):
    """One event of an aggregate's history: what, who, in which role, when."""

    version: int
    type: str
    at: datetime
    actor: Actor
    recorded_at: datetime
    data: dict[str, Any]


def details_of(d: Dossier) -> DossierDetails:
    """Copy the aggregate's state into a DossierDetails."""
    return DossierDetails(
        code=d.code,
        version=d.version,
        status=d.status.value,
        procedure_code=d.procedure_code,
        agency=d.agency,
        channel=d.channel.value,
        applicant=d.applicant,
        components=d.components,
        received_at=d.received_at,
        due_on=d.due_on,
        fee=d.fee,
        paid=d.paid,
        shortfall=d.shortfall,
        excess=d.excess,
        department=d.department,
        holder=d.holder,
        result=d.result,
        rating=d.rating,
        reason=d.reason,
        supplement_items=d.supplement_items,
        delivered_at=d.delivered_at,
        allowed_actions=d.allowed_actions(),
        unconfirmed_handovers=[
            PendingHandover(line=n, receiver=receiver)
            for n, receiver in enumerate(d.handovers, 1)
            if n not in d.confirmed
        ],
        contact_channels=d.contact_channels,
    )


def history_of(events: Iterable[Any]) -> list[HistoryEntry]:
    """History entries of stored events, oldest first."""
    return [
        HistoryEntry(
            version=e.originator_version,
            type=type(e).__name__,
            at=e.at,
            actor=e.actor,
            recorded_at=e.timestamp,
            data={k: msgspec.to_builtins(v) for k, v in vars(e).items() if k not in _ENVELOPE},
        )
        for e in events
    ]
