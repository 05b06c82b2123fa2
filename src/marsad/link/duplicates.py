"""Near-duplicate articles: the same text republished with small edits.

In: the :class:`~marsad.link.features.ArticleFeatures` of a chunk of new articles, the store's link
tables (:mod:`marsad.store.link`: the persistent LSH index ``lsh_bands`` of the articles linked before,
old articles' ``duplicate_of``), and a loader for old articles' shingle sets.
Out: :class:`DuplicateGroups`: for every group of near duplicates touched by the chunk, its original
(the earliest published member; unknown dates count as latest, ties go to the first stored) and, for
every other member, the exact Jaccard similarity of its word 3-shingles with the original.

Candidates come from MinHash LSH (42 bands × 3 rows); every candidate pair is then verified on the
exact shingle sets, so precision does not depend on the sketch. Two articles are near duplicates
when that Jaccard is at least ``DUPLICATE_JACCARD``. Because shingles stay inside sentences and
tokens are normalised and lightly stemmed, a dateline or "عاجل" prefix, punctuation and spelling
edits, and reordered paragraphs barely move the score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .features import ArticleFeatures, jaccard

DUPLICATE_JACCARD = 0.5
MAX_BUCKET = 64


@dataclass
class DuplicateGroups:
    root_of: dict[int, int] = field(default_factory=dict)          # member id -> original id (members only)
    similarity: dict[int, float] = field(default_factory=dict)     # member id -> Jaccard with its original
    originals: set[int] = field(default_factory=set)               # ids that are originals of a touched group
    changed: dict[int, int | None] = field(default_factory=dict)   # old article id -> new duplicate_of (re-pointed)
    old_story_of_group: dict[int, int] = field(default_factory=dict)  # original id -> story of its old members

    def root(self, article_id: int) -> int:
        return self.root_of.get(article_id, article_id)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def lsh_candidates(links, feats: list[ArticleFeatures]) -> set[tuple[int, int]]:
    """Candidate pairs (new id, other id) sharing an LSH band, with stored articles and within the chunk."""
    pairs: set[tuple[int, int]] = set()
    by_key: dict[int, list[int]] = {}
    rows = []
    for f in feats:
        for k in f.band_keys:
            by_key.setdefault(k, []).append(f.article_id)
            rows.append((k, f.article_id))
    for ids in by_key.values():
        if len(ids) > MAX_BUCKET:            # many copies of one text: linking each to the first is enough
            pairs.update((max(a, ids[0]), min(a, ids[0])) for a in ids[1:] if a != ids[0])
        elif len(ids) > 1:
            for i, a in enumerate(ids):
                for b in ids[i + 1:]:
                    if a != b:
                        pairs.add((max(a, b), min(a, b)))
    pairs.update(links.lsh_matches(rows))
    return pairs


def find_duplicates(links, feats: list[ArticleFeatures], order_key: Callable[[int], tuple],
                    old_shingles: Callable[[list[int]], dict[int, set[int]]]) -> DuplicateGroups:
    """Group the chunk's articles with their near duplicates (see module docstring). ``links``: the store's
    link tables (:mod:`marsad.store.link`), read for the LSH index and old articles' ``duplicate_of``;
    ``old_shingles(ids)``: the shingle sets of stored articles (all candidates' at once)."""
    pairs = sorted(lsh_candidates(links, feats))
    sets = {f.article_id: f.shingles for f in feats}
    sets.update(old_shingles(sorted({x for p in pairs for x in p if x not in sets})))

    def shingles(aid: int) -> set[int]:
        if aid not in sets:                  # an old member of a touched group, not a candidate itself
            sets.update(old_shingles([aid]))
        return sets[aid]
    new = {f.article_id for f in feats}
    out = DuplicateGroups()
    uf = _UnionFind()
    old_roots: set[int] = set()
    for a, b in pairs:
        if jaccard(shingles(a), shingles(b)) < DUPLICATE_JACCARD:
            continue
        for x in (a, b):
            if x not in new:
                root = links.duplicate_of(x)
                root = root if root is not None else x
                old_roots.add(root)
                uf.union(x, root)
        uf.union(a, b)
    groups: dict[int, set[int]] = {}
    for x in list(uf.parent):
        groups.setdefault(uf.find(x), set()).add(x)
    for members in groups.values():
        for r in [m for m in members if m in old_roots]:
            members.update(links.duplicates_of(r))
        original = min(members, key=order_key)
        out.originals.add(original)
        old_original = min((m for m in members if m in old_roots), key=order_key, default=None)
        if old_original is not None:
            story = links.story_of(old_original)
            if story is not None:
                out.old_story_of_group[original] = story
        for m in members:
            if m == original:
                if m not in new:
                    if links.duplicate_of(m) is not None:
                        out.changed[m] = None
                continue
            out.root_of[m] = original
            if m in new:
                out.similarity[m] = round(jaccard(shingles(m), shingles(original)), 4)
            else:
                if links.duplicate_of(m) != original:
                    out.changed[m] = original
                    out.similarity[m] = round(jaccard(shingles(m), shingles(original)), 4)
    return out
