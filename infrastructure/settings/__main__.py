"""`python -m infrastructure.settings --markdown`: the README's configuration table, generated from the tree."""

from __future__ import annotations

import argparse
from pathlib import Path

from infrastructure.settings import Settings
from infrastructure.settings.fields import variables

ROOT = Path(__file__).resolve().parents[2]


def markdown() -> str:
    """One row per variable: name, default as the docs state it, meaning."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for meta, default in variables(Settings):
        cells = (f"`{meta.name}`", meta.shown or _shown(default), meta.doc)
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows) + "\n"


def _shown(default: object) -> str:
    if isinstance(default, tuple):
        default = ",".join(default)
    if isinstance(default, Path) and default.is_absolute() and default.is_relative_to(ROOT):
        default = default.relative_to(ROOT)
    if isinstance(default, bool):
        default = "1" if default else "0"
    return f"`{default}`" if str(default) else "empty"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m infrastructure.settings")
    parser.add_argument("--markdown", action="store_true", help="print the README's configuration table")
    args = parser.parse_args()
    if not args.markdown:  # never print the values read: several are secrets
        parser.print_help()
        return
    print(markdown(), end="")


if __name__ == "__main__":
    main()
