"""The flow driver's part for a pickup: the receipt and card (or the code sent to the phone), the ticket, the
release of the tray and the rating.

`PickupFlow` is a mixin of `KioskFlow` (kiosk_edge/flow.py); the CMND and rejected-notice variants are SeedFlows'
(kiosk_edge/seed_flows.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kiosk_edge.core_client import CoreRefusal, CoreUnreachableError
from kiosk_edge.devices.ports import DeviceFaultError, LentTemplate
from kiosk_edge.flow_part import FAILED, FlowPart
from kiosk_edge.flow_submission import OTP_LIMITS
from kiosk_edge.session.inputs import (
    CardRead,
    CoreUnreachable,
    PickupChosen,
    PickupOtpSent,
    Rated,
    ReceiptRead,
    Refused,
    TicketIssued,
    TrayClosed,
    TrayOpened,
    TypeInstead,
)
from kiosk_edge.session.machine import InputNotAllowedError
from kiosk_edge.session.screens import Screen

log = logging.getLogger("kiosk_edge.flow")  # the driver's one logger, whichever part logs
S = Screen


class PickupFlow(FlowPart):
    """Mixin of KioskFlow: identifying the citizen at pickup, the ticket, the tray's release and the rating."""

    clock: Callable[[], float]
    release_wait: float

    def choose_pickup(self, by_otp: bool) -> None:
        with self.lock:
            self._feed(PickupChosen(by_otp))

    def pickup_by_receipt(self, id_number: str, code: str) -> None:
        """The typed fallback (or a scanner that reads both at once)."""
        with self.lock:
            if self.state.screen not in (S.PICKUP_RECEIPT, S.PICKUP_TYPING):
                raise InputNotAllowedError(self.state.screen, "TicketIssued")
            ticket = self._ask(lambda: self.core.pickup_by_receipt(id_number, code), self._pickup_refusal)
            self._ticket(ticket, "cccd_and_receipt")

    def card_scanned(self, qr_payload: str) -> None:
        """The camera read a CCCD QR: the submitter's identity, or at pickup the first half of the check."""
        with self.lock:
            if self.state.screen is S.SUPPLEMENT_SCAN:
                return self.supplement_card(qr_payload)
            if self.state.screen is not S.PICKUP_RECEIPT:
                return self.cccd_scanned(qr_payload)
            identity = self._ask(lambda: self.core.read_identity(qr_payload), lambda r: S.BAD_QR)
            if identity is not FAILED:
                self.citizen.id_number = str(identity["id_number"])
                self._feed(CardRead())
                self._pickup_when_both()

    def receipt_scanned(self, code: str) -> None:
        """The camera read the dossier code printed as a QR on the receipt."""
        with self.lock:
            screen = self.state.screen
            self._feed(ReceiptRead(code.strip().upper()))
            next_step = {S.SUPPLEMENT_SCAN: self._supplement_when_both, S.PICKUP_CMND_RECEIPT: self._cmnd_when_receipt}
            next_step.get(screen, self._pickup_when_both)()

    def type_instead(self) -> None:
        with self.lock:
            self._feed(TypeInstead())

    def _pickup_when_both(self) -> None:
        s, c = self.state, self.citizen
        if s.card_read and s.dossier_code and c.id_number:
            code = s.dossier_code
            self._ticket(
                self._ask(lambda: self.core.pickup_by_receipt(c.id_number, code), self._pickup_refusal),
                "cccd_and_receipt",
            )

    def request_pickup_otp(self, code: str) -> None:
        with self.lock:
            self._require(PickupOtpSent)
            sent = self._ask(lambda: self.core.send_pickup_otp(code), self._pickup_refusal)
            if sent is not FAILED:
                self._feed(PickupOtpSent(code, str((sent or {}).get("masked_phone") or "")))

    def enter_pickup_otp(self, otp_code: str) -> None:
        with self.lock:
            self._require(TicketIssued, S.PICKUP_OTP)
            code = self.state.dossier_code or ""
            if self.citizen.cmnd:  # issue [14]: the code sent after the CMND check
                ticket = self._ask(lambda: self.core.pickup_by_cmnd(code, otp_code), self._pickup_refusal)
                return self._ticket(ticket, "cmnd_and_receipt")
            self._ticket(
                self._ask(lambda: self.core.pickup_by_otp(code, otp_code), self._pickup_refusal), "code_and_otp"
            )

    def tray_closed(self) -> None:
        with self.lock:
            self._require(TrayClosed)
            self.devices.trays.close(self.state.tray or 0)
            self._feed(TrayClosed())

    def rate(self, stars: int | None = None, level: str | None = None) -> None:
        """The citizen's rating: one of the four Circular 01 levels (the screen's choice) or 1-5 stars."""
        with self.lock:
            self._require(Rated)
            try:
                self.core.rate(self.state.dossier_code or "", {"level": level} if level else {"stars": stars})
            except (CoreRefusal, CoreUnreachableError) as error:  # the result is delivered: never block on a rating
                log.warning("rating not recorded: %s", error)
            self._feed(Rated())

    @staticmethod
    def _pickup_refusal(error: CoreRefusal) -> Screen:
        return {
            "not_processed_yet": S.NOT_PROCESSED_YET,
            "otp_wrong": S.WRONG_OTP,
            "pickup_locked": S.PICKUP_LOCKED,
        }.get(error.code, S.OTP_LIMIT if error.code in OTP_LIMITS else S.PICKUP_REFUSED)

    def _ticket(self, ticket: Any, method: str) -> None:
        if ticket is FAILED:
            return
        self.citizen.ticket, self.citizen.method = str(ticket["token"]), method
        lent = ticket.get("face_template")
        self.citizen.lent_face = LentTemplate(lent["embedding"], str(lent["model_id"])) if lent else None
        self._feed(
            TicketIssued(
                str(ticket["dossier_code"]),
                int(ticket["tray"]),
                int(ticket["shortfall"]),
                bool(ticket["face_required"]),
                bool(ticket.get("rejected")),
                str(ticket.get("reason") or ""),
            )
        )

    def _release(self) -> None:
        """Ask the core to release the result (waiting a little for cash still on its way), then open the door."""
        c, code = self.citizen, self.state.dossier_code or ""
        until = self.clock() + self.release_wait
        while True:
            try:
                released = self.core.release(code, c.ticket, c.method, c.face)
                break
            except CoreRefusal as error:
                if error.code == "payment_outstanding" and self.clock() < until:
                    time.sleep(0.2)  # the notes' events are on their way through NATS
                    continue
                self._feed(Refused(S.PAYMENT_PENDING if error.code == "payment_outstanding" else S.PICKUP_REFUSED))
                return
            except CoreUnreachableError:
                self._feed(CoreUnreachable())
                return
        try:
            self.devices.trays.open(int(released["tray"]))
        except DeviceFaultError:
            self._feed(Refused(S.TRAY_FAULT))
            return
        self.devices.camera.forget(code)  # the template taken at submission has served its purpose
        self._feed(TrayOpened(int(released["tray"])))

    if TYPE_CHECKING:  # provided by SubmissionFlow and SeedFlows

        def cccd_scanned(self, qr_payload: str) -> None: ...
        def supplement_card(self, qr_payload: str) -> None: ...
        def _supplement_when_both(self) -> None: ...
        def _cmnd_when_receipt(self) -> None: ...
