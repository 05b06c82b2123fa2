"""Stories: incremental clustering of articles that report the same news.

In: for each new article that is not a near duplicate, a :class:`StoryFeatures` (unit embedding of
title + lead; stemmed content words of title + lead; "keys": entity ids from the ``mentions`` table
when the entity stage has run, plus the content words the article repeats most, which are mostly
names and places, so the stage also works before or without entities; publication day), and what
earlier runs stored (the vectors of linked articles in ``link_state``, story word / key profiles and
time spans in ``stories``). Out: a story id for every such article (an existing story or a new one)
and the updated story profiles; :func:`describe_story` then gives a story its title, time span,
outlets and extractive summary.

An article joins the story with the best score when that score reaches ``JOIN_SCORE``:

    score = mean cosine of the article with the (up to) KNN_K most similar articles of the story
          + W_TERMS * share of the article's content words found in the story's articles
          + W_ENTITIES * share of the article's keys found in the story's articles
          - TIME_SLOPE * days outside the story's span beyond TIME_GRACE

Similarity is measured against a story's own articles, not its centroid: the mean of many articles
points towards "news in general" and would draw everything in. A story may not grow beyond
``MAX_SPAN_DAYS`` (an article that would stretch it further opens a new story, so a long-running
topic splits along its timeline). After each chunk every changed story is compared in the same way
with the stories around it (its articles against theirs, the smaller story's profile against the
larger's) and merged when the score reaches ``MERGE_SCORE``: an early article only met the stories
that existed when it came. Articles are processed in a canonical order (publication day, then the
hash of their normalised text), never in input order, so a batch gives the same stories whatever
order its files came in; a later run compares new articles with stored vectors and profiles and
never re-clusters old ones.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

import numpy as np

from .features import content_terms, tokens

JOIN_SCORE = 0.62
MERGE_SCORE = 0.62
KNN_K = 2
NEIGHBOURS = 48            # nearest articles whose stories are candidates
SHORTLIST = 6              # candidate stories (best by vectors) whose profiles are compared
W_TERMS = 0.35
W_ENTITIES = 0.3
TIME_GRACE = 3
TIME_SLOPE = 0.015
MAX_SPAN_DAYS = 21
MERGE_PROBE = 24           # articles of a changed story compared when looking for a merge
LEAD_WORDS = 32
PROFILE_TERMS = 400        # terms / keys kept in a story's stored profile


@dataclass
class StoryFeatures:
    article_id: int
    day: int | None
    vector: np.ndarray | None
    terms: list[str]
    entities: list[str]


def lead_text(title: str | None, title_derived: bool, text: str, spans: list[tuple[int, int]]) -> str:
    """Title plus the opening sentences, cut at LEAD_WORDS words: what the embedding sees."""
    parts = [] if (title_derived or not title) else [title.strip()]
    for s, e in spans[:4]:
        parts.append(text[s:e])
    words = " ".join(parts).split()
    return " ".join(words[:LEAD_WORDS])


@dataclass
class _Story:
    id: int
    vec_sum: np.ndarray
    n_vectors: int
    n_articles: int
    start_day: int | None
    end_day: int | None
    terms: dict[str, int] = field(default_factory=dict)
    entities: dict[str, int] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)        # rows of its article vectors in StoryIndex.vecs
    dirty: bool = False
    merged_into: int | None = None


def _span_ok(a_start, a_end, b_start, b_end) -> bool:
    days = [d for d in (a_start, a_end, b_start, b_end) if d is not None]
    return not days or max(days) - min(days) <= MAX_SPAN_DAYS


def _gap(a_start, a_end, b_start, b_end) -> int:
    if a_start is None or b_start is None:
        return 0
    return max(0, b_start - a_end, a_start - b_end)


_STORY_COLUMNS = "SELECT id, centroid, n_vectors, n_articles, start_day, end_day, terms, entities, encoder FROM stories"


class StoryIndex:
    """Stories and their articles' vectors, held in memory for one run and written back to the store."""

    def __init__(self, db: sqlite3.Connection, encoder_name: str, dim: int,
                 days: tuple[int, int] | None = None):
        self.db = db
        self.encoder = encoder_name
        self.dim = dim
        self.stories: list[_Story] = []
        self.by_id: dict[int, int] = {}
        self.removed: set[int] = set()      # story ids merged into another one during this run
        self.vecs = np.zeros((1024, dim), dtype=np.float32)
        self.vec_day = np.full(1024, np.nan)  # row -> publication day (NaN: unknown)
        self.vec_story: list[int] = []      # row -> story index
        self.n_rows = 0
        where, args = "", []
        if days is not None:      # stories that ended long before the new articles cannot take them
            where, args = " WHERE end_day IS NULL OR end_day >= ?", [days[0] - 2 * MAX_SPAN_DAYS]
        for r in db.execute(_STORY_COLUMNS + where + " ORDER BY id", args):
            self._load(r)
        # vectors of stored articles near the new ones in time (all of them when dates are unknown)
        sql = ("SELECT a.story_id, l.vector FROM link_state l JOIN articles a ON a.id = l.article_id "
               "WHERE l.vector IS NOT NULL AND l.encoder = ? AND a.story_id IS NOT NULL")
        args: list = [encoder_name]
        if days is not None:
            sql += " AND (l.day IS NULL OR l.day BETWEEN ? AND ?)"
            args += [days[0] - 2 * MAX_SPAN_DAYS, days[1] + 2 * MAX_SPAN_DAYS]
        for sid, blob, day in db.execute(sql.replace("a.story_id, l.vector", "a.story_id, l.vector, l.day")
                                         + " ORDER BY l.article_id", args):
            if sid in self.by_id:
                self._add_row(self.by_id[sid], np.frombuffer(blob, dtype=np.float32), day)

    # -- storage of stories and vectors --------------------------------------------------------
    def _load(self, r) -> int:
        same = bool(r[1]) and r[8] == self.encoder
        vec = np.frombuffer(r[1], dtype=np.float32).copy() if same else np.zeros(self.dim, np.float32)
        return self._append(_Story(r[0], vec, r[2] if same else 0, r[3], r[4], r[5], json.loads(r[6]), json.loads(r[7])))

    def _index(self, story_id: int) -> int:
        """Index of a story, reading it from the store if it was outside the loaded window."""
        i = self.by_id.get(story_id)
        if i is None:
            r = self.db.execute(_STORY_COLUMNS + " WHERE id=?", (story_id,)).fetchone()
            if r is None:
                raise KeyError(story_id)
            i = self._load(r)
        return i

    def _append(self, s: _Story) -> int:
        self.by_id[s.id] = len(self.stories)
        self.stories.append(s)
        return len(self.stories) - 1

    def _add_row(self, story_index: int, vec: np.ndarray, day: int | None) -> int:
        if self.n_rows == self.vecs.shape[0]:
            grown = np.zeros((2 * self.vecs.shape[0], self.dim), dtype=np.float32)
            grown[:self.n_rows] = self.vecs[:self.n_rows]
            self.vecs = grown
            days = np.full(2 * self.vec_day.shape[0], np.nan)
            days[:self.n_rows] = self.vec_day[:self.n_rows]
            self.vec_day = days
        self.vecs[self.n_rows] = vec
        self.vec_day[self.n_rows] = np.nan if day is None else day
        self.vec_story.append(story_index)
        self.stories[story_index].rows.append(self.n_rows)
        self.n_rows += 1
        return self.n_rows - 1

    # -- scoring ----------------------------------------------------------------------------------
    def _profile_score(self, s: _Story, terms, keys) -> float:
        n = max(s.n_articles, 1)
        term = sum(min(s.terms.get(t, 0), n) for t in terms) / n / len(terms) if terms else 0.0
        ent = sum(min(s.entities.get(e, 0), n) for e in keys) / n / len(keys) if keys else 0.0
        return W_TERMS * term + W_ENTITIES * ent

    def _knn(self, sims: np.ndarray, s: _Story) -> float:
        member = sims[s.rows]
        k = min(KNN_K, len(member))
        return float(np.sort(member)[-k:].mean()) if k else -1.0

    def _window(self, first: int | None, last: int | None) -> np.ndarray:
        """Rows whose article could share a story with articles dated first..last (undated: all)."""
        if first is None:
            return np.arange(self.n_rows)
        days = self.vec_day[:self.n_rows]
        with np.errstate(invalid="ignore"):
            keep = np.isnan(days) | ((days >= last - MAX_SPAN_DAYS) & (days <= first + MAX_SPAN_DAYS))
        return np.flatnonzero(keep)

    def _similarities(self, vectors: np.ndarray, first: int | None, last: int | None) -> np.ndarray:
        """Cosines of ``vectors`` (k, dim) with every row in the time window; -2 outside it. Shape (k, rows)."""
        rows = self._window(first, last)
        out = np.full((vectors.shape[0], self.n_rows), -2.0, dtype=np.float32)
        if len(rows) == self.n_rows:
            out[:] = vectors @ self.vecs[:self.n_rows].T
        elif len(rows):
            out[:, rows] = vectors @ self.vecs[rows].T
        return out

    def best_story(self, f: StoryFeatures) -> tuple[int | None, float]:
        if f.vector is None or self.n_rows == 0:
            return None, 0.0
        sims = self._similarities(f.vector[None, :], f.day, f.day)[0]
        k = min(NEIGHBOURS, self.n_rows)
        near = np.argpartition(-sims, k - 1)[:k] if self.n_rows > k else np.arange(self.n_rows)
        near = near[sims[near] > -1.5]
        bases = []
        for i in sorted({self.vec_story[int(r)] for r in near}):
            s = self.stories[i]
            if s.merged_into is None and _span_ok(s.start_day, s.end_day, f.day, f.day):
                bases.append((self._knn(sims, s), i))
        best, best_score = None, -9.0
        for base, i in sorted(bases, key=lambda b: (-b[0], b[1]))[:SHORTLIST]:
            s = self.stories[i]
            sc = (base + self._profile_score(s, f.terms, f.entities)
                  - TIME_SLOPE * max(0, _gap(s.start_day, s.end_day, f.day, f.day) - TIME_GRACE))
            if sc > best_score:
                best, best_score = i, sc
        return best, best_score

    def assign(self, f: StoryFeatures) -> int:
        i, sc = self.best_story(f)
        return self.add(f, self.stories[i].id if i is not None and sc >= JOIN_SCORE else None)

    def add(self, f: StoryFeatures, story_id: int | None) -> int:
        """Add an article to ``story_id`` (or to a new story when None); returns the story id."""
        if story_id is None:
            story_id = self.db.execute("INSERT INTO stories(encoder) VALUES (?)", (self.encoder,)).lastrowid
            i = self._append(_Story(story_id, np.zeros(self.dim, np.float32), 0, 0, None, None))
        else:
            i = self._index(story_id)
        s = self.stories[i]
        if f.vector is not None:
            s.vec_sum = s.vec_sum + f.vector
            s.n_vectors += 1
            self._add_row(i, f.vector, f.day)
        s.n_articles += 1
        for t in f.terms:
            s.terms[t] = s.terms.get(t, 0) + 1
        for e in f.entities:
            s.entities[e] = s.entities.get(e, 0) + 1
        self._extend(s, f.day)
        return story_id

    def count_only(self, story_id: int, day: int | None) -> None:
        """A near duplicate joins its original's story: count it, but it adds no new evidence."""
        s = self.stories[self._index(story_id)]
        s.n_articles += 1
        self._extend(s, day)

    @staticmethod
    def _extend(s: _Story, day: int | None) -> None:
        if day is not None:
            s.start_day = day if s.start_day is None else min(s.start_day, day)
            s.end_day = day if s.end_day is None else max(s.end_day, day)
        s.dirty = True

    # -- merging ----------------------------------------------------------------------------------
    def _pair_score(self, a: _Story, b: _Story, base: float) -> float:
        """Score of story ``a`` (the smaller) joining ``b``: the article score with a's profile averaged."""
        na, nb = max(a.n_articles, 1), max(b.n_articles, 1)

        def overlap(pa: dict, pb: dict) -> float:
            mass = sum(min(c, na) for c in pa.values()) / na
            if not mass:
                return 0.0
            return sum(min(c, na) / na * min(pb.get(t, 0), nb) / nb for t, c in pa.items()) / mass

        return (base + W_TERMS * overlap(a.terms, b.terms) + W_ENTITIES * overlap(a.entities, b.entities)
                - TIME_SLOPE * max(0, _gap(a.start_day, a.end_day, b.start_day, b.end_day) - TIME_GRACE))

    def merge_touched(self) -> list[tuple[int, int]]:
        """Merge each changed story into the best-scoring story around it, while the score reaches MERGE_SCORE.

        The smaller story merges into the larger (ties: into the older). Returns [(removed id, kept id)].
        """
        merges: list[tuple[int, int]] = []
        queue = sorted(i for i, s in enumerate(self.stories) if s.dirty and s.merged_into is None and s.rows)
        queued = set(queue)
        while queue:
            i = queue.pop(0)
            queued.discard(i)
            a = self.stories[i]
            if a.merged_into is not None or not a.rows:
                continue
            probe = a.rows[-MERGE_PROBE:]
            sims = self._similarities(self.vecs[probe], a.start_day, a.end_day)    # (probe, rows)
            sims[:, a.rows] = -2.0
            k = min(NEIGHBOURS, self.n_rows)
            cand: set[int] = set()
            for row in sims:
                near = np.argpartition(-row, k - 1)[:k] if self.n_rows > k else np.arange(self.n_rows)
                cand.update(self.vec_story[int(r)] for r in near if row[r] > -1.5)
            bases = []
            for j in sorted(cand):
                b = self.stories[j]
                if j == i or b.merged_into is not None or not _span_ok(a.start_day, a.end_day, b.start_day, b.end_day):
                    continue
                bases.append((float(np.sort(sims[:, b.rows].ravel())[-KNN_K:].mean()), j))
            best, best_score = None, -9.0
            for base, j in sorted(bases, key=lambda b: (-b[0], b[1]))[:SHORTLIST]:
                b = self.stories[j]
                small, large = (a, b) if (a.n_articles, -a.id) < (b.n_articles, -b.id) else (b, a)
                sc = self._pair_score(small, large, base)
                if sc > best_score:
                    best, best_score = j, sc
            if best is not None and best_score >= MERGE_SCORE:
                b = self.stories[best]
                small, large = (a, b) if (a.n_articles, -a.id) < (b.n_articles, -b.id) else (b, a)
                self._merge(small, large)
                merges.append((small.id, large.id))
                k_large = self.by_id[large.id]
                if k_large not in queued:                  # the grown story may now meet another one
                    queue.append(k_large)
                    queued.add(k_large)
        return merges

    def _merge(self, small: _Story, large: _Story) -> None:
        large.vec_sum = large.vec_sum + small.vec_sum
        large.n_vectors += small.n_vectors
        large.n_articles += small.n_articles
        for t, c in small.terms.items():
            large.terms[t] = large.terms.get(t, 0) + c
        for e, c in small.entities.items():
            large.entities[e] = large.entities.get(e, 0) + c
        days = [d for d in (small.start_day, small.end_day, large.start_day, large.end_day) if d is not None]
        large.start_day, large.end_day = (min(days), max(days)) if days else (None, None)
        li = self.by_id[large.id]
        for r in small.rows:
            self.vec_story[r] = li
        large.rows.extend(small.rows)
        small.rows = []
        large.dirty = True
        small.merged_into = large.id
        small.dirty = False
        self.removed.add(small.id)
        self.db.execute("UPDATE articles SET story_id=? WHERE story_id=?", (large.id, small.id))
        self.db.execute("DELETE FROM stories WHERE id=?", (small.id,))

    def resolve(self, story_id: int) -> int:
        """The live story an id now stands for (after merges)."""
        s = self.stories[self._index(story_id)]
        while s.merged_into is not None:
            s = self.stories[self.by_id[s.merged_into]]
        return s.id

    # -- persistence ------------------------------------------------------------------------------
    def flush(self) -> list[int]:
        """Write changed story profiles; returns the ids written."""
        ids = []
        for s in self.stories:
            if not s.dirty or s.merged_into is not None:
                continue
            s.terms = dict(sorted(s.terms.items(), key=lambda kv: (-kv[1], kv[0]))[:PROFILE_TERMS])
            s.entities = dict(sorted(s.entities.items(), key=lambda kv: (-kv[1], kv[0]))[:PROFILE_TERMS])
            self.db.execute(
                "UPDATE stories SET centroid=?, n_vectors=?, n_articles=?, start_day=?, end_day=?, terms=?, entities=?, "
                "encoder=?, updated_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=?",
                (s.vec_sum.astype(np.float32).tobytes(), s.n_vectors, s.n_articles, s.start_day, s.end_day,
                 json.dumps(s.terms, ensure_ascii=False), json.dumps(s.entities, ensure_ascii=False), self.encoder, s.id))
            s.dirty = False
            ids.append(s.id)
        return ids

    def unit_centroid(self, story_id: int) -> np.ndarray | None:
        v = self.stories[self.by_id[story_id]].vec_sum
        norm = float(np.linalg.norm(v))
        return v / norm if norm else None

    def profile_terms(self, story_id: int) -> dict[str, int]:
        return self.stories[self.by_id[story_id]].terms


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


def describe_story(db: sqlite3.Connection, story_id: int, centroid: np.ndarray | None,
                   terms: dict[str, int]) -> dict:
    """Recompute and store a story's title, span, outlets, size and summary from its members."""
    rows = db.execute(
        "SELECT a.id, a.title, a.title_derived, a.outlet, a.published, a.duplicate_of, l.vector "
        "FROM articles a LEFT JOIN link_state l ON l.article_id = a.id WHERE a.story_id=? ORDER BY a.id",
        (story_id,)).fetchall()
    if not rows:
        db.execute("DELETE FROM stories WHERE id=?", (story_id,))
        return {}
    dates = sorted(r["published"] for r in rows if r["published"])
    outlet_counts: dict[str, int] = {}
    for r in rows:
        if r["outlet"]:
            outlet_counts[r["outlet"]] = outlet_counts.get(r["outlet"], 0) + 1
    outlets = [o for o, _ in sorted(outlet_counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    originals = [r for r in rows if r["duplicate_of"] is None] or list(rows)

    def closeness(r) -> float:
        if centroid is None or r["vector"] is None:
            return 0.0
        v = np.frombuffer(r["vector"], dtype=np.float32)
        return float(v @ centroid) if v.shape == centroid.shape else 0.0

    ranked = sorted(originals, key=lambda r: (-closeness(r), r["published"] or "9999", r["id"]))
    titled = [r for r in ranked if r["title"] and not r["title_derived"]] or [r for r in ranked if r["title"]]
    title = titled[0]["title"] if titled else None

    # Extractive summary: central lead sentences, one outlet (or article) at a time, no near duplicates.
    n = max(len(originals), 1)
    candidates = []
    for rank, r in enumerate(ranked[:SUMMARY_MEMBERS]):
        text = db.execute("SELECT text FROM articles WHERE id=?", (r["id"],)).fetchone()[0]
        spans = [(s, e) for s, e in db.execute("SELECT start, end FROM sentences WHERE article_id=? ORDER BY idx", (r["id"],))]
        spans = [sp for sp in spans if not (r["title"] and text[sp[0]:sp[1]].strip() == r["title"].strip())]
        for pos, (s, e) in enumerate(spans[:SUMMARY_LEAD_SENTENCES]):
            toks = tokens(text[s:e])
            if not 8 <= len(toks) <= 60:
                continue
            words = content_terms(text[s:e])
            central = sum(min(terms.get(t, 0), n) for t in words) / n / max(len(words), 1) ** 0.5
            score = central + 0.3 / (1 + pos) + 0.2 * closeness(r) - 0.01 * rank
            candidates.append((score, r["id"], r["outlet"] or f"#{r['id']}", s, e, text[s:e], _bigrams(toks), set(words)))
    candidates.sort(key=lambda c: (-c[0], c[1], c[3]))
    chosen: list[tuple] = []
    used_sources: set[str] = set()
    for strict in (True, False):
        for c in candidates:
            if len(chosen) >= SUMMARY_SENTENCES:
                break
            if c in chosen or (strict and c[2] in used_sources):
                continue
            if any(_near_duplicate(c, o) for o in chosen):
                continue
            chosen.append(c)
            used_sources.add(c[2])
    summary = [{"article_id": c[1], "start": c[3], "end": c[4], "text": c[5]} for c in chosen]
    info = {"title": title, "start": dates[0] if dates else None, "end": dates[-1] if dates else None,
            "n_articles": len(rows), "outlets": outlets, "summary": summary}
    db.execute("UPDATE stories SET title=?, start=?, end=?, n_articles=?, outlets=?, summary=? WHERE id=?",
               (title, info["start"], info["end"], len(rows), json.dumps(outlets, ensure_ascii=False),
                json.dumps(summary, ensure_ascii=False), story_id))
    return info

