"""The core's side of NATS JetStream: the KIOSK_EVENTS stream, the device-event consumer, kiosk commands.

Delivery is at least once (JetStream redelivers until acked); the effect is exactly once because
`DeviceEvents.apply` commits a record keyed by the event_id together with the event's effect, and a
message is acked only after that commit (or after finding the record already there).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import nats
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from application.device_events import DeviceEvents
from domain.errors import DomainError
from domain.kiosk_wire import (
    BadDeviceMessageError,
    CommandReply,
    EjectEnvelope,
    KioskCommand,
    OpenTray,
    Print,
    command_subject,
    decode_device_event,
    decode_reply,
    encode,
    event_subject,
)
from infrastructure.logs import request_headers

log = logging.getLogger(__name__)
BAD, WRONG_SUBJECT, RETRY = "bad_device_message", "subject_mismatch", "retry"


@dataclass(frozen=True)
class KioskBusSettings:
    """Names and limits of the kiosk bus (from MOTCUA_NATS_* settings; tests use a private prefix)."""

    servers: list[str] = field(default_factory=lambda: ["nats://127.0.0.1:4222"])
    stream: str = "KIOSK_EVENTS"
    prefix: str = "kiosk"
    durable: str = "core-device-events"
    duplicate_window: float = 120.0
    ack_wait: float = 30.0
    retry_delay: float = 2.0
    replicas: int = 1  # of the stream: 3 on a 3-node cluster
    options: dict[str, Any] = field(default_factory=dict)  # for nats.connect: NKEY seed, TLS (infrastructure/natsconf)

    @property
    def events_filter(self) -> str:
        return f"{self.prefix}.*.events.>"


async def ensure_stream(js: nats.js.JetStreamContext, settings: KioskBusSettings) -> None:
    """Create the device-event stream (file storage, duplicate window) or bring its config up to date."""
    config = StreamConfig(
        name=settings.stream,
        subjects=[settings.events_filter],
        storage=StorageType.FILE,
        duplicate_window=settings.duplicate_window,
        num_replicas=settings.replicas,
    )
    try:
        await js.stream_info(settings.stream)
    except NotFoundError:
        await js.add_stream(config)
    else:
        await js.update_stream(config)


class DeviceEventConsumer:
    """Pulls device events from the durable consumer, applies each once, acks only after the commit."""

    def __init__(self, nc: nats.NATS, app: DeviceEvents, settings: KioskBusSettings | None = None) -> None:
        self.nc, self.app, self.settings = nc, app, settings or KioskBusSettings()
        self.outcomes: Counter[str] = Counter()
        self._sub: nats.js.JetStreamContext.PullSubscription | None = None

    async def start(self) -> None:
        """Ensure the stream and the durable pull consumer, and bind to it."""
        s, js = self.settings, self.nc.jetstream()
        await ensure_stream(js, s)
        config = ConsumerConfig(
            durable_name=s.durable,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=s.ack_wait,
            deliver_policy=DeliverPolicy.ALL,
            max_deliver=-1,
            filter_subject=s.events_filter,
        )
        self._sub = await js.pull_subscribe(s.events_filter, durable=s.durable, stream=s.stream, config=config)

    async def poll(self, batch: int = 50, timeout: float = 1.0) -> list[str]:
        """Fetch and handle up to `batch` messages; returns their outcomes (empty if none came in time)."""
        assert self._sub is not None, "call start() first"
        try:
            messages = await self._sub.fetch(batch, timeout=timeout)
        except TimeoutError:  # nats-py raises either its own subclass or the plain one
            return []
        return [await self.handle(message) for message in messages]

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set."""
        while not stop.is_set():
            await self.poll()

    async def handle(self, message: Msg) -> str:
        """Decode, apply, then ack; a bad message is terminated (never redelivered), a failure is retried."""
        try:
            event = decode_device_event(message.data)
        except BadDeviceMessageError as error:
            # The reason text may quote the message's values: log only the code, subject and size.
            return await self._refuse(message, error.code)
        if event_subject(event, self.settings.prefix) != message.subject:  # a kiosk speaks only for itself
            return await self._refuse(message, WRONG_SUBJECT)
        try:
            applied = await asyncio.to_thread(self.app.apply, event)
        except Exception as error:  # store down, a race lost five times: leave it to redelivery
            log.warning(
                "device event %s not applied (%s); redelivery in %.0fs",
                event.event_id,
                type(error).__name__,
                self.settings.retry_delay,
            )
            await message.nak(delay=self.settings.retry_delay)
            return self._count(RETRY)
        await message.ack()
        if applied.reason:
            log.info("device event %s recorded, effect refused: %s", event.event_id, applied.reason)
        return self._count(applied.outcome)

    async def _refuse(self, message: Msg, code: str) -> str:
        log.warning("device message refused: %s on %s (%d bytes)", code, message.subject, len(message.data))
        await message.term()
        return self._count(code)

    def _count(self, outcome: str) -> str:
        self.outcomes[outcome] += 1
        return outcome


class KioskNotAnsweringError(DomainError):
    """A kiosk did not answer a command in time (offline, busy or no responder)."""

    code = "kiosk_not_answering"

    def __init__(self, kiosk: str, command: str, timeout: float) -> None:
        self.kiosk = kiosk
        super().__init__(
            f"kiosk {kiosk} did not answer {command} within {timeout:g}s",
            f"Kiosk {kiosk} không phản hồi lệnh, vui lòng kiểm tra kết nối của kiosk.",
        )


class CommandShortcuts:
    """The named commands, over any `send(kiosk, command)` (NATS here, in-process in
    infrastructure/inprocess_bus.py)."""

    async def send(self, kiosk: str, command: KioskCommand) -> CommandReply:
        raise NotImplementedError

    async def open_tray(self, kiosk: str, tray: int) -> CommandReply:
        return await self.send(kiosk, OpenTray(tray=tray))

    async def eject_envelope(self, kiosk: str, reason: str) -> CommandReply:
        return await self.send(kiosk, EjectEnvelope(reason=reason))

    async def print_text(self, kiosk: str, text: str) -> CommandReply:
        return await self.send(kiosk, Print(text=text))


class KioskCommands(CommandShortcuts):
    """Request/reply to one kiosk at `kiosk.<kiosk>.commands`."""

    def __init__(self, nc: nats.NATS, prefix: str = "kiosk", timeout: float = 5.0) -> None:
        self.nc, self.prefix, self.timeout = nc, prefix, timeout

    async def send(self, kiosk: str, command: KioskCommand) -> CommandReply:
        """The kiosk's reply, or KioskNotAnsweringError after the timeout."""
        kind = type(command).__struct_config__.tag
        try:
            reply = await self.nc.request(
                command_subject(kiosk, self.prefix), encode(command), timeout=self.timeout, headers=request_headers()
            )
        except (nats.errors.TimeoutError, nats.errors.NoRespondersError):
            raise KioskNotAnsweringError(kiosk, str(kind), self.timeout) from None
        return decode_reply(reply.data)
