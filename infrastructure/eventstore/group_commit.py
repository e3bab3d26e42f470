"""Group commit: saves from concurrent threads share one transaction.

The PostgreSQL recorder takes an EXCLUSIVE table lock for every append so that notification ids
commit in order; commits therefore queue behind each other's fsync. Coalescing the saves that
arrive while a commit is in flight into the next transaction pays one lock and one fsync per batch.
A batch that hits a conflict is retried item by item, so one loser never fails the others.

`prepare` runs on each caller's events in the caller's thread before they queue: work that waits on the database
(a new person's data key, when it is committed on its own) then overlaps between callers instead of queueing behind
the batch's one committing thread. Where the recorder stores new keys with the events (keyed.py) it does nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.persistence import IntegrityError


class _Pending:
    __slots__ = ("aggregates", "done", "error", "events", "recordings", "wake")

    def __init__(self, aggregates: Sequence[Any]) -> None:
        self.aggregates = aggregates
        self.events = [event for aggregate in aggregates for event in aggregate.collect_events()]
        self.recordings: list[Any] = []
        self.error: BaseException | None = None
        self.done = False
        self.wake = threading.Lock()  # released once: this save is done, or its caller is to commit the next batch
        self.wake.acquire()


class GroupCommit:
    """Leader/follower batching: the first waiting thread commits everything queued, the others wait.

    Each waiting caller is woken once, by its own lock: when its save is done, or when it is the first of the queue
    and the commit before has finished (it then commits the next batch). A condition's `notify_all` woke every
    waiting caller after each batch, and the queued ones went back to sleep."""

    def __init__(
        self,
        save_events: Callable[..., list[Any]],
        saved: Callable[[Any], None],
        prepare: Callable[[list[Any]], None] | None = None,
    ) -> None:
        self._save_events, self._saved, self._prepare = save_events, saved, prepare
        self._queue: list[_Pending] = []
        self._busy = False
        self._lock = threading.Lock()

    def commit(self, *aggregates: Any) -> list[Any]:
        """Store the aggregates' pending events atomically; returns their recordings."""
        item = _Pending(aggregates)
        if self._prepare is not None:
            self._prepare(item.events)
        with self._lock:
            self._queue.append(item)
            lead, self._busy = not self._busy, True
        if not lead:
            item.wake.acquire()
        if not item.done:  # this caller commits what is queued, its own save first
            with self._lock:
                batch, self._queue = self._queue, []
            try:
                self._flush(batch)
            except BaseException as error:
                for other in batch:
                    if not other.done:
                        other.error, other.done = error, True
                raise
            finally:
                with self._lock:
                    successor = self._queue[0] if self._queue else None
                    self._busy = successor is not None
                for other in batch:
                    if other is not item:
                        other.wake.release()
                if successor is not None:
                    successor.wake.release()
        if item.error is not None:
            raise item.error
        return item.recordings

    def _flush(self, batch: list[_Pending]) -> None:
        if len(batch) == 1:
            self._save(batch[0])
            return
        try:
            recordings = self._save_events(*[event for item in batch for event in item.events])
        except IntegrityError:
            for item in batch:
                self._save(item)
            return
        except BaseException as error:
            for item in batch:
                item.error, item.done = error, True
            return
        by_event = {(r.domain_event.originator_id, r.domain_event.originator_version): r for r in recordings}
        for item in batch:
            item.recordings = [by_event[(e.originator_id, e.originator_version)] for e in item.events]
            self._finish(item)

    def _save(self, item: _Pending) -> None:
        try:
            item.recordings = self._save_events(*item.events)
        except BaseException as error:
            item.error, item.done = error, True
            return
        self._finish(item)

    def _finish(self, item: _Pending) -> None:
        for aggregate in item.aggregates:
            self._saved(aggregate)
        item.done = True
