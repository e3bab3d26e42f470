"""The flow driver's part for the fee: banknotes (held in escrow when worth more than owed) and the bank QR.

`PaymentFlow` is a mixin of `KioskFlow` (kiosk_edge/flow.py), used at submission and at pickup alike.
"""

from __future__ import annotations

from kiosk_edge.core_client import CoreUnreachableError
from kiosk_edge.flow_part import FlowPart
from kiosk_edge.session.inputs import CoreUnreachable, EndPayment, NoteHeld, NoteReturned, Paid
from kiosk_edge.session.machine import InputNotAllowedError


class PaymentFlow(FlowPart):
    """Mixin of KioskFlow: cash and bank-QR payment of what the session owes."""

    def cash_inserted(self, denomination: int, count: int = 1) -> None:
        """Notes worth more than what is owed wait in escrow for the citizen's word: no change is given."""
        with self.lock:
            self._require(NoteHeld)
            if denomination * count > self.state.shortfall:
                held = self.devices.cash.hold(denomination, count)
                self.citizen.held = (denomination, count)
                self._feed(NoteHeld(held))
                return
            self._feed(Paid(self.devices.cash.take(self.state.dossier_code or "", denomination, count)))

    def keep_note(self) -> None:
        """The citizen pays with the held note anyway (the excess is refunded at the counter)."""
        with self.lock:
            self._require(NoteReturned)
            denomination, count = self.citizen.held or (0, 0)
            self.citizen.held = None
            self._feed(Paid(self.devices.cash.take(self.state.dossier_code or "", denomination, count)))

    def return_note(self) -> None:
        with self.lock:
            self._feed(NoteReturned())

    def qr_confirmed(self, amount: int, reference: str) -> None:
        with self.lock:
            self._require(NoteHeld)
            if self.state.offline:  # no bank QR is shown while the core is out of reach
                raise InputNotAllowedError(self.state.screen, "bank QR payment while offline")
            code = self.state.dossier_code or ""
            self.devices.qr.confirmed(code, amount, reference)
            try:
                self.core.pay_by_qr(code, amount, reference)
            except CoreUnreachableError:
                self._feed(CoreUnreachable())
                return
            self._feed(Paid(amount))

    def end_payment(self) -> None:
        with self.lock:
            self._feed(EndPayment())
