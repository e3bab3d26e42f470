"""Store and forward: every device event goes into a local SQLite outbox first, then to JetStream in order.

The kiosk keeps working when the network or NATS is down: `Outbox.append` only touches a local file.
The `Publisher` drains the outbox in sequence order, one event at a time, with the event_id as
`Nats-Msg-Id` (JetStream drops a re-publish within its duplicate window; the core drops any later replay).
The outbox rows are never changed: a cursor row holds the highest sequence whose publish JetStream acked,
and it moves only after the ack. On any failure the publisher stops, waits (exponential backoff) and
starts again from the first unacknowledged event, so nothing is dropped or reordered.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nats

from domain.kiosk_wire import DeviceEvent, encode, event_subject, event_type

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, subject TEXT NOT NULL,
    type TEXT NOT NULL, payload BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS outbox_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), published_seq INTEGER NOT NULL);
INSERT OR IGNORE INTO outbox_cursor (id, published_seq) VALUES (1, 0);
"""


@dataclass(frozen=True)
class Pending:
    """One outbox row not yet acknowledged by JetStream."""

    seq: int
    event_id: str
    subject: str
    type: str
    payload: bytes


class Outbox:
    """The kiosk's append-only local outbox (one SQLite file, path from MOTCUA_KIOSK_OUTBOX)."""

    def __init__(self, path: str | Path, prefix: str = "kiosk") -> None:
        self.prefix = prefix
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA secure_delete=ON")  # a power cut must not lose an event the device already did
        self._db.executescript(SCHEMA)

    def append(self, event: DeviceEvent) -> int:
        """Store a device event before anything else happens to it; returns its sequence number."""
        cursor = self._db.execute(
            "INSERT INTO outbox_events (event_id, subject, type, payload) VALUES (?, ?, ?, ?)",
            (event.event_id, event_subject(event, self.prefix), event_type(event), encode(event)),
        )
        return int(cursor.lastrowid or 0)

    def pending(self, limit: int = 100) -> list[Pending]:
        """The oldest unacknowledged events, in sequence order."""
        rows = self._db.execute(
            "SELECT seq, event_id, subject, type, payload FROM outbox_events "
            "WHERE seq > (SELECT published_seq FROM outbox_cursor) ORDER BY seq LIMIT ?",
            (limit,),
        ).fetchall()
        return [Pending(seq, event_id, subject, kind, bytes(payload)) for seq, event_id, subject, kind, payload in rows]

    def mark_published(self, seq: int) -> None:
        """JetStream acked event `seq` (and, by order, every one before it)."""
        self._db.execute("UPDATE outbox_cursor SET published_seq = ? WHERE id = 1 AND published_seq < ?", (seq, seq))

    def published_seq(self) -> int:
        """The highest acknowledged sequence number."""
        return int(self._db.execute("SELECT published_seq FROM outbox_cursor").fetchone()[0])

    def backlog(self) -> int:
        """How many events wait for JetStream."""
        return int(
            self._db.execute(
                "SELECT count(*) FROM outbox_events WHERE seq > (SELECT published_seq FROM outbox_cursor)"
            ).fetchone()[0]
        )

    def close(self) -> None:
        self._db.close()


class Publisher:
    """Drains an Outbox to JetStream in order, reconnecting and backing off while NATS is unreachable."""

    def __init__(
        self,
        outbox: Outbox,
        servers: list[str],
        *,
        ack_timeout: float = 2.0,
        min_backoff: float = 0.2,
        max_backoff: float = 30.0,
        options: dict[str, Any] | None = None,
    ) -> None:
        self.outbox, self.servers, self.ack_timeout = outbox, servers, ack_timeout
        self.options = options or {}  # the kiosk's NKEY seed, TLS and inbox (kiosk_edge/bus_auth.py)
        self.min_backoff, self.max_backoff = min_backoff, max_backoff
        self._nc: Any = None
        self.wake = asyncio.Event()

    async def drain(self) -> int:
        """Publish pending events in order until the outbox is empty; returns how many were acked.

        Raises on the first failure (nothing after the failed event is sent)."""
        js = (await self._connection()).jetstream()
        sent = 0
        while batch := self.outbox.pending():
            for item in batch:
                await js.publish(
                    item.subject, item.payload, timeout=self.ack_timeout, headers={"Nats-Msg-Id": item.event_id}
                )
                self.outbox.mark_published(item.seq)  # only after JetStream's ack
                sent += 1
        return sent

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        """Drain whenever woken (or every `idle` seconds) until `stop` is set; back off on failures."""
        backoff = self.min_backoff
        while not stop.is_set():
            try:
                await self.drain()
                backoff, wait = self.min_backoff, idle
            except Exception as error:  # NATS down, no ack, stream missing: keep the events and retry later
                log.warning(
                    "outbox publish failed (%s); %d waiting, retry in %.1fs",
                    type(error).__name__,
                    self.outbox.backlog(),
                    backoff,
                )
                wait, backoff = backoff, min(backoff * 2, self.max_backoff)
            self.wake.clear()
            await _first_of(stop, self.wake, wait)

    async def close(self) -> None:
        if self._nc is not None and not self._nc.is_closed:
            await self._nc.close()
        self._nc = None

    async def _connection(self) -> Any:
        if self._nc is None or self._nc.is_closed:
            # No client-side reconnect: a lost connection closes the client, the publish fails at once,
            # and the next drain connects afresh; run()'s backoff is the only retry policy.
            self._nc = await nats.connect(
                servers=self.servers,
                connect_timeout=1,
                allow_reconnect=False,
                max_reconnect_attempts=1,
                reconnect_time_wait=0.1,
                error_cb=_quiet,
                disconnected_cb=_disconnected,
                **self.options,
            )
        return self._nc


async def _quiet(error: Exception) -> None:
    log.debug("nats: %s", type(error).__name__)


async def _disconnected() -> None:
    log.info("nats: disconnected; device events stay in the outbox")


async def _first_of(stop: asyncio.Event, wake: asyncio.Event, timeout: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()
