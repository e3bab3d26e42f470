"""Reading the event log in order: batches of (notification id, stored event)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eventsourcing.persistence import StoredEvent
from psycopg import sql
from psycopg.rows import tuple_row

from infrastructure.eventstore.recorder import on_postgres

Row = tuple[int, Any, int, str, bytes]
"""(notification id, originator id, originator version, topic, state)."""


def read_log(recorder: Any, start: int, stop: int, batch: int) -> Iterator[list[Row]]:
    """Notifications start..stop in id order. On PostgreSQL one server-side cursor streams them (a rebuild
    reads the whole log); elsewhere the recorder's own paged select is used."""
    if on_postgres(recorder):
        yield from _stream_postgres(recorder, start, stop, batch)
        return
    while start <= stop:
        notifications = recorder.select_notifications(start, batch, stop=stop)
        if not notifications:
            return
        yield [(n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in notifications]
        start = notifications[-1].id + 1


def decoder_of(mapper: Any) -> Any:
    """A function (row) -> domain event: the mapper's fast path when it has one."""
    fast = getattr(mapper, "event_from", None)
    if fast is not None:
        return lambda row: fast(row[3], row[4], row[1], row[2])
    return lambda row: mapper.to_domain_event(
        StoredEvent(originator_id=row[1], originator_version=row[2], topic=row[3], state=row[4])
    )


def _stream_postgres(recorder: Any, start: int, stop: int, batch: int) -> Iterator[list[Row]]:
    query = sql.SQL(
        "SELECT notification_id, originator_id, originator_version, topic, state FROM {}.{} "
        "WHERE notification_id BETWEEN %s AND %s ORDER BY notification_id"
    ).format(sql.Identifier(recorder.datastore.schema or "public"), sql.Identifier(recorder.events_table_name))
    with (
        recorder.datastore.get_connection() as conn,
        conn.transaction(),
        conn.cursor(name="motcua_log", row_factory=tuple_row) as cursor,
    ):
        cursor.itersize = batch
        cursor.execute(query, (start, stop))
        while rows := cursor.fetchmany(batch):
            yield rows
