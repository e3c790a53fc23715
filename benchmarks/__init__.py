"""hearten's benchmarks: `python -m benchmarks` runs them all, prints a table and writes
JSON. Each module here that defines `run(quick: bool) -> list[Measure]` is one
benchmark; `benchmarks/common.py` holds what they share. See docs/benchmarks.md."""
