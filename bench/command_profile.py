"""Where the CPU of one dossier command goes: load → `record_payment` → commit, one thread, PostgreSQL.

Run by hand:
    .venv/bin/python -m bench.command_profile [--commands 2000] [--top 30]
        CPU µs per command (no profiler); the thread CPU of each stage run on its own (load with the copy from the
        cache, the domain decision, encoding with the MAC, the append's client side; the rest is the application's
        and the group commit's bookkeeping); then a cProfile table per command timed by thread CPU time (waits on
        the server are not counted; the profiler's own cost inflates small calls): calls, own µs and cumulative µs
        of each function.
    .venv/bin/python -m bench.command_profile --callgrind [--commands 300]
        instructions per command counted by valgrind (`--tool=callgrind`): the same setup is run twice, with
        `--commands` and with twice as many, and the difference is divided by `--commands`. The counts are
        repeatable (±0.5 %) while other processes load the machine, unlike times.
Last line:  µs per command (or Minstr per command).

The command is bench/commands.py's, on the same 20 dossiers (cache warm); production settings (event MAC on).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from application.base import OneStop  # noqa: E402
from application.dossiers import Dossiers  # noqa: E402
from bench.commands import FORM, OFFICER, PERSON  # noqa: E402
from bench.common import event_store_env, machine, progress, scratch_schema  # noqa: E402
from domain.dossier import Dossier  # noqa: E402
from domain.values import Channel, PaymentMethod  # noqa: E402
from infrastructure.calendar import load_calendar  # noqa: E402
from infrastructure.catalogue import load_catalogue  # noqa: E402
from infrastructure.clock import SystemClock  # noqa: E402

WARMUP = 200


def commands_on(app: Dossiers, procedure: str):
    """A function running n record_payment commands over 20 cached dossiers."""

    def receive() -> str:
        code, _ = app.receive(
            procedure_code=procedure, channel=Channel.COUNTER, applicant=PERSON, components=FORM, actor=OFFICER
        )
        return code

    codes = [receive() for _ in range(20)]

    def run(n: int) -> None:
        for i in range(n):
            app.record_payment(
                codes[i % len(codes)], method=PaymentMethod.CASH, amount=1000, actor=OFFICER, at=datetime.now(UTC)
            )

    return run


def stages(app: Dossiers, run: Callable[[int], None], commands: int) -> dict[str, float]:
    """Thread CPU µs per command spent in each stage of real commands (wrappers read the thread's CPU clock
    around the load from the cache, the domain decision, the encoding with the MAC and the append's client side;
    the rest is the application's and the group commit's bookkeeping)."""
    one_stop = app.app
    spent = dict.fromkeys(("load", "decide", "encode", "append"), 0.0)
    targets = {
        "load": (one_stop, "load"),
        "decide": (Dossier, "record_payment"),
        "encode": (one_stop.mapper, "to_stored_event"),
        "append": (one_stop.recorder, "insert_events"),
    }

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.thread_time() - started

        return wrapper

    originals = {name: getattr(owner, attribute) for name, (owner, attribute) in targets.items()}
    for name, (owner, attribute) in targets.items():
        setattr(owner, attribute, timed(name, getattr(owner, attribute)))
    try:
        started = time.thread_time()
        run(commands)
        whole = time.thread_time() - started
    finally:
        for name, (owner, attribute) in targets.items():
            if owner is Dossier:
                setattr(owner, attribute, originals[name])
            else:
                delattr(owner, attribute)  # the instance attribute shadowed the class's method
    stage = {name: seconds / commands * 1e6 for name, seconds in spent.items()}
    stage["rest"] = whole / commands * 1e6 - sum(stage.values())
    stage["command"] = whole / commands * 1e6
    return stage


def measure(commands: int, top: int, callgrind_child: bool) -> None:
    catalogue = load_catalogue()
    with scratch_schema() as schema:
        app = Dossiers(
            OneStop(event_store_env(schema)), catalogue=catalogue, calendar=load_calendar(), clock=SystemClock()
        )
        try:
            run = commands_on(app, catalogue.procedures[0].code)
            run(WARMUP)
            if callgrind_child:
                run(commands)
                return
            cpu, wall = time.process_time(), time.perf_counter()
            run(commands)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            progress(f"machine: {machine()}, load average {os.getloadavg()[0]:.2f}")
            each = 1e6 / commands
            progress(f"{commands} commands, each: wall {wall * each:.0f} µs, CPU {cpu * each:.0f} µs (process)")
            progress("thread CPU µs per command, by stage (the wrappers' clock reads add about 1 µs each):")
            for name, micros in stages(app, run, commands).items():
                progress(f"{micros:8.1f}  {name}")
            profile = cProfile.Profile(time.thread_time)
            profile.enable()
            run(commands)
            profile.disable()
            report(profile, commands, top)
            print(f"CPU µs per command {cpu / commands * 1e6:.0f}")
        finally:
            app.app.close()


def report(profile: cProfile.Profile, commands: int, top: int) -> None:
    """The profile's functions sorted by own time, per command."""
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    rows = []
    for (path, line, name), (_, calls, own, cumulative, _) in stats.items():
        where = f"{short(path)}:{line}({name})" if line else name
        rows.append((own, cumulative, calls, where))
    total = sum(r[0] for r in rows)
    progress(f"profiled (thread CPU, with the profiler's own overhead): {total / commands * 1e6:.0f} µs per command")
    progress(f"{'calls':>7} {'own µs':>8} {'cum µs':>8}  function (per command)")
    for own, cumulative, calls, where in sorted(rows, reverse=True)[:top]:
        progress(f"{calls / commands:7.1f} {own / commands * 1e6:8.1f} {cumulative / commands * 1e6:8.1f}  {where}")
    calls = sum(r[2] for r in rows)
    progress(f"function calls per command: {calls / commands:.0f}")


def short(path: str) -> str:
    for marker in ("site-packages/", "lib/python3.11/", str(Path(__file__).resolve().parent.parent) + "/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def instructions(commands: int) -> int:
    """Instructions valgrind counts in the main thread of a whole child run of `commands` commands (the
    connection pool's background threads wake on timers, so their counts follow the wall time, not the work)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--separate-threads=yes",
                f"--callgrind-out-file={out}",
                sys.executable,
                "-m",
                "bench.command_profile",
                "--child",
                "--commands",
                str(commands),
            ],
            cwd=Path(__file__).resolve().parent.parent,
            env=os.environ | {"PYTHONHASHSEED": "0"},
            capture_output=True,
            check=True,
        )
        main_thread = Path(f"{out}-01").read_text(errors="replace")
    found = re.search(r"^(?:summary|totals):\s*(\d+)", main_thread, re.MULTILINE)
    if found is None:
        raise RuntimeError("no instruction count in callgrind's output of the main thread")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commands", type=int, default=None)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--callgrind", action="store_true", help="count instructions under valgrind")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.commands, 0, callgrind_child=True)
    elif args.callgrind:
        n = args.commands or 300
        progress(f"machine: {machine()}; valgrind runs of {n} and {2 * n} commands")
        low, high = instructions(n), instructions(2 * n)
        progress(f"instructions: {low:,} and {high:,}")
        print(f"Minstr per command {(high - low) / n / 1e6:.3f}")
    else:
        measure(args.commands or 2000, args.top, callgrind_child=False)


if __name__ == "__main__":
    main()
