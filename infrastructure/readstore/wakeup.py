"""Wake a read-model runner when any process appends events (PostgreSQL `LISTEN` on the event table's channel).

Every append of eventsourcing's PostgreSQL recorder sends `NOTIFY <events table>` in its transaction, so the
notification arrives once the events are committed. A runner that is not in the writing process (the
`python -m projections run` process, or the parent of `motcua api --workers N`) used to see new events only at its
next poll (0.5 s); with this it starts catching up at once. Losing the connection only falls back to polling.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql

log = logging.getLogger("motcua.projections")


def channel_of(recorder: Any) -> str:
    """The channel eventsourcing's PostgreSQL recorder notifies on each append (the events table's name)."""
    return str(recorder.channel_name)


class LogWatch:
    """A thread that calls `poke` after every commit to the event log (and once on each (re)connection)."""

    def __init__(self, conninfo: str, channel: str, poke: Callable[[], None], retry: float = 1.0) -> None:
        self.conninfo, self.channel, self.poke, self.retry = conninfo, channel, poke, retry
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="log-watch", daemon=True)

    def start(self) -> LogWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
                    self.poke()  # whatever was committed before the LISTEN
                    while not self._stop.is_set():
                        if any(True for _ in conn.notifies(timeout=0.2, stop_after=1)):
                            self.poke()
            except psycopg.Error as error:  # the runner still polls; try again shortly
                log.warning("event log watch lost (%s); retrying", type(error).__name__)
                self._stop.wait(self.retry)
