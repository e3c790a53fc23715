"""The llama-cpp voice and llama-cpp-python's OpenAI-compatible server, both serving
a tiny random-weight GGUF written by the test (tiny_gguf.py). The words are gibberish;
loading, tokenising, templating, streaming, cancelling, deadlines and fallback are real."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hearten.config import Settings
from hearten.safety import guard
from hearten.voices.openai import OpenAIVoice
from hearten.voices.registry import load_voice
from hearten.voices.resilience import (
    Cancelled,
    CancelScope,
    CircuitBreaker,
    DeadlineExceeded,
    FirstTokenTimeout,
    Limits,
    UpstreamError,
)

from .conftest import MARGIN, SEED_TURNS, offline_companion
from .faults import closed_port
from .test_openai_voice import PLAN

if os.environ.get("CI"):  # CI installs the extra: a missing model stack is a failure there
    import gguf  # noqa: F401
    import llama_cpp
else:
    llama_cpp = pytest.importorskip("llama_cpp", reason="needs: pip install .[llama]")
    pytest.importorskip("gguf", reason="needs the gguf package to write the test model")

from hearten.voices.llama import LlamaVoice, ModelBusy

from .tiny_gguf import CONTEXT, write_tiny_llama

LONG_PLAN = PLAN.model_copy(update={"history": [{"role": "user", "text": "so tired " * 700}]})


@pytest.fixture(scope="session")
def tiny_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_llama(tmp_path_factory.mktemp("gguf") / "tiny.gguf")


def tiny_voice(path: Path, **kw: object) -> LlamaVoice:
    options: dict[str, object] = {"context_tokens": CONTEXT, "max_tokens": 32, "seed": 7}
    options.update(kw)
    return LlamaVoice(path, **options)  # type: ignore[arg-type]


# the model itself


def test_the_tiny_model_loads_tokenises_and_generates(tiny_gguf: Path) -> None:
    llm = llama_cpp.Llama(model_path=str(tiny_gguf), n_ctx=256, verbose=False, seed=1)
    text = "Work has been so stressful lately, and my boss keeps piling projects on me."
    tokens = llm.tokenize(text.encode(), add_bos=False)
    assert len(tokens) < len(text) / 2  # the merges work
    assert llm.detokenize(tokens).decode() == text
    out = llm.create_completion("Hello", max_tokens=8, temperature=0.8)
    assert out["choices"][0]["text"] and out["usage"]["completion_tokens"] > 0


# the llama-cpp voice


def test_the_voice_speaks_and_streams(tiny_gguf: Path) -> None:
    voice = tiny_voice(tiny_gguf)
    utterance = voice.speak(PLAN)
    assert utterance.voice == "llama-cpp" and utterance.text
    messages = voice.messages(PLAN)
    assert messages[0]["role"] == "system" and messages[-1]["content"] == PLAN.history[-1]["text"]
    pieces = list(voice.stream(PLAN))
    assert len(pieces) > 3 and all(isinstance(p, str) for p in pieces)


def test_closing_the_stream_stops_generation(tiny_gguf: Path) -> None:
    voice = tiny_voice(tiny_gguf, max_tokens=1000)
    words = voice.stream(PLAN)
    first = [next(words) for _ in range(2)]
    assert all(isinstance(w, str) for w in first)
    assert voice._lock.locked()
    words.close()
    assert not voice._lock.locked() and voice.breaker.state == "closed"
    voice.max_tokens = 16
    assert voice.speak(PLAN).text  # the model is free for the next reply


def test_the_deadline_stops_even_prompt_processing(tiny_gguf: Path) -> None:
    """A prompt of ~2000 tokens takes the tiny model longer than this deadline; the
    abort callback stops llama.cpp mid-prompt."""
    fast = tiny_voice(tiny_gguf, limits=Limits(deadline=0.05, first_token=0.05))
    started = time.monotonic()
    with pytest.raises((DeadlineExceeded, FirstTokenTimeout)):
        fast.speak(LONG_PLAN)
    assert time.monotonic() - started <= 0.05 + MARGIN
    fast.limits = Limits()
    assert fast.speak(LONG_PLAN).text  # the context is usable after an abort


def test_a_busy_model_is_not_waited_on_past_the_deadline(tiny_gguf: Path) -> None:
    voice = tiny_voice(tiny_gguf, limits=Limits(deadline=0.3))
    with voice._lock, pytest.raises(ModelBusy):
        voice.speak(PLAN)
    assert voice.breaker.state == "closed"  # busy is not broken


def test_failures_fall_back_and_open_the_breaker(
    tiny_gguf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    voice = tiny_voice(tiny_gguf, breaker=CircuitBreaker(3, 60))
    companion = offline_companion(tmp_path, voice)
    session = companion.session("sam", seed=5)

    def broken(**kw: object) -> object:
        raise RuntimeError("llama_decode returned -3")

    monkeypatch.setattr(voice._llm, "create_chat_completion", broken)
    for text in SEED_TURNS[:3]:
        reply = session.send(text)
        assert reply.voice == "composer" and guard.check(reply.text).ok
    assert voice.breaker.state == "open"
    stored = companion.store.messages(session.conversation_id)
    assert [t for role, t in stored if role == "user"] == SEED_TURNS[:3]
    companion.close()


def test_a_conversation_with_the_local_model(tiny_gguf: Path, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, voice="llama-cpp", gguf_path=tiny_gguf)
    voice = load_voice("llama-cpp", settings)
    assert isinstance(voice, LlamaVoice)
    companion = offline_companion(tmp_path, voice)
    session = companion.session("sam", seed=5)
    voices = []
    for text in SEED_TURNS:
        reply = session.send(text)
        assert reply.text.strip() and guard.check(reply.text).ok
        voices.append(reply.voice)
    assert set(voices) <= {"llama-cpp", "composer"} and "llama-cpp" in voices
    assert len(companion.store.messages(session.conversation_id)) == 2 * len(SEED_TURNS)
    companion.close()


def test_broken_or_missing_models_are_loud(tiny_gguf: Path, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        LlamaVoice(tmp_path / "nothing.gguf")
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 64)
    with pytest.raises(ValueError, match="cannot load"):
        LlamaVoice(bad)
    truncated = tmp_path / "truncated.gguf"
    truncated.write_bytes(tiny_gguf.read_bytes()[:100_000])
    with pytest.raises(ValueError, match="cannot load"):
        LlamaVoice(truncated)
    with pytest.raises(ValueError, match="gguf_path"):
        load_voice("llama-cpp", Settings(home=tmp_path, voice="llama-cpp"))


# llama-cpp-python's OpenAI-compatible server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(model: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(CONTEXT)],
        stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    until = time.monotonic() + 120
    while time.monotonic() < until:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("llama_cpp.server did not start")


@pytest.fixture(scope="module")
def llama_server(tiny_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    process = _serve(tiny_gguf, port, tmp_path_factory.mktemp("server") / "server.log")
    yield f"http://127.0.0.1:{port}/v1"
    process.terminate()
    process.wait(10)


def server_voice(url: str, **kw: object) -> OpenAIVoice:
    options: dict[str, object] = {
        "max_tokens": 32,
        "context_tokens": CONTEXT,
        "limits": Limits(connect=1, first_token=20, deadline=30),
    }
    options.update(kw)
    return OpenAIVoice(url, "tiny", **options)  # type: ignore[arg-type]


@pytest.mark.slow
def test_the_openai_voice_streams_from_llama_cpp_server(llama_server: str) -> None:
    voice = server_voice(llama_server)
    pieces = list(voice.stream(PLAN))
    assert len(pieces) > 3
    assert voice.speak(PLAN).text


@pytest.mark.slow
def test_cancelling_a_reply_on_llama_cpp_server(llama_server: str) -> None:
    voice = server_voice(llama_server, max_tokens=1500)
    words = voice.stream(PLAN)
    assert [next(words) for _ in range(2)]
    words.close()
    assert server_voice(llama_server).speak(PLAN).text  # the server serves the next one


@pytest.mark.slow
def test_a_conversation_through_llama_cpp_server(llama_server: str, tmp_path: Path) -> None:
    companion = offline_companion(tmp_path, server_voice(llama_server))
    session = companion.session("sam", seed=5)
    voices = []
    for text in SEED_TURNS:
        reply = session.send(text)
        assert reply.text.strip() and guard.check(reply.text).ok
        voices.append(reply.voice)
    assert "openai" in voices
    assert len(companion.store.messages(session.conversation_id)) == 2 * len(SEED_TURNS)
    companion.close()


@pytest.mark.slow
def test_the_server_going_away_mid_conversation(tiny_gguf: Path, tmp_path: Path) -> None:
    port = _free_port()
    process = _serve(tiny_gguf, port, tmp_path / "server.log")
    limits = Limits(connect=1, first_token=20, deadline=5, breaker_failures=2)
    voice = server_voice(f"http://127.0.0.1:{port}/v1", limits=limits)
    companion = offline_companion(tmp_path, voice)
    session = companion.session("sam", seed=5)
    try:
        assert session.send(SEED_TURNS[0]).voice == "openai"
        process.kill()
        process.wait(10)
        for text in SEED_TURNS[1:3]:
            started = time.monotonic()
            reply = session.send(text)
            assert reply.voice == "composer" and guard.check(reply.text).ok
            assert time.monotonic() - started <= limits.deadline + MARGIN
        assert voice.breaker.state == "open"
        with pytest.raises(UpstreamError):
            server_voice(f"http://127.0.0.1:{closed_port()}/v1").speak(PLAN)
    finally:
        companion.close()
        if process.poll() is None:
            process.kill()


def test_cancelling_stops_llama_cpp_mid_prompt(tiny_gguf: Path) -> None:
    voice = tiny_voice(tiny_gguf)
    scope = CancelScope()
    timer = threading.Timer(0.05, scope.cancel)
    started = time.monotonic()
    timer.start()
    with scope, pytest.raises(Cancelled):
        voice.speak(LONG_PLAN)  # ~2000 prompt tokens: far longer than 0.05 s here
    assert time.monotonic() - started <= 0.05 + MARGIN
    assert voice.breaker.state == "closed" and not voice._lock.locked()
