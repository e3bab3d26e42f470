"""Waking on PostgreSQL LISTEN/NOTIFY: the read-model runner when the log grows, readers when a read model advances.

The runner used to look at the log every `poll` seconds, so a write from another process (an API replica, the device
consumer) waited up to that long before its queue showed it. Now a statement trigger on the events table notifies
`log_channel(schema)` in the writer's transaction (PostgreSQL delivers it at commit, once per transaction), and the
runner notifies `read_channel(schema)` with its new position in the transaction that stores a batch. The poll stays
as a safety net for a lost connection; exactly-once is unchanged (positions are still read from the tracking table).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql

from infrastructure.eventstore.recorder import on_postgres

log = logging.getLogger("motcua.projections")
RETRY_SECONDS = 1.0
CHECK_STOP_SECONDS = 0.5  # how often a listener looks at its stop flag: shutdown only, never a wake-up delay


def log_channel(schema: str) -> str:
    """The channel the events table of `schema` notifies on every committed insert."""
    return f"motcua_log.{schema}"


def read_channel(schema: str) -> str:
    """The channel the runner notifies (payload: its new position) when it stores a batch in read schema `schema`."""
    return f"motcua_read.{schema}"


def is_postgres(recorder: Any) -> bool:
    return on_postgres(recorder)


def recorder_connect(recorder: Any) -> Callable[[], psycopg.Connection]:
    """A factory of autocommit connections with the recorder's own connection settings (not from its pool: a
    listener holds its connection for good)."""
    pool = recorder.datastore.pool
    kwargs = {k: v for k, v in pool.kwargs.items() if k != "row_factory"}
    get_password = getattr(pool, "get_password_func", None)

    def connect() -> psycopg.Connection:
        extra = {"password": get_password()} if get_password else {}
        return psycopg.connect(pool.conninfo, autocommit=True, **(kwargs | extra))

    return connect


def install_log_trigger(recorder: Any) -> None:
    """Create (or replace) the events table's statement trigger that notifies `log_channel` (idempotent; under the
    schema advisory lock, as table creation is, so processes starting together do not collide)."""
    schema, table = recorder.datastore.schema or "public", recorder.events_table_name
    function = sql.Identifier(schema, f"{table}_grew")
    with recorder_connect(recorder)() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('motcua-schema'))")
        conn.execute(
            sql.SQL(
                "CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN PERFORM pg_notify(TG_ARGV[0], ''); RETURN NULL; END $$"
            ).format(function)
        )
        conn.execute(
            sql.SQL(
                "CREATE OR REPLACE TRIGGER {} AFTER INSERT ON {} FOR EACH STATEMENT EXECUTE FUNCTION {}({})"
            ).format(
                sql.Identifier(f"{table}_grew"),
                sql.Identifier(schema, table),
                function,
                sql.Literal(log_channel(schema)),
            )
        )


class Listener:
    """A thread holding one connection that LISTENs on `channel` and calls `heard(payload)` for each notification,
    and `heard(None)` each time it (re)starts listening (something may have been missed while it was not)."""

    def __init__(self, connect: Callable[[], psycopg.Connection], channel: str, heard: Callable[[str | None], None]):
        self.connect, self.channel, self.heard = connect, channel, heard
        self.listening = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Listener:
        self._thread = threading.Thread(target=self._run, name=f"listen-{self.channel}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self.connect() as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
                    self.listening.set()
                    self.heard(None)
                    while not self._stop.is_set():
                        for notice in conn.notifies(timeout=CHECK_STOP_SECONDS):
                            self.heard(notice.payload)
            except psycopg.Error:
                log.warning("listening on %s failed; retrying", self.channel, exc_info=True)
            finally:
                self.listening.clear()
            self._stop.wait(RETRY_SECONDS)
