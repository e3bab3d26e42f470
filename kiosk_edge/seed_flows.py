"""The flow driver's part for the seed flows added by issue [14]: a supplement handed in at the kiosk, a rejected
dossier given back with its notice, pickup by the old 9-digit ID card (CMND), and how long a locked-out citizen waits.

`SeedFlows` is a mixin of `KioskFlow` (kiosk_edge/flow.py): it uses the same lock, state, citizen and core calls,
and keeps the same rule: every input is checked against the current screen before any device or core is touched.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from kiosk_edge.core_client import CoreRefusal
from kiosk_edge.flow_part import FAILED, FlowPart
from kiosk_edge.session.inputs import (
    CardRead,
    CmndChosen,
    CmndEntered,
    NoticeRead,
    PickupOtpSent,
    SupplementOtpSent,
    SupplementShown,
    SupplementTaken,
)
from kiosk_edge.session.machine import State
from kiosk_edge.session.screens import LOCKOUT_SECONDS, OTP_SENDS, OTP_WINDOW_SECONDS, Screen

S = Screen
# Screens that tell the citizen how long to wait before trying again.
WAITING = frozenset({S.PICKUP_LOCKED, S.SUPPLEMENT_LOCKED, S.OTP_LOCKED, S.OTP_LIMIT})
SUPPLEMENT_REFUSALS = {
    "supplement_not_requested": S.SUPPLEMENT_NOT_AWAITED,
    "supplement_refused": S.SUPPLEMENT_REFUSED,
    "supplement_locked": S.SUPPLEMENT_LOCKED,
    "pickup_locked": S.SUPPLEMENT_LOCKED,
    "otp_wrong": S.WRONG_OTP,
    "otp_rate_limited": S.OTP_LIMIT,
    "otp_not_sent": S.OTP_LIMIT,
    "proof_invalid": S.SUPPLEMENT_NOT_AWAITED,
}


def mask_cmnd(number: str) -> str:
    """'023456789' -> '023****89'."""
    return f"{number[:3]}****{number[-2:]}" if len(number) == 9 else ""


class SeedFlows(FlowPart):
    """Mixin of KioskFlow: the supplement, the rejected dossier, the CMND pickup and the lock-out wait."""

    clock: Callable[[], float]
    kiosk: str
    wait_until: float
    retry_after: int | None

    # ----- a supplement (nộp bổ sung) --------------------------------------------------------
    def supplement_card(self, qr_payload: str) -> None:
        """SUPPLEMENT_SCAN: the card's QR, the first half of the identification."""
        with self.lock:
            self._require(CardRead, S.SUPPLEMENT_SCAN)
            identity = self._ask(lambda: self.core.read_identity(qr_payload), lambda r: S.BAD_QR)
            if identity is not FAILED:
                self.citizen.id_number = str(identity["id_number"])
                self._feed(CardRead())
                self._supplement_when_both()

    def supplement_typed(self, id_number: str, code: str) -> None:
        """SUPPLEMENT_TYPING: the ID number and the receipt number typed instead."""
        with self.lock:
            self._require(SupplementOtpSent, S.SUPPLEMENT_TYPING)
            self.citizen.id_number = id_number
            self._send_supplement_code(code.strip().upper())

    def supplement_otp(self, otp: str) -> None:
        """SUPPLEMENT_OTP: the code from the SMS; the screen then shows what is asked."""
        with self.lock:
            self._require(SupplementShown)
            code = self.state.dossier_code or ""
            asked = self._ask(lambda: self.core.check_supplement_otp(code, otp), self._supplement_refusal)
            if asked is not FAILED:
                self.citizen.proof = str(asked["proof"])
                self._feed(
                    SupplementShown(
                        tuple(str(item) for item in asked["items"]),
                        str(asked.get("reason") or ""),
                        date.fromisoformat(asked["requested_on"]),
                        date.fromisoformat(asked["due_on"]),
                    )
                )

    def supplement_envelope(self, barcode: str) -> None:
        """SUPPLEMENT_ITEMS: the supplement envelope; pulled in and a receipt printed, or pushed back out."""
        with self.lock:
            self._require(SupplementTaken)
            code = self.state.dossier_code or ""
            taken = self._take_envelope(
                barcode,
                lambda: self.core.supplement(code, self.citizen.proof, barcode),
                lambda r: S.UNKNOWN_ENVELOPE if r.code == "envelope_rejected" else self._supplement_refusal(r),
            )
            if taken is FAILED:
                return
            self.devices.printer.print_receipt(code, str(taken["text"]))
            self._feed(SupplementTaken(date.fromisoformat(taken["due_on"])))

    def _supplement_when_both(self) -> None:
        s = self.state
        if s.screen is S.SUPPLEMENT_SCAN and s.card_read and s.dossier_code and self.citizen.id_number:
            self._send_supplement_code(s.dossier_code)

    def _send_supplement_code(self, code: str) -> Any:
        sent = self._ask(
            lambda: self.core.request_supplement_otp(self.citizen.id_number, code), self._supplement_refusal
        )
        if sent is not FAILED:
            self._feed(SupplementOtpSent(code, str((sent or {}).get("masked_phone") or "")))
        return sent

    @staticmethod
    def _supplement_refusal(error: CoreRefusal) -> Screen:
        return SUPPLEMENT_REFUSALS.get(error.code, S.SUPPLEMENT_REFUSED)

    # ----- a rejected dossier given back ------------------------------------------------------
    def notice_read(self) -> None:
        """REJECTED_NOTICE: 'Nhận lại hồ sơ' opens the tray (after the face check where the procedure needs one)."""
        with self.lock:
            self._feed(NoticeRead())

    # ----- pickup by CMND -----------------------------------------------------------------------
    def choose_cmnd(self) -> None:
        """'Tôi dùng CMND 9 số' (or 'Sửa số CMND')."""
        with self.lock:
            self._feed(CmndChosen())
            self.citizen.cmnd = ""

    def enter_cmnd(self, number: str) -> None:
        """PICKUP_CMND: nine digits typed on the keypad (the core checks them against the dossier)."""
        with self.lock:
            self._require(CmndEntered)
            if not (len(number) == 9 and number.isascii() and number.isdigit()):
                raise ValueError("a CMND number is exactly 9 digits")
            self.citizen.cmnd = number
            self._feed(CmndEntered())

    def cmnd_code(self, code: str) -> None:
        """PICKUP_CMND_RECEIPT: the receipt's code typed instead of scanned."""
        with self.lock:
            self._require(PickupOtpSent, S.PICKUP_CMND_RECEIPT)
            self._send_cmnd_code(code.strip().upper())

    def _cmnd_when_receipt(self) -> None:
        if self.state.screen is S.PICKUP_CMND_RECEIPT and self.state.dossier_code:
            self._send_cmnd_code(self.state.dossier_code)

    def _send_cmnd_code(self, code: str) -> Any:
        sent = self._ask(lambda: self.core.request_pickup_otp_by_cmnd(self.citizen.cmnd, code), self._cmnd_refusal)
        if sent is not FAILED:
            self._feed(PickupOtpSent(code, str((sent or {}).get("masked_phone") or "")))
        return sent

    def _cmnd_refusal(self, error: CoreRefusal) -> Screen:
        return S.CMND_MISMATCH if error.code in ("pickup_refused", "invalid_cmnd") else self._pickup_refusal(error)

    # ----- how long a locked-out citizen waits ---------------------------------------------------
    def wait_left(self) -> int:
        """Seconds before trying again on a lock-out screen (0 elsewhere, or when nothing needs waiting)."""
        return max(0, math.ceil(self.wait_until - self.clock())) if self.state.screen in WAITING else 0

    def _start_wait(self, before: State) -> None:
        """On reaching a lock-out screen: the core's own answer when it gave one, else what the lock is known to
        last (domain/otp.py, application/throttling.py)."""
        retry_after, self.retry_after = self.retry_after, None
        s = self.state
        if s.screen not in WAITING or s.screen is before.screen:
            return
        now = self.clock()
        if retry_after:
            self.wait_until = now + retry_after
        elif s.screen in (S.PICKUP_LOCKED, S.SUPPLEMENT_LOCKED):
            self.wait_until = now + LOCKOUT_SECONDS
        elif s.screen is S.OTP_LOCKED and s.otp_sends < OTP_SENDS:
            self.wait_until = now  # a new code may be asked for at once ("Gửi lại mã")
        else:  # the phone's codes are counted for a window from the first one
            first = self.citizen.first_code_at or now
            self.wait_until = first + OTP_WINDOW_SECONDS

    if TYPE_CHECKING:  # provided by PickupFlow

        @staticmethod
        def _pickup_refusal(error: CoreRefusal) -> Screen: ...
