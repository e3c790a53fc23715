"""`hearten eval seeds` and `hearten eval conversations` replay transcripts through
hearten and hold each reply to what the transcript expects."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from hearten.evaluate.commands import eval_group

from ..conftest import DATA, SHARED


def evaluate(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(eval_group, [*args, "--json", "-", "-q"], catch_exceptions=False)
    return result.exit_code, json.loads(result.output)


def test_seeds_pass() -> None:
    code, out = evaluate("seeds", "--data", str(SHARED / "seeds"))
    seeds = out["suites"]["seeds"]
    assert code == 0 and seeds["ok"] and seeds["cases"] == 2
    assert seeds["checks_passed"] == seeds["checks"] > 20


def test_conversations_pass() -> None:
    code, out = evaluate("conversations", "--data", str(DATA / "conversations"))
    c = out["suites"]["conversations"]
    assert code == 0 and c["ok"] and c["cases"] == len(list((DATA / "conversations").glob("*.txt")))


def test_a_broken_expectation_is_reported(tmp_path: Path) -> None:
    src = DATA / "conversations"
    shutil.copy(src / "exam_stress.txt", tmp_path / "exam_stress.txt")
    expect = (src / "exam_stress.expect.yaml").read_text("utf-8")
    (tmp_path / "exam_stress.expect.yaml").write_text(
        expect.replace("concerns: [school, productivity_guilt]", "concerns: [school, grief]"),
        "utf-8",
    )
    result = CliRunner().invoke(eval_group, ["conversations", "--data", str(tmp_path), "--json",
                                             "-", "-q", "--check"])  # fmt: skip
    assert result.exit_code == 1
    out = json.loads(result.output)["suites"]["conversations"]
    assert out["failed"] == ["exam_stress:concerns"]
