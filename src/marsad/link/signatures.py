"""Signatures: what the link stage matches an article by, computed per article wherever the workers run.

In: a batch of :class:`~marsad.model.AnalysedArticle` with their article and sentence spans. Out: for each
article, its ``signature``, a :class:`Signature`: its matching features (tokens, shingles, MinHash,
sentence LSH keys: :mod:`marsad.link.features`), the sentence encoder's vector of its title and lead,
and the part of its profile the text alone gives (lead and topic
character n-gram vectors, weekdays and dates named in its opening: :func:`marsad.link.signals.text_profile`).
The store keeps signatures (``link_signatures``, as :meth:`Signature.row`) until the link stage, on the
driver, links the article: that stage then computes per article only what needs the stored entity
mentions. Everything here is the same function of the article as when the link stage computed it itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from . import chargrams
from .features import ArticleFeatures, article_features, band_keys, pack, unpack
from .signals import ArticleProfile, text_profile

ENCODER_WORDS = 32          # words of title + lead the sentence encoder sees


@dataclass
class Signature:
    """One article's signature, packed (small to pass between processes and to store); :meth:`features`,
    :meth:`profile` and :meth:`vector` unpack it where it is used."""

    encoder: str
    tokens: str                      # matching tokens: one line per sentence (features.pack)
    shingles: bytes                  # sorted uint32
    minhash: bytes                   # uint32
    sentence_keys: bytes             # (LSH key, sentence index) pairs, int64
    vector_bytes: bytes              # float32
    lead: bytes                      # int32 buckets then float64 weights, in the vector's order
    topic: bytes                     # chargrams.pack
    weekdays: list[int]
    days: list[int]

    @classmethod
    def of(cls, f: ArticleFeatures, vector: np.ndarray, encoder: str, p: ArticleProfile) -> "Signature":
        keys = np.fromiter(p.lead.keys(), dtype=np.int32, count=len(p.lead))
        vals = np.fromiter(p.lead.values(), dtype=np.float64, count=len(p.lead))
        return cls(encoder, *pack(f), np.asarray(f.minhash, dtype=np.uint32).tobytes(),
                   np.asarray(f.sentence_keys, dtype=np.int64).tobytes(), np.asarray(vector, dtype=np.float32).tobytes(),
                   keys.tobytes() + vals.tobytes(), chargrams.pack(p.topic), p.weekdays, p.days)

    def row(self, article_id: int) -> tuple:
        """The store's row: (article id, encoder, tokens, shingles, MinHash, sentence keys, vector, lead,
        topic, weekdays, days)."""
        return (article_id, self.encoder, self.tokens, self.shingles, self.minhash, self.sentence_keys,
                self.vector_bytes, self.lead, self.topic, json.dumps(self.weekdays), json.dumps(self.days))

    @classmethod
    def from_row(cls, row) -> "Signature":
        """:meth:`row`'s inverse."""
        return cls(*(row[k] for k in _PACKED), json.loads(row["weekdays"]), json.loads(row["days"]))

    def features(self, article_id: int, spans: list[tuple[int, int]]) -> ArticleFeatures:
        """The features :func:`~marsad.link.features.article_features` gives the article (with these spans)."""
        f = unpack(article_id, spans, self.tokens, self.shingles)
        f.minhash = np.frombuffer(self.minhash, dtype=np.uint32).copy()
        f.band_keys = band_keys(f.minhash) if f.shingles else []
        f.sentence_keys = [(k, i) for k, i in np.frombuffer(self.sentence_keys, dtype=np.int64).reshape(-1, 2).tolist()]
        return f

    def profile(self, article_id: int) -> ArticleProfile:
        """The text's part of the article's profile (:func:`~marsad.link.signals.text_profile`), topic aside."""
        n = len(self.lead) // 12
        lead = dict(zip(np.frombuffer(self.lead[:4 * n], dtype=np.int32).tolist(),
                        np.frombuffer(self.lead[4 * n:], dtype=np.float64).tolist()))
        return ArticleProfile(article_id, lead=lead, weekdays=list(self.weekdays), days=list(self.days))

    def vector(self) -> np.ndarray:
        return np.frombuffer(self.vector_bytes, dtype=np.float32)


_PACKED = ("encoder", "tokens", "shingles", "minhash", "sentence_keys", "vector", "lead", "topic")


def encoder_text(title: str | None, title_derived: bool, text: str, spans: list[tuple[int, int]]) -> str:
    """Title plus the opening sentences, cut at ENCODER_WORDS words: what the sentence encoder sees."""
    parts = [] if (title_derived or not title) else [title.strip()]
    for s, e in spans[:4]:
        parts.append(text[s:e])
    return " ".join(" ".join(parts).split()[:ENCODER_WORDS])


def signatures_batch(batch: list) -> list:
    """Each article's :class:`Signature`; the batch's lead texts encoded together."""
    from .encoder import get_encoder  # noqa: PLC0415

    todo = [it for it in batch if it.article is not None and "signatures" not in it.done]
    if not todo:
        return batch
    encoder = get_encoder()
    spans = [[(s.start, s.end) for s in it.sentences] for it in todo]
    arts = [it.article for it in todo]
    vectors = encoder.encode([encoder_text(a.title, a.title_derived, a.text, sp) for a, sp in zip(arts, spans)])
    for it, a, sp, vec in zip(todo, arts, spans, vectors):
        p = text_profile(0, a.title, a.title_derived, a.text, a.published)
        it.signature = Signature.of(article_features(0, a.text, sp), vec, encoder.name, p)
    return batch
