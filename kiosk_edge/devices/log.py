"""Device events are stamped here (uuid4 event id, kiosk, time) and written to the outbox before anything else."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from domain.kiosk_wire import DeviceEvent, decode_device_event, encode
from kiosk_edge.outbox import Outbox


def utc_now() -> datetime:
    return datetime.now(UTC)


class DeviceLog:
    """The EventLog of the kiosk: one outbox file, shared by every device of the process."""

    def __init__(
        self,
        kiosk: str,
        outbox: Outbox,
        *,
        clock: Callable[[], datetime] = utc_now,
        wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.kiosk, self.outbox, self.clock, self.wake = kiosk, outbox, clock, wake
        self._lock = threading.Lock()  # the screen's threads share one SQLite connection

    def record(self, kind: type[DeviceEvent], **fields: object) -> DeviceEvent:
        """Build and validate the event (BadDeviceMessageError stores nothing), append it, wake the publisher."""
        event = kind(event_id=str(uuid.uuid4()), kiosk=self.kiosk, at=self.clock(), **fields)
        decode_device_event(encode(event))  # constructors skip the wire constraints; the core would refuse it
        with self._lock:
            self.outbox.append(event)
        self.wake()
        return event

    def backlog(self) -> int:
        """How many events wait for JetStream."""
        with self._lock:
            return self.outbox.backlog()
