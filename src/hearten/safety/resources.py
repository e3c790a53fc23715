"""Crisis resources per locale (resources.yaml), each entry with its source and the
date it was last reviewed."""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict

from hearten.yamlfile import load_yaml


class Line(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str
    phone: str | None = None
    text: str | None = None  # the number, or the whole instruction: "text HOME to 741741"
    url: str | None = None
    hours: str | None = None
    say: str | None = None  # the wording for a reply, a noun phrase that ends a sentence
    say_text: str | None = None
    source: str | None = None
    reviewed: str | None = None
    note: str | None = None

    def spoken(self) -> str:
        if self.say:
            return self.say
        ways = [f"call {self.phone}"] if self.phone else []
        if self.text:
            ways.append(self.text if self.text.startswith("text") else f"text {self.text}")
        return f"{self.name} — {' or '.join(ways)}" if ways else self.name


class LocaleResources(BaseModel):
    code: str
    country: str
    country_phrase: str
    emergency: str
    lines: list[Line]
    abuse_lines: list[Line] = []
    directory: list[Line] = []
    source: str
    reviewed: str
    is_fallback: bool = False

    def crisis_line(self) -> str:
        if self.lines:
            return self.lines[0].spoken()
        if self.directory:
            return self.directory[0].spoken()
        return "a local crisis line"

    def text_line(self) -> str | None:
        """A line that takes text messages (a number to text, not a web chat)."""
        for line in self.lines:
            if line.say_text and line.text:
                return line.say_text
        for line in self.directory:
            if line.say_text:
                return line.say_text
        return None

    def abuse_line(self) -> str:
        return self.abuse_lines[0].spoken() if self.abuse_lines else self.crisis_line()


@cache
def all_resources() -> dict[str, LocaleResources]:
    raw: dict[str, Any] = load_yaml(
        resources.files("hearten.safety").joinpath("resources.yaml").read_text("utf-8")
    )
    out: dict[str, LocaleResources] = {}
    for code, entry in raw["locales"].items():
        parsed = _parse(code.upper(), entry)
        out[parsed.code] = parsed
        for alias in entry.get("aliases", []):
            out[str(alias).upper()] = parsed
    return out


def _parse(code: str, entry: dict[str, Any]) -> LocaleResources:
    def lines(key: str) -> list[Line]:
        items = entry.get(key) or []
        scalar = str | int | date  # YAML reads "reviewed: 2026-11-22" as a date
        fields = [{k: str(v) for k, v in i.items() if isinstance(v, scalar)} for i in items]
        return [Line(**f) for f in fields]

    return LocaleResources(
        code=code,
        country=str(entry.get("country", code)),
        country_phrase=str(entry.get("country_phrase", entry.get("country", code))),
        emergency=str(entry["emergency"]),
        lines=lines("crisis_lines"),
        abuse_lines=lines("abuse_line"),
        directory=lines("directory"),
        source=str(entry.get("source", "")),
        reviewed=str(entry.get("reviewed", "")),
        is_fallback=bool(entry.get("is_fallback", False)),
    )


def for_locale(code: str | None) -> LocaleResources:
    """The resources for a country code, or the fallback (which says it is one)."""
    table = all_resources()
    return table.get((code or "").strip().upper()) or table["FALLBACK"]
