"""The device-event consumer waits for JetStream instead of dying when a cluster cannot answer yet."""

from __future__ import annotations

import asyncio

import nats.errors

from infrastructure.device_consumer import started


class SlowCluster:
    """A consumer whose stream and durable can be bound only after `failures` timeouts (leaders being elected)."""

    def __init__(self, failures: int) -> None:
        self.failures, self.calls = failures, 0

    async def start(self) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise nats.errors.TimeoutError


def test_the_consumer_binds_once_jetstream_answers_after_timeouts() -> None:
    consumer = SlowCluster(failures=2)
    assert asyncio.run(started(consumer, asyncio.Event(), every=0)) is True  # type: ignore[arg-type]
    assert consumer.calls == 3


def test_a_stop_while_waiting_ends_without_binding() -> None:
    async def stopped() -> bool:
        stop = asyncio.Event()
        stop.set()
        return await started(SlowCluster(failures=100), stop)  # type: ignore[arg-type]

    assert asyncio.run(stopped()) is False
