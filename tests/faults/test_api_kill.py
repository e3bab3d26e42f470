"""kill -9 of the API process under a write load: every acknowledged command is stored once, nothing half-written."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import PG
from tests.faults.load import WriteLoad, check_exactly_once
from tests.faults.support import Api, process_env, stored_events


def test_a_killed_api_loses_no_acknowledged_command_and_writes_nothing_twice_or_by_half(
    fault_schema: str, tmp_path: Path
) -> None:
    env = process_env(PG, fault_schema, tmp_path)
    api = Api(env, tmp_path / "api.log").start()
    restarted = Api(env, tmp_path / "api.log", port=api.port)
    load = WriteLoad(api.wait_healthy().url, threads=4).start()
    try:
        load.wait_for_acks(60)
        api.kill()  # mid-load: requests are in flight, some inside a group commit
        killed_at = load.acks()
        restarted.start().wait_healthy()
        load.wait_for_acks(30)
    finally:
        load.stop()
        api.kill()
        restarted.stop()
    assert load.acks() > killed_at  # the same clients were served again by the new process
    lost = {answer for answer in load.answers if not answer.isdigit()}
    assert lost, f"the kill interrupted nothing: {load.answers}"
    assert {answer for answer in load.answers if answer.isdigit()} == {"201"}, load.refusals[:3]
    check_exactly_once(load, stored_events(PG, fault_schema))
