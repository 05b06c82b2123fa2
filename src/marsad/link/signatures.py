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
from .features import ArticleFeatures, article_features, band_keys, pack, unpack_tokens
from .signals import ArticleProfile, text_profile

ENCODER_WORDS = 32          # words of title + lead the sentence encoder sees


@dataclass
class Signature:
    features: ArticleFeatures
    vector: np.ndarray
    encoder: str
    profile: ArticleProfile          # lead (dict), weekdays, days; topic kept packed in ``topic_blob``
    topic_blob: bytes

    def row(self, article_id: int) -> tuple:
        """The store's row: (article id, encoder, tokens, shingles, MinHash, sentence keys, vector, lead,
        topic, weekdays, days)."""
        f, p = self.features, self.profile
        lead_keys = np.fromiter(p.lead.keys(), dtype=np.int32, count=len(p.lead))
        lead_vals = np.fromiter(p.lead.values(), dtype=np.float64, count=len(p.lead))
        return (article_id, self.encoder, *pack(f), np.asarray(f.minhash, dtype=np.uint32).tobytes(),
                np.asarray(f.sentence_keys, dtype=np.int64).tobytes(),
                np.asarray(self.vector, dtype=np.float32).tobytes(),
                lead_keys.tobytes() + lead_vals.tobytes(), self.topic_blob, json.dumps(p.weekdays), json.dumps(p.days))

    @classmethod
    def from_row(cls, row, spans: list[tuple[int, int]]) -> "Signature":
        """:meth:`row`'s inverse, for the article with these sentence spans."""
        aid = row["article_id"]
        toks = unpack_tokens(row["tokens"]) if spans else []
        minhash = np.frombuffer(row["minhash"], dtype=np.uint32).copy()
        shingles = set(np.frombuffer(row["shingles"], dtype=np.uint32).tolist())
        keys = np.frombuffer(row["sentence_keys"], dtype=np.int64).reshape(-1, 2).tolist()
        f = ArticleFeatures(article_id=aid, spans=list(spans), sentence_tokens=toks, shingles=shingles,
                            minhash=minhash, band_keys=band_keys(minhash) if shingles else [],
                            sentence_keys=[(k, i) for k, i in keys])
        n = len(row["lead"]) // 12
        lead = dict(zip(np.frombuffer(row["lead"][:4 * n], dtype=np.int32).tolist(),
                        np.frombuffer(row["lead"][4 * n:], dtype=np.float64).tolist()))
        profile = ArticleProfile(aid, lead=lead, weekdays=json.loads(row["weekdays"]), days=json.loads(row["days"]))
        return cls(f, np.frombuffer(row["vector"], dtype=np.float32), row["encoder"], profile, row["topic"])


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
        it.signature = Signature(article_features(0, a.text, sp), vec, encoder.name, p,
                                          chargrams.pack(p.topic))
    return batch
