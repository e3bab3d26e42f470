"""The PostgreSQL application recorder: one round trip per append, the table lock kept.

eventsourcing's recorder appends in a pipelined transaction (BEGIN, SET LOCAL lock_timeout, LOCK TABLE ... IN
EXCLUSIVE MODE, NOTIFY, INSERT, sync, COMMIT): two round trips and about 14 waits of psycopg's pipeline per
append, which was the largest share of a command's CPU. Its own database function (its "db functions" option)
takes one round trip but no table lock, so log followers could pass over an id that commits later.

Here one function does all of it in the statement's own (autocommit) transaction: the lock is held until that
transaction commits, so notification ids still commit in the order they were issued. It sends no NOTIFY of its own:
nothing listens on eventsourcing's channel (the project's runner follows the log through the statement trigger of
infrastructure/readstore/wake.py), and each NOTIFY costs the commit a turn on PostgreSQL's global notify queue.
The rows go as four arrays that this module encodes in PostgreSQL's binary array format itself: psycopg's list
dumpers inspect every list to choose an element type, which cost more than the encoding. Three more arrays carry
the new data keys the events are sealed under: the function stores them first, in the same transaction, and raises
KEY_CONFLICT (nothing stored) when another writer's key for one of their subjects is there (keyed.py).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    ApplicationRecorder,
    InterfaceError,
    OperationalError,
    ProgrammingError,
    StoredEvent,
    Subscription,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresRecorder
from eventsourcing.utils import retry
from psycopg.adapt import Dumper
from psycopg.postgres import types
from psycopg.pq import Format
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from infrastructure.eventstore.keyed import KeyConflict, made_at, new_keys_of
from infrastructure.privacy.store import KEYS

_HEADER = struct.Struct("!iiIii")  # dimensions (1), has nulls (0), element type, length, lower bound (1)
_EMPTY = struct.Struct("!iiI")  # dimensions (0), has nulls (0), element type
KEY_CONFLICT = "MK001"  # raised by the append function when a new data key lost to another writer's (keyed.py)


class _Array:
    """A one-dimensional array already in PostgreSQL's binary format; the subclass names the element type."""

    __slots__ = ("data",)
    element = ""
    oid = 0

    def __init__(self, items: list[bytes]) -> None:
        if not items:  # PostgreSQL's empty array has no dimensions
            self.data = _EMPTY.pack(0, 0, self.oid)
            return
        parts = [_HEADER.pack(1, 0, self.oid, len(items), 1)]
        for item in items:
            parts.append(len(item).to_bytes(4, "big"))
            parts.append(item)
        self.data = b"".join(parts)


class _Uuids(_Array):
    element = "uuid"


class _Texts(_Array):
    element = "text"


class _Int8s(_Array):
    element = "int8"


class _Byteas(_Array):
    element = "bytea"


def _uuid_bytes(value: UUID | str) -> bytes:
    return value.bytes if type(value) is UUID else UUID(str(value)).bytes


def _register(array: type[_Array]) -> None:
    array.oid = types[array.element].oid

    class ArrayDumper(Dumper):
        format = Format.BINARY
        oid = types[array.element].array_oid

        def dump(self, obj: Any) -> bytes:
            return obj.data

    psycopg.adapters.register_dumper(array, ArrayDumper)  # before any connection: they copy these adapters


for _array in (_Uuids, _Texts, _Int8s, _Byteas):
    _register(_array)
_NO_KEYS = (_Texts([]), _Texts([]), _Byteas([]), "")  # most appends store no new data key


class LockingRecorder(PostgresApplicationRecorder):
    """eventsourcing's PostgreSQL application recorder whose appends are one call of `<table>_append`, which stores
    the events' new data keys first (keyed.py)."""

    stores_keys = True

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        if datastore.originator_id_type != "uuid":  # every aggregate of the project has a UUID
            raise ProgrammingError(f"the originator id type must be uuid, not {datastore.originator_id_type}")
        function = f"{events_table_name}_append"
        self.check_identifier_length(function)
        schema, table = Identifier(datastore.schema), Identifier(events_table_name)
        keys = Identifier(KEYS)
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION {schema}.{function}("
                "ids uuid[], versions bigint[], topics text[], states bytea[], "
                "subjects text[], key_ids text[], wrapped bytea[], made text) "
                "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ "
                "DECLARE lost text[]; stored bigint; "
                "BEGIN "
                "SET LOCAL lock_timeout = '{lock_timeout}s'; "
                "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
                "IF cardinality(key_ids) > 0 THEN "
                "INSERT INTO {schema}.{keys} (key_id, subject, wrapped, created_at) "
                "SELECT k, s, w, made FROM unnest(key_ids, subjects, wrapped) AS n(k, s, w) ON CONFLICT DO NOTHING; "
                # Only when a key was not inserted (stored before, or another writer's key for the person won) are
                # the keys looked up, by their index: a lookup on every append cost a scan of the whole table.
                "GET DIAGNOSTICS stored = ROW_COUNT; "
                "IF stored < cardinality(key_ids) THEN "
                "SELECT array_agg(n.s) INTO lost FROM unnest(key_ids, subjects) AS n(k, s) "
                "WHERE n.k <> ALL (ARRAY(SELECT p.key_id FROM {schema}.{keys} AS p WHERE p.key_id = ANY(key_ids))); "
                "END IF; "
                "IF lost IS NOT NULL THEN "
                "RAISE EXCEPTION USING ERRCODE = '{conflict}', MESSAGE = 'data keys lost to another writer', "
                "DETAIL = array_to_string(lost, ' '); "
                "END IF; "
                "END IF; "
                "RETURN QUERY INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
                "SELECT * FROM unnest(ids, versions, topics, states) RETURNING notification_id; "
                "END; $BODY$"
            ).format(
                schema=schema,
                function=Identifier(function),
                lock_timeout=datastore.lock_timeout,
                table=table,
                keys=keys,
                conflict=SQL(KEY_CONFLICT),
            )
        )
        self.append_statement = (  # bytes: psycopg would convert a Composed query on every call
            SQL("SELECT * FROM {schema}.{function}(%b, %b, %b, %b, %b, %b, %b, %s)")
            .format(schema=schema, function=Identifier(function))
            .as_bytes(None)
        )

    def subscribe(self, gt: int | None = None, topics: Sequence[str] = ()) -> Subscription[ApplicationRecorder]:
        """Not offered: the appends notify no channel of eventsourcing's, so its subscription would wait forever."""
        raise NotImplementedError("follow the log with infrastructure/readstore (woken by wake.py's trigger)")

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """Append the events atomically; their notification ids, in order."""
        if not stored_events:
            return []
        keys = new_keys_of(stored_events)
        params = (
            _Uuids([_uuid_bytes(e.originator_id) for e in stored_events]),
            _Int8s([e.originator_version.to_bytes(8, "big", signed=True) for e in stored_events]),
            _Texts([e.topic.encode() for e in stored_events]),
            _Byteas([bytes(e.state) for e in stored_events]),
            *(
                (
                    _Texts([key.subject.encode() for key in keys]),
                    _Texts([key.key_id.encode() for key in keys]),
                    _Byteas([key.wrapped for key in keys]),
                    made_at(),
                )
                if keys
                else _NO_KEYS
            ),
        )
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            try:
                curs.execute(self.append_statement, params, prepare=True)
            except psycopg.Error as error:
                if error.sqlstate == KEY_CONFLICT:  # nothing was stored: reseal under the kept keys and retry
                    raise KeyConflict((error.diag.message_detail or "").split()) from None
                raise
            return [row[0] for row in curs.fetchall()]


def on_postgres(recorder: Any) -> bool:
    """Whether the recorder stores in PostgreSQL (eventsourcing's or this module's recorder)."""
    return isinstance(recorder, PostgresRecorder)
