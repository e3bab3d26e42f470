"""Runs read models over the shared event log: batches of events, rows and tracking in one transaction.

eventsourcing's ProjectionRunner commits once per event; on PostgreSQL that is one fsync per event, so a
rebuild of a year of events would take hours. This runner reads the notification log in batches and writes
each batch (for every read model that still needs it) and the models' tracking positions in one transaction:
exactly once after a crash, and rebuilds at read speed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

import msgspec

from projections.base import ReadModel
from projections.store import ReadStore

log = logging.getLogger("motcua.projections")
TRACKING = "CREATE TABLE IF NOT EXISTS projection_tracking (name TEXT PRIMARY KEY, position INT NOT NULL, updated_at TS)"


class Lag(msgspec.Struct, frozen=True):
    """How far a read model is behind the event log."""

    name: str
    position: int
    head: int
    events_behind: int
    seconds_behind: float


class Projector:
    """Keeps read models up to date with an application recorder (any OneStopApplication's)."""

    def __init__(self, recorder: Any, mapper: Any, store: ReadStore, models: Sequence[ReadModel], batch: int = 1000) -> None:
        self.recorder, self.mapper, self.store = recorder, mapper, store
        self.models = {model.name: model for model in models}
        self.batch = batch
        self._advanced = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        with store.transaction() as tx:
            tx.execute(store.ddl(TRACKING))
            for model in models:
                model.create(tx, store.ddl)

    # ----- positions --------------------------------------------------------------------
    def positions(self) -> dict[str, int]:
        """Each read model's last processed notification id."""
        rows = self.store.query("SELECT name, position FROM projection_tracking")
        known = {row["name"]: row["position"] for row in rows}
        return {name: known.get(name, 0) for name in self.models}

    def lag(self) -> list[Lag]:
        """Events and seconds behind the head of the log, per read model."""
        head, now, result = self.recorder.max_notification_id() or 0, datetime.now(timezone.utc), []
        for name, position in self.positions().items():
            seconds = 0.0
            if position < head:
                pending = self.recorder.select_notifications(position + 1, 1)
                if pending:
                    seconds = max((now - self.mapper.to_domain_event(pending[0]).timestamp).total_seconds(), 0.0)
            result.append(Lag(name=name, position=position, head=head, events_behind=head - position, seconds_behind=seconds))
        return result

    # ----- processing -------------------------------------------------------------------
    def catch_up(self, only: Sequence[str] | None = None, progress: Callable[[int, int], None] | None = None,
                 interruptible: bool = False) -> int:
        """Process every pending event; returns how many notifications were read."""
        names = list(only or self.models)
        positions = {name: pos for name, pos in self.positions().items() if name in names}
        head, read = self.recorder.max_notification_id() or 0, 0
        while positions and min(positions.values()) < head and not (interruptible and self._stop.is_set()):
            start = min(positions.values()) + 1
            notifications = self.recorder.select_notifications(start, self.batch, stop=head)
            if not notifications:
                break
            events = [(n.id, self.mapper.to_domain_event(n)) for n in notifications]
            self._write(events, positions)
            read += len(events)
            if progress:
                progress(events[-1][0], head)
        if read:
            with self._advanced:
                self._advanced.notify_all()
        return read

    def _write(self, events: list[tuple[int, Any]], positions: dict[str, int]) -> None:
        last = events[-1][0]
        with self.store.transaction() as tx:
            for name, position in positions.items():
                if position >= last:
                    continue
                model = self.models[name]
                for notification_id, event in events:
                    if notification_id > position:
                        model.apply(tx, event, notification_id)
                tx.execute("INSERT INTO projection_tracking (name, position, updated_at) VALUES (?, ?, ?) "
                           "ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at",
                           (name, last, datetime.now(timezone.utc)))
        for name in positions:
            positions[name] = max(positions[name], last)

    def rebuild(self, name: str, progress: Callable[[int, int], None] | None = None) -> int:
        """Drop a read model's rows and replay every event into it."""
        model = self.models[name]
        with self.store.transaction() as tx:
            model.drop(tx)
            model.create(tx, self.store.ddl)
            tx.execute("DELETE FROM projection_tracking WHERE name = ?", (name,))
        return self.catch_up([name], progress)

    # ----- running ----------------------------------------------------------------------
    def poke(self) -> None:
        """Something was written: process it soon."""
        with self._advanced:
            self._advanced.notify_all()

    def run_forever(self, poll: float = 0.5) -> None:
        """Catch up, then wait for a poke or the poll interval, until stopped."""
        while not self._stop.is_set():
            try:
                self.catch_up(interruptible=True)
            except Exception:  # keep running: the next round retries from the stored positions
                log.exception("read-model update failed; retrying")
                time.sleep(poll)
            with self._advanced:
                self._advanced.wait(poll)

    def start(self, poll: float = 0.5) -> None:
        """Run in a background thread (the embedded default)."""
        self._thread = threading.Thread(target=self.run_forever, args=(poll,), name="projector", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background thread."""
        self._stop.set()
        self.poke()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def wait_for(self, position: int, name: str | None = None, timeout: float = 5.0) -> bool:
        """Block until the read model (or all) has processed `position`; False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            positions = self.positions()
            current = positions[name] if name else min(positions.values(), default=0)
            if current >= position:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._advanced:
                self._advanced.wait(min(remaining, 0.05))
