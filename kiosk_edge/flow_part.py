"""What every part of the flow driver shares: the session's state and devices, and the three steps `KioskFlow`
defines (`_feed` an input, `_require` that it is allowed, `_ask` the core), declared once for the mixins."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kiosk_edge.core_client import CoreClient, CoreRefusal
from kiosk_edge.devices.ports import Devices
from kiosk_edge.session.inputs import Event
from kiosk_edge.session.machine import State
from kiosk_edge.session.screens import Screen

if TYPE_CHECKING:
    from kiosk_edge.flow import Citizen


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
