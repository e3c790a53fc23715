"""The latency suite: seconds per turn, measured around each reply of simulated
conversations run one after another in this process (or over HTTP for --target),
after a start-up that includes the bot's first reply."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

from hearten.evaluate.metrics import percentile
from hearten.simulate.bots import BotSpec, make_bot
from hearten.simulate.simulator import Job, UserSpec, converse


def run(jobs: list[Job], bot_spec: BotSpec, user_spec: UserSpec | None = None) -> dict[str, Any]:
    user_spec = user_spec or UserSpec()
    started = time.perf_counter()
    bot = make_bot(bot_spec)
    # Start-up: making the bot and its first reply, which loads what is loaded lazily
    # (hearten's prototype and exemplar vectors); the turns measured come after.
    bot.session("warm-up", 0).send("Hello, I feel a bit low today.")
    startup = time.perf_counter() - started
    seconds: list[float] = []
    by_turn: dict[int, list[float]] = defaultdict(list)
    try:
        for job in jobs:
            conv = converse(bot, job, user_spec)
            for t in conv.turns:
                seconds.append(t.seconds)
                by_turn[t.turn].append(t.seconds)
    finally:
        bot.close()
    return {
        "bot": bot.name,
        "startup_seconds": startup,
        "conversations": len(jobs),
        "turns": len(seconds),
        "mean": sum(seconds) / len(seconds) if seconds else None,
        "p50": percentile(seconds, 50),
        "p90": percentile(seconds, 90),
        "p99": percentile(seconds, 99),
        "max": max(seconds, default=0.0),
        "by_turn": {n: sum(v) / len(v) for n, v in sorted(by_turn.items())},
        "seconds": [round(s, 5) for s in seconds],
    }
