"""The embedded default's kiosk bus (MOTCUA_BUS=inprocess): kiosks running inside the core's process, no NATS.

Device events: `InProcessPublisher` drains a kiosk's SQLite outbox in order, as kiosk_edge.outbox.Publisher does,
but hands each event straight to `DeviceEvents.apply` instead of publishing it to JetStream. The outbox cursor moves
only after that commit, which holds the dedupe record keyed by the event_id: a crash in between delivers the event
again on the next drain and the core reports it as a duplicate, so the effect is exactly once, as over NATS.
Commands: `InProcessKioskCommands` has the methods of `KioskCommands` (send, open_tray, eject_envelope, print_text)
with the same timeout and error; a kiosk attaches its command executor instead of subscribing to
`kiosk.<key>.commands`. Commands and replies cross as wire bytes, so both sides validate them as over NATS.
The kiosk sees only the Protocols of kiosk_edge/runtime.py (duck typing): nothing here imports kiosk_edge.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from application.device_events import DeviceEvents
from domain.kiosk_wire import (
    BadDeviceMessageError,
    CommandReply,
    KioskCommand,
    decode_command,
    decode_device_event,
    decode_reply,
    encode,
)
from infrastructure.kiosk_bus import BAD, CommandShortcuts, KioskNotAnsweringError

log = logging.getLogger(__name__)


class OutboxRow(Protocol):
    """One unacknowledged outbox event (kiosk_edge.outbox.Pending)."""

    @property
    def seq(self) -> int: ...
    @property
    def payload(self) -> bytes: ...


class KioskOutbox(Protocol):
    """The part of a kiosk's outbox (kiosk_edge.outbox.Outbox) a publisher drains."""

    def pending(self, limit: int = 100) -> Sequence[OutboxRow]: ...

    def mark_published(self, seq: int) -> None: ...

    def backlog(self) -> int: ...


class InProcessPublisher:
    """Drains one kiosk's outbox into `DeviceEvents.apply` in order; backs off while the event store fails."""

    def __init__(
        self, outbox: KioskOutbox, app: DeviceEvents, *, min_backoff: float = 0.2, max_backoff: float = 5.0
    ) -> None:
        self.outbox, self.app = outbox, app
        self.min_backoff, self.max_backoff = min_backoff, max_backoff
        self.wake = asyncio.Event()

    async def drain(self) -> list[str]:
        """Apply pending events in order until the outbox is empty; their outcomes. Raises on the first failure
        (that event and everything after it stay pending)."""
        outcomes = []
        while batch := self.outbox.pending():
            for row in batch:
                outcomes.append(await self._deliver(row.payload))
                self.outbox.mark_published(row.seq)  # only after the core's commit
        return outcomes

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        """Drain whenever woken (or every `idle` seconds) until `stop` is set."""
        backoff = self.min_backoff
        while not stop.is_set():
            self.wake.clear()  # before draining: an event recorded meanwhile wakes the next round
            try:
                await self.drain()
                backoff, wait = self.min_backoff, idle
            except Exception as error:  # store down or locked, a race lost five times: keep the events, retry
                log.warning(
                    "device events not applied (%s); %d waiting, retry in %.1fs",
                    type(error).__name__,
                    self.outbox.backlog(),
                    backoff,
                )
                wait, backoff = backoff, min(backoff * 2, self.max_backoff)
            await _first_of(stop, self.wake, wait)

    async def close(self) -> None:
        """Nothing to release: the outbox belongs to the kiosk process and the application to the bus."""

    async def _deliver(self, payload: bytes) -> str:
        try:
            event = decode_device_event(payload)
        except BadDeviceMessageError as error:  # as the NATS consumer terminates it: never retried
            log.warning("device message refused: %s (%d bytes)", error.code, len(payload))
            return BAD
        applied = await asyncio.to_thread(self.app.apply, event)
        if applied.reason:
            log.info("device event %s recorded, effect refused: %s", event.event_id, applied.reason)
        return applied.outcome


class InProcessKioskCommands(CommandShortcuts):
    """Request/reply to the kiosks of this process: KioskCommands' methods, timeout and KioskNotAnsweringError."""

    def __init__(self, timeout: float = 5.0) -> None:
        self.timeout = timeout
        self._kiosks: dict[str, Callable[[KioskCommand], CommandReply]] = {}
        self._lock = threading.Lock()

    def attach(self, kiosk: str, execute: Callable[[KioskCommand], CommandReply]) -> None:
        """The kiosk `kiosk` answers commands with `execute` (called in a worker thread)."""
        with self._lock:
            self._kiosks[kiosk] = execute

    def detach(self, kiosk: str) -> None:
        """The kiosk stopped: commands to it fail at once, like NATS's "no responders"."""
        with self._lock:
            self._kiosks.pop(kiosk, None)

    async def send(self, kiosk: str, command: KioskCommand) -> CommandReply:
        """The kiosk's reply, or KioskNotAnsweringError if it is not running or does not answer in time."""
        kind = str(type(command).__struct_config__.tag)
        with self._lock:
            execute = self._kiosks.get(kiosk)
        if execute is None:
            raise KioskNotAnsweringError(kiosk, kind, self.timeout)
        try:
            reply = await asyncio.wait_for(asyncio.to_thread(_answer, execute, encode(command)), self.timeout)
        except TimeoutError:  # the device call goes on in its thread, as a late NATS reply would be dropped
            raise KioskNotAnsweringError(kiosk, kind, self.timeout) from None
        return decode_reply(reply)


def _answer(execute: Callable[[KioskCommand], CommandReply], data: bytes) -> bytes:
    """The kiosk's side of one request, as its NATS responder answers it."""
    try:
        reply = execute(decode_command(data))
    except BadDeviceMessageError as error:
        reply = CommandReply(ok=False, detail=error.code)
    return encode(reply)


@dataclass
class InProcessBus:
    """The device-event service and the command line shared by the kiosks of this process.

    The command line exists before the System (its doors are built into the System); the device events are the
    System's own service (the process's one application: same cache, same read-model runner)."""

    device_events: DeviceEvents
    commands: InProcessKioskCommands

    def publisher(self, outbox: KioskOutbox) -> InProcessPublisher:
        """A publisher for one kiosk's outbox: the factory kiosk_edge's KioskProcess takes."""
        return InProcessPublisher(outbox, self.device_events)

    def close(self) -> None:
        """Nothing to release: the device events belong to the System, which closes its application."""


async def _first_of(stop: asyncio.Event, wake: asyncio.Event, timeout: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()
