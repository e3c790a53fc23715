"""The load benchmark (benchmarks/load.py), small: its workload, how it reads a run,
and a tiny run against a real `hearten serve` and the echo endpoint. Only exact things
are asserted (names, units, counts); never a time: the machine is shared."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from benchmarks.load import Plan, conversations, hedged, run_plan, summarise


def test_hedges_go_after_the_cue_and_keep_i_capital() -> None:
    assert hedged("*sighs* I feel low.", 0) == "*sighs* I feel low."
    assert hedged("*sighs* I feel low.", 1) == "*sighs* Honestly, I feel low."
    assert hedged("Work is a lot.", 1) == "Honestly, work is a lot."
    assert hedged("Work is a lot.", 12) == "Work is a lot. I don't know."


def test_a_run_sends_few_messages_twice() -> None:
    # hearten caches encodings by text: repeated messages would flatter the figures.
    first = [m for script in conversations()[:1000] for m in script]
    assert len(set(first)) / len(first) > 0.9


def test_a_run_is_measured_from_steady_state_to_the_stop() -> None:
    records = [
        # kind, client, end, ms, status, error, reply id
        ["start", 0, 0.5, 10.0, 201, None, None],
        ["turn", 0, 1.0, 100.0, 200, None, 11],
        ["start", 1, 0.6, 10.0, 201, None, None],
        ["turn", 1, 2.0, 200.0, 200, None, 12],  # both clients have a reply: steady
        ["turn", 0, 3.0, 300.0, 200, None, 13],
        ["turn", 1, 4.0, 0.0, 0, "ConnectionRefusedError", None],
        ["turn", 0, 6.0, 400.0, 500, "HTTP 500", None],
        ["turn", 1, 11.0, 500.0, 200, None, 14],  # after the stop: acknowledged only
    ]
    run = summarise({"window": {"start": 0.0, "stop": 10.0}, "scripts": 2, "records": records},
                    clients=2, seconds=10, loadgen_cpu=0.1, server_cpu=0.6)  # fmt: skip
    assert run.steady
    assert run.window == 8.0
    assert run.turns == 2
    assert run.latencies == [200.0, 300.0]
    assert run.acknowledged == [11, 12, 13, 14]
    assert dict(run.failures) == {"turn: ConnectionRefusedError": 1, "turn: HTTP 500": 1}
    assert run.server_cpu_ms == 300.0


def test_a_run_without_steady_state_measures_its_second_half() -> None:
    records = [["turn", 0, 1.0, 100.0, 200, None, 1], ["turn", 0, 6.0, 100.0, 200, None, 2]]
    run = summarise({"window": {"start": 0.0, "stop": 10.0}, "scripts": 1, "records": records},
                    clients=2, seconds=10, loadgen_cpu=0.1, server_cpu=0.0)  # fmt: skip
    assert not run.steady
    assert run.window == 5.0
    assert run.turns == 1


@pytest.mark.slow
def test_a_tiny_load_run(tmp_path: Path) -> None:
    # Only look for locust: importing it here would let gevent monkey-patch this
    # process's threads and sleeps for every test after this one (a threading.Timer
    # becomes a greenlet that never runs while C code holds the thread).
    if importlib.util.find_spec("locust") is None:
        pytest.skip("locust is not installed (pip install -e '.[test]')")
    plan = Plan(
        levels=(2,), seconds={2: 2}, repeats=1, peer_levels=(2,), peer_seconds={2: 1},
        peer_repeats=1, postgres=False, memory_level=2,
    )  # fmt: skip
    measures = {m.name: m for m in run_plan(plan, tmp_path)}
    units = {name: m.unit for name, m in measures.items()}
    assert units == {
        "SQLite, 2 clients: turns/s": "turns/s",
        "SQLite, 2 clients: p50": "ms",
        "SQLite, 2 clients: p99": "ms",
        "hearten serve peak RSS under load": "MB",
        "2 clients: hearten /v1 turns/s": "turns/s",
        "2 clients: echo turns/s": "turns/s",
        "2 clients: hearten/echo turns/s": "%",
        "2 clients: hearten /v1 p50": "ms",
        "2 clients: echo p50": "ms",
        "2 clients: hearten/echo p50": "×",
        "echo: failed requests": "requests",
        "SQLite: failed requests": "requests",
        "SQLite: replies stored ≠ acknowledged": "replies",
    }
    assert measures["hearten serve peak RSS under load"].benchmark == "memory"
    assert measures["hearten serve peak RSS under load"].target == "≤ 400"
    assert measures["SQLite: failed requests"].value == 0
    assert measures["echo: failed requests"].value == 0
    stored = measures["SQLite: replies stored ≠ acknowledged"]
    assert stored.value == 0
    # Each client finishes the turn in hand when time is up: two clients on /api and
    # two on /v1 have had at least one reply each, and every one is stored, once.
    assert stored.detail["stored"] == stored.detail["acknowledged"] >= 4
    assert stored.detail["acknowledged_twice"] == 0
    assert stored.detail["incomplete"] == 0
