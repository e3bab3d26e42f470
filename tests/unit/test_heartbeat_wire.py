"""The heartbeat wire message: any bytes decode to a Heartbeat or a clear BadDeviceMessageError, never anything else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.kiosk_wire import BadDeviceMessageError, Heartbeat, decode_heartbeat, encode, heartbeat_subject

AT = datetime(2026, 5, 20, 1, 0, tzinfo=UTC)


@given(st.binary(max_size=300))
def test_any_bytes_are_a_heartbeat_or_refused(data: bytes) -> None:
    try:
        assert isinstance(decode_heartbeat(data), Heartbeat)
    except BadDeviceMessageError as error:
        assert error.code == "bad_device_message"


@given(st.integers(0, 10_000_000), st.lists(st.integers(1, 500), max_size=20))
def test_a_heartbeat_reads_back_as_sent(backlog: int, faults: list[int]) -> None:
    beat = Heartbeat(kiosk="Q6-01", at=AT, outbox_backlog=backlog, door_faults=faults)
    assert decode_heartbeat(encode(beat)) == beat


@pytest.mark.parametrize(
    "body",
    [
        b'{"type": "heartbeat", "kiosk": "Q6-01", "at": "2026-05-20T01:00:00", "outbox_backlog": 0}',  # naive time
        b'{"type": "heartbeat", "kiosk": "q6 01", "at": "2026-05-20T01:00:00Z", "outbox_backlog": 0}',
        b'{"type": "heartbeat", "kiosk": "Q6-01", "at": "2026-05-20T01:00:00Z", "outbox_backlog": -1}',
        b'{"type": "heartbeat", "kiosk": "Q6-01", "at": "2026-05-20T01:00:00Z", "outbox_backlog": 0, '
        b'"door_faults": [0]}',
        b'{"type": "tray_opened", "kiosk": "Q6-01", "at": "2026-05-20T01:00:00Z", "outbox_backlog": 0}',
    ],
)
def test_a_bad_heartbeat_is_refused(body: bytes) -> None:
    with pytest.raises(BadDeviceMessageError):
        decode_heartbeat(body)


def test_heartbeats_are_outside_the_device_event_stream() -> None:
    assert heartbeat_subject("Q6-01") == "kiosk.Q6-01.heartbeat" and ".events." not in heartbeat_subject("Q6-01")
