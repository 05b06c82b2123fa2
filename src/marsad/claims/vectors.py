"""Claim-text vectors, each distinct text encoded once and only when a decision needs it.

In: texts (claim contents, and the short "changed words" strings the stance classifier embeds) and the
store's content-vector cache (``claim_vectors``, keyed by the sha1 of the normalised text and the
encoder's name). Out: unit float32 vectors from the bundled sentence encoder, one row per text; texts
not seen before (in this run or an earlier one) are encoded in batches and kept for the store.
:class:`VectorCache` has the encoder's ``name`` / ``dim`` / ``encode`` so the stance classifier can
use it in place of the encoder: a text grouping already encoded is never encoded again.
"""

from __future__ import annotations

import hashlib

import numpy as np

from ..settings import SETTINGS
from ..text import normalize

ENCODE_BATCH = SETTINGS.claims.encode_batch   # texts per encoder call (much faster per text in batches)


def content_key(text: str) -> str:
    """The cache key of a claim's content: sha1 of its normalised text (spelling variants meet)."""
    return hashlib.sha1(normalize(text or "").encode("utf-8")).hexdigest()


class VectorCache:
    """Vectors by text through an in-memory table, the store's cache and, last, the encoder."""

    def __init__(self, tables=None, encoder=None, persist: bool = True):
        if encoder is None:
            from ..link.encoder import get_encoder  # noqa: PLC0415
            encoder = get_encoder()
        self.encoder = encoder
        self.name, self.dim = encoder.name, encoder.dim
        self.tables = tables
        self.persist = persist
        self._mem: dict[str, np.ndarray] = {}
        self._new: list[tuple[str, str, bytes]] = []
        self.encoded = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit vector per text (the encoder's interface)."""
        keys = [content_key(t) for t in texts]
        self._fill(dict(zip(keys, texts)))
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._mem[k] for k in keys]).astype(np.float32, copy=False)

    def by_key(self, texts_by_key: dict[str, str]) -> dict[str, np.ndarray]:
        """{key: vector} for {key: text}."""
        self._fill(texts_by_key)
        return {k: self._mem[k] for k in texts_by_key}

    def known(self, keys) -> dict[str, np.ndarray]:
        """{key: vector} of those ``keys`` encoded before (in this run or, in the store's cache, an earlier
        one); nothing is encoded."""
        missing = sorted({k for k in keys if k not in self._mem})
        if missing and self.tables is not None:
            for k, blob in self.tables.cached_vectors(missing, self.name).items():
                self._mem[k] = np.frombuffer(blob, dtype=np.float32)
        return {k: self._mem[k] for k in keys if k in self._mem}

    def _fill(self, texts_by_key: dict[str, str]) -> None:
        self.known(texts_by_key)
        missing = [k for k in texts_by_key if k not in self._mem]
        for b in range(0, len(missing), ENCODE_BATCH):
            chunk = missing[b:b + ENCODE_BATCH]
            vecs = self.encoder.encode([texts_by_key[k] for k in chunk])
            self.encoded += len(chunk)
            for k, v in zip(chunk, vecs):
                v = np.asarray(v, dtype=np.float32)
                self._mem[k] = v
                if self.persist:
                    self._new.append((k, self.name, v.tobytes()))

    def take_new_rows(self) -> list[tuple[str, str, bytes]]:
        """(key, encoder, vector bytes) of the texts encoded since the last call, for the store's cache."""
        rows, self._new = self._new, []
        return rows
