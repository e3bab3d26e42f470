"""The fleet monitor's moving parts: the heartbeat listener (NATS) and the check loop, wired to a System."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import nats

from domain.errors import DomainError
from domain.kiosk_wire import BadDeviceMessageError, decode_heartbeat, heartbeat_subject
from infrastructure.fleet import Fleet, FleetStore, Thresholds
from infrastructure.settings import FleetSettings

log = logging.getLogger("motcua.fleet")
ALERT_TEMPLATE = ("kiosk_alert", 1)


class HeartbeatListener:
    """Keeps every kiosk's latest heartbeat; a heartbeat on another kiosk's subject is dropped."""

    def __init__(self, nc: nats.NATS, store: FleetStore, now: Callable[[], datetime], prefix: str = "kiosk") -> None:
        self.nc, self.store, self.now, self.prefix = nc, store, now, prefix
        self.dropped = 0

    async def start(self) -> None:
        await self.nc.subscribe(heartbeat_subject("*", self.prefix), cb=self.handle)
        await self.nc.flush()

    async def handle(self, message: Any) -> None:
        try:
            beat = decode_heartbeat(message.data)
        except BadDeviceMessageError as error:
            self.dropped += 1
            log.warning("heartbeat refused: %s (%d bytes)", error.code, len(message.data))
            return
        if message.subject != heartbeat_subject(beat.kiosk, self.prefix):
            self.dropped += 1
            log.warning("heartbeat of %s refused: sent on another kiosk's subject", beat.kiosk)
            return
        await asyncio.to_thread(self.store.record, beat, self.now())


def fleet_for(system: Any, settings: FleetSettings) -> Fleet:
    """The fleet over the system's read store and kiosks, alerting the team of MOTCUA_FLEET_ALERT_TO."""
    thresholds = Thresholds(
        offline_after=settings.offline_after,
        min_envelopes=settings.min_envelopes,
        max_cash=settings.max_cash,
        min_free_trays=settings.min_free_trays,
        max_outbox=settings.max_outbox,
    )
    return Fleet(
        FleetStore(system.projector.store),
        kiosk_view(system.kiosks),
        thresholds,
        alerter(system.notifications.notifier if system.notifications else None, settings.alert_to),
    )


def kiosk_view(kiosks: Any) -> Callable[[str], Any]:
    """The kiosk's containers, or None for a heartbeat of a kiosk that was never installed."""

    def view(key: str) -> Any:
        try:
            return kiosks.get_kiosk(key)
        except DomainError:
            return None

    return view


def alerter(notifier: Any, alert_to: str) -> Callable[[str, str], None]:
    """Send an alert to the team's `channel:address` (only logged without one or when the channel fails)."""
    channel, _, address = alert_to.partition(":")

    def alert(kiosk: str, problem: str) -> None:
        log.warning("kiosk %s needs the team: %s", kiosk, problem)
        if notifier is None or not address:
            return
        try:
            notifier.send(channel, address, *ALERT_TEMPLATE, {"kiosk": kiosk, "problem": problem})
        except DomainError as error:  # DeliveryError: the next crossing alerts again; the log keeps this one
            log.error("alert for kiosk %s not sent by %s (%s)", kiosk, channel, type(error).__name__)

    return alert


async def run(
    fleet: Fleet, listener: HeartbeatListener, now: Callable[[], datetime], every: float, stop: asyncio.Event
) -> None:
    """Listen to heartbeats and check the fleet every `every` seconds until `stop`."""
    await listener.start()
    while not stop.is_set():
        try:
            await asyncio.to_thread(fleet.check, now())
        except Exception as error:  # noqa: BLE001 - a store outage must not end the monitor; the next round retries
            log.warning("fleet check failed (%s)", type(error).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
