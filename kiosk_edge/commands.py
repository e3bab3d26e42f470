"""The kiosk's command responder: answers `kiosk.<kiosk>.commands` requests by driving its devices."""

from __future__ import annotations

import logging
from typing import Any, Protocol

import nats

from domain.kiosk_wire import (
    BadDeviceMessageError,
    CommandReply,
    EjectEnvelope,
    KioskCommand,
    OpenTray,
    Print,
    command_subject,
    decode_command,
    encode,
)
from kiosk_edge.devices.ports import DeviceFaultError

log = logging.getLogger(__name__)
REQUEST_ID_HEADER = "X-Request-ID"  # as the core sends it (infrastructure/logs.py)


class DevicePort(Protocol):
    """The kiosk's actuators: tray doors, the intake slot and the printer."""

    def open_tray(self, tray: int) -> None: ...

    def eject_envelope(self, reason: str) -> None: ...

    def print_text(self, text: str) -> None: ...


class SimulatedDevices:
    """A DevicePort for the simulator and tests: records what it was asked; trays in `faulty` fail."""

    def __init__(self, tray_count: int = 90, faulty: frozenset[int] = frozenset()) -> None:
        self.tray_count, self.faulty = tray_count, faulty
        self.calls: list[tuple[str, Any]] = []

    def open_tray(self, tray: int) -> None:
        if tray > self.tray_count or tray in self.faulty:
            raise DeviceFaultError(f"tray {tray} does not open")
        self.calls.append(("open_tray", tray))

    def eject_envelope(self, reason: str) -> None:
        self.calls.append(("eject_envelope", reason))

    def print_text(self, text: str) -> None:
        self.calls.append(("print", len(text)))  # receipts name the citizen: keep only the length


class CommandResponder:
    """Subscribes to the kiosk's command subject and replies with a CommandReply to every request."""

    def __init__(self, nc: nats.NATS | None, kiosk: str, devices: DevicePort, prefix: str = "kiosk") -> None:
        """`nc` None: only `execute` is used (the in-process bus calls it directly)."""
        self.nc, self.kiosk, self.devices, self.prefix = nc, kiosk, devices, prefix
        self._sub: Any = None

    async def start(self) -> None:
        """Start answering (call once; the subscription lives until stop())."""
        if self.nc is None:
            raise RuntimeError("a responder made without a NATS connection cannot subscribe")
        self._sub = await self.nc.subscribe(command_subject(self.kiosk, self.prefix), cb=self._on_request)
        await self.nc.flush()  # the subscription is known to the server before anyone asks

    async def stop(self) -> None:
        if self._sub is not None:
            await self._sub.unsubscribe()
            self._sub = None

    def execute(self, command: KioskCommand) -> CommandReply:
        """Drive the device for one command; a device fault becomes a refused reply, not a crash."""
        try:
            if isinstance(command, OpenTray):
                self.devices.open_tray(command.tray)
            elif isinstance(command, EjectEnvelope):
                self.devices.eject_envelope(command.reason)
            elif isinstance(command, Print):
                self.devices.print_text(command.text)
        except DeviceFaultError as error:
            return CommandReply(ok=False, detail=f"device_fault: {error}")
        return CommandReply(ok=True, detail=str(type(command).__struct_config__.tag or ""))

    async def _on_request(self, message: Any) -> None:
        # The core's request id (NATS header) goes into this kiosk's log line, so one id follows the request.
        context = {"request_id": (getattr(message, "headers", None) or {}).get(REQUEST_ID_HEADER)}
        try:
            command = decode_command(message.data)
            reply = self.execute(command)
        except BadDeviceMessageError as error:
            log.warning("command refused: %s (%d bytes)", error.code, len(message.data), extra=context)
            reply = CommandReply(ok=False, detail=error.code)
        else:
            log.info(
                "command %s: %s", type(command).__struct_config__.tag, "ok" if reply.ok else "refused", extra=context
            )
        if message.reply:
            await message.respond(encode(reply))
