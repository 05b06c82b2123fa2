"""Storylines: developments of one longer thread, kept up to date as developments change.

In: the ids of developments created or changed in this run, and what the store holds about every
development (its profile: encoder centroid, summed topic vector of its articles' whole texts, entity
counts, dates; and the storyline edges scored earlier). Out: each changed development's storyline
edges (other developments whose :func:`storyline_score` reaches ``storyline_score``; or
``storyline_near_score`` for two developments of several articles dated within ``storyline_near_days``
of each other that share named entities, countries aside: the same days' news about the same actors is
one thread; or ``storyline_single`` when either is a single article; and that are not dated more than
``storyline_gap_days`` apart), and storylines as the connected components of those edges, where a
single-article development joins by its strongest edge only (it hangs from one thread, never bridges two), and
one dated more than ``storyline_gap_days`` from every other dated development of its storyline is set apart
(:func:`dated_apart`: a report from another time reached through undated reports; the gap that rules out a
dated pair's edge also holds along such a chain). Only the
components that hold a changed development are recomputed; a storyline that gains a bridge merges, one
that loses it splits, and both are logged. Whole countries weigh ``storyline_w_country`` in the entity
profile: they name the arena (Israel, the USA) that many unrelated threads share, not the thread.
Scores depend on the two developments only, so the result does not depend on the order developments
arrived in.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left
from collections import Counter

import numpy as np

from ..settings import SETTINGS
from . import chargrams
from .signals import day_gap


class DevProfile:
    def __init__(self, row, dim: int, countries: set[str] = frozenset()):
        self.id = row["id"]
        self.n = row["n_articles"] or 0
        c = np.frombuffer(row["centroid"], dtype=np.float32) if row["centroid"] else np.zeros(dim, np.float32)
        norm = float(np.linalg.norm(c)) if c.shape == (dim,) else 0.0
        self.centroid = c / norm if norm else np.zeros(dim, np.float32)
        self._topic_blob = row["topic"]
        self._topic: tuple[np.ndarray, np.ndarray] | None = None
        w = SETTINGS.link.storyline_w_country
        self.entities = _unit({k: float(v) * (w if k in countries else 1.0)
                               for k, v in json.loads(row["entities"] or "{}").items()})
        self.days = json.loads(row["days"] or "[]")
        self.first, self.last = (min(self.days), max(self.days)) if self.days else (None, None)
        self.storyline = row["storyline_id"]

    @property
    def topic(self) -> tuple[np.ndarray, np.ndarray]:
        """Unit topic vector as sorted (bucket, weight) arrays, built when first scored (most developments
        of a large store are never a candidate in a run)."""
        if self._topic is None:
            keys, vals = chargrams.arrays(_unit(chargrams.unpack_f32(self._topic_blob)))
            order = np.argsort(keys)
            self._topic = (keys[order], vals[order])
            self._topic_blob = None
        return self._topic


def _unit(vec: dict) -> dict:
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {k: v / norm for k, v in vec.items()} if norm else {}


def _sparse_cos(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    """Dot product of two unit vectors held as sorted (bucket, weight) arrays."""
    _, ia, ib = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
    return float(a[1][ia] @ b[1][ib])


class _TopicQuery:
    """One development's topic, to take its :func:`_sparse_cos` with many others: a bucket -> position
    table finds the shared buckets (the same positions, in the same order, as ``np.intersect1d``, so the
    same product). Use as a context: the table is shared and cleared on exit."""
    _pos = None

    def __init__(self, topic: tuple[np.ndarray, np.ndarray]):
        self.topic = topic

    def __enter__(self):
        if _TopicQuery._pos is None:
            _TopicQuery._pos = np.full(chargrams.BUCKETS, -1, dtype=np.int64)
        self._pos[self.topic[0]] = np.arange(len(self.topic[0]))
        return self

    def __exit__(self, *exc):
        self._pos[self.topic[0]] = -1

    def cos(self, b: tuple[np.ndarray, np.ndarray]) -> float:
        at = self._pos[b[0]]
        ib = np.flatnonzero(at >= 0)
        return float(self.topic[1][at[ib]] @ b[1][ib])


def _cos(a: dict, b: dict) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())


def storyline_score(a: DevProfile, b: DevProfile, topic: _TopicQuery | None = None) -> float | None:
    """Topic + entity profile similarity of two developments; None when their dates rule it out.
    ``topic``: ``a``'s topic as a :class:`_TopicQuery` (the same cosine, faster against many)."""
    cfg = SETTINGS.link
    if a.days and b.days and (b.first - a.last > cfg.storyline_gap_days or a.first - b.last > cfg.storyline_gap_days):
        return None                     # every pair of their days is further apart than that
    gap = day_gap(a.days, b.days)
    if gap is not None and gap > cfg.storyline_gap_days:
        return None
    encoder = max(float(a.centroid @ b.centroid) - cfg.storyline_encoder_floor, 0.0)
    text = _sparse_cos(a.topic, b.topic) if topic is None else topic.cos(b.topic)
    return (cfg.storyline_w_topic * text + cfg.storyline_w_entities * _cos(a.entities, b.entities)
            + cfg.storyline_w_encoder * encoder)


def _needed(a: DevProfile, b: DevProfile) -> float:
    """The score two developments need to share a storyline: lower for two reported within
    ``storyline_near_days`` of each other (the same days' news about the same actors is one thread),
    higher when one of them is a single article (a lone report joins only what it clearly continues)."""
    cfg = SETTINGS.link
    if min(a.n, b.n) < 2:
        return cfg.storyline_single
    gap = day_gap(a.days, b.days)
    if gap is not None and gap <= cfg.storyline_near_days and _cos(a.entities, b.entities) >= cfg.storyline_near_entities:
        return cfg.storyline_near_score
    return cfg.storyline_score


def _top(sims: np.ndarray, k: int) -> np.ndarray:
    """Rows of the ``k`` highest ``sims``, ties to the lower row: the first ``k`` of a stable sort on
    ``-sims``, found by partition in linear time."""
    if len(sims) <= k:
        return np.arange(len(sims))
    neg = -sims
    kth = np.partition(neg, k - 1)[k - 1]
    above = np.flatnonzero(neg < kth)
    return np.concatenate([above, np.flatnonzero(neg == kth)[:k - len(above)]])


def _edges_of(d: DevProfile, pool: dict[int, DevProfile], by_entity: dict[str, list[int]],
              mat: np.ndarray, order: list[int]) -> list[tuple[int, float]]:
    cfg = SETTINGS.link
    cand: set[int] = set()
    if len(order):
        cand.update(order[i] for i in _top(mat @ d.centroid, cfg.storyline_candidates))
    top = sorted(d.entities, key=lambda k: (-d.entities[k], k))[:10]
    for k in top:
        cand.update(by_entity.get(k, [])[-cfg.storyline_candidates:])
    out = []
    with _TopicQuery(d.topic) as topic:
        for o in sorted(cand - {d.id}):
            other = pool[o]
            score = storyline_score(d, other, topic)
            if score is not None and score >= _needed(d, other):
                out.append((o, score))
    return out


def update_storylines(tables, changed: list[int], dim: int) -> list[int]:
    """Recompute the storyline edges of ``changed`` developments and the storylines they touch.

    Returns the storyline ids created or changed."""
    changed = tables.live_story_ids(changed)
    if not changed:
        return []
    rows = tables.story_profiles()
    countries = tables.country_entity_ids({k for r in rows for k in json.loads(r["entities"] or "{}")})
    pool = {r["id"]: DevProfile(r, dim, countries) for r in rows}
    pool = {k: v for k, v in pool.items() if v.n > 0}
    order = sorted(pool)
    mat = np.stack([pool[i].centroid for i in order]) if order else np.zeros((0, dim), np.float32)
    by_entity: dict[str, list[int]] = {}
    for i in order:
        for k in sorted(pool[i].entities, key=lambda k: (-pool[i].entities[k], k))[:10]:
            by_entity.setdefault(k, []).append(i)
    for sid in changed:
        if sid in pool:
            tables.save_storyline_edges(sid, _edges_of(pool[sid], pool, by_entity, mat, order))
    return _regroup(tables, changed, pool)


def _single(pool: dict[int, DevProfile], sid: int) -> bool:
    return sid not in pool or pool[sid].n < 2


def _best(edges: list[tuple[int, float]]) -> int | None:
    """The neighbour of the strongest edge (ties: the smaller id)."""
    return max(edges, key=lambda e: (e[1], -e[0]))[0] if edges else None


def _active_neighbours(tables, frontier: list[int], pool: dict[int, DevProfile],
                       apart: set[int] = frozenset()) -> dict[int, list[int]]:
    """Storyline edges that join: between two developments of several articles, or a single-article
    development's strongest edge. A lone report hangs from one place and never bridges two threads.
    Developments in ``apart`` (lone reports dated away from their thread) join nothing."""
    nbrs = tables.storyline_neighbours(frontier)
    singles = sorted({o for s in frontier for o, _ in nbrs.get(s, []) if _single(pool, o)} - set(frontier))
    more = tables.storyline_neighbours(singles) if singles else {}
    best = {x: _best([e for e in (nbrs.get(x, []) if x in frontier else more.get(x, [])) if e[0] not in apart])
            for x in set(singles) | {s for s in frontier if _single(pool, s)}}

    def joins(a: int, b: int) -> bool:
        if a in apart or b in apart:
            return False
        return (not _single(pool, a) and not _single(pool, b)) or best.get(a) == b or best.get(b) == a
    return {s: [o for o, _ in nbrs.get(s, []) if joins(s, o)] for s in frontier}


def _component(tables, start: int, seen: set[int], pool: dict[int, DevProfile], apart: set[int]) -> list[int]:
    comp, frontier = [], [start]
    seen.add(start)
    while frontier:
        comp += frontier
        nbrs = _active_neighbours(tables, frontier, pool, apart)
        frontier = sorted({o for s in frontier for o in nbrs.get(s, []) if o not in seen})
        seen.update(frontier)
    return sorted(comp)


def dated_apart(comp: list[int], pool: dict[int, DevProfile]) -> list[int]:
    """Single-article developments of one storyline whose dates are all more than ``storyline_gap_days``
    from every date of the rest of it (both dated): a lone report reached through undated reports, from
    another time. A dated pair further apart never has an edge; this keeps the gap along chains too."""
    gap = SETTINGS.link.storyline_gap_days
    counts = Counter(d for o in comp if o in pool for d in pool[o].days)
    days = sorted(counts)
    out = []
    for s in comp:
        if not _single(pool, s) or not pool[s].days:
            continue
        far = _gap_to_rest(pool[s].days, days, counts)
        if far is not None and far > gap:
            out.append(s)
    return out


def _gap_to_rest(own: list[int], days: list[int], counts: Counter) -> int | None:
    """:func:`day_gap` between ``own`` and the days of the rest of a storyline, where ``days`` (sorted) and
    ``counts`` hold every member's days with ``own`` among them: the nearest day some other member carries."""
    mine = Counter(own)
    left = lambda d: counts[d] > mine[d]   # noqa: E731  (another member carries day d)
    best = None
    for x in own:
        i = bisect_left(days, x)
        for j in range(i, len(days)):
            if left(days[j]):
                best = days[j] - x if best is None else min(best, days[j] - x)
                break
        for j in range(i - 1, -1, -1):
            if left(days[j]):
                best = x - days[j] if best is None else min(best, x - days[j])
                break
    return best


def _components(tables, starts: set[int], pool: dict[int, DevProfile]) -> list[list[int]]:
    """Components reached from ``starts``, widened until every storyline they touch is recomputed whole
    (a lone report that moves to a stronger neighbour leaves its old storyline); lone reports dated away
    from the rest of their component (:func:`dated_apart`) are set apart and the components recomputed."""
    apart: set[int] = set()
    while True:
        seen: set[int] = set()
        comps = [_component(tables, s, seen, pool, apart) for s in sorted(starts) if s not in seen]
        lines = {v for v in tables.storyline_of(sorted(seen)).values() if v is not None}
        members = {s for m in tables.storyline_members(sorted(lines)).values() for s in m} if lines else set()
        if not members <= seen:
            starts = starts | members
            continue
        far = {s for c in comps for s in dated_apart(c, pool)} - apart
        if not far:
            return comps
        apart |= far
        starts = starts | far


def _regroup(tables, changed: list[int], pool: dict[int, DevProfile]) -> list[int]:
    old_lines = {pool[s].storyline for s in changed if s in pool and pool[s].storyline is not None}
    old_members = tables.storyline_members(sorted(old_lines)) if old_lines else {}
    comps = _components(tables, set(changed) | {s for m in old_members.values() for s in m}, pool)
    line_of = tables.storyline_of([s for c in comps for s in c])
    used: set[int] = set()
    touched: list[int] = []
    for comp in sorted(comps, key=lambda c: (-len(c), c[0])):
        counts: dict[int, int] = {}
        for s in comp:
            if line_of.get(s) is not None:
                counts[line_of[s]] = counts.get(line_of[s], 0) + 1
        free = sorted((lid for lid in counts if lid not in used), key=lambda lid: (-counts[lid], lid))
        lid = free[0] if free else tables.new_storyline()
        used.add(lid)
        for other in sorted(counts):
            if other != lid:
                tables.log("storyline", "merge" if other not in used else "split", lid, other,
                           {"story_ids": [s for s in comp if line_of.get(s) == other]})
        tables.set_storyline([(lid, s) for s in comp])
        touched.append(lid)
    tables.drop_empty_storylines()
    for lid in touched:
        tables.describe_storyline(lid)
    return sorted(touched)
