"""`hearten simulate` end to end: seed-format transcripts that `hearten replay` reads
back word for word, JSON lines with metadata per turn, the same conversations for the
same seed with one worker or several."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hearten.simulate.commands import simulate
from hearten.simulate.personas import load_personas
from hearten.transcripts import parse

TWO = ["--persona", "work-boss-pileup", "--persona", "risk-passive-wish-burnout"]


def run(*args: str) -> str:
    result = CliRunner().invoke(simulate, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_format_reads_like_the_seeds(tmp_path: Path) -> None:
    run(*TWO, "--workers", "1", "-o", str(tmp_path), "-q")
    files = sorted(tmp_path.glob("*.txt"))
    assert [f.name for f in files] == ["0000-work-boss-pileup.txt",
                                       "0001-risk-passive-wish-burnout.txt"]  # fmt: skip
    text = files[0].read_text("utf-8")
    first_line = text.splitlines()[0]
    assert first_line == load_personas()["work-boss-pileup"].intro
    assert "feeling sad and stressed about work" in first_line
    transcript = parse(text)
    roles = [t.role for t in transcript.turns]
    assert roles == ["Human", "Assistant"] * 8
    humans = transcript.human_turns
    assert humans[0].startswith("*")  # a cue in asterisks, feeling low
    assert "down" in humans[0]
    assert any("I think I'll" in h or "I'm going to" in h for h in humans)  # commits
    assert any("Thank" in h for h in humans)


def test_jsonl_carries_metadata_per_turn(tmp_path: Path) -> None:
    out = run(*TWO, "--workers", "1", "--turns", "6", "--format", "jsonl", "-o", "-")
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 12
    first = rows[0]
    for key in ("conversation", "persona", "turn", "user", "reply", "act", "stage",
                "strategies", "risk", "mood", "goals", "ideas", "user_mood", "seed"):  # fmt: skip
        assert key in first, key
    assert first["persona"] == "work-boss-pileup" and first["act"] == "open"
    assert first["risk"] == {"level": "none", "categories": []}
    risky = [r for r in rows if r["persona"] == "risk-passive-wish-burnout"]
    assert [r["act"] for r in risky][2] == "risk"
    assert any(r["goals"] for r in rows)


def test_the_same_seed_gives_the_same_conversations(tmp_path: Path) -> None:
    a = run(*TWO, "--workers", "1", "--turns", "5", "--format", "jsonl", "-o", "-")
    b = run(*TWO, "--workers", "1", "--turns", "5", "--format", "jsonl", "-o", "-")
    c = run(*TWO, "--workers", "1", "--turns", "5", "--seed", "9", "--format", "jsonl", "-o", "-")

    def said(out: str) -> list[tuple[str, str]]:
        return [(r["user"], r["reply"]) for r in map(json.loads, out.splitlines())]

    assert said(a) == said(b)
    assert said(a) != said(c)


@pytest.mark.slow
def test_workers_change_nothing_but_speed(tmp_path: Path) -> None:
    args = ["--persona", "grief-father", "--persona", "money-rent-rise", "-n", "4",
            "--turns", "4", "--format", "jsonl", "-o", "-"]  # fmt: skip
    one = run(*args, "--workers", "1")
    two = run(*args, "--workers", "2")
    strip = [{k: v for k, v in json.loads(line).items() if k != "seconds"}
             for line in one.splitlines()]  # fmt: skip
    assert strip == [{k: v for k, v in json.loads(line).items() if k != "seconds"}
                     for line in two.splitlines()]  # fmt: skip


def test_replay_reads_the_transcripts_back_word_for_word(tmp_path: Path) -> None:
    run(*TWO, "--workers", "1", "-o", str(tmp_path), "-q")
    meta = run(*TWO, "--workers", "1", "--format", "jsonl", "-o", "-")
    seeds = {json.loads(line)["conversation"]: json.loads(line)["seed"]
             for line in meta.splitlines()}  # fmt: skip
    personas = load_personas()
    for path in sorted(tmp_path.glob("*.txt")):
        name = personas[path.stem.split("-", 1)[1]].name
        out = subprocess.run(
            [sys.executable, "-m", "hearten", "replay", str(path), "--user", name,
             "--seed", str(seeds[path.stem])],
            capture_output=True, text=True, check=True, timeout=300,
        )  # fmt: skip
        assert out.stdout == path.read_text("utf-8")


def test_unknown_persona_and_missing_choice_are_usage_errors() -> None:
    runner = CliRunner()
    assert runner.invoke(simulate, ["--persona", "nobody"]).exit_code == 2
    assert runner.invoke(simulate, []).exit_code == 2
    listing = runner.invoke(simulate, ["--list"])
    assert listing.exit_code == 0 and len(listing.output.splitlines()) == len(load_personas())
