"""Shared helpers of the benchmarks: a scratch PostgreSQL schema and timed thread runs."""

from __future__ import annotations

import os
import platform
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

PG = {
    "host": os.environ.get("BENCH_POSTGRES_HOST", "127.0.0.1"),
    "port": os.environ.get("BENCH_POSTGRES_PORT", "5432"),
    "dbname": os.environ.get("BENCH_POSTGRES_DBNAME", "test"),
    "user": os.environ.get("BENCH_POSTGRES_USER", "postgres"),
}


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo), else what `platform` knows."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        return next(line.split(":", 1)[1].strip() for line in lines if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def machine() -> str:
    """One line describing where the figures were measured."""
    return f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}"


@contextmanager
def scratch_schema() -> Iterator[str]:
    """A new schema, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(autocommit=True, **PG) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield schema
    finally:
        with psycopg.connect(autocommit=True, **PG) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
            conn.execute(f"DROP SCHEMA IF EXISTS {schema}_private CASCADE")  # an API's idempotency store, if one ran


def event_store_env(schema: str) -> dict[str, str]:
    """eventsourcing settings for the scratch schema, as production would set them."""
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_HOST": PG["host"],
        "POSTGRES_PORT": PG["port"],
        "POSTGRES_DBNAME": PG["dbname"],
        "POSTGRES_USER": PG["user"],
        "POSTGRES_PASSWORD": "",
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_POOL_SIZE": "8",
        "AGGREGATE_CACHE_MAXSIZE": "50000",
        "AGGREGATE_CACHE_FASTFORWARD": "n",
        "MOTCUA_EVENT_MAC_KEY": "bench-event-mac-key",
    }  # production stores every event with its MAC


def run_threads(workers: list[Callable[[Callable[[], bool]], int]], seconds: float) -> float:
    """Run each worker in its own thread for `seconds`; return operations per second."""
    deadline = time.perf_counter() + seconds
    counts = [0] * len(workers)

    def go(i: int) -> None:
        counts[i] = workers[i](lambda: time.perf_counter() < deadline)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(workers))]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - start)


def progress(message: str) -> None:
    print(message, flush=True)
