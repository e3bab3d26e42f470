"""Fee receipts issued by themselves: every `Dossier.PaymentReceived` (kiosk cash, bank QR, counter) gets its
electronic receipt in the agency's series of the payment's year, exactly once (a `LogPolicy`). An officer can still
issue by hand (`Receipts.issue_for_payments`): both skip a payment that already has a receipt, and the series'
version check keeps the numbering gapless when they race.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from application.base import OneStop
from application.policies import LogPolicy, Pending
from application.receipts import Receipts
from domain.clock import VIETNAM
from domain.dossier import Dossier
from domain.fee_receipt import series_id
from domain.values import Actor, Role

SYSTEM = Actor(account_id="receipt-policy", role=Role.SYSTEM)


class ReceiptPolicy(LogPolicy):
    """One receipt per payment, issued by the system."""

    name = "fee-receipts"
    reacts_to = (Dossier.PaymentReceived,)

    def __init__(self, app: OneStop, *, receipts: Receipts) -> None:
        super().__init__(app)
        self.receipts = receipts

    def react(self, event: Any, at: datetime, pending: Pending) -> Iterable[Aggregate]:
        # The code, agency and procedure never change: the cached dossier is good enough.
        dossier: Dossier = self.app.repository.get(event.originator_id)
        year = event.at.astimezone(VIETNAM).year
        book = self.existing(series_id(dossier.agency, year), pending)
        if book is None:
            book = self.receipts.open_series(dossier.agency, year, actor=SYSTEM, at=at)
        if self.receipts.issue_for_payment(book, dossier, event, actor=SYSTEM, at=at) is None:
            return []
        return [book]
