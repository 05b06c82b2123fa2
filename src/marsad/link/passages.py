"""Copied passages: sentences one outlet took from another, with small edits.

In: the features of a chunk of new articles that are not near duplicates, the store's link tables
(:mod:`marsad.store.link`: the persistent sentence LSH index ``sentence_keys`` of the articles linked
before), a reader of old articles' sentence tokens and spans, and
the order in which articles were published. Out: :class:`CopyLink` records, one per pair of articles
that share at least one copied sentence: the later article, the earlier source, and the copied
passages as character spans in both display texts (runs of consecutive copied sentences are merged
into one passage).

A sentence counts as copied when both sentences have at least ``MIN_SENTENCE_TOKENS`` words and,
on normalised and lightly stemmed tokens, either their Indel similarity is at least
``SENTENCE_SIMILARITY`` or the shorter one is nearly all (``CONTAINMENT``) inside the longer one. A
paraphrase that keeps the facts but changes the words falls far below both and is not a copy (that
is a claim match, a later stage). Pairs of near duplicates are left to the duplicate stage.

Candidates are the sentence pairs sharing a sentence LSH key; the edit distance is computed only for
those whose shared words do not already rule out a copy (an exact bound, see :func:`_could_copy`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from sys import intern
from typing import Callable

import numpy as np
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


Bag = tuple[str, ...]    # a sentence's tokens, interned (many bags share their words' strings)
GROUP_AT_ONCE = 16       # sentences sharing a key from which their pairs are tested in one matrix product


def _bag(toks: list[str] | None) -> Bag | None:
    """What :func:`_could_copy` reads of a sentence, kept for every posted sentence of a chunk: its tokens as
    a tuple of interned strings (None past an article's last sentence or for a sentence too short to count
    as copied: :func:`sentence_similarity` scores it 0.0). The token sets and counts the word bound needs
    are built per group of sentences sharing a key (:func:`_view`) and dropped with it: a chunk posts
    ~60,000 stored sentences at 4,000 stored articles, and with their sets kept they held ~4.8 kB each."""
    if toks is None or len(toks) < MIN_SENTENCE_TOKENS:
        return None
    return tuple(map(intern, toks))


View = tuple[Bag, set[str], int]    # tokens, their set, tokens repeated


def _view(bag: Bag) -> View:
    distinct = set(bag)
    return bag, distinct, len(bag) - len(distinct)


def _could_copy(a: View, b: View) -> bool:
    """False when the words alone already rule out :func:`sentence_similarity` > 0, so most candidate
    pairs skip the edit distance. The common subsequence is at most the shared tokens counted with
    repeats, which is at most the shared distinct tokens plus the repeats of either sentence; both tests
    use that bound in its place (with a margin far wider than float rounding), so a pair ruled out here
    scores 0.0 there too."""
    bound = len(a[1] & b[1]) + min(a[2], b[2])
    la, lb = len(a[0]), len(b[0])
    shorter = la if la < lb else lb
    return (2 * bound >= (SENTENCE_SIMILARITY - 1e-9) * (la + lb)
            or (shorter >= MIN_CONTAINED_TOKENS and bound >= (CONTAINMENT - 1e-9) * shorter))


def _could_copy_at_once(group: list[View], n_here: int, hash_of: Callable[[str], int] = hash) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_could_copy` for every pair (i, j), i < j, i < n_here, of a group of sentences at once (the
    shared distinct tokens of all pairs from one product of the group's token incidence matrix): the
    (i, j) of the pairs it does not rule out. Tokens are numbered by ``hash_of``, counted per number: two
    tokens with one number only raise that number's bound, so a collision lets a pair through to the exact
    test and never loses one."""
    n = len(group)
    ids = np.concatenate([np.fromiter(map(hash_of, g[1]), np.int64, len(g[1])) for g in group])
    _, cols = np.unique(ids, return_inverse=True)
    width = int(cols.max()) + 1                 # counts, not 0/1: tokens sharing a hash can only raise the bound
    rows = np.repeat(np.arange(n), [len(g[1]) for g in group])
    incidence = np.bincount(rows * width + cols, minlength=n * width).reshape(n, width).astype(np.float32)
    repeats = np.array([g[2] for g in group])
    lens = np.array([len(g[0]) for g in group])
    bound = (incidence @ incidence.T).astype(np.int64) + np.minimum.outer(repeats, repeats)
    shorter = np.minimum.outer(lens, lens)
    ok = ((2 * bound >= (SENTENCE_SIMILARITY - 1e-9) * np.add.outer(lens, lens))
          | ((shorter >= MIN_CONTAINED_TOKENS) & (bound >= (CONTAINMENT - 1e-9) * shorter)))
    ok[n_here:] = False
    return np.nonzero(np.triu(ok, 1))


def _postings(links, feats: list[ArticleFeatures]) -> list[tuple[list[tuple[int, int]], list[tuple[int, int]]]]:
    """Per sentence LSH key of the chunk that another sentence shares (keys shared by more than MAX_POSTINGS
    sentences left out): the (article id, sentence idx) of the chunk's sentences with it, and of the stored
    ones."""
    by_key: dict[int, list[tuple[int, int]]] = {}
    rows = []
    for f in feats:
        for key, idx in f.sentence_keys:
            by_key.setdefault(key, []).append((f.article_id, idx))
            rows.append((key, f.article_id, idx))
    old: dict[int, list[tuple[int, int]]] = {}
    stored, full = links.sentence_postings(rows, MAX_POSTINGS - 1)   # keys stored more often make no group
    for key, aid, idx in stored:
        old.setdefault(key, []).append((aid, idx))
    groups = ((here, old.get(key, [])) for key, here in by_key.items() if key not in full)
    return [(here, there) for here, there in groups if 1 < len(here) + len(there) <= MAX_POSTINGS]


def _candidates(postings, bags: dict[tuple[int, int], Bag | None],
                hash_of: Callable[[str], int] = hash) -> set[tuple[int, int, int, int]]:
    """(new id, sentence idx, other id, other idx) sharing a sentence LSH key, whose words do not rule
    out a copy (:func:`_could_copy`); ``bags``: every posted sentence's tokens (:func:`_bag`); ``hash_of``
    numbers tokens in large groups (:func:`_could_copy_at_once`)."""
    out: set[tuple[int, int, int, int]] = set()
    for here, there in postings:
        here = [(a, ai, _view(bags[a, ai])) for a, ai in here if bags[a, ai] is not None]
        there = [(b, bi, _view(bags[b, bi])) for b, bi in there if bags[b, bi] is not None]
        if len(here) + len(there) >= GROUP_AT_ONCE:
            group = here + there
            for i, j in zip(*(x.tolist() for x in _could_copy_at_once([g[2] for g in group], len(here), hash_of))):
                (a, ai, _), (b, bi, _) = group[i], group[j]
                if j >= len(here):
                    out.add((a, ai, b, bi))
                elif a != b:
                    out.add((a, ai, b, bi) if a > b else (b, bi, a, ai))
            continue
        for i, (a, ai, x) in enumerate(here):
            for b, bi, y in here[i + 1:]:
                if a != b and _could_copy(x, y):
                    out.add((a, ai, b, bi) if a > b else (b, bi, a, ai))
            for b, bi, y in there:
                if _could_copy(x, y):
                    out.add((a, ai, b, bi))
    return out


def find_copies(links, feats: list[ArticleFeatures], order_key: Callable[[int], tuple],
                spans_of: Callable[[int], list[tuple[int, int]]], same_group: Callable[[int, int], bool],
                sentence: Callable[[int, int], list[str] | None]) -> list[CopyLink]:
    """Copied sentences between the chunk's articles and every article linked before. ``links``: the store's
    link tables (:mod:`marsad.store.link`), read for the sentence LSH index and the stored near-duplicate
    groups (pairs in one stored group, or in one group of this chunk by ``same_group``, are skipped).
    ``sentence(article, index)`` returns the tokens of one sentence of an old article (None past its last
    sentence), so a candidate sentence is compared without computing the features of its whole article;
    ``spans_of(article)`` gives an old article's sentence spans, read only for the pairs found copied."""
    new = {f.article_id: f for f in feats}
    spans = lambda aid: new[aid].spans if aid in new else spans_of(aid)  # noqa: E731
    postings = _postings(links, feats)
    posted = sorted({x for here, there in postings for x in here + there})     # each stored article read once
    bags = {(aid, i): _bag(nth_sentence(new[aid], i) if aid in new else sentence(aid, i)) for aid, i in posted}
    candidates = _candidates(postings, bags)
    stored = links.stored_groups(sorted({x for a, _, b, _ in candidates for x in (a, b)}))
    matched: dict[tuple[int, int], dict[tuple[int, int], float]] = {}
    for a, ai, b, bi in candidates:
        if same_group(a, b) or (a in stored and stored[a] == stored.get(b)):
            continue
        sim = sentence_similarity(bags[a, ai], bags[b, bi])
        if sim <= 0:
            continue
        later, earlier = (a, b) if order_key(a) > order_key(b) else (b, a)
        li, ei = (ai, bi) if later == a else (bi, ai)
        pair = matched.setdefault((later, earlier), {})
        pair[(li, ei)] = max(sim, pair.get((li, ei), 0.0))
    links: list[CopyLink] = []
    for (later, earlier), sents in sorted(matched.items()):
        fl, fe = spans(later), spans(earlier)
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


def _passage(run: list[tuple[int, int, float]], fl: list[tuple[int, int]], fe: list[tuple[int, int]]) -> Passage:
    """A run of consecutive copied sentences as character spans; ``fl``, ``fe``: both articles' sentence spans."""
    return Passage(start=fl[run[0][0]][0], end=fl[run[-1][0]][1],
                   source_start=fe[run[0][1]][0], source_end=fe[run[-1][1]][1],
                   similarity=round(sum(r[2] for r in run) / len(run), 4))
