"""New people's data keys are made in each writer's own thread, before the shared commit: creators racing for one
person agree on one key, and the committing thread then seals without writing a key."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from eventsourcing.domain import DomainEvent

from domain.values import Applicant
from infrastructure.eventstore.group_commit import GroupCommit
from infrastructure.eventstore.mapper import MsgspecMapper
from infrastructure.privacy.keyring import KeyRing
from infrastructure.privacy.master import MasterKey
from infrastructure.privacy.store import KeyStore

MASTER = bytes(range(32))
SUBJECT = "citizen:079000000001"


@dataclass(frozen=True)
class Noted(DomainEvent):
    """An event carrying an applicant, as Dossier.Received does."""

    applicant: Applicant


def key_ring(store_env: dict[str, str]) -> KeyRing:
    return KeyRing(KeyStore.from_env(store_env), MasterKey(MASTER))


def test_threads_of_two_processes_making_one_persons_key_at_once_all_seal_under_the_key_the_store_kept(store_env):
    rings = [key_ring(store_env), key_ring(store_env)]  # two processes' key rings over one store
    start = threading.Barrier(8)

    def seal(n: int) -> tuple[str, bytes]:
        ring = rings[n % 2]
        start.wait()
        ring.prepare(SUBJECT)
        return ring.seal(SUBJECT, f"value {n}".encode())

    try:
        with ThreadPoolExecutor(8) as pool:
            sealed = list(pool.map(seal, range(8)))
        assert {key_id for key_id, _ in sealed} == {rings[0].key_of(SUBJECT)}
        assert len(rings[0].store.rows()) == 1
        for n, (key_id, value) in enumerate(sealed):  # either process opens what the other sealed
            assert rings[(n + 1) % 2].open(key_id, value) == f"value {n}".encode()
    finally:
        for ring in rings:
            ring.close()


def test_events_prepared_by_the_mapper_are_sealed_without_writing_a_key(store_env):
    ring = key_ring(store_env)
    mapper = MsgspecMapper(ring)
    created: list[str] = []
    create = ring.store.create
    ring.store.create = lambda subject, *args: created.append(subject) or create(subject, *args)  # type: ignore[method-assign]
    event = Noted(
        originator_id=uuid.uuid4(),
        originator_version=1,
        timestamp=DomainEvent.create_timestamp(),
        applicant=Applicant(id_number="079000000002", name="Người Thử"),
    )
    try:
        mapper.prepare([event])
        assert len(created) == 1
        stored = mapper.to_stored_event(event)
        assert len(created) == 1  # sealing found the prepared key
        assert mapper.to_domain_event(stored).applicant == event.applicant
    finally:
        ring.close()


def test_the_group_commit_prepares_each_callers_events_in_the_callers_thread_before_committing():
    prepared: list[tuple[str, list]] = []
    saved: list[list] = []

    def save_events(*events):
        assert len(prepared) == len(saved) + 1  # this caller's events were prepared before the commit
        saved.append(list(events))
        return []

    commits = GroupCommit(
        save_events, lambda _: None, prepare=lambda events: prepared.append((threading.current_thread().name, events))
    )

    class Aggregate:
        def __init__(self, name: str) -> None:
            self.name = name

        def collect_events(self) -> list[str]:
            return [f"{self.name} event"]

    thread = threading.Thread(target=commits.commit, args=(Aggregate("other"),), name="other writer")
    thread.start()
    thread.join()
    commits.commit(Aggregate("mine"))
    assert prepared == [("other writer", ["other event"]), (threading.current_thread().name, ["mine event"])]
