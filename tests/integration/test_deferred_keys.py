"""New people's data keys are stored in the append's own transaction (infrastructure/eventstore/keyed.py): never an
event under a key that did not commit, and when another process stored the person's key first, the events are
resealed under the key the store kept. On SQLite and on the real PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from copy import deepcopy
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError

from application.base import OneStop
from domain.values import Applicant
from infrastructure.privacy.keyring import KeyRing
from infrastructure.privacy.master import MasterKey
from infrastructure.privacy.store import KeyStore
from infrastructure.privacy.wiring import seal
from tests.conftest import PG

MASTER = bytes(range(32))


class Person(Aggregate):
    @event("Noted")
    def __init__(self, applicant: Applicant) -> None:
        self.applicant = applicant

    @event("Renamed")
    def rename(self, applicant: Applicant) -> None:
        self.applicant = applicant


def applicant(n: int) -> Applicant:
    return Applicant(id_number=f"0790000{n:05d}", name=f"Người Thử {n}")


class Process:
    """One process's key ring and application over the shared store."""

    def __init__(self, store_env: dict[str, str]) -> None:
        self.ring = KeyRing(KeyStore.from_env(store_env), MasterKey(MASTER))
        self.app = OneStop(store_env)
        seal(self.ring, self.app)
        self.lost: list[str] = []
        lost = self.ring.lost
        self.ring.lost = lambda subjects: self.lost.extend(subjects) or lost(subjects)  # type: ignore[method-assign]

    def close(self) -> None:
        self.app.close()
        self.ring.close()


@pytest.fixture
def processes(store_env) -> Iterator[list[Process]]:
    made = [Process(store_env), Process(store_env)]
    yield made
    for process in made:
        process.close()


def rows(store_env: dict[str, str], sql: str) -> list[tuple[Any, ...]]:
    """Rows of a query over the shared store (tables named as on SQLite; the schema is set on PostgreSQL)."""
    if store_env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        with sqlite3.connect(store_env["SQLITE_DBNAME"]) as conn:
            return conn.execute(sql.replace("{events}", "stored_events")).fetchall()
    with psycopg.connect(autocommit=True, **PG) as conn:
        conn.execute(f'SET search_path TO "{store_env["POSTGRES_SCHEMA"]}"')
        return conn.execute(sql.replace("{events}", "onestop_events")).fetchall()


def kids(process: Process, aggregate_id: Any) -> list[str]:
    """The key id of each stored event of the aggregate."""
    return [kid for e in process.app.recorder.select_events(aggregate_id) for kid, _ in sealed(process, e.state)]


def sealed(process: Process, state: bytes) -> list[tuple[str, bytes]]:
    return list(process.app.mapper.sealed_values(state.split(b',"~mac"')[0] + b"}" if b"~mac" in state else state))


def unknown_kids(process: Process, store_env: dict[str, str]) -> set[str]:
    """Key ids named by stored events that the key store does not hold: must stay empty."""
    stored = {row[0] for row in rows(store_env, "SELECT key_id FROM onestop_person_keys")}
    named = {kid for (state,) in rows(store_env, "SELECT state FROM {events}") for kid, _ in sealed(process, state)}
    return named - stored


def test_a_new_persons_key_commits_with_its_events_and_no_key_is_written_on_its_own(processes, store_env) -> None:
    one, other = processes
    created: list[str] = []
    create = one.ring.store.create
    one.ring.store.create = lambda subject, *args: created.append(subject) or create(subject, *args)  # type: ignore[method-assign]
    person = Person(applicant(1))
    one.app.commit(person)
    assert one.app.mapper.deferred is one.ring and created == []
    [kid] = kids(one, person.id)
    assert one.ring.key_of(f"id:{applicant(1).id_number}") == kid
    assert one.ring._pending == {}  # stored: later events carry it no more
    person.rename(applicant(1))
    one.app.commit(person)
    assert kids(one, person.id) == [kid, kid] and created == []
    assert other.app.repository.get(person.id).applicant == applicant(1)  # another process opens it
    assert unknown_kids(one, store_env) == set()


def test_an_append_that_fails_stores_none_of_its_new_keys(processes, store_env) -> None:
    one, _ = processes
    person = Person(applicant(2))
    one.app.commit(person)
    first, stale = deepcopy(person), deepcopy(person)
    first.rename(applicant(3))
    one.app.commit(first)
    stale.rename(applicant(4))  # loses on the version: its new person's key must not be stored either
    with pytest.raises(IntegrityError):
        one.app.commit(stale)
    assert one.ring.key_of(f"id:{applicant(4).id_number}") is None
    assert unknown_kids(one, store_env) == set()
    later = Person(applicant(4))  # the key made for the failed append is stored by the next one that uses it
    one.app.commit(later)
    assert one.ring.key_of(f"id:{applicant(4).id_number}") == kids(one, later.id)[0]


def test_when_another_process_stored_the_persons_key_first_the_events_are_resealed_under_it(
    processes, store_env
) -> None:
    one, other = processes
    first = Person(applicant(5))
    one.app.commit(first)
    second = Person(applicant(5))  # `other` has never seen this person: it makes a key in memory, which loses
    other.app.commit(second)
    kept = one.ring.key_of(f"id:{applicant(5).id_number}")
    assert other.lost == [one.ring.subject_hash(f"id:{applicant(5).id_number}")]
    assert kids(one, first.id) == kids(other, second.id) == [kept]
    assert one.app.repository.get(second.id).applicant == other.app.repository.get(first.id).applicant == applicant(5)
    assert other.ring._pending == {} and unknown_kids(one, store_env) == set()


@pytest.mark.postgres
def test_writers_of_two_processes_racing_for_new_peoples_keys_all_seal_under_the_kept_ones(pg_schema) -> None:
    from tests.conftest import postgres_env

    store_env = postgres_env(pg_schema)
    processes = [Process(store_env), Process(store_env)]
    start = threading.Barrier(8)

    def write(n: int) -> Person:
        person = Person(applicant(100 + n % 2))  # two people, each written by four threads of both processes
        start.wait()
        processes[n % 4 // 2].app.commit(person)
        return person

    try:
        with ThreadPoolExecutor(8) as pool:
            people = list(pool.map(write, range(8)))
        for n, person in enumerate(people):
            kept = processes[0].ring.key_of(f"id:{applicant(100 + n % 2).id_number}")
            assert kids(processes[1], person.id) == [kept]
            for process in processes:
                process.app.evict(person.id)
                assert process.app.repository.get(person.id).applicant == applicant(100 + n % 2)
        assert len(rows(store_env, "SELECT 1 FROM onestop_person_keys")) == 2
        assert unknown_kids(processes[0], store_env) == set()
    finally:
        for process in processes:
            process.close()


def test_a_durable_seal_stores_a_key_made_for_events_not_yet_committed(processes) -> None:
    one, other = processes
    subject = "id:079000000777"
    key_id, _, new = one.ring.seal_deferred(subject, b"in an event")
    assert new is not None and one.ring.key_of(subject) is None
    sealed_id, value = one.ring.seal(subject, b"in a file")  # a blob is kept at once: its key must be stored
    assert sealed_id == key_id == one.ring.key_of(subject) and one.ring._pending == {}
    assert other.ring.open(sealed_id, value) == b"in a file"
    _, _, again = one.ring.seal_deferred(subject, b"next event")
    assert again is None  # stored: events carry it no more


def test_erasing_a_person_whose_key_is_not_stored_yet_gives_their_next_events_a_new_key(processes) -> None:
    one, _ = processes
    subject = "id:079000000888"
    key_id, _, _ = one.ring.seal_deferred(subject, b"value")
    one.ring.destroy([subject])
    new_id, _, new = one.ring.seal_deferred(subject, b"value")
    assert new is not None and new_id != key_id


def append_keys(conn: psycopg.Connection, schema: str, keys: list[tuple[str, str]]) -> None:
    """One call of the append function storing one event and the new keys (subject, key id)."""
    conn.execute(
        f'SELECT * FROM "{schema}".onestop_events_append('
        "%s::uuid[], %s::bigint[], %s::text[], %s::bytea[], %s::text[], %s::text[], %s::bytea[], %s)",
        ([uuid4()], [1], ["topic"], [b"state"], [s for s, _ in keys], [k for _, k in keys], [b"w"] * len(keys), "now"),
    )


@pytest.mark.postgres
def test_an_append_with_new_keys_does_not_scan_the_key_table(pg_schema) -> None:
    """Regression: the lost-key check ran on every append and, once its plan was the generic one, read the whole
    key table (1.6 ms an append at 14,000 people, growing with every person ever served)."""
    from tests.conftest import postgres_env

    process = Process(postgres_env(pg_schema))
    try:
        with psycopg.connect(autocommit=True, **PG) as conn:
            conn.execute(
                f'INSERT INTO "{pg_schema}".onestop_person_keys (key_id, subject, wrapped, created_at) '
                "SELECT 'k' || g, 's' || g, '\\x00', 'now' FROM generate_series(1, 1000) AS g"
            )
            with conn.transaction(force_rollback=True):
                for n in range(10):  # past the five calls after which PL/pgSQL may keep a generic plan
                    append_keys(conn, pg_schema, [(f"new-{n}", f"key-{n}"), (f"new-{n}b", f"key-{n}b")])
                (scans,) = conn.execute(
                    "SELECT seq_scan FROM pg_stat_xact_user_tables WHERE schemaname = %s AND relname = %s",
                    (pg_schema, "onestop_person_keys"),
                ).fetchone()
        assert scans == 0
    finally:
        process.close()


@pytest.mark.postgres
def test_the_append_tells_a_key_stored_before_from_a_key_lost_to_another_writer(pg_schema) -> None:
    from tests.conftest import postgres_env

    process = Process(postgres_env(pg_schema))
    try:
        with psycopg.connect(autocommit=True, **PG) as conn:
            append_keys(conn, pg_schema, [("person-a", "key-a")])
            append_keys(conn, pg_schema, [("person-a", "key-a"), ("person-b", "key-b")])  # key-a again: not lost
            with pytest.raises(psycopg.Error) as raised:
                append_keys(conn, pg_schema, [("person-c", "key-c"), ("person-b", "key-b2")])
            assert raised.value.sqlstate == "MK001" and raised.value.diag.message_detail == "person-b"
            stored = conn.execute(
                f'SELECT subject, key_id FROM "{pg_schema}".onestop_person_keys ORDER BY 1'
            ).fetchall()
        assert stored == [("person-a", "key-a"), ("person-b", "key-b")]  # the refused append stored nothing
    finally:
        process.close()
