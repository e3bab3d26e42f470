"""The PostgreSQL application recorder: one round trip per append, the table lock kept.

eventsourcing's recorder appends in a pipelined transaction (BEGIN, SET LOCAL lock_timeout, LOCK TABLE ... IN
EXCLUSIVE MODE, NOTIFY, INSERT, sync, COMMIT): two round trips and about 14 waits of psycopg's pipeline per
append, which was the largest share of a command's CPU. Its own database function (POSTGRES_ENABLE_DB_FUNCTIONS)
takes one round trip but no table lock, so log followers could pass over an id that commits later.

Here one function does all of it in the statement's own (autocommit) transaction: the lock is held until that
transaction commits, so notification ids still commit in the order they were issued, and NOTIFY is delivered at
the same commit. The rows go as four arrays in binary (no composite type to format per row).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresRecorder
from eventsourcing.utils import retry
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier


class LockingRecorder(PostgresApplicationRecorder):
    """eventsourcing's PostgreSQL application recorder whose appends are one call of `<table>_append`."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        function = f"{events_table_name}_append"
        self.check_identifier_length(function)
        schema, table = Identifier(datastore.schema), Identifier(events_table_name)
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION {schema}.{function}("
                "ids {id_type}[], versions bigint[], topics text[], states bytea[]) "
                "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ "
                "BEGIN "
                "SET LOCAL lock_timeout = '{lock_timeout}s'; "
                "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
                "NOTIFY {channel}; "
                "RETURN QUERY INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
                "SELECT * FROM unnest(ids, versions, topics, states) RETURNING notification_id; "
                "END; $BODY$"
            ).format(
                schema=schema,
                function=Identifier(function),
                id_type=Identifier(datastore.originator_id_type),
                lock_timeout=datastore.lock_timeout,
                table=table,
                channel=Identifier(self.channel_name),
            )
        )
        self.append_statement = SQL("SELECT * FROM {schema}.{function}(%b, %b::bigint[], %b, %b)").format(
            schema=schema, function=Identifier(function)
        )

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """Append the events atomically; their notification ids, in order."""
        if not stored_events:
            return []
        params = (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
        )
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self.append_statement, params, prepare=True)
            return [row[0] for row in curs.fetchall()]


def on_postgres(recorder: Any) -> bool:
    """Whether the recorder stores in PostgreSQL (eventsourcing's or this module's recorder)."""
    return isinstance(recorder, PostgresRecorder)
