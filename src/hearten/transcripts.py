"""The seed transcript format: an optional first line that introduces the
conversation, then blocks that start "### Human:" or "### Assistant:"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_BLOCK = re.compile(r"^### (Human|Assistant):[ \t]?", re.MULTILINE)


class TranscriptError(ValueError):
    """The text is not in the seed format."""


@dataclass
class Turn:
    role: str  # "Human" or "Assistant"
    text: str


@dataclass
class Transcript:
    intro: str | None = None
    turns: list[Turn] = field(default_factory=list)

    @property
    def human_turns(self) -> list[str]:
        return [t.text for t in self.turns if t.role == "Human"]


def parse(text: str) -> Transcript:
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    matches = list(_BLOCK.finditer(text))
    if not matches:
        raise TranscriptError("no '### Human:' or '### Assistant:' block found")
    head = text[: matches[0].start()].strip()
    if "\n" in head:
        raise TranscriptError("only one introduction line may come before the first block")
    turns = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        body = text[match.end() : end].strip()
        if body:
            turns.append(Turn(role=match.group(1), text=body))
    if not any(t.role == "Human" for t in turns):
        raise TranscriptError("the transcript has no Human turn")
    return Transcript(intro=head or None, turns=turns)


def render(transcript: Transcript) -> str:
    parts = [transcript.intro] if transcript.intro else []
    parts += [f"### {t.role}: {t.text}" for t in transcript.turns]
    return "\n\n".join(parts) + "\n"
