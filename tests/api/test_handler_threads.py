"""Synchronous handlers run on the app's own pool of threads, sized for requests that wait on the database."""

from __future__ import annotations

import threading

from litestar.testing import TestClient

from api.app import HANDLER_THREADS, create_app


def test_synchronous_handlers_run_on_the_apps_handler_threads(system, monkeypatch) -> None:
    seen: list[str] = []
    head = system.read_side.head

    def watched() -> int:
        seen.append(threading.current_thread().name)
        return head()

    monkeypatch.setattr(system.read_side, "head", watched)
    with TestClient(create_app(system)) as client:
        assert client.get("/health").status_code == 200
    assert seen and seen[0].startswith("api-handler")  # not the loop's default pool of cores + 4 threads
    assert HANDLER_THREADS >= 16  # at least the concurrency of bench.api's writers
