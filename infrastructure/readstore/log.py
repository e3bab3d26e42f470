"""Reading the event log in order: batches of (notification id, stored event)."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from typing import Any

from eventsourcing.persistence import StoredEvent
from psycopg import sql
from psycopg.rows import tuple_row

from infrastructure.eventstore.recorder import on_postgres

Row = tuple[int, Any, int, str, bytes]
"""(notification id, originator id, originator version, topic, state)."""


def read_log(
    recorder: Any, start: int, stop: int, batch: int, topics: frozenset[str] | None = None
) -> Iterator[list[Row]]:
    """Notifications start..stop in id order. On PostgreSQL one server-side cursor streams them (a rebuild
    reads the whole log), only those of `topics` if given (the others never leave the server); elsewhere the
    recorder's own paged select is used and the caller filters."""
    if on_postgres(recorder):
        yield from _stream_postgres(recorder, start, stop, batch, topics)
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


def _stream_postgres(
    recorder: Any, start: int, stop: int, batch: int, topics: frozenset[str] | None
) -> Iterator[list[Row]]:
    only = sql.SQL(" AND topic = ANY(%s)" if topics is not None else "")
    query = sql.SQL(
        "SELECT notification_id, originator_id, originator_version, topic, state FROM {}.{} "
        "WHERE notification_id BETWEEN %s AND %s{} ORDER BY notification_id"
    ).format(sql.Identifier(recorder.datastore.schema or "public"), sql.Identifier(recorder.events_table_name), only)
    params: tuple[Any, ...] = (start, stop) if topics is None else (start, stop, sorted(topics))
    if stop - start < batch:  # a live round's few events: one plain query, no transaction and cursor to open
        with (
            recorder.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row, binary=True) as plain,
        ):
            rows = plain.execute(query, params).fetchall()
        if rows:
            yield rows
        return
    with (
        recorder.datastore.get_connection() as conn,
        conn.transaction(),
        # Binary results: the states come as raw bytes instead of hex text to encode and decode, the ids as 16 bytes.
        conn.cursor(name="motcua_log", row_factory=tuple_row, binary=True) as cursor,
    ):
        cursor.itersize = batch
        cursor.execute(query, params)
        while rows := cursor.fetchmany(batch):
            yield rows


def prefetched(batches: Iterator[Any], depth: int = 2) -> Iterator[Any]:
    """The batches, read ahead by a thread: the database sends the next batch while this one is applied.
    If the consumer stops early, the reader stops too (and closes the log cursor)."""
    ahead: queue.Queue[Any] = queue.Queue(maxsize=depth)
    done, failed, stop = object(), [], threading.Event()

    def read() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        ahead.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
        except BaseException as error:  # handed to the consumer below
            failed.append(error)
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()
            ahead.put(done)

    reader = threading.Thread(target=read, name="log-prefetch", daemon=True)
    reader.start()
    try:
        while (batch := ahead.get()) is not done:
            yield batch
    finally:
        stop.set()
        while reader.is_alive():  # drain so a blocked put sees the stop
            with contextlib.suppress(queue.Empty):
                ahead.get(timeout=0.1)
    if failed:
        raise failed[0]
