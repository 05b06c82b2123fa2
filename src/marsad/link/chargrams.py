"""Character n-gram TF-IDF vectors of an article's title and lead, with a fixed reference IDF.

In: a short text (title + lead, see :func:`marsad.link.signals.lead_text`). Out: a sparse unit vector
``{bucket: weight}`` over hashed character 3–5-grams of the normalised words (each word padded with
spaces, so word starts and ends count), with a sublinear term frequency and an inverse document
frequency read from ``data/link_idf.npz``. That table holds hashed document frequencies computed by
``scripts/build_link_idf.py`` from general Arabic news text (ANERcorp sentences and ANS headlines);
it is a fixed reference, not the corpus being linked, so a pair's similarity never depends on which
other articles were stored before: the property that keeps linking independent of input order.
"""

from __future__ import annotations

import math
import re
import zlib
from functools import lru_cache

import numpy as np

from .. import data
from ..text import normalize

BUCKETS = 1 << 18
NGRAMS = (3, 4, 5)
_NONWORD = re.compile(r"[^\w]+")


@lru_cache(maxsize=200_000)
def _word_buckets(word: str) -> tuple[int, ...]:
    """Hashed n-grams of one normalised word (words recur across articles, so this is cached)."""
    w = f" {word} "
    return tuple(zlib.crc32(w[i:i + n].encode("utf-8")) % BUCKETS for n in NGRAMS for i in range(len(w) - n + 1))


def gram_buckets(text: str) -> dict[int, int]:
    """Counts of hashed character n-grams of the normalised words of ``text``."""
    out: dict[int, int] = {}
    for w in _NONWORD.sub(" ", normalize(text)).split():
        for h in _word_buckets(w):
            out[h] = out.get(h, 0) + 1
    return out


@lru_cache(maxsize=1)
def _idf() -> np.ndarray:
    ref = np.load(data.path("link_idf.npz"))
    df, n_docs = ref["df"].astype(np.float64), float(ref["n_docs"])
    return np.log((n_docs + 1.0) / (df + 1.0)).astype(np.float32)


def tfidf(text: str) -> dict[int, float]:
    """Unit-length sparse TF-IDF vector of ``text`` (empty dict for a text without words)."""
    idf = _idf()
    vec = {h: (1.0 + math.log(c)) * float(idf[h]) for h, c in gram_buckets(text).items()}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {h: v / norm for h, v in vec.items()} if norm else {}


def cosine(a: dict[int, float], b: dict[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(h, 0.0) for h, v in a.items())


def pack(vec: dict[int, float]) -> bytes:
    """Compact storage: int32 buckets then float16 weights."""
    keys = np.fromiter(vec.keys(), dtype=np.int32, count=len(vec))
    vals = np.fromiter(vec.values(), dtype=np.float16, count=len(vec))
    return keys.tobytes() + vals.tobytes()


def unpack(blob: bytes | None) -> dict[int, float]:
    if not blob:
        return {}
    n = len(blob) // 6
    keys = np.frombuffer(blob[:4 * n], dtype=np.int32)
    vals = np.frombuffer(blob[4 * n:], dtype=np.float16).astype(np.float32)
    return dict(zip(keys.tolist(), vals.tolist()))


def pack_f32(vec: dict[int, float]) -> bytes:
    """Like :func:`pack`, with float32 weights (summed profiles)."""
    keys = np.fromiter(vec.keys(), dtype=np.int32, count=len(vec))
    vals = np.fromiter(vec.values(), dtype=np.float32, count=len(vec))
    return keys.tobytes() + vals.tobytes()


def unpack_f32(blob: bytes | None) -> dict[int, float]:
    if not blob:
        return {}
    n = len(blob) // 8
    keys = np.frombuffer(blob[:4 * n], dtype=np.int32)
    vals = np.frombuffer(blob[4 * n:], dtype=np.float32)
    return dict(zip(keys.tolist(), vals.tolist()))
