"""What the issue asks to show: `hearten simulate --all --format seed` writes
transcripts that pass the rubric suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hearten.evaluate.commands import eval_group
from hearten.simulate.commands import simulate
from hearten.simulate.personas import load_personas


@pytest.mark.slow
def test_simulated_transcripts_of_every_persona_pass_the_rubric(tmp_path: Path) -> None:
    made = CliRunner().invoke(simulate, ["--all", "--format", "seed", "-o", str(tmp_path), "-q"])
    assert made.exit_code == 0, made.output
    assert len(list(tmp_path.glob("*.txt"))) == len(load_personas())
    scored = CliRunner().invoke(
        eval_group, ["rubric", "--from", str(tmp_path), "--json", "-", "-q", "--check"]
    )
    assert scored.exit_code == 0, scored.output
    result = json.loads(scored.output)["suites"]["rubric"]
    assert result["ok"] is True
    assert result["summary"]["conversations"] == len(load_personas())
    assert result["checks"]["answers_risk"]["n"] == sum(
        p.risk is not None for p in load_personas().values()
    )
