"""Tamper evidence on the real PostgreSQL (and once on SQLite): rows changed, deleted, inserted or reordered
directly in the database are reported at the first broken position, and rewritten links by the signed checkpoints."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from application.base import OneStop
from application.dossiers import Dossiers
from domain.values import Actor, Applicant, Channel, Role
from infrastructure.audit.chain import Chainer
from infrastructure.audit.keys import SigningKey
from infrastructure.audit.links import next_link, row_digest
from infrastructure.audit.tables import AuditTables
from infrastructure.audit.verify import verify
from tests.conftest import pg_connect, postgres_env

OFFICER = Actor(account_id="officer-1", role=Role.RECEPTION_OFFICER)
EVERY = 5
SIGNED = [5, 7, 12, 14, 19, 21, 24]  # every 5 links, and at the end of each transaction of 7 events
pytestmark = pytest.mark.postgres


def receive(dossiers: Dossiers, count: int) -> None:
    for n in range(count):
        dossiers.receive(
            procedure_code="1.001193.000.00.00.H29",
            channel=Channel.COUNTER,
            actor=OFFICER,
            components=[],
            applicant=Applicant(id_number=f"07919500{n:04d}", name="Nguyễn Thị Hồng Nhung", phone="0901000101"),
        )


class Audited:
    """A store with events, its chain, and a raw connection for tampering."""

    def __init__(self, env: dict[str, str], dossiers: Dossiers, key: SigningKey) -> None:
        self.dossiers, self.key, self.tables = dossiers, key, AuditTables.from_env(env)
        self.chainer = Chainer(self.tables, lambda: key, every=EVERY, batch=7)

    def verify(self):
        return verify(self.tables, self.key, EVERY, batch=4)


@pytest.fixture
def audited(pg_schema, catalogue, calendar, clock, tmp_path):
    dossiers = Dossiers(OneStop(postgres_env(pg_schema)), catalogue=catalogue, calendar=calendar, clock=clock)
    receive(dossiers, 24)  # one event each
    audit = Audited(postgres_env(pg_schema), dossiers, SigningKey.generate(tmp_path / "key.pem"))
    audit.chainer.catch_up()
    audit.schema = pg_schema
    yield audit
    audit.tables.close()
    dossiers.app.close()


def tamper(audit: Audited, *statements: str) -> None:
    with pg_connect() as conn, conn.transaction():
        for statement in statements:
            conn.execute(
                statement.replace("{events}", f"{audit.schema}.onestop_events")
                .replace("{chain}", f"{audit.schema}.onestop_chain")
                .replace("{checkpoints}", f"{audit.schema}.onestop_checkpoints")
            )


def test_an_untouched_log_verifies_and_newer_events_are_only_not_yet_chained(audited: Audited) -> None:
    receive(audited.dossiers, 2)
    report = audited.verify()
    assert report.ok and report.head == 24 and report.checked == 24 and report.unchained == 2
    assert report.checkpoints == len(SIGNED) and report.last_signed_at is not None
    assert audited.chainer.catch_up() == 2 and audited.verify().unchained == 0


def test_a_changed_payload_is_reported_at_its_position(audited: Audited) -> None:
    tamper(
        audited,
        "UPDATE {events} SET state = convert_to(replace(convert_from(state, 'UTF8'), 'Nhung', 'Nhàn'), 'UTF8') "
        "WHERE notification_id = 9",
    )
    report = audited.verify()
    assert not report.ok and (report.problem.position, report.problem.kind) == (9, "payload_changed")
    assert "bị sửa" in report.problem.message and report.checked == 8


def test_a_deleted_event_is_reported_as_missing(audited: Audited) -> None:
    tamper(audited, "DELETE FROM {events} WHERE notification_id = 13")
    assert (audited.verify().problem.position, audited.verify().problem.kind) == (13, "event_missing")


def test_an_event_inserted_into_a_gap_of_the_log_is_reported(audited: Audited) -> None:
    # A failed append leaves a gap in the notification ids: the chain skips it, and a row slipped into it later is
    # caught.
    tamper(audited, "SELECT nextval(pg_get_serial_sequence('{events}', 'notification_id'))")
    receive(audited.dossiers, 2)
    assert audited.chainer.catch_up() == 2 and audited.verify().ok
    tamper(
        audited,
        "INSERT INTO {events} (originator_id, originator_version, topic, state, notification_id) "
        "SELECT gen_random_uuid(), 1, topic, state, 25 FROM {events} WHERE notification_id = 1",
    )
    report = audited.verify()
    assert (report.problem.position, report.problem.kind) == (25, "event_inserted")


def test_reordered_events_are_reported(audited: Audited) -> None:
    tamper(
        audited,
        "UPDATE {events} SET notification_id = -1 WHERE notification_id = 6",
        "UPDATE {events} SET notification_id = 6 WHERE notification_id = 17",
        "UPDATE {events} SET notification_id = 17 WHERE notification_id = -1",
    )
    problem = audited.verify().problem
    assert (problem.position, problem.kind) == (6, "order_changed") and "vị trí 17" in problem.message


def rewrite_chain_from(audit: Audited, position: int) -> None:
    """What an attacker who knows the algorithm does after changing an event: recompute every later digest and link."""
    with pg_connect() as conn, conn.transaction():
        link = bytes(
            conn.execute(
                f"SELECT link FROM {audit.schema}.onestop_chain WHERE position = %s", (position - 1,)
            ).fetchone()[0]
        )
        rows = conn.execute(
            f"SELECT notification_id, uuid_send(originator_id), originator_version, topic, state "
            f"FROM {audit.schema}.onestop_events WHERE notification_id >= %s ORDER BY 1",
            (position,),
        ).fetchall()
        for notification_id, originator, version, topic, state in rows:
            digest = row_digest(originator, version, topic, state)
            link = next_link(link, notification_id, digest)
            conn.execute(
                f"UPDATE {audit.schema}.onestop_chain SET digest = %s, link = %s WHERE position = %s",
                (digest, link, notification_id),
            )


def test_rewriting_an_event_and_every_later_link_is_caught_by_the_next_signed_checkpoint(audited: Audited) -> None:
    tamper(
        audited,
        "UPDATE {events} SET state = convert_to(replace(convert_from(state, 'UTF8'), 'Nhung', 'Nhàn'), 'UTF8') "
        "WHERE notification_id = 12",
    )
    rewrite_chain_from(audited, 12)
    problem = audited.verify().problem
    assert (problem.position, problem.kind) == (12, "checkpoint_mismatch") and "sau vị trí 7" in problem.message


def test_a_checkpoint_moved_to_match_rewritten_links_fails_its_signature(audited: Audited) -> None:
    tamper(
        audited,
        "UPDATE {events} SET state = convert_to(replace(convert_from(state, 'UTF8'), 'Nhung', 'Nhàn'), 'UTF8') "
        "WHERE notification_id = 12",
    )
    rewrite_chain_from(audited, 12)
    tamper(audited, "UPDATE {checkpoints} c SET link = l.link FROM {chain} l WHERE l.position = c.position")
    problem = audited.verify().problem
    assert (problem.position, problem.kind) == (12, "checkpoint_signature_invalid")


def test_removing_the_newest_events_with_their_links_is_caught_by_a_checkpoint_beyond_the_head(
    audited: Audited,
) -> None:
    tamper(audited, "DELETE FROM {events} WHERE notification_id > 18", "DELETE FROM {chain} WHERE position > 18")
    problem = audited.verify().problem
    assert (problem.position, problem.kind) == (19, "chain_truncated")


def test_dropping_a_checkpoint_is_reported_as_missing(audited: Audited) -> None:
    tamper(audited, "DELETE FROM {checkpoints} WHERE position = 12")
    problem = audited.verify().problem
    assert (problem.position, problem.kind) == (12, "checkpoint_missing")


def test_concurrent_chainers_build_one_chain(audited: Audited) -> None:
    receive(audited.dossiers, 20)
    others = [Audited(postgres_env(audited.schema), audited.dossiers, audited.key) for _ in range(2)]
    threads = [threading.Thread(target=other.chainer.catch_up) for other in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = audited.verify()
    assert report.ok and report.head == 44 and report.unchained == 0 and report.checkpoints >= 44 // EVERY
    for other in others:
        other.tables.close()


@pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)
def test_a_changed_payload_is_reported_on_sqlite_too(store_env, dossiers: Dossiers, tmp_path) -> None:
    receive(dossiers, 6)
    audit = Audited(store_env, dossiers, SigningKey.generate(tmp_path / "key.pem"))
    assert audit.chainer.catch_up() == 6 and audit.verify().ok
    with sqlite3.connect(store_env["SQLITE_DBNAME"]) as conn:
        conn.execute("UPDATE stored_events SET state = replace(state, 'Nhung', 'Nhàn') WHERE rowid = 3")
    problem = audit.verify().problem
    assert (problem.position, problem.kind) == (3, "payload_changed")
    audit.tables.close()
