"""Read models as they stood at a past instant, replayed from the log into a scratch store; the live tables are
never touched.

The instant is business time (each event's `at`), as in application/history.py: the log is read in order and an event is
applied when it happened at or before the instant. Each aggregate's stream is cut at its first event after the instant
(its later events are skipped even if a clock stepped back), so every model sees, per aggregate, a prefix of the stream
it sees live; events no model handles are not even decoded, so they cut nothing. The scratch store is an SQLite file in
a temporary directory, so the queries of the live views (projections/queries.py, projections/book_queries.py) answer
unchanged.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic
from psycopg import sql

from infrastructure.eventstore.recorder import on_postgres
from infrastructure.readstore.log import decoder_of, read_log
from infrastructure.readstore.rows import MemoryRows
from infrastructure.readstore.store import SqliteReadStore
from projections.base import ReadModel
from projections.ports import ReadStore


@dataclass(frozen=True)
class Snapshot:
    """Read models as of `instant`: `store` holds their tables; `position` is the last log position applied."""

    instant: datetime
    position: int
    applied: int
    store: ReadStore


@contextmanager
def replay_as_of(
    recorder: Any, mapper: Any, models: Sequence[ReadModel], instant: datetime, batch: int = 1000
) -> Iterator[Snapshot]:
    """Replay the whole log into fresh rows of `models`, applying what happened up to `instant`; yields the snapshot
    and removes its scratch store afterwards. Cost: one pass over the log, like a rebuild of these models."""
    held = [(model, MemoryRows(model)) for model in models]
    handled = {get_topic(cls) for model in models for cls in model._handlers}
    decode, cut, position, applied = decoder_of(mapper), set(), 0, 0
    for rows in read_log(recorder, 1, recorder.max_notification_id() or 0, batch):
        for row in rows:
            if row[3] not in handled or row[1] in cut:
                continue
            event = decode(row)
            if (getattr(event, "at", None) or event.timestamp) > instant:
                cut.add(row[1])
                continue
            for model, model_rows in held:
                model.apply(model_rows, event, row[0])
            position, applied = row[0], applied + 1
    with tempfile.TemporaryDirectory(prefix="motcua-as-of-") as directory:
        store = SqliteReadStore(Path(directory) / "as_of.sqlite3")
        try:
            with store.transaction() as tx:
                for model, model_rows in held:
                    for table in model.tables:
                        tx.execute(store.ddl(table.ddl()))
                        tx.load(table.name, table.column_names, model_rows.rows(table.name))
                    for index in model.indexes:
                        tx.execute(index)
            yield Snapshot(instant=instant, position=position, applied=applied, store=store)
        finally:
            store.close()


def positions_of(recorder: Any, originator_id: UUID) -> dict[int, int]:
    """Version → log position of one aggregate's events (the recorders' own selects do not return positions)."""
    if on_postgres(recorder):
        query = sql.SQL("SELECT originator_version, notification_id FROM {}.{} WHERE originator_id = %s").format(
            sql.Identifier(recorder.datastore.schema or "public"), sql.Identifier(recorder.events_table_name)
        )
        with recorder.datastore.get_connection() as conn, conn.cursor() as cursor:
            cursor.execute(query, (originator_id,))
            return {row["originator_version"]: row["notification_id"] for row in cursor.fetchall()}
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(
            f"SELECT originator_version, rowid FROM {recorder.events_table_name} WHERE originator_id = ?",
            (originator_id.hex,),
        )
        return {row[0]: row[1] for row in cursor.fetchall()}
