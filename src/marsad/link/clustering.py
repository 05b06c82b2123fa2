"""Developments: articles that report the same happening, grown incrementally and order-independently.

In: new articles (not near duplicates) with their :class:`~marsad.link.signals.ArticleProfile` and
sentence-encoder vector, and what earlier runs stored (vectors, profiles and development of every
linked article, through ``store.story_tables``). Out: for each new article its *edges*, the stored
articles whose :func:`~marsad.link.signals.pair_score` reaches ``join_score``, and its development:
none of them → a new development; one → that one; several → they are merged into the oldest, and the
merge is logged with the bridging article and its signals.

A development is therefore a connected component of the graph whose edges are article pairs scoring
at least ``join_score``. A pair's score depends on the two articles only (fixed reference IDF, no
corpus statistics), and components do not depend on the order edges are found in, so shuffled inputs
and split runs give the same partition (tested), with one known exception: which of two same-day near
duplicates is the original (the other is not clustered) depends on the chunk that meets them first, so
the chunk size (``CHUNK``) can change a development's members and ids. Nothing is ever re-clustered. Candidates for a new article
are the stored articles whose encoder cosine reaches ``candidate_cosine`` (the ``candidates``
closest) and those naming one of its lead entities (the ``key_candidates`` latest), within
``window_days`` when both are dated. :func:`revise` re-scores a changed development's edges with the
current settings and profiles and splits it when it falls apart, logging which edges were dropped; it
also checks the development's cohesion in time: when most of its members name one weekday, members
naming only other weekdays (another day's strike on the same port, resembling members that name no
day) leave it, with what they are linked to among themselves (:func:`day_outliers`), and so do members
dated more than ``date_gap_days`` from the day most of its dated members are near (:func:`date_outliers`:
another month's happening reached through undated reports). These checks depend on the development's
members and stored edges only, so the partition stays order-independent.
:func:`describe_story` gives a development its title, span, outlets and extractive summary.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import numpy as np

from ..settings import SETTINGS
from . import chargrams
from .features import content_terms, tokens
from .signals import ArticleProfile, dense_query, pair_score, pair_score_value


def profile_from_row(r, with_topic: bool = True, with_lead: bool = True) -> ArticleProfile:
    """An :class:`ArticleProfile` back from its ``link_profiles`` row (topic or lead left empty when not wanted)."""
    return ArticleProfile(r["article_id"], lead=chargrams.unpack(r["lead"]) if with_lead else {},
                          topic=chargrams.unpack(r["topic"]) if with_topic else {},
                          keys=json.loads(r["keys"]), persons=json.loads(r["persons"]), cities=json.loads(r["cities"]),
                          entities=json.loads(r["entities"]), weekdays=json.loads(r["weekdays"]),
                          days=json.loads(r["days"]), names=json.loads(r["names"]))


class DevelopmentIndex:
    """Linked articles near the new ones in time: vectors, lead entities, developments; profiles on demand."""

    def __init__(self, tables, encoder_name: str, dim: int, days: tuple[int, int] | None = None):
        self.tables = tables
        self.encoder = encoder_name
        self.ids: list[int] = []
        self.vecs = np.zeros((1024, dim), dtype=np.float32)
        self.day = np.full(1024, np.nan)
        self.story: dict[int, int] = {}               # article id -> development id
        self.members: dict[int, list[int]] = {}       # development id -> article ids loaded here
        self.by_key: dict[str, list[int]] = {}        # lead entity -> rows, in storage order
        self.profiles: dict[int, ArticleProfile] = {}
        # every loaded article's lead (bucket, weight) arrays end to end, gathered for many candidates at once:
        # article id -> (start, length)
        self._lead_at: dict[int, tuple[int, int]] = {}
        self._lead_keys = np.zeros(1 << 16, dtype=np.int32)
        self._lead_vals = np.zeros(1 << 16, dtype=np.float32)
        self._lead_used = 0
        self._key_sets: dict[int, set[str]] = {}      # article id -> set(profile.keys), for pair scores
        self.merges: list[tuple[int, int]] = []       # (kept, merged away)
        window = SETTINGS.link.window_days
        span = None if days is None else (days[0] - window, days[1] + window)
        for aid, sid, blob, day, keys in tables.index_rows(encoder_name, span):
            self._add_row(aid, np.frombuffer(blob, dtype=np.float32), day, json.loads(keys or "[]"), sid)

    def _add_row(self, aid: int, vec: np.ndarray, day: int | None, keys: list[str], sid: int) -> None:
        n = len(self.ids)
        if n == len(self.vecs):
            self.vecs = np.vstack([self.vecs, np.zeros_like(self.vecs)])
            self.day = np.concatenate([self.day, np.full(len(self.day), np.nan)])
        self.vecs[n] = vec
        self.day[n] = np.nan if day is None else day
        self.ids.append(aid)
        for k in keys:
            self.by_key.setdefault(k, []).append(n)
        self.story[aid] = sid
        self.members.setdefault(sid, []).append(aid)

    def _profile(self, aid: int) -> ArticleProfile | None:
        if aid not in self.profiles:
            self._load([aid])
        return self.profiles.get(aid)

    def _load(self, aids: list[int]) -> None:
        """Stored profiles of ``aids`` (one query), kept as :meth:`_remember` keeps them."""
        for aid, r in self.tables.load_profiles(aids).items():
            self._keep_lead(aid, chargrams.unpack_arrays(r["lead"]))
            self.profiles[aid] = profile_from_row(r, with_topic=False, with_lead=False)

    def _keep_lead(self, aid: int, lead: tuple[np.ndarray, np.ndarray]) -> None:
        """Append an article's lead arrays to the end-to-end copy (:meth:`_lead`, :meth:`_reachable`)."""
        n, end = len(lead[0]), self._lead_used + len(lead[0])
        if end > len(self._lead_keys):
            size = max(end, 2 * len(self._lead_keys))
            self._lead_keys = np.concatenate([self._lead_keys[:self._lead_used], np.zeros(size - self._lead_used, np.int32)])
            self._lead_vals = np.concatenate([self._lead_vals[:self._lead_used], np.zeros(size - self._lead_used, np.float32)])
        self._lead_keys[self._lead_used:end] = lead[0]
        self._lead_vals[self._lead_used:end] = lead[1]
        self._lead_at[aid] = (self._lead_used, n)
        self._lead_used = end

    def _remember(self, prof: ArticleProfile, lead: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Keep what scoring needs: the lead vector as two compact arrays (int32 buckets, float32 weights:
        the weights are float32 values already, so nothing is rounded), the rest without lead or topic.
        ``lead``: the lead vector as (bucket, weight) arrays when the profile no longer holds it."""
        keys, vals = chargrams.arrays(prof.lead) if lead is None else lead
        self._keep_lead(prof.article_id, (keys.astype(np.int32), vals))
        self.profiles[prof.article_id] = replace(prof, lead={}, topic={})

    def prepare(self, vectors: np.ndarray) -> None:
        """Cosines of a chunk of new articles with every loaded row and with each other, in two matrix
        products (much faster than one product per article); the chunk must then join in this order."""
        n0 = len(self.ids)
        self._pre = (vectors @ self.vecs[:n0].T, vectors @ vectors.T, n0, 0)

    def _cosines(self, vec: np.ndarray) -> np.ndarray:
        pre = getattr(self, "_pre", None)
        n = len(self.ids)
        if pre is not None:
            old, new, n0, i = pre
            if i < len(new) and n == n0 + i:
                self._pre = (old, new, n0, i + 1)
                return np.concatenate([old[i], new[i, :i]]).astype(np.float32)
            self._pre = None
        return self.vecs[:n] @ vec

    def candidates(self, vec: np.ndarray, day: int | None, keys: list[str]) -> dict[int, float]:
        """Rows worth scoring against a new article, with their encoder cosine."""
        cfg = SETTINGS.link
        n = len(self.ids)
        sims = self._cosines(vec)
        if not n:
            return {}
        if day is not None:
            with np.errstate(invalid="ignore"):
                far = np.abs(self.day[:n] - day) > cfg.window_days
            sims[far] = -2.0
        above = np.flatnonzero(sims >= cfg.candidate_cosine)
        if len(above) > cfg.candidates:
            above = above[np.argsort(-sims[above], kind="stable")[:cfg.candidates]]
        out = {int(r): float(sims[r]) for r in above}
        for k in keys:
            for r in self.by_key.get(k, [])[-cfg.key_candidates:]:
                if sims[r] > -1.5:
                    out.setdefault(r, float(sims[r]))
        return out

    def edges(self, prof: ArticleProfile, vec: np.ndarray, day: int | None,
              lead: tuple[np.ndarray, np.ndarray] | None = None) -> list[tuple[int, float, dict]]:
        """Stored articles that score at least ``join_score`` with a new one: [(article id, score, signals)].
        ``lead``: its lead vector as (bucket, weight) arrays when ``prof`` no longer holds it."""
        cand = self.candidates(vec, day, prof.keys)
        if not cand:
            return []
        if lead is None:
            query = dense_query(prof.lead)
        else:
            query = np.zeros(chargrams.BUCKETS, dtype=np.float32)
            query[lead[0]] = lead[1]
        missing = [self.ids[row] for row in cand if self.ids[row] not in self.profiles]
        if missing:
            self._load(missing)
        cfg = SETTINGS.link
        out = []
        mine = set(prof.keys)
        for row, cos in self._reachable(query, sorted(cand.items())):
            other = self.profiles[self.ids[row]]
            keys, vals = self._lead(other.article_id)
            text = float(query[keys] @ vals)
            if text + cfg.w_encoder * max(cos - cfg.encoder_floor, 0.0) + cfg.w_keys < cfg.join_score:
                continue      # even a full entity overlap and no penalty would not reach join_score
            if pair_score_value(prof, other, cos, text, (mine, self._keys_of(other))) < cfg.join_score:
                continue      # the same score pair_score gives, without building its signals
            score, signals = pair_score(prof, other, cos, text_cosine=text)
            if score >= cfg.join_score:
                out.append((self.ids[row], score, signals))
        return out

    def _lead(self, aid: int) -> tuple[np.ndarray, np.ndarray]:
        """An article's lead (bucket, weight) arrays, the weights as a fresh array as they were kept before."""
        start, n = self._lead_at[aid]
        return self._lead_keys[start:start + n], self._lead_vals[start:start + n].copy()

    def _keys_of(self, prof: ArticleProfile) -> set[str]:
        got = self._key_sets.get(prof.article_id)
        if got is None:
            got = self._key_sets[prof.article_id] = set(prof.keys)
        return got

    def _reachable(self, query: np.ndarray, cand: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """The candidates (row, encoder cosine) with a stored profile and lead whose lead-text and encoder
        score, with a full entity overlap and no penalty, could reach ``join_score``: all lead cosines at
        once in float64, with a margin far wider than their difference from the float32 dot product that
        :meth:`edges` then computes for the few left (so none that could reach it is dropped)."""
        cfg = SETTINGS.link
        rows, starts, sizes = [], [], []
        ids, profiles, at = self.ids, self.profiles, self._lead_at
        for row, cos in cand:
            lead = at.get(ids[row]) if ids[row] in profiles else None
            if lead is not None and lead[1]:
                rows.append((row, cos))
                starts.append(lead[0])
                sizes.append(lead[1])
        if not rows:
            return []
        sizes = np.array(sizes)
        offsets = np.cumsum(sizes) - sizes                   # where each candidate's lead starts in the gathered
        where = np.repeat(np.array(starts) - offsets, sizes) + np.arange(int(offsets[-1] + sizes[-1]))
        prods = query[self._lead_keys[where]].astype(np.float64) * self._lead_vals[where]
        text = np.add.reduceat(prods, offsets)
        meaning = cfg.w_encoder * np.maximum(np.array([c for _, c in rows]) - cfg.encoder_floor, 0.0)
        keep = text + meaning + cfg.w_keys >= cfg.join_score - 1e-4
        return [r for r, k in zip(rows, keep) if k]

    def join(self, aid: int, prof: ArticleProfile, vec: np.ndarray, day: int | None,
             edges: list[tuple[int, float, dict]], lead: tuple[np.ndarray, np.ndarray] | None = None) -> int:
        """Put a new article into the development its edges lead to (new, joined, or merged); returns its id."""
        stories = sorted({self.story[b] for b, _, _ in edges})
        if not stories:
            sid = self.tables.new_story(self.encoder)
        else:
            sid = stories[0]
            for other in stories[1:]:
                self._merge(sid, other, aid, edges)
        self._remember(prof, lead)
        self._add_row(aid, vec, day, prof.keys, sid)
        return sid

    def attach(self, aid: int, sid: int) -> None:
        """A near duplicate joins its original's development without a vector of its own."""
        self.story[aid] = sid
        self.members.setdefault(sid, []).append(aid)

    def _merge(self, keep: int, other: int, bridge: int, edges) -> None:
        best = max((e for e in edges if self.story[e[0]] in (keep, other)), key=lambda e: (e[1], -e[0]))
        self.tables.move_story(other, keep)
        self.tables.log("development", "merge", keep, other,
                        {"article_id": bridge, "partner_id": best[0], "score": round(best[1], 3), "signals": best[2]})
        for a in self.members.pop(other, []):
            self.story[a] = keep
            self.members.setdefault(keep, []).append(a)
        self.merges.append((keep, other))


def _components(members: list[int], links: list[tuple[int, int]]) -> list[list[int]]:
    """Connected components of ``members`` under ``links`` (pairs outside ``members`` are ignored), smallest id first."""
    parent = {a: a for a in members}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        if a in parent and b in parent:
            parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for a in sorted(members):
        groups.setdefault(find(a), []).append(a)
    return sorted(groups.values(), key=min)


def day_outliers(weekdays: dict[int, list[int]]) -> tuple[int | None, list[int]]:
    """The weekday most members of one development name, and the members that name only other weekdays.

    ``weekdays``: article id -> weekdays its lead names. A consensus needs ``day_consensus_votes``
    articles naming it, at least ``day_consensus_share`` of those naming any weekday, and no tie; without
    one nobody is an outlier. Outliers report another day's news that resembles members naming no day."""
    cfg = SETTINGS.link
    votes: dict[int, int] = {}
    for days in weekdays.values():
        for d in set(days):
            votes[d] = votes.get(d, 0) + 1
    naming = sum(1 for days in weekdays.values() if days)
    ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
    if not ranked or ranked[0][1] < cfg.day_consensus_votes or ranked[0][1] < cfg.day_consensus_share * naming:
        return None, []
    if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return None, []
    day = ranked[0][0]
    return day, sorted(a for a, days in weekdays.items() if days and day not in days)


def date_outliers(days: dict[int, list[int]]) -> tuple[int | None, list[int]]:
    """The day most dated members of one development are near, and the members dated far from it.

    ``days``: article id -> ordinal days it carries (published, dates written in its opening). A member
    votes for a day when one of its days lies within ``date_gap_days`` of it; the consensus is the day
    with most votes (the earliest of equals), and needs ``date_consensus_votes`` votes and more than the
    members it would shed. Outliers carry dates only more than ``date_gap_days`` from it: another
    happening of another month that resembles members carrying no date (a development is one happening
    of a few days; two dated reports further apart than that already score ``p_date`` lower)."""
    cfg = SETTINGS.link
    gap = cfg.date_gap_days
    dated = {a: ds for a, ds in days.items() if ds}
    votes = {d: sum(1 for ds in dated.values() if any(abs(x - d) <= gap for x in ds))
             for d in sorted({x for ds in dated.values() for x in ds})}
    if not votes:
        return None, []
    day = max(votes, key=lambda d: (votes[d], -d))
    out = sorted(a for a, ds in dated.items() if all(abs(x - day) > gap for x in ds))
    if votes[day] < cfg.date_consensus_votes or votes[day] <= len(out):
        return None, []
    return day, out


def _weekday_outliers(group: list[int], profiles: dict[int, ArticleProfile]) -> tuple[dict | None, list[int]]:
    day, out = day_outliers({a: profiles[a].weekdays for a in group if a in profiles})
    return ({"consensus_weekday": day} if out else None), out


def _date_outliers(group: list[int], profiles: dict[int, ArticleProfile]) -> tuple[dict | None, list[int]]:
    day, out = date_outliers({a: profiles[a].days for a in group if a in profiles})
    return ({"consensus_date": date.fromordinal(day).isoformat()} if out else None), out


def _split_on(group: list[int], links: list[tuple[int, int]], profiles: dict[int, ArticleProfile],
              roots: list[tuple[int, int]], reasons: list[dict], outliers) -> list[list[int]]:
    """Split a linked group until no part holds members that ``outliers(group, profiles)`` sets apart
    (members naming another weekday, or dated another month, than the part's consensus): the outliers
    and the rest each fall into their own components (edges across the two are not used)."""
    why, out = outliers(group, profiles)
    if not out:
        return [group]
    dup_of = dict(roots)
    out_set = {a for a in group if a in out or dup_of.get(a) in out}
    cut = [(a, b) for a, b in links if (a in out_set) == (b in out_set)]
    reasons.append(dict(why, article_ids=sorted(out_set)))
    parts = []
    for side in ([a for a in group if a not in out_set], sorted(out_set)):
        for comp in _components(side, cut):
            parts += _split_on(comp, cut, profiles, roots, reasons, outliers) if len(comp) < len(group) else [comp]
    return parts


def revise(tables, story_id: int, encoder_cosine) -> list[int]:
    """Re-score a development's edges with the current settings; split it if it no longer holds together.

    Three checks, all functions of the development's members and stored edges only (so the result does
    not depend on the order articles arrived in): edges whose score fell below ``join_score`` are
    dropped; members naming another weekday than the development's consensus (:func:`day_outliers`)
    leave it with whatever they are linked to among themselves; then so do members dated another month
    than the rest (:func:`date_outliers`). ``encoder_cosine(a, b)`` gives the stored vectors' cosine.
    Near duplicates stay with their original. Returns the ids of developments split off (logged with
    the edges dropped and the day and date conflicts)."""
    members = tables.story_members(story_id)
    if len(members) < 2:
        return []
    edges = tables.edges_within(story_id)
    rows = tables.load_profiles(members)
    profiles = {a: profile_from_row(r, with_topic=False, with_lead=False) for a, r in rows.items()}
    leads = {a: chargrams.unpack_arrays(r["lead"]) for a, r in rows.items()}
    dropped, kept = [], []
    for a, b, old in edges:
        if a in profiles and b in profiles:
            text = chargrams.cosine_arrays(leads[a], leads[b])       # chargrams.cosine of the lead dicts
            score = pair_score_value(profiles[a], profiles[b], encoder_cosine(a, b), text)
            if score < SETTINGS.link.join_score:
                dropped.append((a, b, round(old, 3), round(score, 3)))
                continue
        kept.append((a, b))
    roots = tables.duplicate_roots(members)
    links = kept + [(a, root) for a, root in roots]
    day_splits: list[dict] = []
    date_splits: list[dict] = []
    parts = [p for g in _components(members, links) for p in _split_on(g, links, profiles, roots, day_splits, _weekday_outliers)]
    parts = [p for g in parts for p in _split_on(g, links, profiles, roots, date_splits, _date_outliers)]
    if len(parts) == 1:
        return []
    if dropped:
        tables.delete_edges_below([(a, b) for a, b, _, _ in dropped])
    parts.sort(key=min)
    new_ids = []
    for part in parts[1:]:
        sid = tables.new_story(None)
        tables.assign_articles([(sid, a) for a in part])
        tables.log("development", "split", story_id, sid,
                   {"article_ids": part, "dropped_edges": [list(d) for d in dropped], "day_conflicts": day_splits,
                    "date_conflicts": date_splits})
        new_ids.append(sid)
    return new_ids


# -- presentation: title, span, outlets, summary ----------------------------------------------------
SUMMARY_SENTENCES = 3
SUMMARY_MEMBERS = 30
SUMMARY_LEAD_SENTENCES = 5
SUMMARY_MAX_OVERLAP = 0.4     # bigram Jaccard above which two sentences are near duplicates
SUMMARY_MAX_CONTAINMENT = 0.6  # ... or share of the shorter one's content words found in the other


def _bigrams(toks: list[str]) -> set[str]:
    return {toks[i] + " " + toks[i + 1] for i in range(len(toks) - 1)} or set(toks)


def _near_duplicate(a: tuple, b: tuple) -> bool:
    """Two summary candidates say the same thing in nearly the same words (bigrams or content words)."""
    if len(a[6] & b[6]) / max(len(a[6] | b[6]), 1) > SUMMARY_MAX_OVERLAP:
        return True
    return len(a[7] & b[7]) / max(min(len(a[7]), len(b[7])), 1) >= SUMMARY_MAX_CONTAINMENT


def _candidates(texts: dict, ranked, closeness, terms: dict[str, int], n: int) -> list[tuple]:
    """Summary sentences of the first ``SUMMARY_MEMBERS`` ranked members; ``texts``: their (text, spans)."""
    out = []
    for rank, r in enumerate(ranked[:SUMMARY_MEMBERS]):
        text, spans = texts[r["id"]]
        spans = [sp for sp in spans if not (r["title"] and text[sp[0]:sp[1]].strip() == r["title"].strip())]
        for pos, (s, e) in enumerate(spans[:SUMMARY_LEAD_SENTENCES]):
            toks = tokens(text[s:e])
            if not 8 <= len(toks) <= 60:
                continue
            words = content_terms(text[s:e])
            score = _centrality(words, terms, n) + 0.3 / (1 + pos) + 0.2 * closeness(r) - 0.01 * rank
            out.append((score, r["id"], r["outlet"] or f"#{r['id']}", s, e, text[s:e], _bigrams(toks), set(words)))
    out.sort(key=lambda c: (-c[0], c[1], c[3]))
    return out


def _centrality(words: list[str], terms: dict[str, int], n: int) -> float:
    """How much of what most members report a text says: its content words weighted by the share of
    members whose opening has them, over the square root of its length (a long text is not favoured)."""
    return sum(min(terms.get(t, 0), n) for t in words) / n / max(len(words), 1) ** 0.5


def _title(ranked: list, closeness, terms: dict[str, int], n: int) -> str | None:
    """A development's title: among its members' own headlines (lead sentences standing in for a title
    only when none has one), the one closest to the members' centroid that also names what most of them
    report. A teaser headline ('عقوبات أميركية تطال زعيم عربي!') names little of it and loses to one that
    names the actors ('عقوبات أمريكية على حميدتي بسبب جرائم إبادة جماعية')."""
    titled = [r for r in ranked if r["title"] and not r["title_derived"]] or [r for r in ranked if r["title"]]
    if not titled:
        return None
    best = max(titled[:SUMMARY_MEMBERS], key=lambda r: closeness(r) + _centrality(content_terms(r["title"]), terms, n))
    return best["title"]


def describe_story(tables, story_id: int, centroid: np.ndarray | None, rows: list | None = None,
                   texts: dict | None = None) -> dict:
    """Recompute and store a development's title, span, outlets, size and summary from its members.
    ``rows``: its ``summary_inputs`` when read already; ``texts``: article id -> (text, sentence spans) of
    some members read already (the others are read here)."""
    rows = tables.summary_inputs(story_id) if rows is None else rows
    if not rows:
        tables.delete_story(story_id)
        return {}
    dates = sorted(r["published"] for r in rows if r["published"])
    outlet_counts: dict[str, int] = {}
    for r in rows:
        if r["outlet"]:
            outlet_counts[r["outlet"]] = outlet_counts.get(r["outlet"], 0) + 1
    outlets = [o for o, _ in sorted(outlet_counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    originals = [r for r in rows if r["duplicate_of"] is None] or list(rows)

    def closeness(r) -> float:      # rounded: copies with (almost) one vector rank by date and id, not float noise
        if centroid is None or r["vector"] is None:
            return 0.0
        v = np.frombuffer(r["vector"], dtype=np.float32)
        return round(float(v @ centroid), 5) if v.shape == centroid.shape else 0.0

    ranked = sorted(originals, key=lambda r: (-closeness(r), r["published"] or "9999", r["id"]))
    texts = texts if texts is not None else {}
    todo = [r["id"] for r in ranked[:SUMMARY_MEMBERS] if r["id"] not in texts]
    texts = {**texts, **tables.texts_and_spans(todo)} if todo else texts
    terms: dict[str, int] = {}
    for r in ranked[:SUMMARY_MEMBERS]:
        for t in set(content_terms(texts[r["id"]][0][:SETTINGS.link.lead_chars])):
            terms[t] = terms.get(t, 0) + 1
    title = _title(ranked, closeness, terms, max(min(len(originals), SUMMARY_MEMBERS), 1))
    chosen: list[tuple] = []
    used_sources: set[str] = set()
    candidates = _candidates(texts, ranked, closeness, terms, max(len(originals), 1))
    for strict in (True, False):
        for c in candidates:
            if len(chosen) >= SUMMARY_SENTENCES:
                break
            if c in chosen or (strict and c[2] in used_sources) or any(_near_duplicate(c, o) for o in chosen):
                continue
            chosen.append(c)
            used_sources.add(c[2])
    summary = [{"article_id": c[1], "start": c[3], "end": c[4], "text": c[5]} for c in chosen]
    info = {"title": title, "start": dates[0] if dates else None, "end": dates[-1] if dates else None,
            "n_articles": len(rows), "outlets": outlets, "summary": summary}
    tables.save_description(story_id, title, info["start"], info["end"], len(rows), outlets, summary)
    return info
