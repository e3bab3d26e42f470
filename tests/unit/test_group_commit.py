"""The group commit (infrastructure/eventstore/group_commit.py): concurrent saves share one batch, each caller gets its
own recordings or its own error, and every waiting caller is woken (nobody is left waiting after a failed batch)."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

from eventsourcing.persistence import IntegrityError

from infrastructure.eventstore.group_commit import GroupCommit

WRITERS = 12


class Aggregate:
    def __init__(self, events: int = 1) -> None:
        self.id = uuid.uuid4()
        self.events = [SimpleNamespace(originator_id=self.id, originator_version=n + 1) for n in range(events)]

    def collect_events(self) -> list[Any]:
        return self.events


class Store:
    """save_events that holds the first batch until every other writer is queued behind it."""

    def __init__(self, commits: list[GroupCommit], fail: Any = None) -> None:
        self.batches: list[int] = []
        self.commits, self.fail = commits, fail
        self.first = threading.Event()

    def save_events(self, *events: Any) -> list[Any]:
        if not self.batches:
            self.first.set()
            deadline = time.monotonic() + 30
            while len(self.commits[0]._queue) < WRITERS - 1 and time.monotonic() < deadline:
                time.sleep(0.001)
        self.batches.append(len(events))
        if self.fail is not None:
            self.fail(events)
        return [SimpleNamespace(domain_event=event) for event in events]


def run_writers(fail: Any = None, saved: Any = None) -> tuple[GroupCommit, Store, list[Any], list[Aggregate]]:
    commits: list[GroupCommit] = []
    store = Store(commits, fail)
    commits.append(GroupCommit(store.save_events, saved or (lambda aggregate: None)))
    aggregates = [Aggregate(events=1 + n % 3) for n in range(WRITERS)]

    def write(aggregate: Aggregate) -> Any:
        if aggregate is not aggregates[0]:
            store.first.wait()
        try:
            return commits[0].commit(aggregate)
        except Exception as error:
            return error

    with ThreadPoolExecutor(WRITERS) as pool:
        results = list(pool.map(write, aggregates))
    return commits[0], store, results, aggregates


def test_concurrent_saves_share_a_batch_and_each_caller_gets_its_own_recordings() -> None:
    commits, store, results, aggregates = run_writers()
    assert store.batches == [1, sum(len(a.events) for a in aggregates[1:])]  # the first alone, then all the others
    for aggregate, recordings in zip(aggregates, results, strict=True):
        assert [r.domain_event for r in recordings] == aggregate.events
    assert commits._busy is False and commits._queue == []


def test_a_batch_that_conflicts_is_retried_item_by_item_and_only_the_loser_fails() -> None:
    loser: list[Any] = []

    def fail(events: tuple[Any, ...]) -> None:
        if loser and loser[0] in events:
            raise IntegrityError("version conflict")

    def pick(events: tuple[Any, ...]) -> None:
        if not loser:
            loser.append(None)
        elif loser[0] is None:
            loser[0] = events[-1]  # the last writer of the shared batch loses
        fail(events)

    commits, store, results, aggregates = run_writers(pick)
    failed = [result for result in results if isinstance(result, IntegrityError)]
    assert len(failed) == 1
    assert len(store.batches) == 2 + (WRITERS - 1)  # the shared batch failed, then each of its saves alone
    assert sum(isinstance(result, list) for result in results) == WRITERS - 1


def test_an_error_fails_every_caller_of_its_batch_and_the_next_commit_still_goes_through() -> None:
    def fail(events: tuple[Any, ...]) -> None:
        if len(events) > 3:
            raise RuntimeError("database gone")

    commits, _, results, _ = run_writers(fail)
    assert isinstance(results[0], list)
    assert all(isinstance(result, RuntimeError) for result in results[1:])
    aggregate = Aggregate()
    assert [r.domain_event for r in commits.commit(aggregate)] == aggregate.events


def test_an_exception_escaping_the_batch_reaches_the_callers_left_unanswered_and_frees_the_queue() -> None:
    broken: list[Any] = []

    def saved(aggregate: Any) -> None:
        if aggregate.id in broken:
            raise KeyError("cache broken")  # escapes the batch's flush

    def fail(events: tuple[Any, ...]) -> None:
        if len(events) > 3 and not broken:  # the shared batch: break the cache of a save in its middle
            broken.append(events[len(events) // 2].originator_id)

    commits, _, results, aggregates = run_writers(fail, saved)
    assert all(isinstance(result, list | KeyError) for result in results), results  # every caller answered
    assert isinstance(results[[a.id for a in aggregates].index(broken[0])], KeyError)
    assert commits._busy is False and commits._queue == []
    aggregate = Aggregate()
    assert [r.domain_event for r in commits.commit(aggregate)] == aggregate.events
