"""`python -m api`: serve the API and officer console (embedded default: SQLite in ./var).

With MOTCUA_DEMO=1 (`make run`) the demo kiosk Q6-01 runs in this process too, in threads: its citizen screen on
MOTCUA_KIOSK_SCREEN_PORT (8100), logged in with the demo device secret once the API answers, its device events
applied by the in-process bus (MOTCUA_BUS=inprocess, the default) or published to NATS JetStream for
`python -m infrastructure.device_consumer` (MOTCUA_BUS=nats). SIGTERM or Ctrl+C stops the kiosk, then the API.

`--workers N` (or MOTCUA_API_WORKERS) serves the API from N processes on the one port (api/workers.py), each built
by `worker_app` here.

With MOTCUA_FACE_MODEL_DIR the counter's face enrolment (`POST /dossiers/{code}/face-template`) runs on the kiosk's
own face models (kiosk_edge/faces.py, the `kiosk` extra), so a template enrolled at the counter matches what a kiosk
camera sees at pickup; without it the counter is told no face model is installed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import tempfile
import threading
from typing import TYPE_CHECKING

import uvicorn
from litestar import Litestar
from uvicorn.config import STARTUP_FAILURE

from api.app import create_app
from api.workers import WORKER_MODES, check_workers, kiosk_doors, serve_workers
from infrastructure.bootstrap import System, build
from infrastructure.demo import KIOSK_KEY, seed
from infrastructure.faces import CounterFaces
from infrastructure.inprocess_bus import InProcessBus, InProcessKioskCommands
from infrastructure.logs import server_log_config, setup_logging
from infrastructure.settings import Settings, SettingsError

if TYPE_CHECKING:
    from kiosk_edge.runtime import KioskProcess, KioskSettings

log = logging.getLogger("motcua.api")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="motcua api", description="serve the API and officer console")
    parser.add_argument(
        "--workers", type=int, help="API processes sharing the port (default: MOTCUA_API_WORKERS, else 1)"
    )
    args = parser.parse_args(argv)
    setup_logging("api")
    settings = Settings.from_env()
    workers = settings.api_workers if args.workers is None else args.workers
    try:
        check_workers(settings, workers)
    except SettingsError as error:
        parser.error(str(error))
    if workers > 1:
        # The workers' metrics files: a fresh directory per start, removed at the end (a writable path in the image).
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="api-metrics-", dir=settings.data_dir) as metrics_dir:
            # What every worker reads: none of them projects or dispatches, they share the code sequences and their
            # metrics (prometheus-client's multiprocess mode).
            os.environ.update(
                WORKER_MODES | {"MOTCUA_API_WORKERS": str(workers), "PROMETHEUS_MULTIPROC_DIR": metrics_dir}
            )
            serve_workers(settings, workers, "api.__main__:worker_app")
        return
    # The demo kiosk's in-process command line comes first: the System opens tray doors through it.
    commands = InProcessKioskCommands() if settings.demo and settings.bus == "inprocess" else None
    system = build(settings, doors=kiosk_doors(settings, commands), faces=counter_faces(settings))
    if settings.demo:
        seed(system)
    app = create_app(system)
    # No access log: request paths carry dossier codes and, for vaults, citizens' ID numbers.
    config = uvicorn.Config(
        app,
        host=settings.api_host,
        port=settings.api_port,
        log_level="info",
        log_config=server_log_config(),
        access_log=False,
    )
    server = uvicorn.Server(config)
    # uvicorn raises the signal again once it has shut down; caught here too, it ends the process with status 0.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, server.handle_exit)
    if settings.demo:
        bus = InProcessBus(device_events=system.device_events, commands=commands) if commands is not None else None
        kiosk = DemoKiosk(system, server, bus)
        app.on_shutdown.insert(0, kiosk.stop)  # hooks run in order: the kiosk stops before the system closes
        kiosk.start()
    log.info("officer console: %s/console/", api_url(settings))
    server.run()


def worker_app() -> Litestar:
    """One worker's app over its own System (uvicorn's app factory, called in each worker process of `--workers`)."""
    setup_logging("api")
    try:
        settings = Settings.from_env()
        return create_app(build(settings, doors=kiosk_doors(settings, None), faces=counter_faces(settings)))
    except SettingsError as error:
        # The same in every worker and at every restart: uvicorn's exit code for a worker that cannot start makes
        # the supervisor stop the API (api/workers.py exits with it too).
        log.error("API worker cannot start: %s", error)
        raise SystemExit(STARTUP_FAILURE) from None
    except Exception:
        # A JSON line with the failure's type and frames instead of multiprocessing's bare traceback on stderr;
        # the supervisor starts a new worker in its place.
        log.exception("API worker did not start")
        raise SystemExit(1) from None


def counter_faces(settings: Settings) -> CounterFaces | None:
    """The counter's face enrolment on the face models of MOTCUA_FACE_MODEL_DIR (None when unset: `build` refuses
    photos with a clear reason). Models that are missing or malformed stop the start, as at the kiosk."""
    config = settings.kiosk.faces
    if not config.model_dir:
        return None
    try:  # the `kiosk` extra (onnxruntime, OpenCV), which a core-only server lacks
        from kiosk_edge.faces import FaceModelError, FaceVerifier, ImageEmbedder, MultipleFacesError, NoFaceError
    except ImportError as error:
        raise SettingsError(
            f"MOTCUA_FACE_MODEL_DIR is set but the face models cannot run here: {error} (pip install '.[kiosk]')"
        ) from None
    try:
        embedder = ImageEmbedder(FaceVerifier.from_config(config))
    except FaceModelError as error:
        raise SettingsError(f"MOTCUA_FACE_MODEL_DIR: {error}") from None
    # Only what says the photo holds no single face is the citizen's to retake; anything else is the server's.
    return CounterFaces(embedder.embed, refused=(ValueError, NoFaceError, MultipleFacesError))


class DemoKiosk:
    """The demo kiosk in this process: started once this API answers, stopped before its system closes."""

    def __init__(self, system: System, server: uvicorn.Server, bus: InProcessBus | None) -> None:
        self.settings, self.server, self.bus = system.settings, server, bus
        self.process: KioskProcess | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-kiosk", daemon=True)

    def start(self) -> None:
        self._thread.start()

    async def stop(self) -> None:
        """Stop the kiosk's threads and close its outbox and the bus (a shutdown hook of the app)."""
        self._stopping.set()
        await asyncio.to_thread(self._stop)

    def _stop(self) -> None:
        self._thread.join(timeout=10)
        if self.process is not None:
            self.process.stop()
        if self.bus is not None:
            self.bus.close()

    def _run(self) -> None:
        # Imported here: the kiosk needs the `kiosk` extra, which `make run` installs and a core-only server lacks.
        try:
            from kiosk_edge.runtime import KioskConfigError, KioskProcess
        except ImportError as error:
            log.error("demo kiosk %s not started: %s (pip install '.[kiosk]')", KIOSK_KEY, error)
            return
        while not self.server.started:  # this server, bound and serving (not whatever else answers on the port)
            if self._stopping.wait(0.1):
                return
        try:
            process = KioskProcess(
                demo_kiosk_settings(self.settings),
                publisher=self.bus.publisher if self.bus else None,
                commands=self.bus.commands if self.bus else None,
            )
        except (KioskConfigError, OSError) as error:  # e.g. the screen's port is taken: the API serves on
            log.error("demo kiosk %s not started: %s", KIOSK_KEY, error)
            return
        self.process = process
        if process.wait_for_core(self._stopping):
            process.start()
            log.info(
                "ready: officer console %s/console/ · citizen screen of kiosk %s %s (bus: %s)",
                api_url(self.settings),
                KIOSK_KEY,
                process.screen.url,
                self.settings.bus,
            )


def demo_kiosk_settings(settings: Settings) -> KioskSettings:
    """Kiosk Q6-01 with the demo device secret against this API, its outbox in the data dir; the screen, trays
    and NATS settings come from the same variables as for `python -m kiosk_edge run`."""
    from kiosk_edge.__main__ import kiosk_settings

    return kiosk_settings(
        settings,
        kiosk=KIOSK_KEY,
        secret=f"demo-kiosk-{KIOSK_KEY}",
        core_url=api_url(settings),
        outbox=settings.data_dir / f"kiosk-{KIOSK_KEY}-outbox.sqlite3",
    )


def api_url(settings: Settings) -> str:
    """Where this process's API answers locally."""
    host = "127.0.0.1" if settings.api_host in ("0.0.0.0", "::", "") else settings.api_host
    return f"http://{f'[{host}]' if ':' in host else host}:{settings.api_port}"


if __name__ == "__main__":
    main()
