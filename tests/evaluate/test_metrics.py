"""Strategy metrics, worked by hand."""

from __future__ import annotations

import math

import pytest

from hearten.evaluate.metrics import (
    confusion,
    distinct_n,
    percentile,
    preference_bias,
    preferences,
    scores,
)

LABELS = ["A", "B", "C"]


def test_accuracy_and_f1_by_hand() -> None:
    gold = ["A", "A", "B", "B", "C"]
    pred = ["A", "B", "B", "B", "A"]
    s = scores(gold, pred, LABELS)
    assert s["confusion"] == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]
    assert s["accuracy"] == pytest.approx(0.6)
    # F1: A 0.5, B 0.8, C 0
    assert s["per_label"]["B"]["f1"] == pytest.approx(0.8)
    assert s["macro_f1"] == pytest.approx((0.5 + 0.8 + 0.0) / 3)
    assert s["weighted_f1"] == pytest.approx((0.5 * 2 + 0.8 * 2) / 5)


def test_macro_f1_leaves_out_labels_never_seen() -> None:
    s = scores(["A", "B"], ["A", "B"], ["A", "B", "C"])
    assert s["macro_f1"] == pytest.approx(1.0)


def test_a_perfect_or_evenly_confused_model_has_no_preference_bias() -> None:
    perfect = confusion(["A", "B", "C"], ["A", "B", "C"], LABELS)
    assert preference_bias(preferences(perfect, LABELS)) == pytest.approx(0.0)
    swapped = confusion(["A", "A", "B", "B", "C"], ["B", "A", "A", "B", "C"], LABELS)
    prefs = preferences(swapped, LABELS)
    assert prefs["A"] == pytest.approx(prefs["B"])
    assert preference_bias(prefs) == pytest.approx(0.0)


def test_always_one_strategy_is_all_preference() -> None:
    m = confusion(["A", "B", "C", "B", "C"], ["A"] * 5, LABELS)
    prefs = preferences(m, LABELS)
    assert prefs == pytest.approx({"A": 3.0, "B": 0.0, "C": 0.0})
    assert sum(prefs.values()) == pytest.approx(3.0)  # they sum to the number of labels
    assert preference_bias(prefs) == pytest.approx(math.sqrt(2.0))


def test_a_stronger_preference_gives_a_larger_bias() -> None:
    # A is chosen where B was right twice (mild) or five times (strong), B once for A.
    mild = confusion(["B", "B", "A", "C"], ["A", "A", "B", "C"], LABELS)
    strong = confusion(["B"] * 5 + ["A", "C"], ["A"] * 5 + ["B", "C"], LABELS)
    p_mild, p_strong = preferences(mild, LABELS), preferences(strong, LABELS)
    assert p_mild["A"] / p_mild["B"] == pytest.approx(2.0, rel=1e-3)  # the win ratio
    assert p_strong["A"] / p_strong["B"] == pytest.approx(5.0, rel=1e-3)
    assert preference_bias(p_strong) > preference_bias(p_mild) > 0


def test_distinct_n_and_percentile() -> None:
    assert distinct_n(["a b a b"], 1) == pytest.approx(0.5)
    assert distinct_n(["a b a b"], 2) == pytest.approx(2 / 3)
    assert distinct_n([], 2) == 0.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == pytest.approx(2.5)
    assert percentile([5.0], 90) == 5.0
