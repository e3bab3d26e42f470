"""PostgreSQL restarted under a write load: 503 with Retry-After while it is down, the same API process recovers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.load import WriteLoad, check_exactly_once
from tests.faults.private_pg import PrivatePostgres
from tests.faults.support import Api, process_env, stored_events, wait_until


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    cluster = PrivatePostgres()
    try:
        cluster.start()
        cluster.create_schema("motcua")
        yield cluster
    finally:
        cluster.remove()


def test_the_api_answers_503_while_postgres_is_down_and_serves_writes_again_once_it_is_back(
    postgres: PrivatePostgres, tmp_path: Path
) -> None:
    api = Api(process_env(postgres.conninfo, "motcua", tmp_path), tmp_path / "api.log").start()
    load = WriteLoad(api.wait_healthy().url, threads=3).start()
    try:
        load.wait_for_acks(30)
        postgres.stop()
        wait_until(lambda: load.answers["503"] >= 3, 120, "503 answers while PostgreSQL is down")
        postgres.start()
        load.wait_for_acks(30)  # served by the same process: it was never restarted
        assert api.running()
    finally:
        load.stop()
        api.stop()
    assert set(load.answers) == {"201", "503"}, load.answers  # never a 500, never a dropped connection
    for status, body, headers in load.refusals:
        assert status == 503 and headers["retry-after"] == "5"
        assert body["error"] == "store_unavailable" and "cơ sở dữ liệu" in body["message_vi"]
    check_exactly_once(load, stored_events(postgres.conninfo, "motcua"))
    log = api.log.read_text()
    # The event store's connection attempts, the personal-data key store's pool, or the server ending a connection in
    # use as it shut down (AdminShutdown), whichever the request met first.
    assert re.search(r"store unavailable \((OperationalError|PoolTimeout|AdminShutdown)\) on POST /dossiers", log)
    assert not re.search(r"(?<!\d)\d{12}(?!\d)", log)  # no citizen ID number, whatever failed
