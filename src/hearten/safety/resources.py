"""Crisis resources per locale (resources.yaml), each entry with its source and the
date it was last reviewed."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel


class Line(BaseModel):
    name: str
    phone: str | None = None
    text: str | None = None  # how to reach it by text message
    hours: str | None = None
    note: str | None = None

    def describe(self) -> str:
        """"the 988 Suicide & Crisis Lifeline (call or text 988)"."""
        ways = []
        if self.phone:
            ways.append(f"call {self.phone}")
        if self.text:
            ways.append(self.text if self.text.lower().startswith("text") else f"text {self.text}")
        how = " or ".join(ways)
        hours = f", {self.hours}" if self.hours else ""
        return f"{self.name} ({how}{hours})" if how else self.name


class LocaleResources(BaseModel):
    code: str
    country: str
    emergency: str
    lines: list[Line]
    abuse_lines: list[Line] = []
    directory: str | None = None
    source: str
    reviewed: str
    is_fallback: bool = False

    def crisis_line(self) -> str:
        if not self.lines:
            return self.directory or "a local crisis line"
        return " or ".join(line.describe() for line in self.lines[:2])

    def abuse_line(self) -> str:
        if self.abuse_lines:
            return " or ".join(line.describe() for line in self.abuse_lines[:2])
        return self.crisis_line()


ALIASES = {"UK": "GB", "EN": "GB"}


@cache
def all_resources() -> dict[str, LocaleResources]:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("hearten.safety").joinpath("resources.yaml").read_text("utf-8")
    )
    table = raw.get("locales", raw)
    out: dict[str, LocaleResources] = {}
    for code, entry in table.items():
        out[code.upper()] = _parse(code.upper(), entry)
    return out


def _parse(code: str, entry: dict[str, Any]) -> LocaleResources:
    def lines(key: str) -> list[Line]:
        items = entry.get(key) or []
        return [Line(**{k: v for k, v in i.items() if k in Line.model_fields}) for i in items]

    directory = entry.get("directory")
    if isinstance(directory, dict):
        directory = ", ".join(str(v) for v in directory.values() if v)
    if isinstance(directory, list):
        directory = "; ".join(
            (f"{d.get('name')} ({d.get('url') or d.get('address') or ''})".replace(" ()", ""))
            if isinstance(d, dict)
            else str(d)
            for d in directory
        )
    return LocaleResources(
        code=code,
        country=str(entry.get("country", code)),
        emergency=str(entry.get("emergency", "your local emergency number")),
        lines=lines("lines") or lines("crisis_lines"),
        abuse_lines=lines("abuse_lines") or lines("abuse_line"),
        directory=directory,
        source=str(entry.get("source", "")),
        reviewed=str(entry.get("reviewed", "")),
        is_fallback=bool(entry.get("is_fallback", code == "FALLBACK")),
    )


def for_locale(code: str | None) -> LocaleResources:
    """The resources for a country code, or the fallback that says it is one."""
    table = all_resources()
    key = ALIASES.get((code or "").upper(), (code or "").upper())
    return table.get(key) or table["FALLBACK"]
