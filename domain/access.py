"""Who read a citizen's personal data: one log per person, named by a keyed hash of their ID number.

Each entry says who (account and role), when, for which dossier, what was read and why. The ID number itself is
not stored; the phones seen on the person's dossiers are kept as keyed hashes only, so the citizen can later prove
with an OTP to one of them that the log is theirs.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.copying import FlatCopy
from domain.values import Actor


def access_log_id(subject: str) -> UUID:
    """The log of the person whose keyed ID-number hash is `subject`."""
    return uuid5(NAMESPACE_URL, f"/access/{subject}")


class AccessLog(FlatCopy, Aggregate):
    """Reads of one person's personal data."""

    class Opened(Aggregate.Created):
        subject: str

    @event(Opened)
    def __init__(self, subject: str) -> None:
        self.subject = subject
        self.phone_keys: set[str] = set()
        self.entries = 0

    @classmethod
    def create_id(cls, subject: str) -> UUID:
        return access_log_id(subject)

    class Read(Aggregate.Event):
        """An account read the person's data (a dossier's details, its history, a book line, a vault document)."""

        actor: Actor
        at: datetime
        dossier_code: str | None
        what: str
        purpose: str
        phone_key: str | None

    def read(
        self, *, actor: Actor, at: datetime, dossier_code: str | None, what: str, purpose: str, phone_key: str | None
    ) -> None:
        self._read(
            actor=actor,
            at=at,
            dossier_code=dossier_code,
            what=what[:200],
            purpose=purpose[:200],
            phone_key=phone_key if phone_key not in self.phone_keys else None,
        )

    @event(Read)
    def _read(
        self, actor: Actor, at: datetime, dossier_code: str | None, what: str, purpose: str, phone_key: str | None
    ) -> None:
        self.entries += 1
        if phone_key:
            self.phone_keys.add(phone_key)
