"""Copied passages: sentences one outlet took from another, with small edits.

In: the features of a chunk of new articles that are not near duplicates, the store's link tables
(:mod:`marsad.store.link`: the persistent sentence LSH index ``sentence_keys`` of the articles linked
before), a loader for old articles' features, and
the order in which articles were published. Out: :class:`CopyLink` records, one per pair of articles
that share at least one copied sentence: the later article, the earlier source, and the copied
passages as character spans in both display texts (runs of consecutive copied sentences are merged
into one passage).

A sentence counts as copied when both sentences have at least ``MIN_SENTENCE_TOKENS`` words and,
on normalised and lightly stemmed tokens, either their Indel similarity is at least
``SENTENCE_SIMILARITY`` or the shorter one is nearly all (``CONTAINMENT``) inside the longer one. A
paraphrase that keeps the facts but changes the words falls far below both and is not a copy (that
is a claim match, a later stage). Pairs of near duplicates are left to the duplicate stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from rapidfuzz.distance import Indel

from .features import MIN_SENTENCE_TOKENS, ArticleFeatures, nth_sentence

SENTENCE_SIMILARITY = 0.75
CONTAINMENT = 0.9
MIN_CONTAINED_TOKENS = 10
MAX_POSTINGS = 200       # a sentence key shared by more sentences than this is boilerplate, not copying


@dataclass
class Passage:
    start: int
    end: int
    source_start: int
    source_end: int
    similarity: float


@dataclass
class CopyLink:
    article_id: int          # the later article
    source_article_id: int   # the earlier one
    passages: list[Passage] = field(default_factory=list)


def sentence_similarity(a: list[str], b: list[str]) -> float:
    """Token-level similarity of two sentences if they count as copied, else 0.0."""
    if len(a) < MIN_SENTENCE_TOKENS or len(b) < MIN_SENTENCE_TOKENS:
        return 0.0
    sim = Indel.normalized_similarity(a, b)
    if sim >= SENTENCE_SIMILARITY:
        return sim
    shorter = min(len(a), len(b))
    if shorter >= MIN_CONTAINED_TOKENS:
        lcs = (len(a) + len(b) - Indel.distance(a, b)) / 2
        if lcs / shorter >= CONTAINMENT:
            return sim
    return 0.0


def _candidates(links, feats: list[ArticleFeatures]) -> set[tuple[int, int, int, int]]:
    """(new id, sentence idx, other id, other idx) sharing a sentence LSH key."""
    by_key: dict[int, list[tuple[int, int]]] = {}
    rows = []
    for f in feats:
        for key, idx in f.sentence_keys:
            by_key.setdefault(key, []).append((f.article_id, idx))
            rows.append((key, f.article_id, idx))
    old: dict[int, list[tuple[int, int]]] = {}
    for key, aid, idx in links.sentence_postings(rows):
        old.setdefault(key, []).append((aid, idx))
    out: set[tuple[int, int, int, int]] = set()
    for key, here in by_key.items():
        there = old.get(key, [])
        if len(here) + len(there) > MAX_POSTINGS:
            continue
        for i, (a, ai) in enumerate(here):
            for b, bi in here[i + 1:]:
                if a != b:
                    out.add((a, ai, b, bi) if a > b else (b, bi, a, ai))
            for b, bi in there:
                out.add((a, ai, b, bi))
    return out


def find_copies(links, feats: list[ArticleFeatures], order_key: Callable[[int], tuple],
                load: Callable[[int], ArticleFeatures], same_group: Callable[[int, int], bool],
                sentence: Callable[[int, int], list[str] | None]) -> list[CopyLink]:
    """Copied sentences between the chunk's articles and every article linked before. ``links``: the store's
    link tables (:mod:`marsad.store.link`), read for the sentence LSH index. ``sentence(article, index)``
    returns the tokens of one sentence of an old article (None past its last sentence), so a candidate
    sentence is compared without computing the features of its whole article; ``load`` is called only
    for the pairs found copied."""
    new = {f.article_id: f for f in feats}
    get = lambda aid: new[aid] if aid in new else load(aid)  # noqa: E731
    sent = lambda aid, i: nth_sentence(new[aid], i) if aid in new else sentence(aid, i)  # noqa: E731
    matched: dict[tuple[int, int], dict[tuple[int, int], float]] = {}
    for a, ai, b, bi in _candidates(links, feats):
        if same_group(a, b):
            continue
        ta, tb = sent(a, ai), sent(b, bi)
        if ta is None or tb is None:
            continue
        sim = sentence_similarity(ta, tb)
        if sim <= 0:
            continue
        later, earlier = (a, b) if order_key(a) > order_key(b) else (b, a)
        li, ei = (ai, bi) if later == a else (bi, ai)
        pair = matched.setdefault((later, earlier), {})
        pair[(li, ei)] = max(sim, pair.get((li, ei), 0.0))
    links: list[CopyLink] = []
    for (later, earlier), sents in sorted(matched.items()):
        fl, fe = get(later), get(earlier)
        # keep, for each sentence of the later article, its best match
        best: dict[int, tuple[int, float]] = {}
        for (li, ei), sim in sents.items():
            if li not in best or sim > best[li][1] or (sim == best[li][1] and ei < best[li][0]):
                best[li] = (ei, sim)
        link = CopyLink(later, earlier)
        run: list[tuple[int, int, float]] = []
        for li in sorted(best):
            ei, sim = best[li]
            if run and li == run[-1][0] + 1 and ei == run[-1][1] + 1:
                run.append((li, ei, sim))
            else:
                if run:
                    link.passages.append(_passage(run, fl, fe))
                run = [(li, ei, sim)]
        if run:
            link.passages.append(_passage(run, fl, fe))
        links.append(link)
    return links


def _passage(run: list[tuple[int, int, float]], fl: ArticleFeatures, fe: ArticleFeatures) -> Passage:
    return Passage(start=fl.spans[run[0][0]][0], end=fl.spans[run[-1][0]][1],
                   source_start=fe.spans[run[0][1]][0], source_end=fe.spans[run[-1][1]][1],
                   similarity=round(sum(r[2] for r in run) / len(run), 4))
