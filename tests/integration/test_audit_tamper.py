"""A hostile database administrator (full SQL, no checkpoint key, no event MAC key) on the real PostgreSQL: rows
outside the chained range, rollbacks, wiped chain tables, a rewritten tail, forged appends and unlawful erasures
are all named, by `verify` or by the chainer refusing to go on."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from application.base import OneStop
from application.dossiers import Dossiers
from infrastructure.audit.anchors import FileAnchor, NatsAnchor
from infrastructure.audit.chain import Chainer, ChainRollbackError, UnaccountableEventError
from infrastructure.audit.keys import SigningKey
from infrastructure.audit.tables import AuditTables
from infrastructure.audit.verify import verify
from infrastructure.eventstore.event_mac import mac_key
from infrastructure.privacy.store import KeyStore
from tests.conftest import pg_connect, postgres_env
from tests.integration.test_audit_chain import receive, rewrite_chain_from

EVERY, SECRET = 5, "mac-secret-of-the-application"
pytestmark = pytest.mark.postgres


class Store:
    """Events written with MACs, their chain, the anchor file, and raw SQL for tampering."""

    def __init__(self, schema: str, dossiers: Dossiers, key: SigningKey, anchor: FileAnchor) -> None:
        self.schema, self.env, self.dossiers, self.key, self.anchor = schema, dossiers.app.env, dossiers, key, anchor
        self.tables = AuditTables.from_env(self.env)

    def chainer(self) -> Chainer:
        """A chainer as a (re)started process builds it: it learns its last checkpoint from the anchor file."""
        return Chainer(
            self.tables, lambda: self.key, every=EVERY, batch=7, mac_key=mac_key(SECRET), anchors=[self.anchor]
        )

    def verify(self, anchored: bool = True, tables: AuditTables | None = None, mac: bool = True):
        """As an auditor with the pinned public key, the anchors, and (with `mac`) the event MAC key."""
        return verify(
            tables or self.tables,
            self.key,
            EVERY,
            batch=4,
            mac_key=mac_key(SECRET) if mac else None,
            anchors=self.anchor.read() if anchored else (),
        )

    def sql(self, *statements: str) -> None:
        with pg_connect() as conn, conn.transaction():
            for statement in statements:
                conn.execute(statement.replace("{s}", self.schema))


@pytest.fixture
def store(pg_schema, catalogue, calendar, clock, tmp_path):
    env = postgres_env(pg_schema) | {"MOTCUA_EVENT_MAC_KEY": SECRET}
    dossiers = Dossiers(OneStop(env), catalogue=catalogue, calendar=calendar, clock=clock)
    receive(dossiers, 24)
    audit = Store(
        pg_schema, dossiers, SigningKey.generate(tmp_path / "key.pem"), FileAnchor(tmp_path / "anchors.jsonl")
    )
    assert audit.chainer().catch_up() == 24 and audit.verify().ok
    yield audit
    audit.tables.close()
    dossiers.app.close()


def kind(report) -> tuple[int, str]:
    return report.problem.position, report.problem.kind


def test_a_row_with_id_zero_or_below_is_reported_though_the_chain_starts_at_one(store: Store) -> None:
    # The application would load it by its originator id: a payment appearing on a dossier the chain never saw.
    store.sql(
        "INSERT INTO {s}.onestop_events (originator_id, originator_version, topic, state, notification_id) "
        "SELECT originator_id, 2, topic, state, 0 FROM {s}.onestop_events WHERE notification_id = 3"
    )
    assert kind(store.verify()) == (0, "event_out_of_range")
    store.sql("UPDATE {s}.onestop_events SET notification_id = -7 WHERE notification_id = 0")
    assert kind(store.verify()) == (-7, "event_out_of_range")


def test_a_rollback_of_the_newest_checkpoint_stops_the_chainer_and_fails_against_the_anchor(store: Store) -> None:
    store.sql(
        "DELETE FROM {s}.onestop_checkpoints WHERE position = 24",
        "DELETE FROM {s}.onestop_chain WHERE position > 21",
        "UPDATE {s}.onestop_events "
        "SET state = convert_to(replace(convert_from(state, 'UTF8'), 'Nhung', 'Nhàn'), 'UTF8') "
        "WHERE notification_id = 23",
    )
    with pytest.raises(ChainRollbackError, match="position 24"):
        store.chainer().catch_up()
    with store.tables.reading() as tx:
        assert store.tables.chain_head(tx)[0] == 21  # nothing re-sealed
    assert kind(store.verify(mac=False)) == (24, "anchor_beyond_head")  # an auditor without the MAC key
    assert kind(store.verify()) == (23, "event_unaccountable")


@pytest.mark.parametrize(
    "wipe",
    ["TRUNCATE {s}.onestop_chain, {s}.onestop_checkpoints", "DROP TABLE {s}.onestop_chain, {s}.onestop_checkpoints"],
)
def test_a_wiped_chain_is_a_failure_not_an_intact_chain_up_to_zero(store: Store, wipe: str) -> None:
    store.sql(wipe)
    tables = AuditTables.from_env(store.env)  # a later run recreates the tables empty
    try:
        assert kind(store.verify(anchored=False, tables=tables)) == (1, "chain_missing")
        assert kind(store.verify(tables=tables))[0] == 1
        with pytest.raises(ChainRollbackError):
            Chainer(tables, lambda: store.key, every=EVERY, mac_key=mac_key(SECRET), anchors=[store.anchor]).catch_up()
    finally:
        tables.close()


def test_the_tail_rewritten_with_recomputed_links_fails_its_signature(store: Store) -> None:
    store.sql(
        "UPDATE {s}.onestop_events "
        "SET state = convert_to(replace(convert_from(state, 'UTF8'), 'Nhung', 'Nhàn'), 'UTF8') "
        "WHERE notification_id = 23"
    )

    class Raw:
        schema = store.schema

    rewrite_chain_from(Raw, 23)
    assert kind(store.verify(anchored=False, mac=False)) == (24, "checkpoint_mismatch")
    assert kind(store.verify(anchored=False)) == (23, "event_unaccountable")


def test_links_after_the_last_checkpoint_are_an_unsigned_tail_since_the_chainer_signs_every_write(store: Store) -> None:
    store.sql("DELETE FROM {s}.onestop_checkpoints WHERE position = 24")
    assert kind(store.verify(anchored=False)) == (22, "unsigned_tail")


def test_a_forged_append_above_the_head_is_refused_by_the_chainer_and_named_by_verify(store: Store) -> None:
    store.sql(
        "INSERT INTO {s}.onestop_events (originator_id, originator_version, topic, state) "
        "SELECT gen_random_uuid(), 1, topic, state FROM {s}.onestop_events WHERE notification_id = 2"
    )
    assert kind(store.verify()) == (25, "event_unaccountable")
    with pytest.raises(UnaccountableEventError, match="event 25"):
        store.chainer().catch_up()
    receive(store.dossiers, 1)  # the application's own next event is not linked past the forged one either
    with pytest.raises(UnaccountableEventError):
        store.chainer().catch_up()
    with store.tables.reading() as tx:
        assert store.tables.chain_head(tx)[0] == 24


def test_a_key_row_nulled_without_an_erasure_event_is_reported(store: Store) -> None:
    keys = KeyStore.from_env(store.env)
    keys.create("subject-hash", "k-1", b"wrapped")
    keys.close()
    assert store.verify().ok
    store.sql("UPDATE {s}.onestop_person_keys SET wrapped = NULL, subject = NULL")
    report = store.verify()
    assert kind(report) == (0, "erasure_unrecorded") and "1 khóa" in report.problem.message


def test_checkpoints_anchored_on_a_deny_delete_nats_stream_prove_the_database_extends_them(store: Store) -> None:
    anchor = NatsAnchor(f"nats://127.0.0.1:4222/AUDIT_{uuid.uuid4().hex[:10]}")
    chainer = Chainer(store.tables, lambda: store.key, every=EVERY, batch=7, mac_key=mac_key(SECRET), anchors=[anchor])
    receive(store.dossiers, 3)
    try:
        assert chainer.catch_up() == 3
        anchored = anchor.read()
        assert [c.position for c in anchored] == [27]
        assert verify(store.tables, store.key, EVERY, anchors=anchored).ok
        assert asyncio.run(_delete_first(anchor)) is False  # the stream refuses to forget an anchor
        store.sql(
            "DELETE FROM {s}.onestop_checkpoints WHERE position > 24",
            "DELETE FROM {s}.onestop_chain WHERE position > 24",
        )
        assert kind(verify(store.tables, store.key, EVERY, anchors=anchor.read())) == (27, "anchor_beyond_head")
    finally:
        asyncio.run(_drop(anchor))


async def _delete_first(anchor: NatsAnchor) -> bool:
    client = await anchor._connect()
    try:
        return await client.jetstream().delete_msg(anchor.stream, 1)
    except Exception:  # JetStream answers an error: deletes are denied
        return False
    finally:
        await client.close()


async def _drop(anchor: NatsAnchor) -> None:
    client = await anchor._connect()
    try:
        await client.jetstream().delete_stream(anchor.stream)
    finally:
        await client.close()
