"""Kiosk camera readers: detection rate and ms/frame of `read_symbols` beside plain `pyzbar.decode`.

Both read the same generated 1280x720 frames in the same run, frame by frame, so machine load
hits both alike. Each frame holds one symbol (half envelope Code128, half CCCD QR) at a random
angle, with random size, defocus, faint print, glare, dim light and sensor noise (see
`kiosk_edge.readers.synthetic.random_distortion`). Targets: >= 97% read, median <= 40 ms/frame.

    .venv/bin/python bench/decode.py [--frames 300] [--seed 2024]

The last line is `ratio <our rate / plain rate>`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from pyzbar import pyzbar
from pyzbar.pyzbar import ZBarSymbol

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import cpu_model  # noqa: E402
from kiosk_edge.readers import Symbol, read_symbols  # noqa: E402
from kiosk_edge.readers.synthetic import random_sample  # noqa: E402

_PLAIN_KINDS = {"CODE128": "code128", "QRCODE": "qrcode"}


def plain(frame: np.ndarray) -> list[Symbol]:
    """What `pyzbar.decode` alone reads from the grey frame (the same two symbologies), bytes as UTF-8."""
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    found = pyzbar.decode(grey, symbols=[ZBarSymbol.CODE128, ZBarSymbol.QRCODE])
    return [Symbol(_PLAIN_KINDS[d.type], d.data.decode("utf-8", errors="replace")) for d in found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    samples = [random_sample(rng) for _ in range(args.frames)]
    print(
        f"generated {len(samples)} frames of {samples[0][0].shape[1]}x{samples[0][0].shape[0]} "
        f"(seed {args.seed}) in {time.perf_counter() - started:.1f} s"
    )
    readers = {"ours": read_symbols, "plain": plain}
    read = {name: 0 for name in readers}
    wrong = {name: 0 for name in readers}
    by_kind = {(name, kind): [0, 0] for name in readers for kind in ("code128", "qrcode")}
    times: dict[str, list[float]] = {name: [] for name in readers}
    read_symbols(samples[0][0])  # warm up OpenCV and zbar outside the timings
    for frame, expected in samples:
        for name, reader in readers.items():
            started = time.perf_counter()
            found = reader(frame)
            times[name].append((time.perf_counter() - started) * 1000)
            hit = expected in found
            read[name] += hit
            wrong[name] += any(s != expected for s in found)
            by_kind[name, expected.kind][0] += hit
            by_kind[name, expected.kind][1] += 1

    print(
        f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"OpenCV {cv2.__version__}, load average {os.getloadavg()[0]:.2f} (other processes share the cores)"
    )
    rates = {}
    for name in readers:
        rates[name] = read[name] / len(samples)
        kinds = ", ".join(f"{kind} {hits}/{total}" for (who, kind), (hits, total) in by_kind.items() if who == name)
        print(
            f"{name:5}: read {read[name]}/{len(samples)} = {rates[name]:.1%} ({kinds}); "
            f"misread frames {wrong[name]}; ms/frame median {statistics.median(times[name]):.1f}, "
            f"p95 {float(np.percentile(times[name], 95)):.1f}, max {max(times[name]):.1f}"
        )
    print(
        f"targets: read >= 97% {'met' if rates['ours'] >= 0.97 else 'MISSED'}, "
        f"median <= 40 ms {'met' if statistics.median(times['ours']) <= 40 else 'MISSED'}"
    )
    ratio = rates["ours"] / rates["plain"] if rates["plain"] else float("inf")
    print(f"ratio {ratio:.2f}")


if __name__ == "__main__":
    main()
