"""How turn latency and memory grow with the length of a conversation and with the
number of conversations already stored.

Length: one stored session is fed simulated user messages for 1,000 turns (50 in
quick mode); the ten turns up to the 10th, 100th and 1,000th are timed, and the
growth of the process's resident memory since the first turn is read there. Stored
conversations: a SQLite database is filled with 1k and 100k past conversations (5k in
quick mode; four messages each, spread over 1,000 people, one of them the person who
then talks), and new sessions of that person are timed from start to first reply and
turn by turn.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import Measure, summary
from benchmarks.workload import conversations

WINDOW = 10  # turns around each checkpoint


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def companion(home: Path) -> Any:
    os.environ["HEARTEN_HOME"] = str(home)
    from hearten.companion import Companion
    from hearten.config import load_settings

    return Companion(load_settings())


def by_length(checkpoints: list[int], messages: list[str]) -> list[Measure]:
    out: list[Measure] = []
    with tempfile.TemporaryDirectory(prefix="hearten-scale-") as home:
        c = companion(Path(home))
        session = c.session("long", seed=3)
        session.opening()
        session.send(messages[0])  # loads the indexes: what follows is growth, not start-up
        before = rss_mb()
        times: list[float] = []
        memory: dict[int, float] = {}
        for turn in range(1, checkpoints[-1] + 1):
            # Different words each time, as a real long conversation would have.
            text = f"{messages[turn % len(messages)]} ({turn})"
            start = time.perf_counter()
            session.send(text)
            times.append((time.perf_counter() - start) * 1000)
            if turn in checkpoints:
                memory[turn] = rss_mb()
        c.close()
    for point in checkpoints:
        window = times[max(0, point - WINDOW) : point]
        stats = summary(window)
        out.append(Measure("scaling", f"turn p50 at turn {point:,} of one conversation",
                           stats["p50"], "ms", "", f"turns {point - len(window) + 1}–{point}",
                           stats))  # fmt: skip
        grown = memory[point] - before
        detail = {"rss_mb": memory[point], "before_mb": before}
        out.append(
            Measure("scaling", f"memory grown by turn {point:,}", grown, "MB", detail=detail)
        )
    return out


def fill(db: Path, count: int) -> None:
    """`count` stored conversations over 1,000 people, person-0 among them."""
    from sqlalchemy import insert

    from hearten.store import Store
    from hearten.store.tables import Conversation, Message, User

    store = Store.at(db)
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        people = [{"name": f"person-{i}", "created_at": now} for i in range(1000)]
        conn.execute(insert(User), people)
        first = conn.execute(insert(Conversation).returning(Conversation.id),
                             [{"user_id": 1 + i % 1000, "started_at": now, "voice": "composer"}
                              for i in range(count)]).scalars().all()  # fmt: skip
        lines = ["I feel low today.", "I'm sorry it's been heavy.", "Work is a lot.",
                 "That sounds exhausting; what weighs most?"]  # fmt: skip
        conn.execute(insert(Message), [
            {"conversation_id": cid, "seq": k, "role": "user" if k % 2 == 0 else "assistant",
             "text": lines[k], "created_at": now, "complete": True}
            for cid in first for k in range(4)
        ])  # fmt: skip
    store.close()


def by_stored(sizes: list[int], turns: int, messages: list[str]) -> list[Measure]:
    out: list[Measure] = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="hearten-stored-") as tmp:
            home = Path(tmp)
            started = time.perf_counter()
            fill(home / "hearten.db", size)
            filled = time.perf_counter() - started
            c = companion(home)
            starts, turn_times = [], []
            for n in range(turns // 8):
                start = time.perf_counter()
                session = c.session("person-0", seed=n)  # a person with size/1000 conversations
                session.opening()
                session.send(messages[n % len(messages)] + f" ({n})")
                starts.append((time.perf_counter() - start) * 1000)
                for k in range(1, 8):
                    start = time.perf_counter()
                    session.send(messages[(n * 8 + k) % len(messages)] + f" ({n}.{k})")
                    turn_times.append((time.perf_counter() - start) * 1000)
            c.close()
            size_mb = (home / "hearten.db").stat().st_size / 1e6
        detail = {"fill_seconds": round(filled, 1), "database_mb": round(size_mb, 1)}
        out.append(
            Measure("scaling", f"turn p50 with {size:,} stored conversations",
                    statistics.median(turn_times), "ms", detail={**summary(turn_times), **detail})
        )  # fmt: skip
        out.append(
            Measure("scaling", f"new session → first reply with {size:,} stored",
                    statistics.median(starts), "ms", detail={**summary(starts), **detail})
        )  # fmt: skip
    return out


def run(quick: bool = False) -> list[Measure]:
    messages = [m for c in conversations(8 if quick else 64) for m in c]
    if quick:
        return by_length([10, 50], messages) + by_stored([1_000, 5_000], 8, messages)
    return by_length([10, 100, 1_000], messages) + by_stored([1_000, 100_000], 80, messages)
