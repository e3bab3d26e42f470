"""Command line of the kiosk edge process: `python -m kiosk_edge COMMAND ...`.

Each subcommand is one `_<name>` handler registered in `build_parser`; `decode` is the camera readers'
offline check. Exit status: 0 when every input was read, 1 when some could not be, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kiosk_edge.readers.sources import UnreadableSourceError, image_paths, read_image
from kiosk_edge.readers.symbols import read_symbols

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit status."""
    args = build_parser().parse_args(argv)
    return args.handler(args)


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
