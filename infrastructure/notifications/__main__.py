"""The notification dispatcher process: `python -m infrastructure.notifications run [--poll SECONDS] [--once]`.

Each round runs the policy (dossiers' requests → Notifications) and sends what is due. SIGTERM or SIGINT
finish the current round and stop. Run one dispatcher per deployment (see application/notifications.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
from collections.abc import Callable

from application.notifications import Notifications
from application.ports import Clock
from infrastructure.catalogue import load_catalogue
from infrastructure.clock import SystemClock
from infrastructure.notifications import notifier_from_env
from infrastructure.settings import Settings

log = logging.getLogger("motcua.notifications")


def build_dispatcher(settings: Settings) -> Notifications:
    """The Notifications application with the configured gateways and the catalogue's agency names."""
    catalogue = load_catalogue(settings.catalogue_path)
    return Notifications(settings.event_store_env(), notifier=notifier_from_env(settings.adapter_environ()),
                         overdue_days=settings.overdue_days, agency_name=lambda code: catalogue.agency(code).name)


def run(app: Notifications, clock: Clock, stop: threading.Event, poll: float) -> None:
    """Policy and dispatch rounds until `stop` is set; an error is logged and the round retried."""
    while not stop.is_set():
        try:
            now = clock.now()
            made = app.follow_requests(now)
            attempts = app.dispatch_due(now)
            if made or attempts:
                log.info("requested %d, attempted %d", made, attempts)
        except Exception:  # keep running: positions and outcomes are in the event store
            log.exception("notification round failed; retrying")
        stop.wait(poll)


def stop_on_signals(stop: threading.Event) -> Callable[[int, object], None]:
    """Install handlers that set `stop` on SIGTERM and SIGINT."""
    def handler(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping after this round", signum)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, handler)
    return handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infrastructure.notifications")
    commands = parser.add_subparsers(dest="command", required=True)
    runner = commands.add_parser("run", help="run the policy and the dispatcher until SIGTERM")
    runner.add_argument("--poll", type=float, default=float(os.environ.get("MOTCUA_NOTIFY_POLL", "5")))
    runner.add_argument("--once", action="store_true", help="one round, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("MOTCUA_LOG_LEVEL", "INFO"), format="%(asctime)s %(name)s %(message)s")
    app, stop = build_dispatcher(Settings.from_env()), threading.Event()
    stop_on_signals(stop)
    if args.once:
        stop.set()
        now = SystemClock().now()
        app.follow_requests(now)
        app.dispatch_due(now)
    else:
        run(app, SystemClock(), stop, args.poll)
    app.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
