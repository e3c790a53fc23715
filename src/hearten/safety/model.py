"""The learned layer of the risk screen: a logistic regression on sentence vectors,
trained by scripts/train_screen.py. It only adds detections the rules missed, at a
moderate level (the protocol then asks directly), and it needs an encoder: without
one the rules decide alone."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from hearten.understanding.encoders import Vectors

CLASSES = (
    "none", "suicide", "self_harm", "harm_to_others", "abuse_or_danger",
    "medical_emergency", "third_party",
)  # fmt: skip
MODEL_PATH = Path(str(resources.files("hearten.safety").joinpath("screen_model.npz")))


@dataclass(frozen=True)
class ScreenModel:
    weights: Vectors  # (classes, dim)
    bias: Vectors  # (classes,)
    threshold: float
    encoder: str

    def predict(self, vector: Vectors) -> tuple[str, float]:
        """The most likely risk category and the probability of any risk."""
        logits = self.weights @ vector + self.bias
        logits = logits - logits.max()
        probs = np.exp(logits) / np.exp(logits).sum()
        risk = float(1.0 - probs[0])
        return CLASSES[1 + int(np.argmax(probs[1:]))], risk


@cache
def load_model(encoder_name: str) -> ScreenModel | None:
    """The shipped model if it was trained on this encoder's vectors."""
    if not MODEL_PATH.exists():
        return None
    with np.load(MODEL_PATH) as z:
        if str(z["encoder"]) != encoder_name or tuple(str(c) for c in z["classes"]) != CLASSES:
            return None
        return ScreenModel(
            weights=np.asarray(z["weights"], dtype=np.float32),
            bias=np.asarray(z["bias"], dtype=np.float32),
            threshold=float(z["threshold"]),
            encoder=encoder_name,
        )
