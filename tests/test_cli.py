"""The command line, run as a person runs it: real processes, pipes and a terminal."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hearten.transcripts import parse

from .conftest import SHARED

HEARTEN = [sys.executable, "-m", "hearten"]


def run(
    args: list[str], stdin: str = "", home: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if home is not None:
        env["HEARTEN_HOME"] = str(home)
    return subprocess.run(
        [*HEARTEN, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def test_chat_in_a_pipe_then_greets_back(tmp_path: Path) -> None:
    first = run(
        ["chat", "--user", "pipe"],
        "*sigh* I feel so down today\n"
        "My exams start next week and I haven't revised\n"
        "I think I'll revise for one hour every morning this week\n"
        "Thank you, bye\n",
        home=tmp_path,
    )
    assert first.returncode == 0, first.stderr
    replies = [ln for ln in first.stdout.splitlines() if ln.startswith("hearten ›")]
    assert len(replies) == 5  # the greeting and four replies
    assert "revise for one hour every morning this week" in first.stdout

    second = run(["chat", "--user", "pipe"], "/quit\n", home=tmp_path)
    assert second.returncode == 0, second.stderr
    greeting = second.stdout.splitlines()[0]
    assert "revise for one hour every morning this week" in greeting

    history = run(["history", "--user", "pipe", "--json"], home=tmp_path)
    data = json.loads(history.stdout)
    assert len(data["conversations"]) == 1  # the second one said nothing
    assert [g["text"] for g in data["goals"]] == ["revise for one hour every morning this week"]
    assert len(data["mood"]) == 4
    table = run(["history", "--user", "pipe"], home=tmp_path)
    assert "Goals" in table.stdout and "revise for one hour" in table.stdout


def test_chat_no_store_saves_nothing(tmp_path: Path) -> None:
    out = run(["chat", "--user", "x", "--no-store"], "I feel sad\n", home=tmp_path)
    assert out.returncode == 0
    assert not (tmp_path / "hearten.db").exists()


def test_crisis_message_gets_emergency_number_and_a_line(tmp_path: Path) -> None:
    out = run(["chat", "--user", "c", "--locale", "GB"], "I want to kill myself\n", home=tmp_path)
    reply = out.stdout.splitlines()[2]
    assert "999" in reply and "116 123" in reply


def test_replay_prints_the_seed_format_it_reads(tmp_path: Path) -> None:
    seed = SHARED / "seeds" / "001_c7b99a7c95a09925.txt"
    out = run(["replay", str(seed)], home=tmp_path)
    assert out.returncode == 0, out.stderr
    again = parse(out.stdout)
    original = parse(seed.read_text("utf-8"))
    assert again.intro == original.intro
    assert again.human_turns == original.human_turns
    assert [t.role for t in again.turns] == ["Human", "Assistant"] * 6
    assert not (tmp_path / "hearten.db").exists(), "replay uses a throwaway store"


def test_replay_keep_saves(tmp_path: Path) -> None:
    seed = SHARED / "seeds" / "000_2a0bb9ae3ee9f562.txt"
    assert run(["replay", str(seed), "--keep", "--user", "k"], home=tmp_path).returncode == 0
    hist = json.loads(run(["history", "--user", "k", "--json"], home=tmp_path).stdout)
    assert len(hist["conversations"]) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [("just some text\nno blocks", "no '### Human:'"), (None, "cannot read")],
)
def test_replay_bad_input_is_a_clear_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "t.txt"
    if content is not None:
        path.write_text(content)
    out = run(["replay", str(path)], home=tmp_path)
    assert out.returncode == 1
    assert message in out.stderr and "Traceback" not in out.stderr


def test_screen_json_lines(tmp_path: Path) -> None:
    lines = "\n".join(json.dumps({"text": t}) for t in ["I want to die", "this job is killing me"])
    out = run(["screen", "--json"], lines + "\n", home=tmp_path)
    rows = [json.loads(ln) for ln in out.stdout.splitlines()]
    assert [r["risk"]["level"] != "none" for r in rows] == [True, False]
    assert set(rows[0]["risk"]) == {"level", "categories", "reasons"}
    bad = run(["screen", "--json"], "not json\n", home=tmp_path)
    assert bad.returncode == 1 and "line 1" in bad.stderr


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is installed by scripts/test")
def test_chat_in_a_real_terminal(tmp_path: Path) -> None:
    name = f"hearten-test-{os.getpid()}"
    env = f"HEARTEN_HOME={tmp_path} HEARTEN_LOCALE=US"
    cmd = f"env {env} {sys.executable} -m hearten chat --user term --seed 1"

    def screen() -> str:
        shown = subprocess.run(
            ["tmux", "capture-pane", "-p", "-J", "-t", name, "-S", "-200"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        return " ".join(shown.split())  # rich wraps long lines to the terminal's width

    def wait_for(text: str, count: int = 1) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            shown = screen()
            if shown.count(text) >= count:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared:\n{screen()}")

    def session(lines: list[str]) -> str:
        subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "50", cmd],
                       check=True)  # fmt: skip
        try:
            wait_for("you ›")
            for i, line in enumerate(lines, start=2):
                subprocess.run(["tmux", "send-keys", "-t", name, "-l", line], check=True)
                subprocess.run(["tmux", "send-keys", "-t", name, "Enter"], check=True)
                wait_for("you ›", i)
            shown = screen()
            subprocess.run(["tmux", "send-keys", "-t", name, "-l", "/quit"], check=True)
            subprocess.run(["tmux", "send-keys", "-t", name, "Enter"], check=True)
            return shown
        finally:
            time.sleep(0.5)
            subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)

    first = session([
        "*sighs* I just feel so down today",
        "Work is too much and my boss keeps piling projects on me",
        "I think I'll leave the office by six on weekdays this week",
    ])  # fmt: skip
    assert first.count("hearten ›") == 4
    assert "leave the office by six on weekdays this week" in first
    second = session([])
    assert "leave the office by six on weekdays this week" in second
