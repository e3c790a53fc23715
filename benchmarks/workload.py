"""The turns the in-process benchmarks replay: user messages of simulated
conversations, written by `hearten simulate` (its rule-driven users playing the
persona cards), so the workload is what the evaluation harness calls a conversation."""

from __future__ import annotations

import json
import subprocess
from functools import cache

from benchmarks.common import hearten_cli


@cache
def conversations(count: int, turns: int = 8, seed: int = 7) -> list[list[str]]:
    """`count` simulated conversations of `turns` user messages each."""
    out = subprocess.run(
        [*hearten_cli(), "simulate", "--all", "-n", str(count), "--turns", str(turns),
         "--seed", str(seed), "--format", "jsonl", "-o", "-", "-q"],
        capture_output=True, text=True, check=True, timeout=1800,
    ).stdout  # fmt: skip
    convs: dict[str, list[str]] = {}
    for line in out.splitlines():
        if line.strip():
            record = json.loads(line)
            convs.setdefault(record["conversation"], []).append(record["user"])
    return list(convs.values())
