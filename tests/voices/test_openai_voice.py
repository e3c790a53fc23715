"""The openai voice against the fault server on 127.0.0.1: what it sends, how each
fault ends, when it retries, cancellation, and its breaker."""

from __future__ import annotations

import time

import pytest

from hearten.config import Settings
from hearten.dialogue.plan import Move, Plan
from hearten.voices.openai import OpenAIVoice
from hearten.voices.registry import load_voice
from hearten.voices.resilience import (
    BackendUnavailable,
    CircuitBreaker,
    DeadlineExceeded,
    FirstTokenTimeout,
    Limits,
    MalformedStream,
    ReplyTooLong,
    UpstreamError,
    VoiceError,
)

from .conftest import FAST
from .faults import SAFE_REPLY, UNSAFE_REPLY, FaultServer, closed_port
from .test_resilience import Clock

PLAN = Plan(
    stage="exploration",
    moves=[Move(strategy="restatement", move="restate"), Move(strategy="question", move="explore")],
    history=[
        {"role": "user", "text": "I feel so down."},
        {"role": "assistant", "text": "I'm sorry it's been so hard. What's been going on?"},
        {"role": "user", "text": "Work has been so stressful lately."},
    ],
)


def voice(url: str, **kw: object) -> OpenAIVoice:
    options: dict[str, object] = {"limits": FAST, "breaker": CircuitBreaker(100, 60)}
    options.update(kw)
    return OpenAIVoice(url, "fault-model", **options)  # type: ignore[arg-type]


def test_a_good_reply_and_what_was_asked(faults: FaultServer) -> None:
    before = faults.count("ok")
    v = voice(faults.url("ok"), max_tokens=99, temperature=0.3)
    utterance = v.speak(PLAN)
    assert utterance.text == SAFE_REPLY and utterance.voice == "openai"
    hit = faults.hits[-1]
    assert faults.count("ok") == before + 1 and hit.path == "/m/ok/v1/chat/completions"
    assert hit.body["model"] == "fault-model" and hit.body["stream"] is True
    assert hit.body["max_tokens"] == 99 and hit.body["temperature"] == 0.3
    messages = hit.body["messages"]
    assert isinstance(messages, list) and messages[0]["role"] == "system"
    assert [m["content"] for m in messages[1:]] == [t["text"] for t in PLAN.history]
    assert "authorization" not in hit.headers  # no key configured, none sent


def test_the_stream_arrives_word_by_word(faults: FaultServer) -> None:
    pieces = list(voice(faults.url("ok")).stream(PLAN))
    assert len(pieces) == len(SAFE_REPLY.split(" ")) and "".join(pieces) == SAFE_REPLY


def test_a_server_that_ignores_stream(faults: FaultServer) -> None:
    assert voice(faults.url("json")).speak(PLAN).text == SAFE_REPLY


def test_unsafe_words_come_back_as_they_are(faults: FaultServer) -> None:
    """The voice does not judge; the guard in the session does (test_faults)."""
    assert voice(faults.url("unsafe")).speak(PLAN).text == UNSAFE_REPLY


def test_settings_and_the_api_key_from_the_environment(
    faults: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEARTEN_TEST_LLM_KEY", "sk-test-123")
    settings = Settings(
        voice="openai",
        llm_base_url=faults.url("ok"),
        llm_model="llama3.2",
        llm_api_key_env="HEARTEN_TEST_LLM_KEY",
    )
    v = load_voice("openai", settings)
    assert isinstance(v, OpenAIVoice) and v.base_url == faults.url("ok")
    v.speak(PLAN)
    assert faults.hits[-1].headers["authorization"] == "Bearer sk-test-123"
    assert faults.hits[-1].body["model"] == "llama3.2"


def test_bad_settings_are_loud() -> None:
    with pytest.raises(ValueError, match="llm_base_url"):
        load_voice("openai", Settings(voice="openai"))
    with pytest.raises(ValueError, match="http"):
        OpenAIVoice("127.0.0.1:11434/v1")


FAULTS = [
    # mode, error, requests made, the server saw the client go
    ("error500", UpstreamError, 1, False),
    ("busy503_long", UpstreamError, 1, False),  # Retry-After past the deadline: no retry
    ("busy429", UpstreamError, 2, False),  # one retry after Retry-After: 1, then no time
    ("hang_headers", FirstTokenTimeout, 1, True),
    ("hang_body", FirstTokenTimeout, 1, True),
    ("pings", FirstTokenTimeout, 1, True),
    ("trickle_bytes", FirstTokenTimeout, 1, True),
    ("trickle", DeadlineExceeded, 1, True),
    ("slow", DeadlineExceeded, 1, True),
    ("drop", UpstreamError, 1, False),  # words had come: never retried
    ("malformed", MalformedStream, 1, False),
    ("not_sse", MalformedStream, 1, False),
    ("huge", ReplyTooLong, 1, True),
    ("huge_line", MalformedStream, 1, True),
    ("huge_json", MalformedStream, 1, True),
]


@pytest.mark.parametrize(("mode", "error", "requests", "gone"), FAULTS, ids=[f[0] for f in FAULTS])
def test_each_fault_ends_in_a_voice_error(
    faults: FaultServer, mode: str, error: type[VoiceError], requests: int, gone: bool
) -> None:
    before = faults.count(mode)
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        time.sleep(seconds)

    with pytest.raises(error):
        voice(faults.url(mode), sleep=sleep).speak(PLAN)
    assert faults.count(mode) - before == requests
    if gone:
        assert faults.wait_gone(mode, 5), f"the server never saw the client leave ({mode})"
    if mode == "busy429":
        assert sleeps == [1.0]  # Retry-After honoured, once


def test_refused_connections_are_retried_with_jittered_backoff() -> None:
    sleeps: list[float] = []
    v = voice(f"http://127.0.0.1:{closed_port()}/v1", sleep=sleeps.append)
    with pytest.raises(UpstreamError, match="cannot reach"):
        v.speak(PLAN)
    assert len(sleeps) == FAST.retries
    assert all(
        0 <= s <= min(FAST.backoff_cap, FAST.backoff_base * 2**i) for i, s in enumerate(sleeps)
    )


def test_a_brief_429_is_waited_out(faults: FaultServer) -> None:
    sleeps: list[float] = []
    before = faults.count("busy429_once")
    assert voice(faults.url("busy429_once"), sleep=sleeps.append).speak(PLAN).text == SAFE_REPLY
    assert sleeps == [0.2] and faults.count("busy429_once") - before == 2


def test_closing_the_stream_closes_the_upstream_request(faults: FaultServer) -> None:
    v = voice(faults.url("slow"), limits=Limits(deadline=30, first_token=5))
    words = v.stream(PLAN)
    first = [next(words) for _ in range(3)]
    assert first == [" word0", " word1", " word2"]
    gone_before = faults.gone.count("slow")
    words.close()  # the person's client went away
    with faults.changed:
        assert faults.changed.wait_for(lambda: faults.gone.count("slow") > gone_before, 5)
    assert v.breaker.state == "closed"


def test_the_breaker_opens_rests_and_closes(faults: FaultServer) -> None:
    clock = Clock()
    breaker = CircuitBreaker(3, 30, clock)
    with FaultServer("error500") as server:
        v = voice(server.url(), breaker=breaker)
        for _ in range(3):
            assert breaker.state == "closed"
            with pytest.raises(UpstreamError):
                v.speak(PLAN)
        assert breaker.state == "open" and len(server.hits) == 3
        with pytest.raises(BackendUnavailable):
            v.speak(PLAN)
        assert len(server.hits) == 3  # not called while open
        clock.now += 30
        assert breaker.state == "half_open"
        with pytest.raises(UpstreamError):
            v.speak(PLAN)  # the trial fails: open again
        assert breaker.state == "open" and len(server.hits) == 4
        clock.now += 30
        server.mode = "ok"
        assert v.speak(PLAN).text == SAFE_REPLY
        assert breaker.state == "closed" and len(server.hits) == 5
