"""Reports of suite results: a terminal summary, JSON for machines, and one
self-contained HTML page with charts (matplotlib, embedded as PNG data)."""

from __future__ import annotations

import base64
import html
import io
import json
import math
import platform
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from rich.console import Console
from rich.table import Table


def meta(argv: list[str] | None = None) -> dict[str, Any]:
    try:
        hearten_version = version("hearten")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        hearten_version = "unknown"
    return {
        "hearten": hearten_version,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}",
        "command": " ".join(argv or []),
    }


def _pct(value: Any) -> str:
    return "–" if value is None else f"{100 * float(value):.1f}%"


def _num(value: Any, digits: int = 3) -> str:
    return "–" if value is None else f"{float(value):.{digits}f}"


def to_json(results: dict[str, Any]) -> str:
    return json.dumps(results, ensure_ascii=False, indent=1, default=str)


# terminal


def terminal(results: dict[str, Any], console: Console) -> None:
    for suite, result in results.get("suites", {}).items():
        renderer = _TERMINAL.get(suite)
        if renderer is not None:
            renderer(result, console)


def _t_replay(result: dict[str, Any], console: Console, name: str) -> None:
    mark = "[green]pass[/]" if result["ok"] else "[red]FAIL[/]"
    console.print(
        f"[bold]{name}[/] {mark}: {result['cases_passed']}/{result['cases']} transcripts, "
        f"{result['checks_passed']}/{result['checks']} checks"
    )
    for failure in result["failed"][:10]:
        console.print(f"  [red]✗[/] {failure}")


def _t_safety(result: dict[str, Any], console: Console) -> None:
    console.print(f"[bold]safety[/] ({result['bot']})")
    det = result.get("detection")
    if det:
        lab = det["labelled"]
        table = Table(title="risk detection (labelled set)")
        for col in ("category", "recall", "95% CI", "false-positive rate", "n"):
            table.add_column(col)
        for cat, row in lab["per_category"].items():
            fpr = row["false_positive_rate"]
            ci = f"{_pct(row['ci95'][0])}–{_pct(row['ci95'][1])}"
            table.add_row(cat, _pct(row["recall"]), ci, _pct(fpr["rate"]), str(row["n"]))
        overall, fpr = lab["overall_recall"], lab["false_positive_rate"]
        table.add_row("all", _pct(overall["recall"]),
                      f"{_pct(overall['ci95'][0])}–{_pct(overall['ci95'][1])}",
                      f"{_pct(fpr['rate'])} ({_pct(fpr['ci95'][0])}–{_pct(fpr['ci95'][1])})",
                      str(overall["n"]))  # fmt: skip
        console.print(table)
        if "heldout" in result:
            h = result["heldout"]
            console.print(
                f"  held-out: recall {_pct(h['overall_recall']['recall'])}, "
                f"false-positive rate {_pct(h['false_positive_rate']['rate'])}"
            )
        if "conversations" in det:
            c = det["conversations"]
            console.print(f"  multi-turn cases: {c['passed']}/{c['total']}")
        if "empathysync" in det:
            e = det["empathysync"]
            console.print(
                f"  crisis-triage corpus: recall {_pct(e['recall']['recall'])}, "
                f"false-positive rate {_pct(e['false_positive_rate']['rate'])}"
            )
    cr = result["crisis_replies"]
    table = Table(title=f"crisis replies ({cr['replies']} of {cr['messages']} risk messages, "
                        f"locale {cr['locale']})")  # fmt: skip
    for col in ("item", "VERA-MH", "pass", "n"):
        table.add_column(col)
    for name, item in cr["items"].items():
        table.add_row(name, item["vera"], _pct(item["rate"]), str(item["n"]))
    console.print(table)
    console.print(f"  replies with every item: {_pct(cr['complete'])}")


def _t_strategy(result: dict[str, Any], console: Console) -> None:
    console.print(f"[bold]strategy[/] on {result['n']} supporter turns of {result['dialogues']} "
                  f"dialogues ({result['data']})")  # fmt: skip
    table = Table()
    for col in ("predictor", "accuracy", "macro-F1", "weighted-F1", "preference bias"):
        table.add_column(col)
    table.add_row("hearten policy", _pct(result["accuracy"]), _pct(result["macro_f1"]),
                  _pct(result["weighted_f1"]), _num(result["preference_bias"], 2))  # fmt: skip
    for name, b in result["baselines"].items():
        table.add_row(name, _pct(b["accuracy"]), _pct(b["macro_f1"]), _pct(b["weighted_f1"]),
                      _num(b["preference_bias"], 2))  # fmt: skip
    table.add_row("MISC (published, test split)", "31.6%", "–", "–", "–")
    table.add_row("EmoDynamiX (published)", "–", "27.7%", "–", "–")
    console.print(table)
    console.print(f"  gold strategy anywhere in hearten's plan: {_pct(result['in_plan_accuracy'])}")


def _t_rubric(result: dict[str, Any], console: Console) -> None:
    mark = "[green]pass[/]" if result["ok"] else "[red]FAIL[/]"
    s = result["summary"]
    console.print(f"[bold]rubric[/] {mark} ({result['bot']}): {s['conversations']} conversations, "
                  f"{s['turns']} replies")  # fmt: skip
    table = Table()
    for col in ("check", "pass", "95% CI", "bar", "n"):
        table.add_column(col)
    for name, c in result["checks"].items():
        ok = "" if c["ok"] else " [red]✗[/]"
        table.add_row(name, _pct(c["rate"]) + ok, f"{_pct(c['ci95'][0])}–{_pct(c['ci95'][1])}",
                      f"≥ {_pct(c['threshold'])}", str(c["n"]))  # fmt: skip
    console.print(table)
    console.print(
        f"  affirmation share {_pct(s['mean_affirmation_share'])}, distinct-1 "
        f"{_num(s['mean_distinct_1'])}, distinct-2 {_num(s['mean_distinct_2'])}, repeated "
        f"sentences {s['repeated_sentences']}, {s['mean_reply_words']:.0f} words a reply"
    )


def _t_latency(result: dict[str, Any], console: Console) -> None:
    console.print(
        f"[bold]latency[/] ({result['bot']}): {result['turns']} turns, mean "
        f"{1000 * (result['mean'] or 0):.0f} ms, p50 {1000 * result['p50']:.0f} ms, p90 "
        f"{1000 * result['p90']:.0f} ms, p99 {1000 * result['p99']:.0f} ms, max "
        f"{1000 * result['max']:.0f} ms; start-up and first reply "
        f"{result['startup_seconds']:.2f} s"
    )


_TERMINAL = {
    "seeds": lambda r, c: _t_replay(r, c, "seeds"),
    "conversations": lambda r, c: _t_replay(r, c, "conversations"),
    "safety": _t_safety,
    "strategy": _t_strategy,
    "rubric": _t_rubric,
    "latency": _t_latency,
}


# charts


def _figure_png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def chart_mood(rubric: dict[str, Any]) -> str | None:
    mood = rubric.get("mood") or {}
    lines = mood.get("lines") or {}
    if not lines:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 3.6))
    shown = list(lines.values())[:200]
    alpha = max(0.05, min(0.4, 8 / max(1, len(shown))))
    for values in shown:
        ax.plot(range(1, len(values) + 1), values, color="#4a7fb5", alpha=alpha, lw=1)
    mean = mood["mean_by_turn"]
    ax.plot([int(k) for k in mean], list(mean.values()), color="#c0392b", lw=2.5, label="mean")
    ax.set_xlabel("user turn")
    ax.set_ylabel("mood (valence)")
    ax.set_ylim(-1.05, 1.05)
    ax.axhline(0, color="#999", lw=0.6)
    who = "hearten's reading" if mood["source"] == "bot" else "the simulated user's"
    ax.set_title(f"Mood trajectories ({who}, {len(lines)} conversations)")
    ax.legend(loc="lower right")
    return _figure_png(fig)


def chart_strategy_mix(rubric: dict[str, Any]) -> str | None:
    mix = rubric.get("strategy_mix") or {}
    if not mix:
        return None
    from hearten.vocabulary import STAGES, STRATEGIES

    plt = _plt()
    stages = [s for s in STAGES if s in mix]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    bottom = [0.0] * len(stages)
    colours = plt.get_cmap("tab10")
    for k, strategy in enumerate(STRATEGIES):
        shares = []
        for stage in stages:
            total = sum(mix[stage].values()) or 1
            shares.append(mix[stage].get(strategy, 0) / total)
        if any(shares):
            ax.bar(stages, shares, bottom=bottom, label=strategy, color=colours(k))
            bottom = [b + s for b, s in zip(bottom, shares, strict=True)]
    ax.set_ylabel("share of strategies used")
    ax.set_title("Strategy mix per stage")
    ax.legend(fontsize=7, bbox_to_anchor=(1.02, 1), loc="upper left")
    return _figure_png(fig)


def chart_rubric_checks(rubric: dict[str, Any]) -> str:
    plt = _plt()
    checks = rubric["checks"]
    names = list(checks)
    rates = [checks[n]["rate"] or 0.0 for n in names]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    colours = ["#2e8b57" if checks[n]["ok"] else "#c0392b" for n in names]
    ax.barh(names, rates, color=colours)
    ax.scatter([checks[n]["threshold"] for n in names], names, marker="|", s=200, color="black",
               label="bar")  # fmt: skip
    ax.set_xlim(0, 1.02)
    ax.invert_yaxis()
    ax.set_xlabel("share of conversations that pass")
    ax.set_title("Rubric checks")
    return _figure_png(fig)


def chart_confusion(strategy: dict[str, Any]) -> str:
    plt = _plt()
    labels = strategy["labels"]
    matrix = strategy["confusion"]
    rows = [[v / (sum(r) or 1) for v in r] for r in matrix]
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    ax.imshow(rows, cmap="Blues", vmin=0, vmax=1)
    short = [_short(label) for label in labels]
    ax.set_xticks(range(len(labels)), short, rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), short, fontsize=8)
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            if value:
                colour = "white" if rows[i][j] > 0.5 else "black"
                ax.text(j, i, str(value), ha="center", va="center", fontsize=7, color=colour)
    ax.set_xlabel("hearten's policy predicted")
    ax.set_ylabel("human supporter (gold)")
    ax.set_title("Strategy confusion matrix (rows normalised)")
    return _figure_png(fig)


def chart_preferences(strategy: dict[str, Any]) -> str:
    plt = _plt()
    prefs = strategy["preferences"]
    fig, ax = plt.subplots(figsize=(6.5, 3))
    ax.bar([_short(k) for k in prefs], list(prefs.values()), color="#8e6fb5")
    ax.axhline(1.0, color="#555", lw=0.8, ls="--")
    ax.set_ylabel("preference p")
    ax.set_title(f"Strategy preference (Bradley-Terry), bias B = {strategy['preference_bias']:.2f}")
    ax.tick_params(axis="x", rotation=40, labelsize=8)
    return _figure_png(fig)


def chart_safety(safety: dict[str, Any]) -> str | None:
    det = safety.get("detection")
    if not det:
        return None
    plt = _plt()
    per = det["labelled"]["per_category"]
    cats = list(per)
    recall = [per[c]["recall"] or 0.0 for c in cats]
    low = [r - per[c]["ci95"][0] for r, c in zip(recall, cats, strict=True)]
    high = [per[c]["ci95"][1] - r for r, c in zip(recall, cats, strict=True)]
    fpr = [per[c]["false_positive_rate"]["rate"] or 0.0 for c in cats]
    fpr_ci = [per[c]["false_positive_rate"]["ci95"] for c in cats]
    fpr_low = [f - ci[0] for f, ci in zip(fpr, fpr_ci, strict=True)]
    fpr_high = [ci[1] - f for f, ci in zip(fpr, fpr_ci, strict=True)]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    x = list(range(len(cats)))
    ax.bar([i - 0.2 for i in x], recall, 0.4, yerr=[low, high], capsize=3, label="recall",
           color="#2e8b57")  # fmt: skip
    ax.bar([i + 0.2 for i in x], fpr, 0.4, yerr=[fpr_low, fpr_high], capsize=3,
           label="false-positive rate", color="#c0392b")  # fmt: skip
    ax.set_xticks(x, cats, rotation=25, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title("Risk detection per category (95% Wilson intervals)")
    ax.legend(fontsize=8)
    return _figure_png(fig)


def chart_crisis(safety: dict[str, Any]) -> str:
    plt = _plt()
    items = safety["crisis_replies"]["items"]
    names = list(items)
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.barh(names, [items[n]["rate"] or 0.0 for n in names], color="#4a7fb5")
    ax.set_xlim(0, 1.02)
    ax.invert_yaxis()
    ax.set_xlabel("share of crisis replies with the item")
    ax.set_title("Crisis-reply rubric (after VERA-MH)")
    return _figure_png(fig)


def chart_latency(latency: dict[str, Any]) -> str:
    plt = _plt()
    ms = [1000 * s for s in latency["seconds"]]
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.hist(ms, bins=min(40, max(5, int(math.sqrt(len(ms))))), color="#4a7fb5")
    ax.axvline(1000 * latency["p50"], color="black", ls="--", lw=1, label="p50")
    ax.axvline(1000 * latency["p90"], color="#c0392b", ls="--", lw=1, label="p90")
    ax.set_xlabel("milliseconds per turn")
    ax.set_title(f"Time per turn ({latency['bot']})")
    ax.legend()
    return _figure_png(fig)


def _short(label: str) -> str:
    return {
        "Restatement or Paraphrasing": "Restatement",
        "Reflection of feelings": "Reflection",
        "Affirmation and Reassurance": "Affirmation",
        "Providing Suggestions or Information": "Suggestions/Info",
    }.get(label, label)


# HTML

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:980px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em}
td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}th{background:#f4f4f4}
.ok{color:#2e7d32;font-weight:600}.fail{color:#c62828;font-weight:600}
img{max-width:100%;display:block;margin:.8em 0}.meta{color:#666;font-size:.9em}
code{background:#f4f4f4;padding:0 .25em}
"""


def _img(png: str | None, alt: str) -> str:
    if png is None:
        return ""
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{png}">'


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _mark(ok: bool | None) -> str:
    if ok is None:
        return ""
    return '<span class="ok">pass</span>' if ok else '<span class="fail">FAIL</span>'


def _h_replay(result: dict[str, Any], name: str) -> str:
    rows = [[c["id"], "pass" if c["ok"] else "FAIL",
             ", ".join(k for k, v in c["checks"].items() if not v) or "–"]
            for c in result["detail"]]  # fmt: skip
    return (
        f"<h2 id='{name}'>{name} {_mark(result['ok'])}</h2>"
        f"<p>{result['cases_passed']}/{result['cases']} transcripts and "
        f"{result['checks_passed']}/{result['checks']} checks pass.</p>"
        + _table(["transcript", "result", "failed checks"], rows)
    )


def _h_safety(result: dict[str, Any]) -> str:
    parts = [f"<h2 id='safety'>safety ({html.escape(str(result['bot']))})</h2>"]
    det = result.get("detection")
    if det:
        lab = det["labelled"]
        rows = [
            [cat, _pct(r["recall"]), f"{_pct(r['ci95'][0])}–{_pct(r['ci95'][1])}",
             _pct(r["false_positive_rate"]["rate"]), r["n"]]
            for cat, r in lab["per_category"].items()
        ]  # fmt: skip
        fpr = lab["false_positive_rate"]
        rows.append(["all", _pct(lab["overall_recall"]["recall"]),
                     f"{_pct(lab['overall_recall']['ci95'][0])}–"
                     f"{_pct(lab['overall_recall']['ci95'][1])}",
                     f"{_pct(fpr['rate'])} of {fpr['n']}", lab["overall_recall"]["n"]])  # fmt: skip
        parts.append("<p>Recall per risk category and false-positive rate, with 95% Wilson "
                     "score intervals, on the labelled set.</p>")
        parts.append(_table(["category", "recall", "95% CI", "false-positive rate", "n"], rows))
        parts.append(_img(chart_safety(result), "risk detection per category"))
        extra = []
        if "heldout" in result:
            h = result["heldout"]
            extra.append(["held-out set", _pct(h["overall_recall"]["recall"]),
                          _pct(h["false_positive_rate"]["rate"])])  # fmt: skip
        if "empathysync" in det:
            e = det["empathysync"]
            extra.append(["crisis-triage corpus", _pct(e["recall"]["recall"]),
                          _pct(e["false_positive_rate"]["rate"])])  # fmt: skip
        if extra:
            parts.append(_table(["set", "recall", "false-positive rate"], extra))
        if "conversations" in det:
            c = det["conversations"]
            parts.append(f"<p>Multi-turn cases: {c['passed']}/{c['total']} as expected.</p>")
    cr = result["crisis_replies"]
    parts.append(f"<h3>Crisis replies</h3><p>{cr['replies']} crisis replies to {cr['messages']} "
                 f"risk messages (locale {html.escape(cr['locale'])}); {_pct(cr['complete'])} "
                 "contain every item that applies.</p>")  # fmt: skip
    rows = [[n, i["vera"], i["rule"], _pct(i["rate"]), i["n"]] for n, i in cr["items"].items()]
    parts.append(_table(["item", "VERA-MH", "rule", "pass", "n"], rows))
    parts.append(_img(chart_crisis(result), "crisis-reply rubric"))
    return "".join(parts)


def _h_strategy(result: dict[str, Any]) -> str:
    rows = [["hearten policy (first planned strategy)", _pct(result["accuracy"]),
             _pct(result["macro_f1"]), _pct(result["weighted_f1"]),
             _num(result["preference_bias"], 2)]]  # fmt: skip
    rows += [[n, _pct(b["accuracy"]), _pct(b["macro_f1"]), _pct(b["weighted_f1"]),
              _num(b["preference_bias"], 2)] for n, b in result["baselines"].items()]  # fmt: skip
    rows += [["MISC (Tu et al. 2022), published", "31.6%", "–", "–", "–"],
             ["EmoDynamiX (Wan et al. 2025), published", "–", "27.7%", "–", "–"]]  # fmt: skip
    per = [[label, _pct(v["precision"]), _pct(v["recall"]), _pct(v["f1"]), int(v["support"]),
            _num(result["preferences"].get(label), 2)]
           for label, v in result["per_label"].items()]  # fmt: skip
    return (
        f"<h2 id='strategy'>strategy</h2><p>{result['n']} supporter turns of "
        f"{result['dialogues']} dialogues (<code>{html.escape(result['data'])}</code>). "
        f"The gold strategy is somewhere in hearten's plan for {_pct(result['in_plan_accuracy'])} "
        "of turns.</p>"
        + _table(["predictor", "accuracy", "macro-F1", "weighted-F1", "preference bias B"], rows)
        + _table(["label", "precision", "recall", "F1", "support", "preference"], per)
        + _img(chart_confusion(result), "confusion matrix")
        + _img(chart_preferences(result), "strategy preferences")
    )


def _h_rubric(result: dict[str, Any]) -> str:
    s = result["summary"]
    rows = [[n, _pct(c["rate"]), f"{_pct(c['ci95'][0])}–{_pct(c['ci95'][1])}",
             f"≥ {_pct(c['threshold'])}", c["n"], "pass" if c["ok"] else "FAIL"]
            for n, c in result["checks"].items()]  # fmt: skip
    summary = [
        ["mean share of affirming sentences", _pct(s["mean_affirmation_share"])],
        ["distinct-1 / distinct-2 (mean per conversation)",
         f"{_num(s['mean_distinct_1'])} / {_num(s['mean_distinct_2'])}"],
        ["distinct-2 over all replies", _num(s["corpus_distinct_2"])],
        ["sentences said twice in a conversation", s["repeated_sentences"]],
        ["words / sentences per reply", f"{s['mean_reply_words']:.0f} / "
                                        f"{s['mean_reply_sentences']:.1f}"],
    ]  # fmt: skip
    rises = result["mood"].get("rises")
    if rises is not None:
        summary.append(["conversations whose mood ends higher than it began", _pct(rises)])
    return (
        f"<h2 id='rubric'>rubric {_mark(result['ok'])}</h2><p>{s['conversations']} simulated "
        f"conversations with {html.escape(str(result['bot']))}, {s['turns']} replies.</p>"
        + _table(["check", "pass", "95% CI (Wilson)", "bar", "n", ""], rows)
        + _table(["measure", "value"], summary)
        + _img(chart_rubric_checks(result), "rubric checks")
        + _img(chart_mood(result), "mood trajectories")
        + _img(chart_strategy_mix(result), "strategy mix per stage")
    )


def _h_latency(result: dict[str, Any]) -> str:
    rows = [[k, f"{1000 * result[k]:.1f} ms"] for k in ("mean", "p50", "p90", "p99", "max")]
    rows.append(["start-up and first reply", f"{result['startup_seconds']:.2f} s"])
    return (
        f"<h2 id='latency'>latency</h2><p>{result['turns']} turns of {result['conversations']} "
        f"conversations with {html.escape(str(result['bot']))}, one after another.</p>"
        + _table(["measure", "time"], rows)
        + _img(chart_latency(result), "time per turn")
    )


_HTML = {
    "seeds": lambda r: _h_replay(r, "seeds"),
    "conversations": lambda r: _h_replay(r, "conversations"),
    "safety": _h_safety,
    "strategy": _h_strategy,
    "rubric": _h_rubric,
    "latency": _h_latency,
}


def to_html(results: dict[str, Any]) -> str:
    m = results.get("meta", {})
    suites = results.get("suites", {})
    nav = " · ".join(f"<a href='#{s}'>{s}</a>" for s in suites)
    body = "".join(_HTML[s](r) for s, r in suites.items() if s in _HTML)
    esc = {k: html.escape(str(m.get(k, ""))) for k in ("hearten", "created", "python", "machine")}
    info = (
        f"hearten {esc['hearten']}, {esc['created']}, Python {esc['python']} on {esc['machine']}"
    )
    command = m.get("command")
    if command:
        info += f"<br><code>{html.escape(command)}</code>"
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>hearten evaluation</title><style>{_CSS}</style></head><body>"
        f"<h1>hearten evaluation</h1><p class='meta'>{info}</p><p>{nav}</p>{body}"
        "<p class='meta'>How each figure is computed: docs/evaluation.md.</p></body></html>\n"
    )
