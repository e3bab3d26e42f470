"""The office's policies over one application: fee receipts for payments, routines done by the crew's recorded
work, follow-ups of pulled-back results (application/policies.py). They run in the notification dispatcher's rounds
(its own process, or its thread in the embedded API) and before the scheduler's late-routine checks."""

from __future__ import annotations

from application.base import OneStop
from application.policies import Policies
from application.ports import Clock
from application.receipt_policy import ReceiptPolicy
from application.receipts import Receipts
from application.routines import FollowUpPolicy, RoutinePolicy
from domain.procedures import Catalogue
from infrastructure.receipt_issuers import load_receipt_issuers


def office_policies(app: OneStop, receipts: Receipts) -> Policies:
    """The three policies on `app` (the receipts service issues into the agency's series)."""
    return Policies([ReceiptPolicy(app, receipts=receipts), RoutinePolicy(app), FollowUpPolicy(app)])


def issuing_receipts(app: OneStop, catalogue: Catalogue, clock: Clock) -> Receipts:
    """Receipts that only issue (no renderer or signer: a process that never draws a PDF)."""
    issuers = load_receipt_issuers()
    return Receipts(app, catalogue=catalogue, clock=clock, tax_codes=issuers.tax_codes, prefix=issuers.prefix)
