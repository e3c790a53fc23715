"""Simulation throughput: conversations per second of `hearten simulate` (rule-driven
users on every persona card, against hearten on its defaults, transcripts written to
a temporary folder), with one worker and with one per core, side by side."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time

from benchmarks.common import Measure, hearten_cli, spread


def conversations_per_second(count: int, turns: int, workers: int) -> float:
    with tempfile.TemporaryDirectory(prefix="hearten-sim-") as out:
        start = time.perf_counter()
        subprocess.run(
            [*hearten_cli(), "simulate", "--all", "-n", str(count), "--turns", str(turns),
             "--workers", str(workers), "-o", out, "-q"],
            check=True, capture_output=True, timeout=1800,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        written = len(os.listdir(out))
    if written != count:
        raise RuntimeError(f"hearten simulate wrote {written} transcripts, not {count}")
    return count / seconds


def run(quick: bool = False) -> list[Measure]:
    count, turns, runs = (8, 4, 1) if quick else (128, 8, 3)
    cores = os.cpu_count() or 1
    by_workers: dict[int, list[float]] = {1: [], cores: []}
    for _ in range(runs):
        for workers in by_workers:
            by_workers[workers].append(conversations_per_second(count, turns, workers))
    out = []
    for workers, values in by_workers.items():
        values.sort()
        out.append(Measure(
            "simulation", f"hearten simulate, {workers} worker{'s' if workers > 1 else ''} "
            f"({count} conversations × {turns} turns)", values[len(values) // 2], "conv/s", "",
            spread(values, "{:.2f}"), {"runs": values, "count": count, "turns": turns},
        ))  # fmt: skip
    return out
