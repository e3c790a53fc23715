"""End to end: each labelled conversation in tests/data/conversations, fed turn by
turn through the whole pipeline, shows the behaviour its .expect.yaml names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hearten.companion import Companion
from hearten.evaluate.replay import check_conversation, replay_conversation

from .conftest import DATA

CASES = sorted((DATA / "conversations").glob("*.txt"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_conversation_behaves(companion: Companion, path: Path) -> None:
    # The checks are `hearten eval conversations`'s own, so the two cannot drift apart.
    expect: dict[str, Any] = yaml.safe_load(path.with_suffix(".expect.yaml").read_text("utf-8"))
    users, replies, ideas = replay_conversation(companion, path)
    checks = check_conversation(expect, users, replies, ideas)
    failed = [name for name, ok in checks.items() if not ok]
    assert not failed, (failed, [r.text for r in replies])
