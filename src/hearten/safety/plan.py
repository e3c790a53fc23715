"""A personal safety plan (Stanley & Brown): what the person writes for the moments
when things get dark, kept with them and shown again whenever they ask."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, Field

from hearten.safety.resources import LocaleResources

# Each step: the field, its heading, and the question that helps someone fill it in.
STEPS: tuple[tuple[str, str, str], ...] = (
    ("warning_signs", "My warning signs",
     "What thoughts, feelings or situations tell you a crisis may be building?"),
    ("coping", "Things I can do on my own",
     "What can you do by yourself to take your mind off things, even for a little while?"),
    ("people_places", "People and places that take my mind off things",
     "Which people or places help you feel a bit better or less alone?"),
    ("who_to_ask", "People I can ask for help",
     "Who could you ask for help when things are hard? A name and a number each."),
    ("professionals", "Professionals and services",
     "Which doctor, counsellor or service could you contact? (Crisis lines are added for you.)"),
    ("safe_environment", "Making my surroundings safer",
     "What could you do to keep yourself safe, such as asking someone to hold on to things?"),
    ("reasons", "What matters to me",
     "What is one thing worth staying safe for?"),
)  # fmt: skip


class SafetyPlan(BaseModel):
    warning_signs: list[str] = Field(default_factory=list)
    coping: list[str] = Field(default_factory=list)
    people_places: list[str] = Field(default_factory=list)
    who_to_ask: list[str] = Field(default_factory=list)
    professionals: list[str] = Field(default_factory=list)
    safe_environment: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(getattr(self, field) for field, _, _ in STEPS)

    def render(self, resources: LocaleResources) -> str:
        """The plan as plain text, with the crisis lines for the person's country."""
        lines: list[str] = []
        for number, (field, heading, _) in enumerate(STEPS, start=1):
            items = list(getattr(self, field))
            if field == "professionals":
                items += [line.spoken() for line in resources.lines]
                items.append(f"Emergency services: {resources.emergency}")
            lines.append(f"{number}. {heading}")
            lines += [f"   - {item}" for item in items] or ["   (not filled in yet)"]
        return "\n".join(lines)


def build(plan: SafetyPlan, ask: Callable[[str, str], str]) -> SafetyPlan:
    """Walk through each step; `ask(question, current)` returns the person's answer,
    items separated by ";". An empty answer keeps what was there."""
    values = plan.model_dump()
    for field, _, question in STEPS:
        current = "; ".join(values[field])
        answer = ask(question, current).strip()
        if answer:
            values[field] = [part.strip() for part in answer.split(";") if part.strip()]
    return SafetyPlan(**values)
