"""Kiosk camera reader on frames of a third generator (bench/frames_other.py), beside plain `pyzbar.decode`.

The generator was written without looking at the reader or at the project's two other generators, so the reader
was never tuned on it. Half the frames carry a Code 128 (envelope barcode or dossier code), half a CCCD QR.
Reads, misreads and timings are counted as in bench/decode_hard.py (a payload counts once the project's parsers
accept it; an accepted payload that is not the printed one is a misread).

    .venv/bin/python -m bench.decode_other [--frames 300] [--first-seed 0]

Targets: >= 97% read overall, median <= 40 ms/frame, no misread. The last line is `ratio <ours / plain>`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import astuple
from datetime import date
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.decode_hard import Tally, machine_line, plain, targets  # noqa: E402
from bench.frames_other import Conditions, other_sample  # noqa: E402
from kiosk_edge.readers import Symbol, read_symbols  # noqa: E402


def plain_any(frame: np.ndarray) -> list[Symbol]:
    """Plain `pyzbar.decode` on a BGR or grey frame (a grey frame is widened losslessly for `plain`)."""
    return plain(frame if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))


def _band(value: float, edges: tuple[float, ...], unit: str = "") -> str:
    """The label of the band `value` falls in, between consecutive `edges`."""
    for low, high in zip(edges, edges[1:], strict=False):
        if value < high:
            return f"{low:g}-{high:g}{unit}"
    return f">= {edges[-1]:g}{unit}"


def classes(c: Conditions) -> dict[str, str]:
    """The condition classes a frame falls in, for the breakdown of misses."""
    module = (1.5, 2, 3, 4) if c.kind == "code128" else (2, 3, 4.5, 6)
    off_axis = abs((c.angle + 45) % 90 - 45)
    return {
        "module": _band(c.module_px, module, " px"),
        "angle": _band(abs(c.angle) if c.kind == "code128" else off_axis, (0, 10, 25, 45), " deg"),
        "tilt": "mild (< 0.1)" if c.tilt < 0.1 else "0.1-0.2",
        "blur": c.blur if c.blur == "none" else f"{c.blur} {'<=' if c.blur_modules <= 0.6 else '>'} 0.6 module",
        "light": _band(c.light, (0, 0.5, 0.8), ""),
        "shadow": "shadow edge on symbol" if c.shadow_edge else "even on symbol",
        "jpeg": _band(c.jpeg, (40, 60, 80), ""),
        "noise": _band(c.noise, (0, 4, 6), " levels"),
        "frame": "grey" if c.grey else "BGR",
        "renderer": c.renderer,
        "document": c.document,
    }


def breakdown(rows: list[tuple[Conditions, bool]]) -> list[str]:
    """Our read rate per symbology and condition class: where the misses are."""
    table: dict[tuple[str, str, str], list[int]] = {}
    for conditions, hit in rows:
        for axis, label in classes(conditions).items():
            cell = table.setdefault((conditions.kind, axis, label), [0, 0])
            cell[0] += hit
            cell[1] += 1
    lines = []
    for kind, axis in dict.fromkeys((k, a) for k, a, _ in table):
        cells = [
            f"{lab} {h}/{n} = {h / n:.0%}" for (k, a, lab), (h, n) in sorted(table.items()) if (k, a) == (kind, axis)
        ]
        lines.append(f"  {kind:7} {axis:8}: " + "; ".join(cells))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--first-seed", type=int, default=0)
    args = parser.parse_args()

    readers: dict[str, Callable[[np.ndarray], list[Symbol]]] = {"ours": read_symbols, "plain pyzbar": plain_any}
    tallies = {name: Tally() for name in readers}
    read_symbols(other_sample(args.first_seed)[0])  # warm up OpenCV, zbar and zxing-cpp outside the timings
    started, misread = time.perf_counter(), []
    rows: dict[str, list[tuple[Conditions, bool]]] = {name: [] for name in readers}
    for seed in range(args.first_seed, args.first_seed + args.frames):
        frame, expected, conditions = other_sample(seed)
        for name, reader in readers.items():
            before = tallies[name].misreads
            began = time.perf_counter()
            found = reader(frame)
            tallies[name].add(seed, expected, found, (time.perf_counter() - began) * 1000)
            if name == "ours" and tallies[name].misreads > before:
                misread.append(seed)
        for name, tally in tallies.items():
            rows[name].append((conditions, seed not in tally.missed))
    last = args.first_seed + args.frames - 1
    print(f"{args.frames} frames 1280x720 of bench.frames_other, seeds {args.first_seed}..{last}, {date.today()}")
    print(f"{machine_line()}; {time.perf_counter() - started:.0f} s in all")
    for name, tally in tallies.items():
        print(tally.line(name))
    ours, base = tallies["ours"], tallies["plain pyzbar"]
    print(f"missed by ours: {ours.missed[:40]}{' ...' if len(ours.missed) > 40 else ''}; misread by ours: {misread}")
    for seed in ours.missed[:12]:
        print(f"  miss {seed}: {_describe(rows['ours'][seed - args.first_seed][0])}")
    for name, seen in rows.items():  # plain's misses show where the frames are hard
        print(f"{name} by condition:", *breakdown(seen), sep="\n")
    print(targets(ours))
    print(f"ratio {ours.rate() / base.rate() if base.rate() else float('inf'):.2f}")


def _describe(c: Conditions) -> str:
    return ", ".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in astuple(c))


if __name__ == "__main__":
    main()
