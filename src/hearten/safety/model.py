"""The learned layer of the risk screen, trained by scripts/train_screen.py.

Two models read each message:

* a logistic regression on the character n-grams and the words and word pairs of the
  normalised text, which needs nothing but numpy, so the screen keeps it when no
  encoder is installed;
* a small neural network (an ensemble of perceptrons with ReLU hidden layers) on the
  sentence vector the understanding room already computed.

A logistic regression on the log-probabilities of both (`Blend`, trained on their
cross-validated readings) gives the probability of any risk: the perceptrons are far
surer of themselves than the n-grams, so a plain average let them outvote the n-grams;
the blend weighs each class of each model by what it is worth. The training script
ships it or the plain average, whichever cross-validates better (docs/safety.md).
Without the vector the blend reads the n-grams alone. The category is the most
likely one of the two models' average.

A message the rules flag needs only a lower probability to stand (`confirm`): the
rules know words, the models know context, and "ugh i want to die, i just called my
teacher mum" is flagged by the first and read as a joke by the second; a few rules the
training data found precise are trusted without it. A third model, on
the same n-grams, reads how grave a risk would be (low to imminent): a detection the
rules missed is given that level, and never less than moderate, so the protocol at
least asks directly. A message that model reads as imminent needs only a lower
probability of risk to be flagged (`grave`): "walking into the water now. tide's
coming in" cannot wait for the certainty a vague complaint needs.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise
from pathlib import Path

import numpy as np

from hearten.safety.normalise import normalise
from hearten.understanding.encoders import Vectors

CLASSES = (
    "none", "suicide", "self_harm", "harm_to_others", "abuse_or_danger",
    "medical_emergency", "third_party",
)  # fmt: skip
LEVELS = ("low", "moderate", "high", "imminent")
log = logging.getLogger(__name__)
MODEL_PATH = Path(str(resources.files("hearten.safety").joinpath("screen_model.npz")))
NGRAM_SIZES = (2, 5)  # shortest and longest character n-gram
_WORD = re.compile(r"\w\w+")


def char_ngrams(text: str) -> Counter[str]:
    """Character n-grams inside each word, padded with a space on both sides.

    Words are read after normalisation, so "k1ll" and "kill" share their n-grams,
    and a misspelling still shares most of them with the right spelling."""
    return _char_ngrams(normalise(text))


def _char_ngrams(clean: str) -> Counter[str]:
    low, high = NGRAM_SIZES
    grams: Counter[str] = Counter()
    for word in clean.split():
        padded = f" {word} "
        for n in range(low, high + 1):
            if len(padded) < n:
                break
            grams.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


def word_ngrams(text: str) -> Counter[str]:
    """Words of two letters or more, and each pair of neighbouring words."""
    return _word_ngrams(normalise(text))


def _word_ngrams(clean: str) -> Counter[str]:
    words = _WORD.findall(clean)
    return Counter([*words, *(f"{a} {b}" for a, b in pairwise(words))])


def tf_idf(
    counts: Counter[str], vocabulary: dict[str, int], idf: Vectors
) -> tuple[np.ndarray, Vectors]:
    """Indices and tf-idf values (sublinear tf, unit length) of the known terms."""
    known = [(vocabulary[g], c) for g, c in counts.items() if g in vocabulary]
    if not known:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    index = np.array([i for i, _ in known], dtype=np.int64)
    values = np.array([1.0 + math.log(c) for _, c in known], dtype=np.float32) * idf[index]
    return index, values / np.linalg.norm(values)


def softmax(logits: Vectors) -> Vectors:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class NgramModel:
    characters: dict[str, int]
    character_idf: Vectors
    words: dict[str, int]
    word_idf: Vectors
    weights: Vectors  # (classes, characters + words)
    bias: Vectors  # (classes,)
    level_weights: Vectors  # (levels, characters + words): how grave, given risk
    level_bias: Vectors  # (levels,)

    def features(self, text: str) -> tuple[np.ndarray, Vectors]:
        """The two blocks side by side, each of unit length."""
        clean = normalise(text)  # once, for both blocks
        chars, char_values = tf_idf(_char_ngrams(clean), self.characters, self.character_idf)
        words, word_values = tf_idf(_word_ngrams(clean), self.words, self.word_idf)
        return (
            np.concatenate([chars, words + len(self.characters)]),
            np.concatenate([char_values, word_values]),
        )

    def probabilities(self, text: str) -> tuple[Vectors, Vectors]:
        """Of each class, and of each level were it a risk."""
        index, values = self.features(text)
        return (
            softmax(self.weights[:, index] @ values + self.bias),
            softmax(self.level_weights[:, index] @ values + self.level_bias),
        )


@dataclass(frozen=True)
class VectorModel:
    """Perceptrons with ReLU hidden layers; their probabilities are averaged."""

    # Per member, its layers in order, each (weights (inputs, outputs), bias (outputs,));
    # the last gives the classes' logits.
    members: tuple[tuple[tuple[Vectors, Vectors], ...], ...]

    def probabilities(self, vector: Vectors) -> Vectors:
        return np.mean([_perceptron(layers, vector) for layers in self.members], axis=0)  # type: ignore[no-any-return]


def _perceptron(layers: tuple[tuple[Vectors, Vectors], ...], vector: Vectors) -> Vectors:
    hidden = vector
    for w, b in layers[:-1]:
        hidden = np.maximum(hidden @ w + b, 0.0)
    w, b = layers[-1]
    return softmax(hidden @ w + b)


FLOOR = 1e-6  # a probability of zero would have no logarithm


@dataclass(frozen=True)
class GraveBar:
    """A lower bar of risk for a message whose level reads imminent."""

    imminent: float  # the level model's probability of imminent must reach this...
    risk: float  # ...and the probability of any risk this

    def flags(self, imminent: float, risk: float) -> bool:
        return imminent >= self.imminent and risk >= self.risk


@dataclass(frozen=True)
class Blend:
    """The probability of any risk from the models' class log-probabilities, side by
    side (n-grams first)."""

    weights: Vectors
    bias: float

    def risk(self, *probabilities: Vectors) -> float:
        logs = np.log(np.concatenate(probabilities) + FLOOR)
        return float(1.0 / (1.0 + np.exp(-(logs @ self.weights + self.bias))))


@dataclass(frozen=True)
class ScreenModel:
    ngrams: NgramModel
    vectors: VectorModel
    encoder: str  # the encoder whose vectors the perceptrons read
    # On the probability of any risk, with the vector (averaged) and without it
    # (the n-gram model alone): what flags a message, and what a rule's flag needs.
    threshold: float
    confirm: float
    threshold_alone: float
    confirm_alone: float
    # Rule ids whose flags stand without the models' confirmation: in the training
    # data, each flagged ten risk messages or more and no negative the rules were not
    # written on.
    trusted: frozenset[str] = frozenset()
    # With the vector and without it; None when the plain average of the two models'
    # probabilities cross-validated better, and in files from before the blend.
    blend: Blend | None = None
    blend_alone: Blend | None = None
    # (imminent, risk): a message whose level reads imminent with at least the first
    # probability is flagged at the second, lower bar of risk. None: no such bar (and
    # in files from before it).
    grave: GraveBar | None = None
    grave_alone: GraveBar | None = None

    def predict(self, text: str, vector: Vectors | None) -> Prediction:
        probs: np.ndarray
        probs, levels = self.ngrams.probabilities(text)
        bars = (self.threshold_alone, self.confirm_alone)
        blend, read, grave = self.blend_alone, [probs], self.grave_alone
        if vector is not None:
            read.append(self.vectors.probabilities(vector))
            probs = (probs + read[1]) / 2
            bars = (self.threshold, self.confirm)
            blend, grave = self.blend, self.grave
        ranked = 1 + np.argsort(-probs[1:], kind="stable")
        return Prediction(
            category=CLASSES[int(ranked[0])],
            runner_up=CLASSES[int(ranked[1])],
            level=LEVELS[int(np.argmax(levels))],
            risk=float(1.0 - probs[0]) if blend is None else blend.risk(*read),
            threshold=bars[0],
            confirm=bars[1],
            trusted=self.trusted,
            imminent=float(levels[LEVELS.index("imminent")]),
            grave=grave,
        )


@dataclass(frozen=True)
class Prediction:
    category: str  # the most likely risk category
    level: str  # the most likely level, were it a risk
    risk: float  # the probability of any risk
    threshold: float  # what risk must reach to flag the message
    confirm: float  # what it must reach for a rule's flag to stand
    trusted: frozenset[str] = frozenset()  # rules whose flags stand regardless
    imminent: float = 0.0  # the probability the level is imminent, were it a risk
    grave: GraveBar | None = None  # the lower bar for a message read as imminent
    # The next most likely category: for third_party, what the other person faces.
    runner_up: str = "none"

    @property
    def flags(self) -> bool:
        if self.grave is not None and self.grave.flags(self.imminent, self.risk):
            return True
        return self.risk >= self.threshold

    def upholds(self, rules: list[str]) -> bool:
        """Whether a flag raised by these rules (their ids) stands."""
        return self.risk >= self.confirm or not self.trusted.isdisjoint(rules)


@cache
def load_model() -> ScreenModel | None:
    """The shipped model, or None if it is missing or unreadable (the rules then decide
    alone; said once, not every turn)."""
    if not MODEL_PATH.exists():
        return None
    try:
        return _read_model(MODEL_PATH)
    except Exception as exc:
        log.error("the learned screen's weights cannot be read, the rules decide alone: %r", exc)
        return None


def _read_model(path: Path) -> ScreenModel | None:
    with np.load(path) as z:
        if tuple(str(c) for c in z["classes"]) != CLASSES:
            return None
        members = int(z["members"])
        ngrams = NgramModel(
            characters=_index(z["characters"]),
            character_idf=z["character_idf"].astype(np.float32),
            words=_index(z["words"]),
            word_idf=z["word_idf"].astype(np.float32),
            weights=z["ngram_weights"].astype(np.float32),
            bias=z["ngram_bias"].astype(np.float32),
            level_weights=z["level_weights"].astype(np.float32),
            level_bias=z["level_bias"].astype(np.float32),
        )
        # Weights files before the deeper perceptrons stored no depth: one hidden layer.
        depth = int(z["layers"]) if "layers" in z else 2
        vectors = VectorModel(
            members=tuple(
                tuple(
                    (z[f"w{j}_{k}"].astype(np.float32), z[f"b{j}_{k}"].astype(np.float32))
                    for j in range(1, depth + 1)
                )
                for k in range(members)
            )
        )
        return ScreenModel(
            ngrams=ngrams,
            vectors=vectors,
            encoder=str(z["encoder"]),
            threshold=float(z["threshold"]),
            confirm=float(z["confirm"]),
            threshold_alone=float(z["threshold_alone"]),
            confirm_alone=float(z["confirm_alone"]),
            trusted=frozenset(str(r) for r in z["trusted"]) if "trusted" in z else frozenset(),
            blend=_blend(z, "blend"),
            blend_alone=_blend(z, "blend_alone"),
            grave=_grave(z, "grave"),
            grave_alone=_grave(z, "grave_alone"),
        )


def _blend(z: np.lib.npyio.NpzFile, name: str) -> Blend | None:
    if name not in z:
        return None
    return Blend(z[name].astype(np.float32), float(z[f"{name}_bias"]))


def _grave(z: np.lib.npyio.NpzFile, name: str) -> GraveBar | None:
    if name not in z:
        return None
    imminent, risk = (float(v) for v in z[name])
    return GraveBar(imminent, risk)


def _index(terms: np.ndarray) -> dict[str, int]:
    return dict(zip(terms.tolist(), range(len(terms)), strict=True))
