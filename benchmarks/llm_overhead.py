"""What hearten adds on top of an LLM: time to first token and whole-turn latency of the
`openai` voice against the same server called straight with httpx.

A stub OpenAI-compatible server (Starlette on uvicorn, in a child process so it does
not share this process's GIL) streams a fixed, guard-safe reply word by word after a
fixed delay before the first token, and stamps every request with time.monotonic()
when it arrived, when it sent the first token and when it finished (CLOCK_MONOTONIC
is one clock for every process of the machine, so the stamps line up with ours).

Each repetition makes three calls, in an order that alternates between repetitions so
that noise hits all of them alike:

- direct: httpx streams the exact body hearten would send for that plan;
- stream: hearten's voice (made from Settings by the registry), `voice.stream(plan)`,
  which builds the prompt from the plan, then requests and parses the stream; Session
  has no streaming API, so this is where hearten's time to first token is measured;
- turn: `Session.send(text)` through a Companion whose voice is that same openai voice,
  SQLite store in a temporary folder: understand, risk, plan, store, prompt, request,
  the whole reply, the guard, state and store again.

The first conversation (four repetitions) is a warm-up: its turns make the plans the
direct and stream calls speak. Figures are medians over repetitions (of the paired
difference, hearten minus direct, where they say "adds"), with the spread of the
medians of five consecutive blocks of repetitions.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import ROOT, Measure, percentile, spread

BENCHMARK = "llm overhead"
FIRST_TOKEN_DELAY = 0.050  # seconds the stub "thinks" before its first token
# Passes the guard, so every turn is spoken by the server, not the composer.
REPLY = (
    "That sounds like a lot to carry, with your boss piling on more and more. "
    "It makes sense that you feel like you are falling behind. "
    "What has the past week been like for you?"
)
MODEL = "bench-model"
DIRECT_AGENT = "hearten-bench-direct"
# The turns of one session; a new session (and user) starts after the last one.
TURNS = (
    "*sighs heavily* I just feel so down today. Nothing seems to be going right.",
    "Work has been so stressful lately, and my boss keeps piling projects on me. "
    "I feel like I am falling behind on everything.",
    "I guess I could try that. I don't really know where to start though.",
    "*nods slowly* That makes sense. I think I will take a short walk on my lunch break "
    "a few times this week.",
)
STORE_CALLS = ("start_conversation", "add_message", "save_state", "add_mood", "add_goal",
               "set_goal_status")  # fmt: skip
# Repetitions not counted (first connections, lazy loads): the first conversation.
WARMUP = len(TURNS)
MIN_REPS = 5  # counted repetitions, however long they take
# Derived data only (prototype vectors, keyed by content hash): kept between runs so
# a run measures a warm install, as a person's second conversation would be.
CACHE_HOME = Path(tempfile.gettempdir()) / "hearten-bench-home"


# the stub server (child process)


def stub_app(delay: float, reply: str = REPLY) -> Any:
    """A Starlette app: POST /v1/chat/completions streams `reply` a word an event after
    `delay` seconds; GET /stats returns the stamps of every request so far."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, StreamingResponse
    from starlette.routing import Route

    records: list[dict[str, Any]] = []
    bodies: list[dict[str, Any]] = []
    words = reply.split(" ")
    pieces = [w if i == 0 else " " + w for i, w in enumerate(words)]

    def event(delta: dict[str, str], finish: str | None = None) -> str:
        chunk = {
            "id": "chatcmpl-bench",
            "object": "chat.completion.chunk",
            "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {json.dumps(chunk)}\n\n"

    async def completions(request: Request) -> StreamingResponse:
        record: dict[str, Any] = {
            "agent": request.headers.get("user-agent", ""),
            "received": time.monotonic(),
        }
        body = await request.json()
        records.append(record)
        bodies.append(body)

        async def events() -> AsyncIterator[str]:
            await asyncio.sleep(delay)
            yield event({"role": "assistant"})
            for i, piece in enumerate(pieces):
                if i == 0:
                    record["first"] = time.monotonic()
                yield event({"content": piece})
            yield event({}, "stop")
            yield "data: [DONE]\n\n"
            record["done"] = time.monotonic()

        return StreamingResponse(events(), media_type="text/event-stream")

    async def stats(request: Request) -> JSONResponse:
        since = int(request.query_params.get("since", "0"))
        return JSONResponse(
            {"requests": len(records), "records": records[since:], "bodies": bodies[since:]}
        )

    return Starlette(
        routes=[
            Route("/v1/chat/completions", completions, methods=["POST"]),
            Route("/stats", stats, methods=["GET"]),
        ]
    )


def serve(delay: float) -> None:
    """Run the stub on a free port of 127.0.0.1; print the port, then serve."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # connections queue from now on, so the parent may connect at once
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(stub_app(delay), log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


class StubServer:
    """The stub in a child process: `with StubServer(delay) as server: server.url`."""

    def __init__(self, delay: float = FIRST_TOKEN_DELAY) -> None:
        self.delay = delay
        self.url = ""
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> StubServer:
        path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        env = {**os.environ, "PYTHONPATH": path}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.llm_overhead", "--serve", str(self.delay)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self._proc.stdout is not None
        port = self._proc.stdout.readline().strip()
        if not port.isdigit():
            self.__exit__()
            raise RuntimeError("the stub LLM server did not start")
        self.url = f"http://127.0.0.1:{port}/v1"
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            if self._proc.stdout is not None:
                self._proc.stdout.close()
            self._proc = None

    def stats(self, since: int = 0) -> dict[str, Any]:
        base = self.url.removesuffix("/v1")
        with httpx.Client(trust_env=False) as client:
            data: dict[str, Any] = client.get(f"{base}/stats", params={"since": since}).json()
        return data


# the three ways of asking


@dataclass
class Timing:
    first: float = float("nan")  # monotonic time of the first word at the client
    end: float = float("nan")  # of the end of the reply (or of the turn)
    text: str = ""


def direct(client: httpx.Client, body: dict[str, Any]) -> Timing:
    """Stream a chat completion the way a minimal client would; time the first word."""
    out = Timing()
    pieces: list[str] = []
    with client.stream("POST", "/chat/completions", json=body) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue
            payload = line[5:].strip()
            if payload == "[DONE]":
                break
            content = json.loads(payload)["choices"][0]["delta"].get("content")
            if content:
                if not pieces:
                    out.first = time.monotonic()
                pieces.append(content)
    out.end = time.monotonic()
    out.text = "".join(pieces)
    return out


def through_stream(voice: Any, plan: Any) -> Timing:
    out = Timing()
    pieces: list[str] = []
    for piece in voice.stream(plan):
        if not pieces:
            out.first = time.monotonic()
        pieces.append(piece)
    out.end = time.monotonic()
    out.text = "".join(pieces)
    return out


class Stages:
    """Wraps a Companion's rooms to time each stage of the current turn (monotonic
    stamps and summed durations, in seconds)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self.asked = float("nan")  # when the voice was asked
        self.answered = float("nan")  # when the voice returned
        self.plan: Any = None  # what it was asked to say

    def reset(self) -> None:
        self.spent = {}
        self.asked = self.answered = float("nan")
        self.plan = None

    def wrap(self, obj: object, attr: str, stage: str) -> None:
        inner: Callable[..., Any] = getattr(obj, attr)

        @functools.wraps(inner)
        def timed(*args: Any, **kwargs: Any) -> Any:
            name = stage
            if stage == "store":  # split by whether the voice has been asked yet
                name = "store before" if math.isnan(self.asked) else "store after"
            start = time.monotonic()
            try:
                return inner(*args, **kwargs)
            finally:
                self.spent[name] = self.spent.get(name, 0.0) + time.monotonic() - start

        setattr(obj, attr, timed)


class TimedVoice:
    """Hands the plan to the real voice unchanged; notes when it was asked and when it
    answered, so the turn splits into before, voice and after."""

    def __init__(self, inner: Any, stages: Stages) -> None:
        self.inner = inner
        self.name: str = inner.name
        self._stages = stages

    def speak(self, plan: Any) -> Any:
        self._stages.plan = plan
        self._stages.asked = time.monotonic()
        try:
            return self.inner.speak(plan)
        finally:
            self._stages.answered = time.monotonic()


# the benchmark


@dataclass
class Result:
    measures: list[Measure]
    stats: dict[str, Any]  # the stub server's, for this run: requests, records, bodies
    calls: list[str]  # "direct" | "stream" | "turn", in the order they were made
    replies: list[Any] = field(default_factory=list)  # Session.send's Reply, every turn
    texts: dict[str, list[str]] = field(default_factory=dict)  # the words each path got


def bench(reps: int, *, seconds: float = math.inf, delay: float = FIRST_TOKEN_DELAY,
          encoder: Any = True) -> Result:  # fmt: skip
    """`reps` counted repetitions after the warm-up, fewer (at least MIN_REPS) when the
    counted ones pass `seconds`; the figures and what the server saw."""
    from hearten.companion import Companion
    from hearten.config import Settings
    from hearten.safety import guard

    with (
        tempfile.TemporaryDirectory() as tmp,
        StubServer(delay) as server,
        httpx.Client(
            base_url=server.url, trust_env=False,
            headers={"accept": "text/event-stream", "user-agent": DIRECT_AGENT},
        ) as client,
    ):  # fmt: skip
        settings = Settings(
            home=CACHE_HOME, database_url=f"sqlite:///{Path(tmp) / 'bench.db'}",
            locale="US", voice="openai", llm_base_url=server.url, llm_model=MODEL,
            llm_api_key_env="HEARTEN_BENCH_NO_KEY",  # never send a real key to the stub
        )  # fmt: skip
        companion = Companion(settings, encoder=encoder)
        voice: Any = companion.voice  # the OpenAIVoice the registry made from the settings
        stages = Stages()
        stages.wrap(companion.understander, "understand", "understand")
        stages.wrap(companion.assessor, "assess", "risk")
        stages.wrap(companion.policy, "decide", "plan")
        for call in STORE_CALLS:
            stages.wrap(companion.store, call, "store")
        companion.voice = TimedVoice(voice, stages)
        # The direct and stream calls speak the plans the policy made for TURNS in the
        # first conversation (the warm-up), and the direct call sends exactly the body
        # the voice sends for them.
        plans: list[Any] = []
        bodies: list[dict[str, Any]] = []

        before = server.stats()["requests"]
        calls: list[str] = []
        rows: list[dict[str, Any]] = []
        replies: list[Any] = []
        texts: dict[str, list[str]] = {"direct": [], "stream": [], "turn": []}
        session: Any = None
        counting_since = math.inf
        i = 0
        while i < WARMUP + reps:
            if i == WARMUP:
                counting_since = time.monotonic()
            elif i - WARMUP >= MIN_REPS and time.monotonic() - counting_since > seconds:
                break
            k = i % len(TURNS)
            if k == 0:  # a new person every len(TURNS) turns
                session = companion.session(f"bench{i}", persist=True, seed=2)
            # Alternate the order, so that whatever a call leaves behind (a busy core,
            # a cold cache) falls on each path alike. The warm-up's turn comes first, to
            # make the plan the other two speak.
            order = ("direct", "stream", "turn") if i % 2 == 0 else ("turn", "stream", "direct")
            if i < WARMUP:
                order = ("turn", "direct", "stream")
            row: dict[str, Any] = {"counted": i >= WARMUP, "order": order}
            for path in order:
                calls.append(path)
                start = time.monotonic()
                if path == "direct":
                    got = direct(client, bodies[k])
                elif path == "stream":
                    got = through_stream(voice, plans[k])
                else:
                    stages.reset()
                    # New text each time: a person does not repeat a message, and
                    # hearten remembers the vectors of texts it has read.
                    reply = session.send(f"{TURNS[k]} ({i})")
                    got = Timing(end=time.monotonic(), text=reply.text)
                    replies.append(reply)
                    if i < WARMUP:
                        plans.append(stages.plan)
                        bodies.append(_body(voice, stages.plan))
                    row.update(spent=dict(stages.spent), asked=stages.asked,
                               answered=stages.answered)  # fmt: skip
                    # Two parts of the turn timed on their own, with the same inputs.
                    t = time.monotonic()
                    voice.messages(plans[k])
                    row["prompt"] = time.monotonic() - t
                    t = time.monotonic()
                    guard.check(reply.text)
                    row["guard"] = time.monotonic() - t
                row[path] = (start, got)
                texts[path].append(got.text)
            rows.append(row)
            i += 1
        stats = server.stats(since=before)
        companion.close()

    # One call at a time: the server saw them in the order they were made.
    records = stats["records"]
    if len(records) != len(calls):
        raise RuntimeError(f"{len(calls)} calls made but the server saw {len(records)}")
    seen = iter(records)
    for row in rows:
        for path in row["order"]:
            row[path + " at server"] = next(seen)
    counted = [row for row in rows if row["counted"]]
    fell_back = sum(r.voice != "openai" for r in replies[len(replies) - len(counted) :])
    return Result(_figures(counted, delay, fell_back), stats, calls, replies, texts)


def _figures(rows: list[dict[str, Any]], delay: float, fell_back: int) -> list[Measure]:
    s: dict[str, list[float]] = {}

    def add(name: str, seconds: float) -> None:
        s.setdefault(name, []).append(seconds * 1000)

    ratios: dict[str, list[float]] = {"ttft": [], "turn": []}
    for r in rows:
        (t0d, d), (t0s, st), (t0t, t) = r["direct"], r["stream"], r["turn"]
        sd, ss, stt = r["direct at server"], r["stream at server"], r["turn at server"]
        spent = r["spent"]
        add("direct ttft", d.first - t0d)
        add("stream ttft", st.first - t0s)
        add("ttft added", (st.first - t0s) - (d.first - t0d))
        ratios["ttft"].append((st.first - t0s) / (d.first - t0d))
        add("prompt", r["prompt"])
        # Around the server's own time: from the call to the request reaching it, and
        # from its first word leaving to the caller having it, hearten minus direct.
        add("to server added", (ss["received"] - t0s) - (sd["received"] - t0d))
        add("first word back added", (st.first - ss["first"]) - (d.first - sd["first"]))
        add("direct whole", d.end - t0d)
        add("turn whole", t.end - t0t)
        add("turn added", (t.end - t0t) - (d.end - t0d))
        ratios["turn"].append((t.end - t0t) / (d.end - t0d))
        add("turn to server", stt["received"] - t0t)
        before = r["asked"] - t0t
        named = ("understand", "risk", "plan", "store before")
        for stage in named:
            add(stage, spent.get(stage, 0.0))
        add("before other", before - sum(spent.get(stage, 0.0) for stage in named))
        add("voice to server", stt["received"] - r["asked"])
        add("voice after server", r["answered"] - stt["done"])
        after = t.end - r["answered"]
        add("guard", r["guard"])
        add("store after", spent.get("store after", 0.0))
        add("after other", after - r["guard"] - spent.get("store after", 0.0))

    common: dict[str, Any] = {
        "first_token_delay_ms": delay * 1000,
        "reply_words": len(REPLY.split()),
    }
    ttft = "time to first token"
    return [
        _figure(f"direct httpx: {ttft}", s["direct ttft"], **common),
        _figure(f"hearten voice.stream(): {ttft}", s["stream ttft"], **common),
        _figure(
            f"hearten adds to {ttft}",
            s["ttft added"],
            target="≤ 10",
            what="voice.stream(plan) minus the direct call in the same repetition",
            **common,
        ),
        _figure(f"{ttft}, hearten / direct", ratios["ttft"], unit="×", fmt="{:.3f}", **common),
        _figure("  of it: building the prompt from the plan", s["prompt"]),
        _figure(
            "  of it: call → request at server, added",
            s["to server added"],
            what="includes the prompt; the rest is the breaker, watchdog, request",
        ),
        _figure(
            "  of it: first word sent → received, added",
            s["first word back added"],
            what="hearten's event parsing against a minimal client's",
        ),
        _figure("direct httpx: whole reply", s["direct whole"], **common),
        _figure(
            "Session.send, openai voice: whole turn",
            s["turn whole"],
            fell_back_to_composer=fell_back,
            **common,
        ),
        _figure(
            "hearten adds to the whole turn",
            s["turn added"],
            what="Session.send minus the direct whole reply in the same repetition",
            **common,
        ),
        _figure("whole turn, hearten / direct", ratios["turn"], unit="×", fmt="{:.2f}", **common),
        _figure(
            "Session.send: message → request at server",
            s["turn to server"],
            what="all hearten does before the model can start",
        ),
        _figure("  before the voice: understand", s["understand"]),
        _figure("  before the voice: risk screen", s["risk"]),
        _figure("  before the voice: plan", s["plan"]),
        _figure("  before the voice: store the message", s["store before"]),
        _figure("  before the voice: the rest", s["before other"]),
        _figure("  voice asked → request at server", s["voice to server"]),
        _figure("after the server's last word: in the voice", s["voice after server"]),
        _figure("after the voice: guard", s["guard"]),
        _figure("after the voice: store reply, state, mood", s["store after"]),
        _figure("after the voice: the rest", s["after other"]),
    ]


def _blocks(xs: Sequence[float], n: int = 5) -> list[float]:
    """Medians of n consecutive blocks of repetitions: how the figure moved in the run."""
    size = max(1, len(xs) // n)
    return [statistics.median(xs[i : i + size]) for i in range(0, size * n, size) if xs[i:]]


def _figure(name: str, xs: Sequence[float], unit: str = "ms", fmt: str = "{:.1f}",
            target: str = "", **detail: Any) -> Measure:  # fmt: skip
    """The median of a per-repetition sample, with the spread of its block medians."""
    quartiles = {f"p{q}": round(percentile(xs, q), 3) for q in (5, 25, 75, 95)}
    return Measure(BENCHMARK, name, statistics.median(xs), unit, target,
                   spread(_blocks(xs), fmt), {"n": len(xs), **quartiles, **detail})  # fmt: skip


def _body(voice: Any, plan: Any) -> dict[str, Any]:
    """The request body the openai voice sends for `plan` (as OpenAIVoice._open does)."""
    return {
        "model": voice.model,
        "messages": voice.messages(plan),
        "stream": True,
        "max_tokens": voice.max_tokens,
        "temperature": voice.temperature,
    }


def run(quick: bool) -> list[Measure]:
    # Quick: about 15 s on an idle 2-core machine; the time cap keeps a busy one near it.
    if quick:
        return bench(reps=20, seconds=6.0).measures
    return bench(reps=400, seconds=180.0).measures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", type=float, metavar="DELAY",
                        help="only serve the stub, DELAY s before each first token")  # fmt: skip
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve)
    else:
        for m in run(args.quick):
            print(f"{m.name:55} {m.value:9.2f} {m.unit:2} {m.target:5} {m.spread}")
