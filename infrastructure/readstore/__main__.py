"""`python -m infrastructure.readstore run | rebuild NAME|all | lag` (alias `python -m projections`): the read-model
process (production) and its tools."""

from __future__ import annotations

import argparse
import os
import signal
import sys

from infrastructure.bootstrap import build_projector
from infrastructure.logs import setup_logging
from infrastructure.readstore.parallel import rebuild_parallel
from infrastructure.readstore.progress import ProgressBar
from infrastructure.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m projections", description="Read models of Một Cửa 24/7")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="keep every read model up to date (production process)")
    run.add_argument("--poll", type=float, default=0.5, help="seconds between checks of the event log")
    rebuild = commands.add_parser("rebuild", help="drop a read model's rows and replay every event")
    rebuild.add_argument("name", help="read model name, or 'all'")
    rebuild.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes sharing the models (default: one per core)"
    )
    commands.add_parser("lag", help="events and seconds behind, per read model")
    args = parser.parse_args(argv)
    setup_logging("projections")
    settings = Settings.from_env()
    projector = build_projector(settings)
    try:
        if args.command == "run":
            signal.signal(signal.SIGTERM, lambda *_: projector.stop())
            projector.run_forever(args.poll)  # on PostgreSQL, woken by every commit to the log (wake.py)
        elif args.command == "rebuild":
            names = list(projector.models) if args.name == "all" else [args.name]
            unknown = [name for name in names if name not in projector.models]
            if unknown:
                parser.error(f"unknown read model {unknown[0]!r}; read models: {', '.join(projector.models)}")
            bar = ProgressBar(args.name)
            bar.finish(
                rebuild_parallel(projector, lambda: build_projector(settings), names, args.workers, progress=bar)
            )
        else:
            for lag in projector.lag():
                stopped = f"  QUARANTINED at event {lag.quarantined_at}: {lag.error}" if lag.error else ""
                print(
                    f"{lag.name:<12} position {lag.position:>10}  behind {lag.events_behind:>8} events  "
                    f"{lag.seconds_behind:8.1f} s{stopped}"
                )
    except KeyboardInterrupt:
        projector.stop()
    finally:
        projector.store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
