"""`python -m infrastructure.scheduler run | tick | jobs | runs`: the scheduler process and its tools."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from infrastructure.bootstrap import build
from infrastructure.logs import setup_logging
from infrastructure.scheduler.jobs import CATALOGUE
from infrastructure.scheduler.wiring import build_scheduler, triggers
from infrastructure.settings import Settings, private_files


def main(argv: list[str] | None = None) -> int:
    private_files()
    parser = argparse.ArgumentParser(prog="python -m infrastructure.scheduler", description="Scheduled office routines")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the scheduler (only the leader acts; start as many as you like)")
    commands.add_parser("tick", help="run what is due now (or catch up), once, then exit")
    commands.add_parser("jobs", help="list the job catalogue")
    commands.add_parser("runs", help="list the ledger of recorded runs")
    args = parser.parse_args(argv)
    setup_logging("scheduler")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # the heartbeat would log every few seconds
    if args.command == "jobs":
        for job in CATALOGUE:
            days = "working days" if job.working_days_only else "any day"
            print(f"{job.name:<22} {job.every:<9} {job.at:%H:%M} {days:<12} catch-up within {job.catch_up_within}")
        return 0
    settings = Settings.from_env()
    system = build(settings)
    scheduler = build_scheduler(system)
    try:
        if args.command == "run":
            timer = triggers(scheduler, blocking=True, poll=settings.scheduler.poll)
            signal.signal(signal.SIGTERM, lambda *_: timer.shutdown(wait=False))
            scheduler.tick()
            timer.start()
        elif args.command == "tick":
            for outcome in scheduler.tick():
                print(f"{outcome.run_id}  {outcome.outcome or 'already recorded'}")
        else:
            for row in scheduler.ledger.rows():
                print(f"{row['run_id']:<50} {row['outcome']:<8} {row['finished_at']}")
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.stop()
        system.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
