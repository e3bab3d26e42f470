"""Erasure of a person's personal data on a lawful request (xóa dữ liệu cá nhân), by destroying their data keys.

The events that held the data stay as they were (the audit chain hashes them); what they sealed can no longer
be opened. The record names the person only by the keyed hash of their ID number.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import InvalidValueError
from domain.timing import ActedEvent
from domain.values import Actor

MAX_REASON = 500


def erasure_id(subject: str, at: datetime) -> UUID:
    """One record per request: the subject hash and the moment it was carried out."""
    return uuid5(NAMESPACE_URL, f"/erasures/{subject}/{at.isoformat()}")


class Erasure(Aggregate):
    """Who erased whose data (by subject hash), when, why, and which streams held it."""

    class Event(ActedEvent):
        """The erasure's one event: who acted, and when."""

    class Recorded(Aggregate.Created, Event):
        """The person's data keys were destroyed; `streams` are the aggregates whose personal data they sealed."""

        subject: str
        streams: list[UUID]
        keys_destroyed: int
        reason: str

    @classmethod
    def record(
        cls, *, subject: str, streams: list[UUID], keys_destroyed: int, reason: str, actor: Actor, at: datetime
    ) -> Erasure:
        """The record of one erasure; the reason (the lawful request) is required."""
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason or len(reason) > MAX_REASON:
            raise InvalidValueError(
                "reason",
                f"give the lawful request in 1-{MAX_REASON} characters",
                f"cần ghi căn cứ yêu cầu xóa (1-{MAX_REASON} ký tự)",
            )
        return cls._create(
            cls.Recorded,
            id=erasure_id(subject, at),
            subject=subject,
            streams=sorted(streams, key=str),
            keys_destroyed=keys_destroyed,
            reason=reason,
            actor=actor,
            at=at,
        )

    def __init__(
        self, *, subject: str, streams: list[UUID], keys_destroyed: int, reason: str, actor: Actor, at: datetime
    ) -> None:
        self.subject, self.streams, self.keys_destroyed, self.at = subject, list(streams), keys_destroyed, at
