"""What every part of the flow driver shares: the session's state and devices, and the three steps `KioskFlow`
defines (`_feed` an input, `_require` that it is allowed, `_ask` the core), declared once for the mixins."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from domain.kiosk_wire import BadDeviceMessageError
from kiosk_edge.core_client import CoreClient, CoreRefusal
from kiosk_edge.devices.ports import Devices
from kiosk_edge.session.inputs import Event, Refused
from kiosk_edge.session.machine import State
from kiosk_edge.session.screens import Screen

if TYPE_CHECKING:
    from kiosk_edge.flow import Citizen

FAILED = object()  # what `_ask` answers when the core refused or was out of reach (the refusal is already shown)


class FlowPart:
    """Base of KioskFlow's mixins (submission, payment, pickup, online corner, seed flows)."""

    core: CoreClient
    devices: Devices
    state: State
    citizen: Citizen
    lock: threading.RLock

    if TYPE_CHECKING:  # defined by KioskFlow (kiosk_edge/flow.py)

        def _feed(self, event: Event) -> None: ...
        def _require(self, kind: type[Event], screen: Screen | None = None) -> None: ...
        def _ask(self, call: Callable[[], Any], refusal: Callable[[CoreRefusal], Screen]) -> Any: ...

    def _take_envelope(self, barcode: str, call: Callable[[], Any], refusal: Callable[[CoreRefusal], Screen]) -> Any:
        """An envelope in the intake slot, for the core's `call`: not one of our barcodes, it is pushed out on the
        unknown-envelope screen; refused by the core, pushed out (the refusal is shown); else pulled in. The core's
        answer, or FAILED."""
        try:
            self.devices.intake.scanned(barcode)
        except BadDeviceMessageError:  # not one of our barcodes at all
            self.devices.intake.push_out("unreadable_barcode")
            self._feed(Refused(Screen.UNKNOWN_ENVELOPE))
            return FAILED
        answer = self._ask(call, refusal)
        if answer is FAILED:
            self.devices.intake.push_out("refused")
            return FAILED
        self.devices.intake.pull_in(barcode)
        return answer
