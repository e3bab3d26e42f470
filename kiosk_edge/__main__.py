"""Command line of the kiosk edge process: `python -m kiosk_edge COMMAND ...`.

Each subcommand is one `_<name>` handler registered in `build_parser`: `run` is the kiosk process (simulated
devices, citizen screen, NATS outbox), `simulate` plays citizens and staff against a running kiosk and core,
`decode` is the camera readers' offline check. Exit status: 0 on success, 1 on failure, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from infrastructure.logs import setup_logging
from infrastructure.settings import Settings
from kiosk_edge.readers.sources import UnreadableSourceError, image_paths, read_image
from kiosk_edge.readers.symbols import read_symbols
from kiosk_edge.runtime import KioskConfigError, KioskProcess, KioskSettings
from kiosk_edge.scenarios import SCENARIOS
from kiosk_edge.simulator import SimulationError, Simulator, SmsSink
from kiosk_edge.vietqr import BankAccount

# A payload is printed raw except for these, which would break the one-line-per-symbol output.
_LINE_BREAKERS = str.maketrans({"\t": "\\t", "\n": "\\n", "\r": "\\r"})


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subparser per command."""
    parser = argparse.ArgumentParser(prog="python -m kiosk_edge", description="Một Cửa 24/7 kiosk edge process.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    decode = commands.add_parser(
        "decode",
        help="print the envelope barcodes and CCCD QR codes read from images",
        description="Read Code128 and QR symbols from image files and folders of images (walked in sorted "
        "order) and print one line per symbol: <file> TAB <code128|qrcode> TAB <payload>.",
    )
    decode.add_argument("paths", nargs="+", metavar="PATH", help="an image file or a folder of images")
    decode.set_defaults(handler=_decode)
    run = commands.add_parser(
        "run",
        help="run the kiosk process (simulated devices, citizen screen, NATS outbox)",
        description="Environment: MOTCUA_KIOSK_KEY, MOTCUA_KIOSK_SECRET, MOTCUA_CORE_URL, "
        "MOTCUA_NATS_URL, MOTCUA_NATS_PREFIX, MOTCUA_KIOSK_OUTBOX, MOTCUA_KIOSK_SCREEN_PORT, "
        "MOTCUA_CATALOGUE, MOTCUA_KIOSK_TRAYS, MOTCUA_KIOSK_HOTLINE, MOTCUA_KIOSK_BANK_*, MOTCUA_KIOSK_CODE_CAMERA, "
        "MOTCUA_DEMO (the device panel).",
    )
    run.set_defaults(handler=_run)
    simulate = commands.add_parser(
        "simulate",
        help="play citizens and staff against a running kiosk and core",
        description="Run a JSON script of steps (see kiosk_edge/simulator.py) or a built-in "
        "scenario. The core must send SMS to the sink: MOTCUA_SMS_URL=http://127.0.0.1:PORT/sms.",
    )
    source = simulate.add_mutually_exclusive_group(required=True)
    source.add_argument("script", nargs="?", type=Path, help="a JSON file: a list of steps")
    source.add_argument("--scenario", choices=sorted(SCENARIOS))
    simulate.add_argument("--kiosk-url", default="http://127.0.0.1:8100")
    simulate.add_argument("--core-url", default="http://127.0.0.1:8000")
    simulate.add_argument("--kiosk", default="Q6-01")
    simulate.add_argument("--sms-port", type=int, default=8199, help="port of the SMS sink that catches OTPs")
    simulate.set_defaults(handler=_simulate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit status."""
    os.umask(0o077)  # the outbox holds device events of citizens' sessions: the kiosk user's only
    args = build_parser().parse_args(argv)
    return args.handler(args)


def kiosk_settings(
    settings: Settings, *, kiosk: str = "", secret: str = "", core_url: str = "", outbox: Path | None = None
) -> KioskSettings:
    """The kiosk's part of the settings tree; the demo kiosk of `python -m api` names itself, its core and its
    default outbox (MOTCUA_KIOSK_OUTBOX still wins)."""
    given = settings.kiosk
    kiosk, secret = kiosk or given.key, secret or given.secret
    if not kiosk or not secret:
        raise KioskConfigError("set MOTCUA_KIOSK_KEY (e.g. Q6-01) and MOTCUA_KIOSK_SECRET (its device secret)")
    servers = settings.nats.servers
    if not servers or not all(url.startswith(("nats://", "tls://")) for url in servers):
        raise KioskConfigError("MOTCUA_NATS_URL must be nats:// or tls:// URLs separated by commas")
    return KioskSettings(
        kiosk=kiosk,
        secret=secret,
        core_url=core_url or given.core_url,
        nats_servers=servers,
        nats_prefix=settings.nats.prefix,
        nats_seed=settings.nats.nkey_seed,
        nats_ca=settings.nats.ca,
        outbox=given.outbox or outbox or Path(f"var/kiosk-{kiosk}-outbox.sqlite3"),
        screen_host=given.screen_host,
        screen_port=given.screen_port,
        screen_hosts=given.screen_hosts,
        catalogue=settings.catalogue_path,
        trays=given.trays,
        faces=given.faces,
        code_camera=given.code_camera,
        hotline=given.hotline,
        demo=settings.demo,
        bank=BankAccount(bin=given.bank_bin, number=given.bank_account, name=given.bank_name),
    )


def _run(args: argparse.Namespace) -> int:
    setup_logging("kiosk")
    try:
        process = KioskProcess(kiosk_settings(Settings.from_env()))
    except (KioskConfigError, ValueError) as error:
        print(f"run: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    process.start()
    print(f"kiosk {process.settings.kiosk}: citizen screen on {process.screen.url}", flush=True)
    stop.wait()
    process.stop()
    return 0


def _simulate(args: argparse.Namespace) -> int:
    try:
        steps = SCENARIOS[args.scenario]() if args.scenario else json.loads(args.script.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"simulate: cannot read the script: {error}", file=sys.stderr)
        return 2
    sms = SmsSink(args.sms_port)
    try:
        screens = Simulator(args.kiosk_url, args.core_url, kiosk=args.kiosk, sms=sms).run(steps)
    except (SimulationError, OSError) as error:
        print(f"simulate: {error}", file=sys.stderr)
        return 1
    finally:
        sms.close()
    print(" → ".join(screens))
    return 0


def _decode(args: argparse.Namespace) -> int:
    if hasattr(sys.stdout, "reconfigure"):  # payloads carry Vietnamese names: UTF-8 whatever the locale
        sys.stdout.reconfigure(encoding="utf-8")
    failures = 0
    for path in image_paths(args.paths):
        try:
            image = read_image(path)
        except UnreadableSourceError as error:
            print(f"decode: cannot read {error}", file=sys.stderr)
            failures += 1
            continue
        for symbol in read_symbols(image):
            print(f"{path}\t{symbol.kind}\t{symbol.payload.translate(_LINE_BREAKERS)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
