"""From a Plan to chat messages for an LLM: the prompt template (a data file in
voices/prompts/) filled with the stage, the sentence roles of this reply, the person's
concerns in their own words, feelings and goals, the rules a reply must keep, and as
much of the recent conversation as a token budget allows (newest first)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from hearten.dialogue.plan import Plan
from hearten.safety import guard
from hearten.vocabulary import STAGES, STRATEGIES
from hearten.voices.resilience import VoiceError
from hearten.yamlfile import load_yaml

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}
TokenCounter = Callable[[str], int]

MESSAGE_OVERHEAD = 6  # tokens a chat template adds around each message, roughly
DEFAULT_TEMPLATE = "support"
ARRIVED = "(The person has just arrived and has not said anything yet.)"
# A voice stops reading a reply here: the guard blocks anything past MAX_CHARS anyway.
MAX_REPLY_CHARS = 4 * guard.MAX_CHARS


class PromptTooLong(VoiceError):
    """The instructions alone do not fit the model's context."""


def approx_tokens(text: str) -> int:
    """A cautious token count for a model whose tokenizer we cannot see: about 3.5
    characters a token for English, rounded up (real tokenizers give about 4)."""
    return math.ceil(len(text) / 3.5)


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    system: Template
    stages: Mapping[str, str]
    moves: Mapping[str, str]
    strategies: Mapping[str, str]
    ideas: Mapping[str, str]
    context: Mapping[str, str]
    rules: tuple[str, ...]
    no_advice: str

    @classmethod
    def parse(cls, name: str, raw: Any) -> PromptTemplate:
        if not isinstance(raw, dict):
            raise ValueError(f"prompt {name}: expected a mapping")
        missing = [k for k in ("system", "stages", "moves", "strategies", "rules") if k not in raw]
        if missing:
            raise ValueError(f"prompt {name}: missing {', '.join(missing)}")
        stages = {str(k): str(v) for k, v in raw["stages"].items()}
        strategies = {str(k): str(v) for k, v in raw["strategies"].items()}
        lacking = [s for s in (*STAGES, *STRATEGIES) if s not in stages and s not in strategies]
        if lacking:
            raise ValueError(f"prompt {name}: no line for {', '.join(lacking)}")
        system = Template(str(raw["system"]))
        for placeholder in ("moves", "rules"):
            if f"${placeholder}" not in system.template:
                raise ValueError(f"prompt {name}: system has no ${placeholder}")
        return cls(
            name=name,
            system=system,
            stages=stages,
            moves={str(k): str(v) for k, v in raw["moves"].items()},
            strategies=strategies,
            ideas={str(k): str(v) for k, v in (raw.get("ideas") or {}).items()},
            context={str(k): str(v) for k, v in (raw.get("context") or {}).items()},
            rules=tuple(str(r) for r in raw["rules"]),
            no_advice=str(raw.get("no_advice", "")),
        )


@cache
def load_template(name: str = DEFAULT_TEMPLATE) -> PromptTemplate:
    """A bundled template by name (voices/prompts/NAME.yaml) or a YAML file by path."""
    if name.endswith((".yaml", ".yml")) or "/" in name:
        path = Path(name).expanduser()
        return PromptTemplate.parse(path.stem, load_yaml(path.read_text("utf-8")))
    bundled = resources.files("hearten.voices").joinpath("prompts", f"{name}.yaml")
    if not bundled.is_file():
        raise ValueError(f"no prompt template {name!r} in hearten/voices/prompts")
    return PromptTemplate.parse(name, load_yaml(bundled.read_text("utf-8")))


# the system prompt


def system_prompt(plan: Plan, template: PromptTemplate | None = None) -> str:
    """The instructions for this one reply."""
    t = template or load_template()
    fill = _fills(plan, t)
    moves = [
        f"{i}. "
        + Template(_move_line(t, m.strategy, m.move)).safe_substitute(fill, idea=_idea(t, m.idea))
        for i, m in enumerate(plan.moves, 1)
    ]
    rules = list(t.rules)
    if t.no_advice and "providing_suggestions" not in plan.strategies:
        rules.append(t.no_advice)
    return t.system.safe_substitute(
        stage=t.stages[plan.stage],
        moves="\n".join(moves),
        context="\n".join(f"- {line}" for line in _context(plan, t, fill)),
        rules="\n".join(f"- {r}" for r in rules),
    )


def _move_line(t: PromptTemplate, strategy: str, move: str) -> str:
    return t.moves.get(f"{strategy}/{move}") or t.strategies[strategy]


def _idea(t: PromptTemplate, idea: str | None) -> str:
    if idea is None:
        return "a small idea that fits what they told you"
    return t.ideas.get(idea, idea.replace("_", " "))


def _fills(plan: Plan, t: PromptTemplate) -> dict[str, str]:
    goal = plan.new_goals[-1] if plan.new_goals else (plan.goals[-1] if plan.goals else None)
    primary = plan.primary
    return {
        "name": plan.name or "",
        "primary": (primary.clause or primary.topic) if primary else "",
        "concerns": "; ".join(_concern(c.clause, c.topic) for c in plan.concerns),
        "feeling": plan.feeling or "",
        "emotions": ", ".join(plan.emotions),
        "cues": ", ".join(plan.cues),
        "goals": "; ".join(g.text for g in plan.goals),
        "new_goals": "; ".join(g.text for g in plan.new_goals),
        "goal": goal.text if goal else "the step they chose",
        "ideas_offered": ", ".join(_idea(t, i) for i in plan.ideas_offered),
        "checkin": plan.checkin_goal or "",
    }


def _concern(clause: str | None, topic: str) -> str:
    return f'{topic} ("{clause}")' if clause else topic


def _context(plan: Plan, t: PromptTemplate, fill: dict[str, str]) -> list[str]:
    lines: list[str] = []
    for key in (
        "name", "primary", "concerns", "feeling", "emotions", "cues", "goals", "new_goals",
        "ideas_offered", "checkin",
    ):  # fmt: skip
        if fill[key] and key in t.context:
            lines.append(Template(t.context[key]).safe_substitute(fill))
    if plan.mood < -0.3 and "mood_low" in t.context:
        lines.append(t.context["mood_low"])
    if not lines and "nothing" in t.context:
        lines.append(t.context["nothing"])
    return lines


# the conversation, within a token budget


def build_messages(
    plan: Plan,
    *,
    budget: int,
    template: PromptTemplate | None = None,
    count: TokenCounter = approx_tokens,
) -> list[Message]:
    """The system prompt, then as much of the recent conversation as fits in `budget`
    tokens, newest kept first, always ending with the person's message. Raises
    PromptTooLong when the instructions alone do not fit."""
    system = system_prompt(plan, template)
    left = budget - count(system) - MESSAGE_OVERHEAD
    turns = _turns(plan.history)
    last = turns.pop()
    room = left - MESSAGE_OVERHEAD
    if room < 16:
        raise PromptTooLong(f"the instructions need more than {budget} tokens")
    if count(last["content"]) > room:
        last = {"role": "user", "content": _shorten(last["content"], room, count)}
    left = room - count(last["content"])
    kept: list[Message] = [last]
    for turn in reversed(turns):
        cost = count(turn["content"]) + MESSAGE_OVERHEAD
        if cost > left:
            break
        kept.append(turn)
        left -= cost
    kept.reverse()
    while kept[0]["role"] != "user":  # chat templates want the person to speak first
        kept.pop(0)
    return [{"role": "system", "content": system}, *kept]


def _turns(history: list[dict[str, str]]) -> list[Message]:
    """The history as chat messages: known roles, no empty turns, neighbours with the
    same role joined, ending with the person's message."""
    turns: list[Message] = []
    for turn in history:
        role, text = turn.get("role"), (turn.get("text") or "").strip()
        if role not in {"user", "assistant"} or not text:
            continue
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] += "\n" + text
        else:
            turns.append({"role": role, "content": text})
    if not turns or turns[-1]["role"] != "user":
        turns.append({"role": "user", "content": ARRIVED})
    return turns


def _shorten(text: str, tokens: int, count: TokenCounter) -> str:
    """The start and end of a message too long for the budget, joined by an ellipsis."""
    chars = len(text)
    while chars > 0:
        head = chars // 2
        short = f"{text[:head].rstrip()} … {text[len(text) - (chars - head) :].lstrip()}"
        if count(short) <= tokens:
            return short
        chars = int(chars * 0.8)
    return "…"


# tidying what came back

_THINKING = re.compile(r"<think>.*?(?:</think>|\Z)", re.DOTALL | re.IGNORECASE)
_SPEAKER = re.compile(r"^\s*(?:hearten|assistant)\s*:\s*", re.IGNORECASE)
_LAST_SENTENCE_END = re.compile(r"^(.*[.!?][\"'”’)]?)\s", re.DOTALL)


def tidy(text: str, *, cut: bool = False) -> str:
    """The reply without a reasoning model's <think> block or a speaker label; when the
    model was cut off by max_tokens, without the unfinished last sentence. Line breaks
    stay, so the guard still sees lists."""
    text = _SPEAKER.sub("", _THINKING.sub("", text)).strip()
    if cut:
        found = _LAST_SENTENCE_END.match(text + " ")
        if found:
            text = found.group(1).strip()
    return text
