"""Runs read models over the shared event log: batches of events, rows and tracking in one transaction.

eventsourcing's ProjectionRunner commits once per event; on PostgreSQL that is one fsync per event, so a
rebuild of a year of events would take hours. This runner reads the notification log in batches and writes
each batch (for every read model that still needs it) and the models' tracking positions in one transaction:
exactly once after a crash. A rebuild replays the log into memory and swaps the new rows in with one bulk
copy, so the old rows stay readable until the new ones are complete.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec

from infrastructure.readstore.log import decoder_of, prefetched, read_log
from infrastructure.readstore.quarantine import QUARANTINED, TRANSIENT, apply_batch, apply_plain, quarantined
from infrastructure.readstore.rows import MemoryRows
from infrastructure.readstore.store import upsert_sql
from infrastructure.readstore.wake import (
    Listener,
    install_log_trigger,
    is_postgres,
    log_channel,
    read_channel,
    recorder_connect,
)
from projections.base import ReadModel, Rows, Table
from projections.ports import ReadStore, Tx

log = logging.getLogger("motcua.projections")
POSITIONS = Table("projection_tracking", (("name", "TEXT"), ("position", "INT NOT NULL"), ("updated_at", "TS")), "name")
SET_POSITION = upsert_sql(POSITIONS)  # one model's position: (name, position, updated_at)
RUNNING = (
    "SELECT name, position, 0 AS stopped FROM projection_tracking "
    "UNION ALL SELECT name, position, 1 AS stopped FROM projection_quarantine"
)
Progress = Callable[[int, int], None]
# Shortest time from the start of one live round to the start of the next. A round has a fixed cost (about ten
# statements and 2 ms of CPU here) whatever it carries, so under a steady stream of writes rounds back to back
# would each carry a commit or two: pacing them lets one round carry what arrived meanwhile. A write after a quiet
# spell is still taken at once.
PACE = 0.02


def index_name(statement: str) -> str:
    """The name in a CREATE [UNIQUE] INDEX IF NOT EXISTS <name> ON … statement."""
    return statement.split(" ON ", 1)[0].split()[-1]


class Lag(msgspec.Struct, frozen=True):
    """How far a read model is behind the event log."""

    name: str
    position: int
    head: int
    events_behind: int
    seconds_behind: float
    quarantined_at: int | None = None
    """The event this model failed on and stopped before (it waits for a fix; the other models go on)."""
    error: str | None = None


class Projector:
    """Keeps read models up to date with an application recorder (the process's one application)."""

    def __init__(
        self, recorder: Any, mapper: Any, store: ReadStore, models: Sequence[ReadModel], batch: int = 1000
    ) -> None:
        self.recorder, self.mapper, self.store = recorder, mapper, store
        self.log_reader: Any = None  # the application owning `recorder`, when made for this runner (projector_over)
        self.models = {model.name: model for model in models}
        self.batch = batch
        self._advanced = threading.Condition()
        self._advances = 0  # counts notifications of `_advanced`, so a waiter never misses one between its checks
        self._wake = threading.Event()  # set by a poke: the log grew
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listeners: list[Listener] = []
        self._readers: Listener | None = None
        self._learned: dict[str, set[str]] = {}  # per model, the tables its batches load by aggregate id
        if getattr(store, "read_only", False):  # a hot standby: the tables come from the primary
            return
        with store.transaction() as tx:
            tx.execute(store.ddl(POSITIONS.ddl()))
            tx.execute(store.ddl(QUARANTINED.ddl()))
            for model in models:
                self._create(tx, model)

    def _create(self, tx: Tx, model: ReadModel, indexes: bool = True) -> None:
        for table in model.tables:
            tx.execute(self.store.ddl(table.ddl()))
        for index in model.indexes if indexes else ():
            tx.execute(index)

    # ----- positions --------------------------------------------------------------------
    def running_positions(self) -> dict[str, int]:
        """The positions of the read models that are not quarantined (one query: asked every round)."""
        rows = self.store.query(RUNNING)
        stopped = {row["name"] for row in rows if row["stopped"]}
        known = {row["name"]: row["position"] for row in rows if not row["stopped"]}
        return {name: known.get(name, 0) for name in self.models if name not in stopped}

    def positions(self) -> dict[str, int]:
        """Each read model's last processed notification id."""
        rows = self.store.query("SELECT name, position FROM projection_tracking")
        known = {row["name"]: row["position"] for row in rows}
        return {name: known.get(name, 0) for name in self.models}

    def lag(self) -> list[Lag]:
        """Events and seconds behind the head of the log, per read model."""
        head, now, result = self.recorder.max_notification_id() or 0, datetime.now(UTC), []
        stopped = quarantined(self.store)
        for name, position in self.positions().items():
            seconds = 0.0
            if position < head:
                pending = self.recorder.select_notifications(position + 1, 1)
                if pending:
                    seconds = max((now - self.mapper.to_domain_event(pending[0]).timestamp).total_seconds(), 0.0)
            fault = stopped.get(name)
            result.append(
                Lag(
                    name=name,
                    position=position,
                    head=head,
                    events_behind=head - position,
                    seconds_behind=seconds,
                    quarantined_at=fault.position if fault else None,
                    error=fault.error if fault else None,
                )
            )
        return result

    # ----- processing -------------------------------------------------------------------
    def _events(
        self,
        start: int,
        stop: int,
        progress: Progress | None = None,
        interruptible: bool = False,
        topics: frozenset[str] | None = None,
        preload_keys: bool = False,
    ):
        """Decoded (id, event) pairs from start to stop, a batch at a time (only `topics`, if given). With
        `preload_keys` each batch's personal-data keys are fetched in one query first: live rounds read new people's
        events, whose keys the process has not seen. A rebuild does not: its first key read loads every key there is,
        and scanning each stored state for key ids would cost more than reading the few keys made since one by one."""
        decode = decoder_of(self.mapper)
        preload = getattr(self.mapper, "preload_keys", None) if preload_keys else None
        for rows in read_log(self.recorder, start, stop, self.batch, topics):
            wanted = rows if topics is None else [row for row in rows if row[3] in topics]
            if preload is not None:
                preload([row[4] for row in wanted])
            yield [(row[0], decode(row)) for row in wanted]
            if progress:
                progress(rows[-1][0], stop)
            if interruptible and self._stop.is_set():
                return

    def catch_up(
        self, only: Sequence[str] | None = None, progress: Progress | None = None, interruptible: bool = False
    ) -> int:
        """Process every pending event; returns how many notifications were read."""
        positions = {name: pos for name, pos in self.running_positions().items() if name in (only or self.models)}
        head, read = self.recorder.max_notification_id() or 0, 0
        if not positions or min(positions.values()) >= head:
            return 0
        for events in self._events(min(positions.values()) + 1, head, progress, interruptible, preload_keys=True):
            self._write(events, positions)
            read += len(events)
        self._advance()
        return read

    def _advance(self) -> None:
        with self._advanced:
            self._advances += 1
            self._advanced.notify_all()

    def _write(self, events: list[tuple[int, Any]], positions: dict[str, int]) -> None:
        """Apply a batch to every model that needs it and store their positions, in one transaction.

        On PostgreSQL the batch first goes in one pipeline (no savepoints; only the row loads wait for answers).
        Should any model fail there, that transaction is rolled back and the batch applied again model by model,
        each in a savepoint, which finds the event at fault and quarantines its model (quarantine.py)."""
        pipelined = getattr(self.store, "pipelined_transaction", None)
        if pipelined is not None:
            trial = dict(positions)
            try:
                self._write_in(pipelined, events, trial, isolate=False)
            except TRANSIENT:
                raise
            except Exception:  # noqa: BLE001 - a model's fault: found and quarantined by the isolated pass below
                log.info("a read model failed on the batch ending at %s; applying it model by model", events[-1][0])
            else:
                positions.clear()
                positions.update(trial)
                return
        self._write_in(self.store.transaction, events, positions, isolate=True)

    def _write_in(
        self, transaction: Callable[[], Any], events: list[tuple[int, Any]], positions: dict[str, int], isolate: bool
    ) -> None:
        last = events[-1][0]
        with transaction() as tx:
            # The stored positions are authoritative (a rebuild in another process may have moved them).
            lock = " FOR UPDATE" if self.store.dialect == "postgres" else ""
            stored = {
                row["name"]: row["position"]
                for row in tx.query(f"SELECT name, position FROM projection_tracking{lock}")
            }
            positions.update({name: stored.get(name, 0) for name in positions})
            moved, plain = [], []
            for name, position in list(positions.items()):
                if position >= last:
                    continue
                model = self.models[name]
                mine = [(n, event) for n, event in events if n > position and model.handles(event)]
                learned = self._learned.setdefault(name, set())
                if mine and not isolate:
                    plain.append((model, mine, learned))
                elif mine:  # a model with nothing to do in this batch only moves its position
                    fault = apply_batch(tx, model, mine, position, self._position_setter(tx, name), learned)
                    if fault is not None:
                        log.error("read model %s quarantined at event %s: %s", name, fault.position, fault.error)
                        del positions[name]
                        continue
                moved.append(name)
            if plain:
                apply_plain(tx, plain)
            if moved:  # every advanced model's position in one statement
                now = datetime.now(UTC)
                tx.upsert(POSITIONS, [{"name": name, "position": last, "updated_at": now} for name in moved])
            if self.store.dialect == "postgres":  # delivered at commit: readers in other processes wake on it
                tx.execute("SELECT pg_notify(?, ?)", (read_channel(self._read_schema()), str(last)))
        for name in positions:
            positions[name] = max(positions[name], last)

    @staticmethod
    def _position_setter(tx: Tx, name: str) -> Callable[[int], None]:
        """Records in `tx` that read model `name` applied the log up to a position."""

        def set_position(at: int) -> None:
            tx.execute(SET_POSITION, (name, at, datetime.now(UTC)))

        return set_position

    def rebuild(self, *names: str, progress: Progress | None = None) -> int:
        """Replay every event, in one pass, into fresh rows in memory for the named read models (all if none
        named), then swap them in with one bulk load; returns the number of events read.

        The cyclic garbage collector is paused meanwhile: the rows held in memory are plain dicts that form no
        cycles, and collecting over millions of them made a rebuild several times slower."""
        models = [self.models[name] for name in (names or self.models)]
        head = self.recorder.max_notification_id() or 0
        held = [(model, MemoryRows(model)) for model in models]
        paused = gc.isenabled()
        gc.disable()
        try:
            topics = frozenset(topic for model in models for topic in model.topics())
            # Each event class goes straight to the handlers that take it (most models take few of the classes).
            targets: dict[type, list[tuple[Callable[[Rows, Any, int], None], MemoryRows]]] = {}
            for events in prefetched(self._events(1, head, progress, topics=topics)):
                for notification_id, event in events:
                    kind = type(event)
                    found = targets.get(kind)
                    if found is None:
                        found = targets[kind] = [
                            (take, rows) for model, rows in held if (take := model.handler_for(kind)) is not None
                        ]
                    for handle, rows in found:
                        handle(rows, event, notification_id)
            with self.store.transaction() as tx:
                for model, rows in held:
                    self._empty(tx, model)
                    for table in model.tables:
                        tx.load(table.name, table.column_names, rows.rows(table.name))
                    for index in model.indexes:  # built once over the loaded rows: faster than maintained per row
                        tx.execute(index)
                    tx.execute(SET_POSITION, (model.name, head, datetime.now(UTC)))
                    tx.execute("DELETE FROM projection_quarantine WHERE name = ?", (model.name,))  # rebuilt whole
        finally:
            del held
            if paused:
                gc.enable()
        return head + self.catch_up([model.name for model in models])  # every event up to head was scanned

    def _empty(self, tx: Tx, model: ReadModel) -> None:
        """Empty the model's tables for a reload. Tables whose columns are unchanged are kept (so are the
        analysts' grants on them) and only their indexes dropped; a changed layout is dropped and recreated.

        PostgreSQL empties them with TRUNCATE: the reload then starts from empty files and empty key indexes, where
        after a DELETE every loaded key was checked against its dead predecessor (a third of a rebuild's server CPU).
        Its exclusive lock is what dropping the indexes takes anyway, until the swap commits."""
        kept = []
        for table in model.tables:
            existing = [column.lower() for column in self.store.columns(tx, table.name)]
            if existing == list(table.column_names):
                kept.append(table.name)
            else:
                tx.execute(f"DROP TABLE IF EXISTS {table.name}")
        if kept and self.store.dialect == "postgres":
            tx.execute(f"TRUNCATE {', '.join(kept)}")
        else:
            for name in kept:
                tx.execute(f"DELETE FROM {name}")
        for index in model.indexes:
            tx.execute(f"DROP INDEX IF EXISTS {index_name(index)}")
        self._create(tx, model, indexes=False)

    # ----- running ----------------------------------------------------------------------
    def poke(self) -> None:
        """Something was written: process it now (a poke during a round starts another round right after it)."""
        self._wake.set()

    def run_forever(self, poll: float = 0.5, pace: float = PACE) -> None:
        """Catch up, then wait for a poke or the poll interval, until stopped. On PostgreSQL every commit to the log,
        from any process, pokes (wake.py), so `poll` is only the safety net of a lost listening connection. Rounds
        start at least `pace` seconds apart (see PACE)."""
        self._listen_to_log()
        while not self._stop.is_set():
            self._wake.clear()
            started = time.monotonic()
            try:
                self.catch_up(interruptible=True)
            except Exception:  # keep running: the next round retries from the stored positions
                log.exception("read-model update failed; retrying")
                self._stop.wait(poll)
            self._wake.wait(poll)
            self._stop.wait(max(0.0, started + pace - time.monotonic()))

    def _listen_to_log(self) -> None:
        if not is_postgres(self.recorder) or getattr(self.store, "read_only", False) or self._listeners:
            return
        try:
            install_log_trigger(self.recorder)
        except Exception:  # noqa: BLE001 - e.g. not the table's owner: the poll still finds every event
            log.warning("no log trigger on the events table; read models are updated every poll", exc_info=True)
            return
        schema = self.recorder.datastore.schema or "public"
        listener = Listener(recorder_connect(self.recorder), log_channel(schema), lambda _: self.poke())
        self._listeners.append(listener.start())

    def _read_schema(self) -> str:
        return str(getattr(self.store, "schema", "public"))

    def _listen_to_readers(self) -> bool:
        """In a process without its own runner thread, wake `wait_for` when the runner elsewhere stores a batch
        (PostgreSQL; not on a hot standby, which cannot LISTEN). True when listening."""
        if self._readers is None:
            connect = getattr(self.store, "listening_connection", None)
            if connect is None or getattr(self.store, "read_only", False) or self._stop.is_set():
                return False
            self._readers = Listener(connect, read_channel(self._read_schema()), lambda _: self._advance())
            self._listeners.append(self._readers.start())
        return self._readers.listening.is_set()

    def start(self, poll: float = 0.5, pace: float = PACE) -> None:
        """Run in a background thread (the embedded default)."""
        self._thread = threading.Thread(target=self.run_forever, args=(poll, pace), name="projector", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background thread."""
        self._stop.set()
        self.poke()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for listener in self._listeners:
            listener.stop()

    def wait_for(self, position: int, name: str | None = None, timeout: float = 5.0) -> bool:
        """Block until the read model (or all) has processed `position`; False on timeout."""
        deadline = time.monotonic() + timeout
        woken = self._thread is not None or self._listen_to_readers()
        while True:
            seen = self._advances
            positions = self.positions() if name else self.running_positions()
            current = positions[name] if name else min(positions.values(), default=position)
            if current >= position:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._advanced:
                if self._advances == seen:  # nothing stored since the positions were read
                    self._advanced.wait(min(remaining, 1.0 if woken else 0.05))
