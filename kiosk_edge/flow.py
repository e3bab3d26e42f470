"""The flow driver: turns the citizen's touches and the devices' readings into core calls and session events.

`KioskFlow` holds the session state (kiosk_edge/session.py) and, apart from it, the citizen's personal data
for the current session only (QR payload, phone, proofs), dropped on the way back to the home screen and
never logged. Each input is checked against the current screen before any device or core is touched.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk_edge.catalogue import Usage
from kiosk_edge.core_client import CoreClient, CoreRefusal, CoreUnreachableError
from kiosk_edge.devices.ports import Devices, LentTemplate
from kiosk_edge.flow_corner import CornerFlow
from kiosk_edge.flow_part import FAILED
from kiosk_edge.flow_payment import PaymentFlow
from kiosk_edge.flow_pickup import PickupFlow
from kiosk_edge.flow_submission import SubmissionFlow, mask_phone
from kiosk_edge.seed_flows import SeedFlows
from kiosk_edge.session.inputs import (
    Begin,
    Cancel,
    CoreUnreachable,
    EnvelopeTaken,
    Event,
    Finish,
    OtpResent,
    OtpSent,
    Paid,
    PickupOtpSent,
    Procedure,
    ProcedureChosen,
    Refused,
    Retry,
    SupplementOtpSent,
    Timeout,
)
from kiosk_edge.session.machine import ALLOWED, HOME, InputNotAllowedError, advance, allowed
from kiosk_edge.session.screens import OTP_VALID_SECONDS, RESEND_AFTER, TIMEOUTS, Flow, Screen
from kiosk_edge.vietqr import BankAccount

__all__ = ["DEFAULT_HOTLINE", "DEMO_ACCOUNT", "HOME", "Citizen", "KioskFlow", "mask_phone"]

log = logging.getLogger(__name__)
S = Screen
DEMO_ACCOUNT = BankAccount(bin="970415", number="113000006868", name="UBND QUAN 6")  # VietinBank BIN; a demo account
DEFAULT_HOTLINE = "028.39695699"  # District 6's notice (seed 000)


@dataclass
class Citizen:
    """What the session learnt about the citizen; kept in memory for one session only."""

    qr_payload: str = ""
    name: str = ""
    id_number: str = ""
    date_of_birth: str = ""
    address: str = ""
    forms_printed: int = 0
    phone: str = ""
    channel: str = "sms"  # how the citizen chose to be told of each step: sms or zalo (the kiosk knows no e-mail)
    proof: str = ""
    face: dict[str, Any] | None = None
    held: tuple[int, int] | None = None  # (denomination, count) in the acceptor's escrow
    ticket: str = ""
    method: str = ""
    printed: bool = False
    cmnd: str = ""  # issue [14]: the 9-digit CMND typed at pickup
    lent_face: LentTemplate | None = None  # [14] the counter's face template the core lent for this pickup
    first_code_at: float = 0.0  # when the session's first code was sent (the phone's codes are counted from it)


class KioskFlow(SubmissionFlow, PaymentFlow, PickupFlow, CornerFlow, SeedFlows):
    """One kiosk's citizen session, driven by the screen and the devices (thread-safe).

    This class holds the session and the steps every flow shares; the steps of each flow are its mixins':
    SubmissionFlow (kiosk_edge/flow_submission.py), PaymentFlow (flow_payment.py), PickupFlow (flow_pickup.py), the
    ID-card return and online corner CornerFlow's (flow_corner.py), the supplement, rejected-return and CMND steps
    SeedFlows' (seed_flows.py)."""

    def __init__(
        self,
        kiosk: str,
        core: CoreClient,
        devices: Devices,
        procedures: list[Procedure],
        *,
        clock: Callable[[], float] = time.monotonic,
        release_wait: float = 3.0,
        account: BankAccount = DEMO_ACCOUNT,
        hotline: str = DEFAULT_HOTLINE,
        usage: Usage | None = None,
    ) -> None:
        self.kiosk, self.core, self.devices, self.clock, self.release_wait = kiosk, core, devices, clock, release_wait
        self.account, self.hotline, self.usage = account, hotline, usage or Usage()
        self.procedures = {p.code: p for p in procedures}
        self.state, self.citizen, self.touched = HOME, Citizen(), clock()
        self.otp_sent_at, self.last_receipt = 0.0, ""
        self.wait_until, self.retry_after = 0.0, None  # a lock-out's end (seed_flows.py), the core's Retry-After
        self.lock = threading.RLock()

    # ----- inputs every flow shares --------------------------------------------------------
    def begin(self, flow: str) -> None:
        with self.lock:
            self._feed(Begin(Flow(flow)))
            try:
                self.core.health()
            except CoreUnreachableError as error:
                log.warning("core unreachable on begin: %s", error)
                self._feed(CoreUnreachable())

    def choose_procedure(self, code: str) -> None:
        with self.lock:
            if code not in self.procedures:
                raise ValueError(f"procedure {code!r} is not offered at this kiosk")
            self._feed(ProcedureChosen(self.procedures[code]))

    def resend_otp(self) -> None:
        """'Gửi lại mã': a new code to the same phone, once the last one is a minute old (or locked)."""
        with self.lock:
            s = self.state
            if not allowed(s, OtpResent()) or (s.screen is not S.OTP_LOCKED and self.resend_in() > 0):
                raise InputNotAllowedError(s.screen, "OtpResent")
            if s.flow is not Flow.PICKUP:
                sent = self._ask(lambda: self.core.send_otp(self.citizen.phone), lambda r: S.OTP_LIMIT)
                masked = mask_phone(self.citizen.phone)
            elif s.flow is Flow.SUPPLEMENT or self.citizen.cmnd:  # issue [14]: the same checks send a new code
                code = s.dossier_code or ""
                sent = self._ask(
                    lambda: (
                        self.core.request_supplement_otp(self.citizen.id_number, code)
                        if s.flow is Flow.SUPPLEMENT
                        else self.core.request_pickup_otp_by_cmnd(self.citizen.cmnd, code)
                    ),
                    self._supplement_refusal if s.flow is Flow.SUPPLEMENT else self._cmnd_refusal,
                )
                masked = str((sent or {}).get("masked_phone") or "") if sent is not FAILED else ""
            else:
                code = s.dossier_code or ""
                sent = self._ask(lambda: self.core.send_pickup_otp(code), self._pickup_refusal)
                masked = str((sent or {}).get("masked_phone") or "") if sent is not FAILED else ""
            if sent is not FAILED:
                self._feed(OtpResent(masked))

    def resend_in(self) -> int:
        """Seconds before 'Gửi lại mã' may be pressed."""
        return max(0, int(RESEND_AFTER - (self.clock() - self.otp_sent_at) + 0.999))

    def otp_left(self) -> int:
        """Seconds the last code is still valid for."""
        return max(0, int(OTP_VALID_SECONDS - (self.clock() - self.otp_sent_at) + 0.999))

    def finish(self) -> None:
        with self.lock:
            self._feed(Finish())

    def cancel(self) -> None:
        with self.lock:
            self._feed(Cancel())

    def retry(self) -> None:
        with self.lock:
            self._feed(Retry())

    def tick(self) -> None:
        """Called every second or so: a screen left alone too long times out."""
        with self.lock:
            limit = TIMEOUTS[self.state.screen]
            if limit and self.clock() - self.touched >= limit:
                self._feed(Timeout())

    # ----- steps --------------------------------------------------------------------------
    def _feed(self, event: Event) -> None:
        before, self.state = self.state, advance(self.state, event)
        self.touched = self.clock()
        if isinstance(event, (OtpSent, OtpResent, PickupOtpSent, SupplementOtpSent)):
            self.otp_sent_at = self.touched
            self.citizen.first_code_at = self.citizen.first_code_at or self.touched
        self._start_wait(before)
        if before.held and not self.state.held and not isinstance(event, Paid):  # taken back, or left too long
            self.devices.cash.give_back()
            self.citizen.held = None
        if isinstance(event, EnvelopeTaken) and self.state.procedure is not None:
            self.usage.add(self.state.procedure.code)
        if self.state.screen in (S.HOME, S.OFFLINE):
            self.citizen = Citizen()
            self.devices.scanner.clear()  # [14] the online corner's scanned pages go with the session
        elif self.state.screen is S.RECEIPT and not self.citizen.printed:
            self._print_receipt()
        elif self.state.screen is S.RELEASE:
            self._release()

    def _require(self, kind: type[Event], screen: Screen | None = None) -> None:
        if self.state.screen not in ALLOWED[kind] or (screen is not None and self.state.screen is not screen):
            raise InputNotAllowedError(self.state.screen, kind.__name__)

    def _ask(self, call: Callable[[], Any], refusal: Callable[[CoreRefusal], Screen]) -> Any:
        try:
            return call()
        except CoreRefusal as error:
            log.info("core refused on %s: %s", self.state.screen.value, error.code)
            self.retry_after = error.retry_after
            self._feed(Refused(refusal(error)))
        except CoreUnreachableError as error:
            log.warning("core unreachable on %s: %s", self.state.screen.value, error)
            self._feed(CoreUnreachable())
        return FAILED
