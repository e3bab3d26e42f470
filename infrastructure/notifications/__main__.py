"""The notification dispatcher process: `python -m infrastructure.notifications run [--poll SECONDS] [--once]`.

Each round runs the policy (dossiers' requests → Notifications) and sends what is due. SIGTERM or SIGINT
finish the current round and stop. Run one dispatcher per deployment (see application/notifications.py).
"""

from __future__ import annotations

import argparse
import threading

from infrastructure.catalogue import load_catalogue
from infrastructure.clock import SystemClock
from infrastructure.logs import setup_logging
from infrastructure.notifications.process import build_dispatcher, run, stop_on_signals
from infrastructure.office_policies import issuing_receipts, office_policies
from infrastructure.settings import Settings


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m infrastructure.notifications")
    commands = parser.add_subparsers(dest="command", required=True)
    runner = commands.add_parser("run", help="run the policy and the dispatcher until SIGTERM")
    runner.add_argument("--poll", type=float, default=settings.channels.poll)
    runner.add_argument("--once", action="store_true", help="one round, then exit")
    args = parser.parse_args(argv)
    setup_logging("notifications", settings.log_level)
    notifications, stop = build_dispatcher(settings), threading.Event()
    app, clock = notifications.app, SystemClock()
    policies = office_policies(app, issuing_receipts(app, load_catalogue(settings.catalogue_path), clock))
    stop_on_signals(stop)
    if args.once:
        stop.set()
        now = SystemClock().now()
        policies.follow(now)
        notifications.follow_requests(now)
        notifications.dispatch_due(now)
    else:
        run(notifications, clock, stop, args.poll, also=policies.follow)
    notifications.app.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
