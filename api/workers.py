"""`motcua api --workers N`: N API processes on one port, and one process keeping the read models.

The parent binds the port and starts the workers with uvicorn's supervisor (`spawn`: each worker is a fresh
interpreter that builds its own `OneStop` and services through the entry point's `worker_app`, and is restarted if
it dies). Every
worker runs with `MOTCUA_PROJECTIONS=external` and `MOTCUA_NOTIFICATIONS=external`, so no worker projects or
dispatches. Whatever the settings keep `inprocess` is kept by the parent alone: it builds a System of its own that
serves no HTTP, whose read-model runner is woken by PostgreSQL `NOTIFY` on every commit of any worker
(infrastructure/readstore/wake.py), and whose notification dispatcher is the only one. With both `external`
(compose.yaml), the parent only supervises. The workers' metrics go to a directory the entry point makes per start
(`PROMETHEUS_MULTIPROC_DIR`), so `/metrics` answered by any worker sums them all.

State that must hold across workers is in PostgreSQL already: login and pickup failure counters and token
revocations (infrastructure/guards.py), idempotency claims (infrastructure/idempotency.py), OTP challenges and
sessions (events); dossier codes come from daily sequences the workers share (infrastructure/code_sequences.py).
Each worker's aggregate cache may hold a stale copy: a command on it loses on the version constraint and is retried
on fresh state.
"""

from __future__ import annotations

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from application.ports import KioskDoors
from infrastructure.bootstrap import System, build
from infrastructure.device_consumer import bus_settings
from infrastructure.inprocess_bus import InProcessKioskCommands
from infrastructure.kiosk_doors import local_doors, nats_doors
from infrastructure.logs import server_log_config
from infrastructure.settings import Settings, SettingsError

WORKER_MODES = {"MOTCUA_PROJECTIONS": "external", "MOTCUA_NOTIFICATIONS": "external"}


def check_workers(settings: Settings, workers: int) -> None:
    """Workers above 1 need a store every process shares and no in-process kiosk."""
    if workers < 1:
        raise SettingsError("--workers must be at least 1")
    if workers > 1 and settings.store != "postgres":
        raise SettingsError("MOTCUA_API_WORKERS above 1 needs MOTCUA_STORE=postgres (one SQLite file has one writer)")
    if workers > 1 and settings.demo:
        raise SettingsError("MOTCUA_API_WORKERS above 1 cannot run the demo kiosk (MOTCUA_DEMO=1) in the API")


def serve_workers(settings: Settings, workers: int, factory: str) -> None:
    """Bind the port, keep what is `inprocess` in this process, and supervise `workers` API processes built by the
    app factory `factory` ("module:function", called in each worker; the caller has put WORKER_MODES into the
    environment the workers inherit)."""
    keeper: System | None = None
    if "inprocess" in (settings.projections, settings.notifications):
        keeper = build(settings)  # its threads only: the runner (woken by NOTIFY) and/or the dispatcher
    config = uvicorn.Config(
        factory,
        factory=True,
        host=settings.api_host,
        port=settings.api_port,
        workers=workers,
        log_level="info",
        log_config=server_log_config(),  # in the parent and each worker (spawned workers apply it again)
        access_log=False,  # request paths carry dossier codes and citizens' ID numbers
    )
    supervisor = Multiprocess(config, sockets=[config.bind_socket()])
    try:
        supervisor.run()
    finally:
        if keeper is not None:
            keeper.close()
    if any(worker.exitcode == STARTUP_FAILURE for worker in supervisor.processes):
        raise SystemExit(STARTUP_FAILURE)  # a worker could not start (its log line says why): so the API did not


def kiosk_doors(settings: Settings, commands: InProcessKioskCommands | None) -> KioskDoors | None:
    """The tray doors the core opens after a load: over NATS (MOTCUA_BUS=nats), over the demo kiosk's in-process
    command line, or none (no kiosk this process can reach)."""
    if settings.bus == "nats":
        return nats_doors(bus_settings(settings.nats))
    return local_doors(commands) if commands is not None else None
