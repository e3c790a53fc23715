"""Run hearten's benchmarks, print one table and write JSON.

    python -m benchmarks                 # all of them, full size
    python -m benchmarks --quick         # a short version (CI runs this)
    python -m benchmarks latency load    # only these
    python -m benchmarks --json out.json

Figures are reported against the targets of the benchmarks issue, never asserted.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.common import Measure, machine

# In the order they run: the cheap in-process ones first.
BENCHMARKS = (
    "latency",  # turn latency per stage, through the Python API
    "scaling",  # latency and memory against conversation length and stored conversations
    "cold_start",  # `hearten chat` launched to first reply
    "memory",  # peak RSS of a chat session (`hearten serve`'s is measured by load)
    "llm_overhead",  # time to first token through hearten vs straight to the server
    "simulation",  # conversations per second of `hearten simulate`
    "load",  # `hearten serve` under 1/8/32/128 clients, SQLite and PostgreSQL, and the echo peer
    "peers",  # the composer against a local GGUF through llama-cpp-python, when given
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"which to run (default: all): {', '.join(BENCHMARKS)}")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="a short version, for CI")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/latest.json"),
                        help="where to write the results (default: %(default)s)")  # fmt: skip
    args = parser.parse_args(argv)
    names = args.names or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")

    console = Console()
    # A developer's own hearten settings (a database URL, a key, a voice) must not
    # reach the benchmarks, nor their processes: each benchmark sets what it needs.
    kept = ("HEARTEN_BENCH_", "HEARTEN_TEST_POSTGRES_URL")
    dropped = sorted(k for k in os.environ if k.startswith("HEARTEN_") and not k.startswith(kept))
    for key in dropped:
        del os.environ[key]
    if dropped:
        console.print(f"[dim]ignoring {', '.join(dropped)}[/dim]")
    measures: list[Measure] = []
    failures: dict[str, str] = {}
    timings: dict[str, float] = {}
    for name in names:
        console.print(f"[bold]▸ {name}[/bold]{' (quick)' if args.quick else ''}")
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            measures.extend(module.run(quick=args.quick))
        except Exception:  # one broken benchmark must not hide the others' figures
            failures[name] = traceback.format_exc()
            console.print(f"[red]{name} failed[/red]\n{failures[name]}")
        timings[name] = round(time.perf_counter() - start, 1)

    table = Table(title="hearten benchmarks" + (" (quick)" if args.quick else ""))
    for column in ("benchmark", "measure", "value", "target", "", "spread"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for m in measures:
        mark = {True: "[green]met[/green]", False: "[red]missed[/red]", None: ""}[m.met]
        table.add_row(m.benchmark, m.name, f"{m.value:,.1f} {m.unit}", m.target, mark, m.spread)
    console.print(table)

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "machine": machine(),
        "quick": args.quick,
        "seconds": timings,
        "measures": [m.as_json() for m in measures],
        "failures": failures,
    }, indent=2, ensure_ascii=False) + "\n", "utf-8")  # fmt: skip
    console.print(f"wrote {args.json}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
