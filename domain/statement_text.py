"""The payer's free text of a bank statement line (nội dung chuyển khoản): it carries names, so it is personal data,
kept out of `BankStatement.Imported` (whose lines keep an empty text) in one small stream per line
(`/bank-statement-texts/<sha256>/<line>`). The text is sealed under the key of the applicant of the dossier the line
names (their ID number), so erasing that person reaches it; a line naming no dossier is sealed under its own stream.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.clock import aware_utc
from domain.timing import ActedEvent
from domain.values import Actor, PersonalData


class PayerText(PersonalData, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the payer wrote (often their name) and, when known, the ID number of the dossier's applicant, whose data
    key seals it (personal data)."""

    text: str
    id_number: str | None = None


def statement_text_id(sha256: str, line: int) -> UUID:
    """The id of the text of one line of one imported statement."""
    return uuid5(NAMESPACE_URL, f"/bank-statement-texts/{sha256}/{line}")


class StatementText(Aggregate):
    """The sealed text of one statement line."""

    class Event(ActedEvent):
        """Every text event: who imported the statement, and when."""

    class Recorded(Aggregate.Created, Event):
        """Line `line` of statement `sha256` read this."""

        sha256: str
        line: int
        payer: PayerText

    def __init__(self, *, sha256: str, line: int, payer: PayerText, actor: Actor, at: datetime) -> None:
        self.sha256, self.line, self.payer = sha256, line, payer

    @classmethod
    def record(cls, *, sha256: str, line: int, payer: PayerText, actor: Actor, at: datetime) -> StatementText:
        """The text of one line, saved with its statement."""
        return cls._create(
            cls.Recorded,
            id=statement_text_id(sha256, line),
            sha256=sha256,
            line=line,
            payer=payer,
            actor=actor,
            at=aware_utc(at),
        )
