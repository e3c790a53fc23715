"""Coping ideas and how well each fits what the person is going through."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from hearten.yamlfile import load_yaml


@dataclass(frozen=True)
class Idea:
    id: str
    fits: tuple[str, ...]
    weight: float
    tried: tuple[re.Pattern[str], ...]
    # a fit that does not hold while other concerns are in play: talking it through with
    # a partner, after a breakup
    unfit: dict[str, tuple[str, ...]] = field(default_factory=dict)


@cache
def load_ideas() -> dict[str, Idea]:
    raw = load_yaml(resources.files("hearten.dialogue").joinpath("ideas.yaml").read_text("utf-8"))
    return {
        idea_id: Idea(
            id=idea_id,
            fits=tuple(spec["fits"]),
            weight=float(spec.get("weight", 1.0)),
            tried=tuple(re.compile(p, re.IGNORECASE) for p in spec.get("tried", [])),
            unfit={fit: tuple(by) for fit, by in spec.get("unfit", {}).items()},
        )
        for idea_id, spec in raw["ideas"].items()
    }


def tried_ideas(text: str) -> set[str]:
    """Ideas the person says they already tried or ruled out."""
    return {i.id for i in load_ideas().values() if any(p.search(text) for p in i.tried)}


def rank_ideas(now: list[str], before: list[str], exclude: set[str]) -> list[str]:
    """Ideas that fit, best first: concerns named in this message count double, an
    idea made first of all for a concern named now gets a bonus, and an idea made for
    few concerns beats a generic one."""
    scored: list[tuple[float, str]] = []
    in_play = {*now, *before}
    for idea in load_ideas().values():
        if idea.id in exclude:
            continue
        fits = [c for c in idea.fits if not in_play.intersection(idea.unfit.get(c, ()))]
        hits = 2 * sum(c in fits for c in now) + sum(c in fits for c in before)
        if hits == 0:
            continue
        score = idea.weight * hits + 3.0 / len(idea.fits) + (idea.fits[0] in now)
        scored.append((score, idea.id))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [idea_id for _, idea_id in scored]
