"""Peak memory of a chat session: `hearten chat` as a real subprocess, fed a whole
simulated conversation on its standard input, its peak resident set read from the
kernel when it ends. (Peak memory of `hearten serve` under load is measured by the
load benchmark, on the server it loads.)"""

from __future__ import annotations

import sys
import tempfile

from benchmarks.common import Measure, child_peak_rss_mb, hearten_cli, spread
from benchmarks.workload import conversations


def run(quick: bool = False) -> list[Measure]:
    runs, turns = (1, 8) if quick else (3, 40)
    convs = conversations(8 if quick else 64)
    script = "\n".join(m for c in convs for m in c[:8])  # several conversations, one session
    script = "\n".join(script.splitlines()[:turns]) + "\n"
    peaks, floor = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="hearten-mem-") as home:
            peak, out = child_peak_rss_mb([*hearten_cli(), "chat"], stdin=script,
                                          env={"HEARTEN_HOME": home})  # fmt: skip
            if out.count("hearten ›") < turns + 1:
                raise RuntimeError("hearten chat did not answer every message")
            peaks.append(peak)
        floor.append(child_peak_rss_mb([sys.executable, "-c", "import numpy, sqlalchemy"])[0])
    peaks.sort()
    floor.sort()
    return [
        Measure("memory", f"hearten chat peak RSS ({turns} turns)", peaks[len(peaks) // 2], "MB",
                "≤ 300", spread(peaks), {"runs": peaks, "turns": turns}),
        Measure("memory", "reference: python + numpy + sqlalchemy", floor[len(floor) // 2], "MB",
                "", spread(floor), {"runs": floor}),
    ]  # fmt: skip
