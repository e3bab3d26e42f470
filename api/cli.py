"""`motcua COMMAND ...`: one command for every process and tool of Một Cửa 24/7 (pyproject's [project.scripts]).

Each command runs the `main` of a process entry point, imported only when that command runs: `motcua audit verify`
must start as fast as `python -m infrastructure.audit verify`, without loading the web stack or the event store.
The `python -m` forms stay as aliases. This module lives in `api/`, the outermost layer, because it reaches every
entry point, the kiosk's included; it imports none of them itself.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    """A subcommand: the entry point it runs (`module:function`) and one line of help."""

    target: str
    help: str
    # False for a `main()` that reads no arguments: the dispatcher answers `--help` and refuses extra arguments.
    takes_argv: bool = True

    def load(self) -> Callable[..., int | None]:
        module, _, function = self.target.partition(":")
        entry: Callable[..., int | None] = getattr(importlib.import_module(module), function)
        return entry


# The one table to update when an entry point moves.
COMMANDS: dict[str, Command] = {
    "api": Command(
        "api.__main__:main", "serve the API and officer console [--workers N] (MOTCUA_DEMO=1: with the demo kiosk)"
    ),
    "kiosk": Command("kiosk_edge.__main__:main", "the kiosk process and its tools: run | simulate | decode"),
    "projections": Command("projections.__main__:main", "read models: run | rebuild NAME|all | lag"),
    "audit": Command(
        "infrastructure.audit.__main__:main",
        "tamper evidence: keygen | chain | verify | checkpoint | bundle | verify-bundle | replay-check",
    ),
    "notifications": Command("infrastructure.notifications.__main__:main", "the notification dispatcher: run"),
    "scheduler": Command("infrastructure.scheduler.__main__:main", "office routines: run | tick | jobs | runs"),
    "device-consumer": Command(
        "infrastructure.device_consumer:main",
        "apply kiosk device events from NATS JetStream exactly once",
        takes_argv=False,
    ),
    "fleet": Command(
        "infrastructure.fleet.__main__:main",
        "the kiosk fleet monitor: heartbeats from NATS, alerts to the kiosk team",
        takes_argv=False,
    ),
    "privacy": Command(
        "infrastructure.privacy.__main__:main", "erasure on a lawful request, master-key rotation: erase | rotate"
    ),
    "nats-config": Command(
        "infrastructure.natsconf.__main__:main",
        "the kiosk bus's NKEY seeds, development CA and nats-server configs: DIR --kiosk KEY… [--nodes 3]",
    ),
}


def usage() -> str:
    """The top-level help: every command with its line."""
    lines = [f"  {name:<16} {command.help}" for name, command in COMMANDS.items()]
    head = "usage: motcua COMMAND [ARGS...]   (motcua COMMAND --help for its arguments)"
    return "\n".join([head, "", "commands:", *lines])


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit status (argparse exits by itself on --help and bad usage)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(usage(), file=sys.stdout if args else sys.stderr)
        return 0 if args else 2
    name, rest = args[0], args[1:]
    command = COMMANDS.get(name)
    if command is None:
        print(f"motcua: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    if not command.takes_argv:
        argparse.ArgumentParser(prog=f"motcua {name}", description=command.help).parse_args(rest)
        return command.load()() or 0
    return command.load()(rest) or 0
