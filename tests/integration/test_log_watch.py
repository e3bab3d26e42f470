"""The read-model runner's wake-up: a commit to the event log anywhere pokes it (PostgreSQL LISTEN/NOTIFY)."""

from __future__ import annotations

import threading
import uuid

import pytest
from psycopg import sql

from infrastructure.readstore.wakeup import LogWatch
from tests.conftest import PG, pg_connect

pytestmark = pytest.mark.postgres
CONNINFO = " ".join(f"{key}={value}" for key, value in PG.items())


def test_a_notification_on_the_log_channel_pokes_the_runner() -> None:
    channel = f"events_{uuid.uuid4().hex[:8]}"  # a channel of this test's own, not other tests' event tables
    pokes: list[int] = []
    connected, poked = threading.Event(), threading.Event()

    def poke() -> None:
        pokes.append(1)
        (poked if connected.is_set() else connected).set()  # the first poke comes with the LISTEN itself

    watch = LogWatch(CONNINFO, channel, poke).start()
    try:
        assert connected.wait(60), "the watch never listened"
        assert not poked.is_set()
        with pg_connect() as conn:
            conn.execute(sql.SQL("NOTIFY {}").format(sql.Identifier(channel)))
        assert poked.wait(60), "the commit did not wake the runner"
    finally:
        watch.stop()
    assert len(pokes) == 2
