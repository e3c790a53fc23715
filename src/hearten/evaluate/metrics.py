"""Classification metrics for strategy prediction, and the strategy preference and
preference bias of Kang et al. (ACL 2024), in plain Python.

Preference bias follows the authors' released metric (github.com/1eastar/
EmotionalSupport, metrics.py): w[i][j] counts turns where the model chose strategy i
and the gold strategy was j (i != j); preferences p come from the Bradley-Terry model,
fitted by 20 rounds of the minorisation-maximisation update

    p_i <- sum_j w[i][j] * p_j / (p_i + p_j)  /  sum_j w[j][i] / (p_i + p_j),

each round normalised by the geometric mean of the non-zero p, then scaled so that the
preferences sum to the number of strategies (an unbiased model has every p_i = 1). The
preference bias B is the population standard deviation of the p_i. Two guards the
released code lacks: a pair whose preferences are both zero adds nothing (their code
divides by zero), and a strategy whose denominator is zero (it never lost a
comparison) keeps its previous preference for that round.
"""

from __future__ import annotations

import math
from typing import Any


def confusion(gold: list[str], pred: list[str], labels: list[str]) -> list[list[int]]:
    """matrix[g][p]: turns with gold label g predicted as p."""
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, pred, strict=True):
        matrix[index[g]][index[p]] += 1
    return matrix


def per_label(matrix: list[list[int]], labels: list[str]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for i, label in enumerate(labels):
        tp = matrix[i][i]
        support = sum(matrix[i])
        predicted = sum(row[i] for row in matrix)
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {
            "precision": precision, "recall": recall, "f1": f1,
            "support": float(support), "predicted": float(predicted),
        }  # fmt: skip
    return out


def scores(gold: list[str], pred: list[str], labels: list[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 and weighted-F1 (as scikit-learn computes them: macro over
    the labels that occur in gold or prediction), per-label figures, the confusion
    matrix, and the preference bias."""
    matrix = confusion(gold, pred, labels)
    table = per_label(matrix, labels)
    present = [label for label in labels if table[label]["support"] or table[label]["predicted"]]
    total = len(gold)
    accuracy = sum(matrix[i][i] for i in range(len(labels))) / total if total else 0.0
    macro = sum(table[label]["f1"] for label in present) / len(present) if present else 0.0
    weighted = (
        sum(table[label]["f1"] * table[label]["support"] for label in labels) / total
        if total
        else 0.0
    )
    prefs = preferences(matrix, labels)
    return {
        "n": total,
        "accuracy": accuracy,
        "macro_f1": macro,
        "weighted_f1": weighted,
        "preference_bias": preference_bias(prefs),
        "preferences": prefs,
        "per_label": table,
        "labels": labels,
        "confusion": matrix,
    }


def preferences(matrix: list[list[int]], labels: list[str], rounds: int = 20) -> dict[str, float]:
    """Bradley-Terry strategy preferences from a confusion matrix (gold rows,
    predicted columns), as in Kang et al. (2024)."""
    n = len(labels)
    # wins[i][j]: the model chose i where the gold strategy was j
    wins = [[matrix[j][i] if i != j else 0 for j in range(n)] for i in range(n)]
    p = [1.0] * n
    for _ in range(rounds):
        for i in range(n):
            numerator = 0.0
            denominator = 0.0
            for j in range(n):
                if j == i or p[i] + p[j] == 0:
                    continue
                numerator += wins[i][j] * p[j] / (p[i] + p[j])
                denominator += wins[j][i] / (p[i] + p[j])
            if denominator > 0:
                p[i] = numerator / denominator
        nonzero = [v for v in p if v > 0]
        if nonzero:
            geometric = math.exp(sum(math.log(v) for v in nonzero) / len(nonzero))
            p = [v / geometric for v in p]
    total = sum(p)
    if total > 0:
        p = [v * n / total for v in p]
    return dict(zip(labels, p, strict=True))


def preference_bias(prefs: dict[str, float]) -> float:
    """B: the population standard deviation of the preferences."""
    values = list(prefs.values())
    if not values:
        return 0.0
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def distinct_n(texts: list[str], n: int) -> float:
    """Distinct-n (Li et al. 2016): unique n-grams over all n-grams of the texts."""
    grams: list[tuple[str, ...]] = []
    for text in texts:
        tokens = text.lower().split()
        grams += [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation, like numpy's default."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
