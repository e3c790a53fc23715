"""Cold start: from `hearten chat` launched to its first reply printed.

The chat runs as a real subprocess with a message on its standard input, the way a
pipe or a terminal feeds it; the clock stops when the reply to that message is on
its standard output. Two cases: a first run ever (an empty home: the database is
created and migrated) and a later run (the home exists). Side by side, in the same
run: a bare interpreter start and `import hearten.cli`, the floor under any start.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.common import Measure, hearten_cli, spread

MESSAGE = "I feel really low today, and work keeps piling up.\n"
PROMPT = b"hearten \xe2\x80\xba"  # "hearten ›": each line hearten says starts so
ANSI = re.compile(rb"\x1b\[[0-9;]*m")


def time_chat(home: Path) -> tuple[float, float]:
    """Seconds to the opening line and to the first reply of one `hearten chat`."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    env.update(HEARTEN_HOME=str(home), COLUMNS="200", NO_COLOR="1")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*hearten_cli(), "chat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    watchdog = threading.Timer(120, proc.kill)  # a hung chat must not hang the run
    watchdog.start()
    seen: list[float] = []
    try:
        proc.stdin.write(MESSAGE.encode())
        proc.stdin.close()
        for line in iter(proc.stdout.readline, b""):
            if PROMPT in ANSI.sub(b"", line):
                seen.append(time.perf_counter() - start)
                if len(seen) == 2:
                    break
        proc.stdout.close()
        proc.wait(timeout=60)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if len(seen) < 2:
        raise RuntimeError("hearten chat printed no reply")
    return seen[0], seen[1]


def time_command(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, timeout=120)
    return time.perf_counter() - start


def run(quick: bool = False) -> list[Measure]:
    runs = 1 if quick else 7
    first_open, first_reply, later_open, later_reply, bare, imports = [], [], [], [], [], []
    for _ in range(runs):  # interleaved, so the machine's noise falls on every case
        with tempfile.TemporaryDirectory(prefix="hearten-cold-") as tmp:
            home = Path(tmp)
            o, r = time_chat(home)
            first_open.append(o)
            first_reply.append(r)
            o, r = time_chat(home)
            later_open.append(o)
            later_reply.append(r)
        bare.append(time_command([sys.executable, "-c", "pass"]))
        imports.append(time_command([sys.executable, "-c", "import hearten.cli"]))

    def m(name: str, values: list[float], target: str = "") -> Measure:
        values = sorted(values)
        return Measure("cold start", name, values[len(values) // 2], "s", target,
                       spread(values, "{:.2f}"), {"runs": values})  # fmt: skip

    return [
        m("launch → first reply (home exists)", later_reply, "≤ 1.5"),
        m("launch → first reply (first run: new database)", first_reply, "≤ 1.5"),
        m("launch → opening line (home exists)", later_open),
        m("reference: bare python start", bare),
        m("reference: import hearten.cli", imports),
    ]
