#!/usr/bin/env python3
"""Build-time benchmark (not a test): median wall-clock times of whole commands.

    .venv/bin/python bench/build_times.py [--runs 7]

Measures, interleaved round by round so machine noise hits every case alike:
  clean        `make site` with output/ removed first (set-up already done)
  unchanged    `make site` again with nothing changed
  build-only   `sitegen build` alone, without make's set-up checks
  check        `sitegen check` (load and validate only)
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITEGEN = str(ROOT / ".venv" / "bin" / "sitegen")


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def clean_make_site() -> float:
    shutil.rmtree(ROOT / "output", ignore_errors=True)
    return timed(["make", "-s", "site"])


CASES = {
    "clean": clean_make_site,
    "unchanged": lambda: timed(["make", "-s", "site"]),
    "build-only": lambda: timed([SITEGEN, "build"]),
    "check": lambda: timed([SITEGEN, "check"]),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    timed(["make", "-s", "site"])  # warm-up: set-up done, caches warm
    samples: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(args.runs):
        for name, case in CASES.items():
            samples[name].append(case())
    base = statistics.median(samples["clean"])
    print(f"{'case':<12} {'median s':>9} {'min s':>7} {'max s':>7} {'vs clean':>9}   ({args.runs} runs)")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:<12} {median:9.2f} {min(values):7.2f} {max(values):7.2f} {median / base:9.2f}")


if __name__ == "__main__":
    main()
