"""Refunds (hoàn trả): the excess of an overpaid dossier, or the fee of a rejected or withdrawn one, in cash at the
counter or by bank transfer. A plain service over the Dossiers application (one commit per refund)."""

from __future__ import annotations

from datetime import datetime

from application.base import Written, command
from application.dossiers import DOSSIER, Dossiers
from domain.clock import aware_utc
from domain.codes import dossier_id, parse_code
from domain.dossier import Dossier, RefundMethod
from domain.values import Actor


class Refunds:
    """Record refunds on dossiers; the cash ledger lists each as a refund line."""

    def __init__(self, dossiers: Dossiers) -> None:
        self.app, self.clock = dossiers.app, dossiers.clock

    @command
    def refund(
        self,
        code: str,
        *,
        method: RefundMethod,
        actor: Actor,
        bank_reference: str | None = None,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> Written:
        """Hand back what the dossier owes the applicant (the excess, or all paid once rejected or withdrawn)."""
        parse_code(code)
        moment = aware_utc(at or self.clock.now())

        def run(dossier: Dossier) -> None:
            dossier.refund(method=method, bank_reference=bank_reference, actor=actor, at=moment)

        return self.app.update(dossier_id(code), DOSSIER, code, expected_version, run)
