"""A log reader's batch of events fetches its new people's data keys in one query, and an erasure known to the
reader still wins over a key it fetched beforehand."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import DomainEvent

from application.base import OneStop
from application.dossiers import Dossiers
from domain.procedures import ComponentForm
from domain.values import Actor, Applicant, Channel, Component, Role
from infrastructure.bootstrap import projector_over
from infrastructure.calendar import load_calendar
from infrastructure.clock import SystemClock
from infrastructure.eventstore.mapper import MsgspecMapper
from infrastructure.privacy import wiring
from infrastructure.privacy.keyring import KeyRing
from infrastructure.privacy.master import MasterKey
from infrastructure.privacy.store import KeyStore
from projections.models import read_models
from tests.conftest import read_store_for

MASTER = bytes(range(32))


@dataclass(frozen=True)
class Noted(DomainEvent):
    """An event carrying an applicant, as Dossier.Received does."""

    applicant: Applicant


def key_ring(store_env: dict[str, str]) -> KeyRing:
    return KeyRing(KeyStore.from_env(store_env), MasterKey(MASTER))


def noted(n: int) -> Noted:
    applicant = Applicant(id_number=f"0790000{n:05d}", name=f"Người Thử {n}")
    return Noted(
        originator_id=uuid.uuid4(), originator_version=1, timestamp=DomainEvent.create_timestamp(), applicant=applicant
    )


def counted_rows(ring: KeyRing) -> list[Any]:
    """The key-id lists of the ring's store reads from now on (None: every key)."""
    calls: list[Any] = []
    rows = ring.store.rows
    ring.store.rows = lambda key_ids=None: calls.append(key_ids) or rows(key_ids)  # type: ignore[method-assign]
    return calls


def test_a_batch_of_events_sealed_under_new_keys_is_opened_with_one_key_query(store_env) -> None:
    writer, reader = key_ring(store_env), key_ring(store_env)
    try:
        reader.preload([])  # a running reader has read every key known when it started
        events = [noted(n) for n in range(12)]
        stored = [MsgspecMapper(writer).to_stored_event(event) for event in events]
        mapper, calls = MsgspecMapper(reader), counted_rows(reader)

        mapper.preload_keys([s.state for s in stored])
        opened = [mapper.to_domain_event(s).applicant for s in stored]

        assert opened == [event.applicant for event in events]
        assert len(calls) == 1 and len(calls[0]) == 12
    finally:
        writer.close()
        reader.close()


def test_a_key_fetched_ahead_opens_nothing_once_its_erasure_is_known(store_env) -> None:
    writer, reader = key_ring(store_env), key_ring(store_env)
    try:
        reader.preload([])
        event = noted(1)
        stored = MsgspecMapper(writer).to_stored_event(event)
        mapper = MsgspecMapper(reader)
        mapper.preload_keys([stored.state])  # fetched, not yet opened
        subject = f"id:{event.applicant.id_number}"
        assert writer.destroy([subject]) == 1  # another process erases the person
        reader.refresh()  # what the reader's watch thread does every 2 s
        calls = counted_rows(reader)

        mapper.preload_keys([stored.state])
        assert mapper.to_domain_event(stored).applicant.name != event.applicant.name
        assert calls == []  # an erased key is not asked for again
    finally:
        writer.close()
        reader.close()


def test_the_read_models_open_a_batch_of_new_dossiers_with_one_key_query(store_env, catalogue, tmp_path) -> None:
    writer_keys, reader_keys = key_ring(store_env), key_ring(store_env)
    app = OneStop(store_env)
    wiring.seal(writer_keys, app)
    dossiers = Dossiers(app, catalogue=catalogue, calendar=load_calendar(), clock=SystemClock())
    runner = projector_over(store_env, read_store_for(store_env, tmp_path), read_models(catalogue))
    wiring.seal(reader_keys, runner.log_reader)
    try:
        reader_keys.preload([])  # a running reader has read every key known when it started
        for n in range(8):
            dossiers.receive(
                procedure_code=catalogue.procedures[0].code,
                channel=Channel.COUNTER,
                applicant=Applicant(id_number=f"0791960{n:05d}", name=f"Nguyễn Văn Thử {n}", phone=f"0902{n:06d}"),
                components=[Component(name="Tờ khai", form=ComponentForm.ORIGINAL)],
                actor=Actor(account_id="officer", role=Role.RECEPTION_OFFICER),
            )
        calls = counted_rows(reader_keys)

        assert runner.catch_up() > 0
        assert len(calls) == 1
        names = {row["applicant_masked"] for row in runner.store.query("SELECT applicant_masked FROM dossiers")}
        assert len(names) == 8 and None not in names
    finally:
        runner.store.close()
        runner.log_reader.close()
        app.close()
        writer_keys.close()
        reader_keys.close()
