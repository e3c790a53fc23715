"""--target: the black-box suites score a bot over real HTTP, with the OpenAI chat
protocol: a canned bot of this test's own, and `hearten serve`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hearten.evaluate.commands import eval_group
from hearten.simulate.client import ChatClient, ChatError, endpoint
from hearten.simulate.commands import simulate

from .canned_bot import REPLY

CANNED = Path(__file__).with_name("canned_bot.py")


@pytest.fixture
def canned(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port_file, log = tmp_path / "port", tmp_path / "requests.jsonl"
    proc = subprocess.Popen([sys.executable, str(CANNED), str(port_file), str(log)])
    try:
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text():
            assert time.monotonic() < deadline, "the canned bot did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port_file.read_text()}", log
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def evaluate(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(eval_group, [*args, "--json", "-", "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_endpoint_and_errors() -> None:
    assert endpoint("http://h:1") == "http://h:1/v1/chat/completions"
    assert endpoint("http://h:1/v1/") == "http://h:1/v1/chat/completions"
    assert endpoint("http://h:1/v1/chat/completions") == "http://h:1/v1/chat/completions"
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ChatError, match="cannot reach"):
        ChatClient(f"http://127.0.0.1:{port}", timeout=5).complete([{"role": "user",
                                                                     "content": "hi"}])  # fmt: skip


def test_rubric_scores_a_canned_bot(canned: tuple[str, Path]) -> None:
    url, log = canned
    out = evaluate("rubric", "--target", url, "--persona", "work-boss-pileup",
                   "--persona", "grief-father", "--turns", "4")  # fmt: skip
    r = out["suites"]["rubric"]
    assert r["bot"] == url and r["summary"]["conversations"] == 2
    checks = r["checks"]
    # It asks and says sorry, in two short sentences, and never advises...
    assert checks["question_before_advice"]["rate"] == 1.0
    assert checks["reflects_feelings"]["rate"] == 1.0
    assert checks["reply_shape"]["rate"] == 1.0
    # ...but it says the same thing every turn and never suggests anything.
    assert checks["no_repeated_sentences"]["rate"] == 0.0
    assert checks["fitted_suggestions"]["rate"] == 0.0
    assert r["ok"] is False
    assert r["strategy_mix"] == {}  # a black box says nothing of its plan
    # The whole conversation went with every request: 1, 3, 5, 7 messages.
    sizes = [json.loads(line)["messages"] for line in log.read_text().splitlines()]
    assert sorted(sizes) == [1, 1, 3, 3, 5, 5, 7, 7]


def test_check_flag_fails_a_bot_below_the_bar(canned: tuple[str, Path]) -> None:
    url, _ = canned
    args = ["rubric", "--target", url, "--persona", "grief-father", "--turns", "3", "--check"]
    result = CliRunner().invoke(eval_group, [*args, "-q"])
    assert result.exit_code == 1


def test_safety_and_latency_score_a_canned_bot(canned: tuple[str, Path]) -> None:
    url, _ = canned
    out = evaluate("all", "--target", url, "--suite", "latency", "--suite", "safety",
                   "-n", "2", "--turns", "3")  # fmt: skip
    crisis = out["suites"]["safety"]["crisis_replies"]
    assert "detection" not in out["suites"]["safety"]  # hearten's own assessor is not asked
    assert crisis["replies"] == crisis["messages"] > 50
    assert crisis["items"]["names_line"]["rate"] == 0.0
    assert crisis["items"]["acknowledges"]["rate"] == 1.0
    latency = out["suites"]["latency"]
    assert latency["turns"] == 6 and latency["p50"] > 0


def test_an_llm_can_play_the_user(canned: tuple[str, Path]) -> None:
    url, log = canned
    result = CliRunner().invoke(simulate, [
        "--persona", "risk-passive-wish-burnout", "--user-url", url, "--turns", "4",
        "--workers", "1", "--format", "jsonl", "-o", "-",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    # The model's words are the user's, except the card's risk line, said as written.
    assert [r["act"] for r in rows] == ["llm", "llm", "risk", "llm"]
    assert rows[0]["user"] == REPLY and "wouldn't wake up" in rows[2]["user"]
    asked = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(asked) == 3 and all(a["first"] == "system" for a in asked)
    assert rows[2]["crisis"] is True  # said without a cue, hearten catches it


def test_white_box_suites_refuse_a_target(canned: tuple[str, Path]) -> None:
    url, _ = canned
    result = CliRunner().invoke(eval_group, ["all", "--target", url, "--suite", "strategy"])
    assert result.exit_code == 2 and "--target works with" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def hearten_serve(tmp_path: Path) -> Iterator[tuple[str, str]]:
    pytest.importorskip("hearten.server.commands")
    db = f"sqlite:///{tmp_path / 'serve.db'}"
    env = {**os.environ, "HEARTEN_HOME": str(tmp_path / "home")}
    token = subprocess.run(
        [sys.executable, "-m", "hearten.server", "users", "add", "evaluator", "--database-url", db],
        capture_output=True, text=True, check=True, env=env, timeout=120,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hearten.server", "serve", "--port", str(port), "--database-url",
         db, "--locale", "US", "--rate", "100000", "--burst", "10000", "--stream-delay", "0",
         "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                request = urllib.request.Request(
                    f"{url}/v1/models", headers={"Authorization": f"Bearer {token}"}
                )
                urllib.request.urlopen(request, timeout=2).close()
                break
            except OSError:
                assert proc.poll() is None, "hearten serve exited"
                assert time.monotonic() < deadline, "hearten serve did not start"
                time.sleep(0.2)
        yield url, token
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.slow
def test_rubric_scores_hearten_serve(hearten_serve: tuple[str, str]) -> None:
    url, token = hearten_serve
    out = evaluate("rubric", "--target", url, "--api-key", token, "--persona", "work-boss-pileup",
                   "--persona", "exams-finals-panic", "--turns", "6", "--workers", "2")  # fmt: skip
    r = out["suites"]["rubric"]
    assert r["summary"]["conversations"] == 2
    assert r["checks"]["question_before_advice"]["rate"] == 1.0
    assert r["checks"]["captures_goals"]["rate"] == 1.0
    assert r["checks"]["no_repeated_sentences"]["rate"] == 1.0
    assert r["checks"]["reply_shape"]["rate"] == 1.0
    # The server picks its own phrasing seed, so the words vary from run to run; the
    # behaviour above does not.
