"""The llm_overhead and peers benchmarks, in miniature: the figures they report exist
under the right names and units, and the paths they time really went where they say
(through the stub server, through the model). No timing is asserted."""

from __future__ import annotations

import math
import os
from importlib.util import find_spec
from pathlib import Path

import httpx
import pytest
from benchmarks import llm_overhead, peers
from benchmarks.llm_overhead import DIRECT_AGENT, MODEL, REPLY, StubServer

LLM_NAMES = [
    "direct httpx: time to first token",
    "hearten voice.stream(): time to first token",
    "hearten adds to time to first token",
    "time to first token, hearten / direct",
    "  of it: building the prompt from the plan",
    "  of it: call → request at server, added",
    "  of it: first word sent → received, added",
    "direct httpx: whole reply",
    "Session.send, openai voice: whole turn",
    "hearten adds to the whole turn",
    "whole turn, hearten / direct",
    "Session.send: message → request at server",
    "  before the voice: understand",
    "  before the voice: risk screen",
    "  before the voice: plan",
    "  before the voice: store the message",
    "  before the voice: the rest",
    "  voice asked → request at server",
    "after the server's last word: in the voice",
    "after the voice: guard",
    "after the voice: store reply, state, mood",
    "after the voice: the rest",
]


def test_the_stub_server_streams_the_reply_and_counts() -> None:
    with StubServer(delay=0.0) as server:
        body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "stream": True}
        with httpx.Client(base_url=server.url, trust_env=False,
                          headers={"user-agent": DIRECT_AGENT}) as client:  # fmt: skip
            got = llm_overhead.direct(client, body)
        stats = server.stats()
    assert got.text == REPLY and got.first <= got.end
    assert stats["requests"] == 1 and stats["bodies"] == [body]
    record = stats["records"][0]
    assert record["agent"] == DIRECT_AGENT
    assert record["received"] <= record["first"] <= record["done"]


def test_llm_overhead_goes_through_the_server() -> None:
    reps = 2
    result = llm_overhead.bench(reps, delay=0.005, encoder=None)
    measures = {m.name: m for m in result.measures}
    assert list(measures) == LLM_NAMES
    assert all(m.benchmark == "llm overhead" for m in result.measures)
    assert {m.unit for m in result.measures} == {"ms", "×"}
    assert measures["hearten adds to time to first token"].target == "≤ 10"
    assert measures["time to first token, hearten / direct"].unit == "×"
    assert all(math.isfinite(m.value) for m in result.measures)
    assert all(m.detail["n"] == reps for m in result.measures)

    # Every call reached the server, in order: three a repetition, warm-up included.
    rows = llm_overhead.WARMUP + reps
    assert len(result.calls) == 3 * rows == result.stats["requests"]
    agents = [r["agent"] for r in result.stats["records"]]
    assert agents == [DIRECT_AGENT if c == "direct" else "hearten" for c in result.calls]

    # The words every path got are the server's, and every turn was spoken by the voice
    # (none failed over to the composer).
    assert all(text == REPLY for path in ("direct", "stream") for text in result.texts[path])
    assert [r.voice for r in result.replies] == ["openai"] * rows
    assert [r.text for r in result.replies] == [REPLY] * rows
    assert measures["Session.send, openai voice: whole turn"].detail["fell_back_to_composer"] == 0

    # The direct call sent exactly what hearten sent for the same plan: in each warm-up
    # repetition the turn (hearten's own request) comes first, then direct, then stream.
    bodies = result.stats["bodies"]
    for i in range(llm_overhead.WARMUP):
        turn, direct, stream = bodies[3 * i : 3 * i + 3]
        assert result.calls[3 * i : 3 * i + 3] == ["turn", "direct", "stream"]
        assert direct == turn == stream
        assert direct["model"] == MODEL and direct["stream"] is True
        assert direct["messages"][0]["role"] == "system"
        assert direct["messages"][-1]["role"] == "user"
        assert direct["messages"][-1]["content"].endswith(f"({i})")


# CI installs the extra: a missing model stack is a failure there, as in tests/voices.
needs_llama = pytest.mark.skipif(
    not os.environ.get("CI") and not (find_spec("llama_cpp") and find_spec("gguf")),
    reason="needs: pip install .[llama] gguf",
)


@needs_llama
def test_peers_with_the_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEARTEN_BENCH_GGUF", raising=False)
    turns = 2
    result = peers.bench(turns, warmup=0, max_tokens=8, encoder=False)
    assert result.stand_in and result.model == "tiny random-weight stand-in"
    measures = {m.name: m for m in result.measures}
    tag = " (tiny random-weight stand-in)"
    assert list(measures) == [
        "composer: whole turn",
        "llama-cpp: whole turn" + tag,
        "whole turn, llama-cpp / composer" + tag,
        "composer: the voice alone",
        "llama-cpp: the voice alone" + tag,
        "the voice alone, llama-cpp / composer" + tag,
        "llama-cpp: loading the model" + tag,
    ]
    assert [m.unit for m in result.measures] == ["ms", "ms", "×", "ms", "ms", "×", "ms"]
    assert all(m.benchmark == "peers" for m in result.measures)
    assert all(math.isfinite(m.value) for m in result.measures)
    # Both voices answered the same turns; the model was asked every time.
    assert len(result.replies["composer"]) == len(result.replies["llama-cpp"]) == turns
    assert all(r.voice == "composer" for r in result.replies["composer"])
    assert measures["llama-cpp: the voice alone" + tag].detail["n"] == turns
    detail = measures["llama-cpp: whole turn" + tag].detail
    assert detail["spoken_by_model"] + detail["fell_back_to_composer"] == turns
    assert detail["spoken_by_model"] == sum(
        r.voice == "llama-cpp" for r in result.replies["llama-cpp"]
    )
    assert detail["spoken_by_model"] >= 1  # the model's path was taken (temperature 0)
    assert detail["max_tokens"] == 8


@needs_llama
def test_peers_uses_the_gguf_it_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.voices.tiny_gguf import write_tiny_llama

    monkeypatch.setenv("HEARTEN_BENCH_GGUF", str(tmp_path / "missing.gguf"))
    with pytest.raises(FileNotFoundError):
        peers.model_path(tmp_path)
    given = write_tiny_llama(tmp_path / "given-model.gguf")
    monkeypatch.setenv("HEARTEN_BENCH_GGUF", str(given))
    assert peers.model_path(tmp_path / "elsewhere") == (given, False)
    result = peers.bench(1, warmup=0, max_tokens=4, encoder=False)
    assert not result.stand_in and result.model == str(given)
    assert "llama-cpp: whole turn (given-model.gguf)" in [m.name for m in result.measures]
