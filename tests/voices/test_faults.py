"""A person talking to hearten while its LLM server misbehaves in every way the fault
server knows: each turn gets a sensible reply within the deadline, their message is
stored first, and the breaker opens after three failed replies, rests, and closes
when the server works again. The crisis protocol never reaches the server."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from hearten.companion import Reply
from hearten.safety import guard
from hearten.voices.openai import OpenAIVoice
from hearten.voices.resilience import CancelScope, CircuitBreaker, Limits

from .conftest import FAST, MARGIN, SEED_TURNS, offline_companion
from .faults import SAFE_REPLY, FaultServer, closed_port
from .test_resilience import Clock

TURNS = [
    *SEED_TURNS[:2],
    "It's mostly the deadlines. I keep thinking about it at night.",
    "My sister says I should just say no more often.",
    "I don't know, I feel like I'm letting everyone down.",
    "Maybe I could talk to a friend about it.",
]
COOLDOWN = 60.0

# mode: (requests per failed turn, whether the breaker counts it as a failure)
MODES = {
    "refuse": (0, True),
    "error500": (1, True),
    "busy429": (2, True),
    "busy503_long": (1, True),
    "hang_headers": (1, True),
    "hang_body": (1, True),
    "pings": (1, True),
    "trickle": (1, True),
    "trickle_bytes": (1, True),
    "drop": (1, True),
    "malformed": (1, True),
    "not_sse": (1, True),
    "huge": (1, True),  # a runaway reply: the server ignores max_tokens
    "huge_line": (1, True),
    "huge_json": (1, True),
    "unsafe": (1, False),  # a healthy server saying something the guard blocks
}


@pytest.fixture(scope="module")
def _warm(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Load the rules, library and store code once, so turns time only themselves."""
    companion = offline_companion(tmp_path_factory.mktemp("warm"), _Silent())
    companion.session("warm").send(TURNS[0])
    companion.close()


class _Silent:
    name = "silent"

    def speak(self, plan: object) -> object:
        raise RuntimeError("silent")


def _turn(session, text: str, voice: str, limit: float):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    reply = session.send(text)
    took = time.monotonic() - started
    assert took <= limit, f"{text!r} took {took:.2f} s"
    assert reply.voice == voice, reply.text
    assert reply.text.strip() and guard.check(reply.text).ok
    stored = session.companion.store.messages(session.conversation_id)
    assert stored[-2:] == [("user", text), ("assistant", reply.text)]
    return reply


@pytest.mark.usefixtures("_warm")
@pytest.mark.parametrize("mode", list(MODES))
def test_a_person_gets_a_reply_whatever_the_server_does(tmp_path: Path, mode: str) -> None:
    per_turn, counts = MODES[mode]
    clock = Clock()
    breaker = CircuitBreaker(FAST.breaker_failures, COOLDOWN, clock)
    if mode == "refuse":  # nothing listens there yet
        port, server = closed_port(), None
        url = f"http://127.0.0.1:{port}/v1"
    else:
        server = FaultServer(mode).__enter__()
        port, url = server.port, server.url()
    voice = OpenAIVoice(url, "fault", limits=FAST, breaker=breaker)
    companion = offline_companion(tmp_path, voice)
    session = companion.session("sam", seed=5)
    try:
        hits = 0
        for n, text in enumerate(TURNS[:3]):
            _turn(session, text, "composer", FAST.deadline + MARGIN)
            hits += per_turn
            if server is not None:
                assert len(server.hits) == hits
            opened = counts and n == 2
            assert breaker.state == ("open" if opened else "closed")
        if not counts:
            return
        # open: the server is not asked at all, and the reply comes at once
        _turn(session, TURNS[3], "composer", MARGIN)
        if server is not None:
            assert len(server.hits) == hits
        # after the cool-down, one trial; the server works again
        clock.now += COOLDOWN
        assert breaker.state == "half_open"
        if server is None:
            server = FaultServer("ok", port).__enter__()
        server.mode = "ok"
        reply = _turn(session, TURNS[4], "openai", FAST.deadline + MARGIN)
        assert reply.text == SAFE_REPLY and breaker.state == "closed"
        _turn(session, TURNS[5], "openai", FAST.deadline + MARGIN)
    finally:
        companion.close()
        if server is not None:
            server.close()


@pytest.mark.usefixtures("_warm")
def test_a_crisis_is_answered_by_the_protocol_and_never_reaches_the_server(
    tmp_path: Path,
) -> None:
    with FaultServer("ok") as server:
        voice = OpenAIVoice(server.url(), "fault", limits=FAST)
        companion = offline_companion(tmp_path, voice)
        session = companion.session("sam", seed=5)
        _turn(session, TURNS[1], "openai", FAST.deadline + MARGIN)
        asked = len(server.hits)
        reply = session.send("I want to kill myself tonight. I have the pills here.")
        assert reply.crisis and reply.voice == "protocol"
        assert len(server.hits) == asked
        companion.close()


@pytest.mark.usefixtures("_warm")
@pytest.mark.parametrize("mode", ["slow", "hang_body", "busy429"])
def test_when_the_person_goes_away_the_upstream_request_is_closed(
    tmp_path: Path, mode: str
) -> None:
    """Whoever runs the turn cancels its scope when the person's client disconnects:
    the server sees its client go at once, the turn still ends with a stored reply,
    and the breaker does not count it."""
    patient = Limits(connect=1, first_token=20, deadline=30, retries=2, backoff_cap=20)
    with FaultServer(mode) as server:
        voice = OpenAIVoice(server.url(), "fault", limits=patient)
        companion = offline_companion(tmp_path, voice)
        session = companion.session("sam", seed=5)
        scope = CancelScope()
        replies: list[Reply] = []

        def turn() -> None:
            with scope:
                replies.append(session.send(TURNS[1]))

        worker = threading.Thread(target=turn)
        worker.start()
        with server.changed:
            assert server.changed.wait_for(lambda: server.hits, 5)
        time.sleep(0.3)  # words flowing (slow), or waiting for them (hang_body, busy429)
        cancelled_at = time.monotonic()
        scope.cancel()
        worker.join(10)
        assert not worker.is_alive()
        assert time.monotonic() - cancelled_at <= MARGIN
        if mode != "busy429":
            assert server.wait_gone(mode, 5)
        assert len(server.hits) == 1  # not retried after a cancel
        (reply,) = replies
        assert reply.voice == "composer" and guard.check(reply.text).ok
        stored = companion.store.messages(session.conversation_id)
        assert stored[-2:] == [("user", TURNS[1]), ("assistant", reply.text)]
        assert voice.breaker.state == "closed"
        companion.close()
