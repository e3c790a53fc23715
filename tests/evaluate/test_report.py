"""The HTML report is one self-contained page: its charts are embedded PNG images that
decode, and nothing is fetched from elsewhere. The example report in docs/reports/
is opened and checked the same way."""

from __future__ import annotations

import base64
import json
import struct
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from hearten.evaluate import report, rubric
from hearten.evaluate.commands import eval_group
from hearten.simulate.simulator import Conversation, TurnRecord

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "reports" / "example.html"


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.links: list[str] = []
        self.ids: list[str] = []
        self.title = ""
        self.tables = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "img":
            self.images.append(a.get("src") or "")
        for key in ("src", "href"):
            if a.get(key) and tag != "img":
                self.links.append(a[key] or "")
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if tag == "table":
            self.tables += 1
        self._in_title = tag == "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False


def png_size(src: str) -> tuple[int, int]:
    prefix = "data:image/png;base64,"
    assert src.startswith(prefix), src[:40]
    data = base64.b64decode(src[len(prefix) :], validate=True)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def check_page(text: str) -> Page:
    page = Page()
    page.feed(text)
    assert page.title == "hearten evaluation"
    for src in page.images:
        width, height = png_size(src)
        assert width > 200 and height > 100
    assert all(link.startswith("#") for link in page.links), page.links  # nothing external
    assert "<script" not in text.lower()
    return page


def test_the_example_report_opens_with_every_suite_and_chart() -> None:
    text = EXAMPLE.read_text("utf-8")
    page = check_page(text)
    assert set(page.ids) >= {"seeds", "conversations", "safety", "strategy", "rubric", "latency"}
    # risk detection, crisis items, confusion, preferences, rubric checks, mood,
    # strategy mix, latency
    assert len(page.images) >= 8
    assert page.tables >= 8
    for words in ("macro-F1", "preference bias", "Wilson", "VERA-MH", "Mood trajectories",
                  "Strategy mix per stage", "confusion matrix"):  # fmt: skip
        assert words.lower() in text.lower(), words


def _conversation(cid: str) -> Conversation:
    turns = [
        TurnRecord(turn=1, act="open", user="*sighs* I feel low.", reply="I'm sorry. What's up?",
                   seconds=0.01, user_mood=-0.6, stage="opening",
                   strategies=["reflection_of_feelings", "question"], mood=-0.5),
        TurnRecord(turn=2, act="thanks", user="Thanks.",
                   reply="You're welcome. Come back any time.",
                   seconds=0.02, user_mood=0.1, stage="closing", strategies=["others"], mood=0.3),
    ]  # fmt: skip
    return Conversation(id=cid, persona="grief-father", topic="grief", seed=0, bot="test",
                        intro="", turns=turns)  # fmt: skip


def test_a_rubric_report_has_its_charts(tmp_path: Path) -> None:
    result = rubric.score([_conversation("a"), _conversation("b")])
    html = report.to_html({"meta": report.meta(["hearten", "eval"]), "suites": {"rubric": result}})
    page = check_page(html)
    assert page.ids == ["rubric"]
    assert len(page.images) == 3  # checks, mood trajectories, strategy mix


def test_eval_writes_json_and_html(tmp_path: Path) -> None:
    html_path, json_path = tmp_path / "r.html", tmp_path / "r.json"
    result = CliRunner().invoke(eval_group, ["seeds", "--html", str(html_path), "--json",
                                             str(json_path), "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(json_path.read_text("utf-8"))
    assert data["suites"]["seeds"]["ok"] is True and data["passed"] == {"seeds": True}
    assert data["meta"]["hearten"]
    page = check_page(html_path.read_text("utf-8"))
    assert page.ids == ["seeds"]
