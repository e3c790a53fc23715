"""What every benchmark shares: the Measure record, percentiles, repeated runs with
their spread, peak memory of a child process, and a description of the machine.

Targets are reported, never asserted: this machine is shared and noisy, so a figure is
a median over repeated runs, with its spread, and wherever there is a reference it is
measured side by side in the same run and reported as a ratio too."""

from __future__ import annotations

import functools
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Measure:
    """One figure of one benchmark."""

    benchmark: str  # e.g. "turn latency"
    name: str  # e.g. "whole turn p99"
    value: float
    unit: str  # "ms", "s", "MB", "turns/s", "conv/s", "×"
    target: str = ""  # e.g. "≤ 60": the target, if it sets one
    spread: str = ""  # e.g. "runs 41–47 (n=5)"
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        """Whether the value meets the target (None when there is no target)."""
        if not self.target:
            return None
        op, limit = self.target.split()
        return self.value <= float(limit) if op == "≤" else self.value >= float(limit)

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "met": self.met}


def time_calls(obj: object, attr: str, record: Callable[[float], None]) -> None:
    """Wrap obj.attr so that each call hands its duration in seconds to `record`."""
    inner: Callable[..., Any] = getattr(obj, attr)

    @functools.wraps(inner)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            record(time.perf_counter() - start)

    setattr(obj, attr, timed)


def percentile(xs: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100), linear between closest ranks."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    k = (len(s) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary(xs: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/max/mean and the count of a sample."""
    return {
        "n": len(xs),
        "p50": percentile(xs, 50),
        "p95": percentile(xs, 95),
        "p99": percentile(xs, 99),
        "max": max(xs) if xs else float("nan"),
        "mean": statistics.fmean(xs) if xs else float("nan"),
    }


def spread(values: Sequence[float], fmt: str = "{:.1f}") -> str:
    """How repeated runs of one figure varied: min–max of n runs."""
    if len(values) < 2:
        return ""
    return f"runs {fmt.format(min(values))}–{fmt.format(max(values))} (n={len(values)})"


def repeat(fn: Callable[[], float], runs: int) -> tuple[float, list[float]]:
    """The median of `runs` calls of fn, and every value."""
    values = [fn() for _ in range(runs)]
    return statistics.median(values), values


def python() -> str:
    """The interpreter to launch children with: this one."""
    return sys.executable


def hearten_cli() -> list[str]:
    """The command that runs the `hearten` console script of this interpreter."""
    script = Path(sys.executable).with_name("hearten")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hearten.cli"]


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a live process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# Runs a command and prints its peak RSS in KiB. A small launcher in between matters:
# Linux counts in a child's ru_maxrss the memory it had before exec, which for a child
# forked straight from a benchmark would be the benchmark's own.
_LAUNCHER = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:])\n"
    "sys.stderr.write(f'\\nmaxrss={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n')\n"
    "sys.exit(done.returncode)\n"
)


def child_peak_rss_mb(argv: list[str], stdin: str = "", env: dict[str, str] | None = None,
                      timeout: float = 300) -> tuple[float, str]:  # fmt: skip
    """Run a command to the end; its peak resident memory in MB and its stdout."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _LAUNCHER, *argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})},
        start_new_session=True,  # so that a timeout can stop the command with its launcher
    )  # fmt: skip
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    if proc.returncode != 0:
        raise RuntimeError(f"{argv} exited with {proc.returncode}: {err[-500:]}")
    kib = int(err.rsplit("maxrss=", 1)[1].split()[0])
    return kib / 1024, out


def machine() -> dict[str, Any]:
    """Where the figures came from."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
            check=False,
        ).stdout.strip()  # fmt: skip
    except OSError:
        commit = ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_gib, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": os.getloadavg(),
        "commit": commit,
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
