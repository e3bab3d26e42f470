"""Tray doors opened by the core from synchronous code (API handlers), over the async kiosk command line.

The command line (NATS request/reply, or the in-process bus of the embedded default) lives on an event loop of its
own thread; a handler waits for the kiosk's answer or its timeout. Nothing here decides the domain: a door that does
not open leaves the load recorded, and the loading slip says the door must be opened by hand.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Sequence

import nats

from infrastructure.kiosk_bus import CommandShortcuts, KioskBusSettings, KioskCommands, KioskNotAnsweringError
from infrastructure.logs import REQUEST_ID


class CommandLineDoors:
    """The `KioskDoors` port over a command line made on first use by `connect` (in the loop's thread)."""

    def __init__(self, connect: Callable[[], Awaitable[CommandShortcuts]], timeout: float = 5.0) -> None:
        self._connect, self.timeout = connect, timeout
        self._commands: CommandShortcuts | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kiosk-doors", daemon=True)
        self._thread.start()

    def open_trays(self, kiosk: str, trays: Sequence[int]) -> dict[int, str]:
        """Each tray's door in turn, each within its timeout."""
        return {tray: self.open_tray(kiosk, tray) for tray in trays}

    def open_tray(self, kiosk: str, tray: int) -> str:
        # The loop's task runs in the loop thread's context: hand it the caller's request id explicitly.
        future = asyncio.run_coroutine_threadsafe(self._open(kiosk, tray, REQUEST_ID.get()), self._loop)
        try:
            return future.result(self.timeout * 2 + 5)
        except TimeoutError:
            future.cancel()
            return "not_answering"

    async def _open(self, kiosk: str, tray: int, request_id: str | None) -> str:
        REQUEST_ID.set(request_id)  # this task's own context: the command's NATS headers carry it
        try:
            if self._commands is None:
                self._commands = await self._connect()
            reply = await self._commands.open_tray(kiosk, tray)
        except (TimeoutError, KioskNotAnsweringError, OSError, nats.errors.Error):
            return "not_answering"
        return "opened" if reply.ok else f"fault: {reply.detail}"[:200]

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


class NoDoors:
    """The `KioskDoors` of a process without a command line to kiosks: no door is opened, the slip says none."""

    def open_trays(self, kiosk: str, trays: Sequence[int]) -> dict[int, str]:
        return {}

    def close(self) -> None:
        return None


def nats_doors(bus: KioskBusSettings, timeout: float = 5.0) -> CommandLineDoors:
    """Doors over NATS request/reply on `<prefix>.<kiosk>.commands` (MOTCUA_BUS=nats)."""

    async def connect() -> CommandShortcuts:
        nc = await nats.connect(
            servers=bus.servers, connect_timeout=2, max_reconnect_attempts=-1, allow_reconnect=True, **bus.options
        )
        return KioskCommands(nc, prefix=bus.prefix, timeout=timeout)

    return CommandLineDoors(connect, timeout)


def local_doors(commands: CommandShortcuts, timeout: float = 5.0) -> CommandLineDoors:
    """Doors over the in-process bus of the embedded default."""

    async def connect() -> CommandShortcuts:
        return commands

    return CommandLineDoors(connect, timeout)
