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

import re
import zlib
from collections import Counter
from functools import lru_cache
from itertools import chain

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
    return Counter(chain.from_iterable(map(_word_buckets, _NONWORD.sub(" ", normalize(text)).split())))


@lru_cache(maxsize=1)
def _idf() -> np.ndarray:
    ref = np.load(data.path("link_idf.npz"))
    df, n_docs = ref["df"].astype(np.float64), float(ref["n_docs"])
    return np.log((n_docs + 1.0) / (df + 1.0)).astype(np.float32)


def tfidf(text: str, keep: int | None = None) -> dict[int, float]:
    """Unit-length sparse TF-IDF vector of ``text`` (empty dict for a text without words); with ``keep``,
    only its ``keep`` heaviest buckets (heaviest first, ties by bucket) when it has more."""
    counts = gram_buckets(text)
    if not counts:
        return {}
    keys = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * _idf()[keys]
    norm = float(np.sqrt(weights @ weights))
    if not norm:
        return {}
    weights = weights / norm
    if keep is not None and len(keys) > keep:
        heaviest = np.lexsort((keys, -weights))[:keep]
        keys, weights = keys[heaviest], weights[heaviest]
    return dict(zip(keys.tolist(), weights.tolist()))


def arrays(vec: dict[int, float]) -> tuple[np.ndarray, np.ndarray]:
    """A sparse vector as (bucket, weight) arrays, to score it against a dense query quickly."""
    return (np.fromiter(vec.keys(), dtype=np.int64, count=len(vec)),
            np.fromiter(vec.values(), dtype=np.float32, count=len(vec)))


def cosine(a: dict[int, float], b: dict[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(h, 0.0) for h, v in a.items())


def cosine_arrays(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    """:func:`cosine` of two vectors held as :func:`unpack_arrays` gives them (the order :func:`unpack`'s
    dicts hold): the same products, in float64, summed in the same order; the buckets the other vector
    lacks add 0.0 there, which changes no sum, so only the shared ones are summed."""
    if len(a[0]) > len(b[0]):
        a, b = b, a
    if not len(a[0]):
        return 0
    order = np.argsort(b[0], kind="stable")
    sorted_keys = b[0][order]
    at = np.minimum(np.searchsorted(sorted_keys, a[0]), len(sorted_keys) - 1)
    hit = sorted_keys[at] == a[0]
    prods = a[1][hit].astype(np.float64) * b[1][order[at[hit]]].astype(np.float64)
    return sum(prods.tolist(), 0.0)


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


def unpack_arrays(blob: bytes | None) -> tuple[np.ndarray, np.ndarray]:
    """What :func:`unpack` holds, as (int32 bucket, float32 weight) arrays in the same order."""
    if not blob:
        return np.zeros(0, np.int32), np.zeros(0, np.float32)
    n = len(blob) // 6
    return (np.frombuffer(blob[:4 * n], dtype=np.int32).copy(),
            np.frombuffer(blob[4 * n:], dtype=np.float16).astype(np.float32))


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
