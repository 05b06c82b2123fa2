"""Link stage: near duplicates, copied passages and stories across articles.

In: a :class:`~marsad.store.Store` whose articles (with their sentences, and entity mentions when the
entity stage has run) are stored. :func:`link_articles` takes the articles not linked yet and, in
a canonical order (publication date, then normalised-text hash) and in committed chunks:

1. marks near duplicates (MinHash LSH over normalised word shingles, verified on exact Jaccard):
   ``articles.duplicate_of`` points to the earliest published copy, ``articles.similarity`` holds the
   Jaccard with it (see :mod:`marsad.link.duplicates`);
2. records copied passages between articles that are not duplicates: the later article, the earlier
   source, and character spans in both (see :mod:`marsad.link.passages`);
3. assigns every article to a story, existing or new (see :mod:`marsad.link.clustering`), and refreshes
   the title, span, outlets and summary of each story it touched.

What each article is matched by (features, encoder vector, the text's part of its profile) comes from its
signature when the ``signatures`` stage computed one in the workers (:mod:`marsad.link.signatures`), and is
computed here otherwise; the result is the same.

Out: a :class:`LinkSummary` of what was found; everything itself lands in the store, together with
what the next run needs (MinHashes and LSH band keys, sentence keys, story centroids and profiles),
so a later run compares new articles with old ones without recomputing the old. The reading
functions :func:`stories`, :func:`story` and :func:`copies` return plain dicts in the shape of the
``marsad/1`` export.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Callable

import numpy as np

from .passages import find_copies
from .duplicates import find_duplicates
from .encoder import get_encoder, one_blas_thread
from ..settings import SETTINGS
from .features import ArticleFeatures, article_features, nth_sentence, pack, tokens, unpack
from .read import copies, explanations, stories, story, story_log, storyline, storylines
from . import chargrams
from .clustering import DevelopmentIndex, describe_story, revise
from .signals import ArticleProfile, text_profile, with_mentions
from .signatures import Signature, encoder_text
from .storyline_groups import update_storylines

__all__ = ["LinkSummary", "link_articles", "stories", "story", "storylines", "storyline", "explanations", "story_log", "copies"]

Progress = Callable[[str, int, int | None], None]
# Articles per committed chunk (chunk boundaries decide which of two same-day near duplicates is met
# first, so changing this changes development ids). A chunk's profiles are kept packed (~11 kB an article
# instead of ~180 kB as dicts); features of older articles (~90 kB each as Python sets and lists) are cached
# up to ``link.feature_cache`` articles and read back from their stored tokens when needed again (the same
# features).
CHUNK = 1000
_DESCRIBE_BATCH = 500     # developments whose members' profiles are read in one query at the end of a run
_DESCRIBE_TEXTS = 30      # ... with the texts of all their members when they have at most this many
_CACHE_MAX = SETTINGS.link.feature_cache


@dataclass
class LinkSummary:
    articles: int = 0            # articles linked in this run
    duplicates: int = 0          # of them, near (or exact) duplicates of another article
    repointed: int = 0           # older articles re-pointed to a newly seen, earlier original
    copies: int = 0              # pairs of articles with copied passages found in this run
    passages: int = 0
    stories_new: int = 0         # stories opened in this run
    stories_joined: int = 0      # articles that joined a story that existed before this run
    stories_touched: int = 0
    stories_merged: int = 0      # developments merged into another (logged in story_log)
    stories_split: int = 0       # developments split when re-scored (logged in story_log)
    storylines_touched: int = 0
    encoder: str = ""
    story_ids: list[int] = field(default_factory=list)   # stories created or changed in this run


def _day(published: str | None) -> int | None:
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10]).toordinal()
    except ValueError:
        return None


class _Articles:
    """Order keys and features of articles, loaded from the store on demand and kept for the run."""

    def __init__(self, links):
        self.links = links                     # the store's link tables (marsad.store.link)
        self.keys: dict[int, tuple] = {}
        self.features: dict[int, ArticleFeatures] = {}
        self.texts: dict[int, tuple[str, list[tuple[int, int]]]] = {}
        self.sentences: dict[tuple[int, int], list[str] | None] = {}   # of articles without stored tokens
        self.lines: dict[int, list[str]] = {}  # stored articles' tokens, one line of text per sentence
        self.unstored: set[int] = set()        # articles whose tokens the store does not hold

    def order_key(self, aid: int) -> tuple:
        """Earliest first: publication date (unknown dates last), then storage order."""
        k = self.keys.get(aid)
        if k is None:
            k = ((self.links.published(aid) or "9999-12-31")[:10], aid)
            self.keys[aid] = k
        return k

    def load(self, aid: int) -> ArticleFeatures:
        f = self.features.get(aid)
        if f is None:
            got = self._stored(aid)
            if got is not None:
                f = unpack(aid, self.links.sentence_spans(aid), *got)
            else:
                text, spans = self.texts.get(aid) or self.links.text_and_spans(aid)
                f = article_features(aid, text, spans, with_sentence_keys=False)
            self.remember(f)
        return f

    def _stored(self, aid: int) -> tuple[str, bytes] | None:
        """The tokens and shingles an earlier run stored for the article (None for one linked before they were)."""
        got = self.links.stored_tokens(aid) if aid not in self.unstored else None
        if got is None:
            self.unstored.add(aid)
        return got

    def shingle_sets(self, ids: list[int]) -> dict[int, set[int]]:
        """The shingle sets of stored articles, read in one query without their tokens (the near-duplicate
        check compares the shingles of many candidates and needs nothing else of them)."""
        out = {a: self.features[a].shingles for a in ids if a in self.features}
        todo = [a for a in ids if a not in out and a not in self.unstored]
        got = self.links.stored_shingles(todo) if todo else {}
        for a in todo:
            if a in got:
                out[a] = set(np.frombuffer(got[a], dtype=np.uint32).tolist())
            else:
                self.unstored.add(a)
        for a in ids:
            if a not in out:
                out[a] = self.load(a).shingles
        return out

    def spans(self, aid: int) -> list[tuple[int, int]]:
        """A stored article's sentence spans."""
        f = self.features.get(aid)
        return f.spans if f is not None else self.links.sentence_spans(aid)

    def sentence(self, aid: int, idx: int) -> list[str] | None:
        """Tokens of one sentence of an old article (None past its last one), without its whole features:
        the copy search compares a few candidate sentences of each of many stored articles, so only the
        sentences asked for are split into tokens."""
        f = self.features.get(aid)
        if f is not None:
            return nth_sentence(f, idx)
        lines = self.lines.get(aid)
        if lines is None and aid not in self.unstored:
            if len(self.lines) >= _CACHE_MAX * 5:
                self.lines.clear()
            got = self._stored(aid)
            if got is not None:
                lines = self.lines[aid] = got[0].split("\n")
        if lines is not None:
            return lines[idx].split() if idx < len(lines) else None
        key = (aid, idx)
        if key not in self.sentences:
            if len(self.sentences) >= _CACHE_MAX * 20:
                self.texts.clear()
                self.sentences.clear()
            text, spans = self.texts.get(aid) or self.texts.setdefault(aid, self.links.text_and_spans(aid))
            self.sentences[key] = tokens(text[spans[idx][0]:spans[idx][1]]) if idx < len(spans) else None
        return self.sentences[key]

    def remember(self, f: ArticleFeatures) -> None:
        if len(self.features) >= _CACHE_MAX:                 # drop the oldest third
            for k in list(self.features)[:_CACHE_MAX // 3]:
                del self.features[k]
        self.features[f.article_id] = f


def link_articles(store, article_ids: list[int] | None = None, progress: Progress | None = None,
                  chunk_size: int = CHUNK) -> LinkSummary:
    """Link the articles not linked yet (all of them, or those among ``article_ids``); see module docstring."""
    with one_blas_thread():
        return _link_articles(store, article_ids, progress, chunk_size)


def _link_articles(store, article_ids: list[int] | None, progress: Progress | None, chunk_size: int) -> LinkSummary:
    links = store.link_tables
    summary = LinkSummary()
    ids = links.unlinked(article_ids)
    if not ids:                      # signatures computed again for linked articles (marsad run signatures)
        with store.transaction():
            links.drop_signatures()
        return summary
    info = {aid: ((pub or "9999-12-31")[:10], sha, aid) for aid, (pub, sha) in links.order_info(ids).items()}
    ids.sort(key=lambda i: info[i])          # canonical order: never the input order
    encoder = get_encoder()
    merges_before = store.story_tables.story_log_count("development")
    summary.encoder = encoder.name
    arts = _Articles(links)
    new_days = [None if info[i][0] == "9999-12-31" else _day(info[i][0]) for i in ids]
    window = None if any(d is None for d in new_days) else (min(new_days), max(new_days))
    tables = store.story_tables
    index = DevelopmentIndex(tables, encoder.name, encoder.dim, window)
    last_story = tables.max_story_id()              # ids above it are new
    touched: set[int] = set()
    done = 0
    for c in range(0, len(ids), chunk_size):
        chunk = ids[c:c + chunk_size]
        touched |= _link_chunk(store, chunk, arts, index, encoder, last_story, summary)
        done += len(chunk)
        if progress:
            progress("link", done, len(ids))
    with store.transaction():
        touched = set(tables.live_story_ids(touched))
        summary.stories_merged = tables.story_log_count("development") - merges_before
        for sid in sorted(touched):
            split = revise(tables, sid, _cosines(tables))
            summary.stories_split += len(split)
            touched.update(split)
        order = sorted(touched)
        for i in range(0, len(order), _DESCRIBE_BATCH):
            batch = order[i:i + _DESCRIBE_BATCH]
            members = tables.members_profiles(batch)
            inputs = tables.summary_inputs_of(batch)
            texts = tables.texts_and_spans([r["id"] for sid in batch if len(inputs.get(sid, [])) <= _DESCRIBE_TEXTS
                                            for r in inputs.get(sid, [])])
            for sid in batch:
                centroid = _refresh_profile(tables, sid, encoder, members.get(sid, []))
                describe_story(tables, sid, centroid, inputs.get(sid, []), texts)
        summary.storylines_touched = len(update_storylines(tables, sorted(touched), encoder.dim))
        links.drop_signatures()
    summary.articles = len(ids)
    summary.stories_touched = len(touched)
    summary.stories_new = sum(1 for s in touched if s > last_story)
    summary.story_ids = sorted(touched)
    return summary


def _live(index: DevelopmentIndex, tables, story_id: int | None) -> int | None:
    """The development an old id stands for now (merged ones point to the kept one)."""
    if story_id is None:
        return None
    for kept, gone in index.merges:
        if story_id == gone:
            story_id = kept
    return story_id


def _profile_row(p: ArticleProfile, topic: bytes) -> tuple:
    return (p.article_id, chargrams.pack(p.lead), topic, p.keys, p.persons, p.cities, p.entities, p.weekdays,
            p.days, p.names)


def _chunk_profiles(ids: list[int], rows, mentions, signed: dict[int, Signature]) -> tuple[dict, dict, list]:
    """Profiles of a chunk's articles without their lead and topic dicts (the bulk of their memory), the
    lead vectors as (bucket, weight) arrays, and the packed rows the store keeps. The text's part of a
    profile comes from the article's signature when it has one."""
    profiles, leads, packed = {}, {}, []
    for a in ids:
        sig = signed.get(a)
        if sig is None:
            p = text_profile(a, rows[a]["title"], bool(rows[a]["title_derived"]), rows[a]["text"], rows[a]["published"])
            topic = chargrams.pack(p.topic)
        else:
            p, topic = sig.profile(a), sig.topic
        p = with_mentions(p, mentions[a])
        packed.append(_profile_row(p, topic))
        leads[a] = chargrams.arrays(p.lead)
        profiles[a] = replace(p, lead={}, topic={})
    return profiles, leads, packed


def _cosines(tables):
    cache: dict[int, np.ndarray] = {}

    def cosine(a: int, b: int) -> float:
        missing = [x for x in (a, b) if x not in cache]
        if missing:
            for k, blob in tables.vectors(missing).items():
                cache[k] = np.frombuffer(blob, dtype=np.float32)
        if a not in cache or b not in cache:
            return 0.0
        return float(cache[a] @ cache[b])
    return cosine


def _summed_topic(parts: list[tuple[np.ndarray, np.ndarray]], keep: int) -> dict[int, float]:
    """The ``keep`` heaviest buckets (ties by bucket) of the members' topic vectors summed bucket by bucket
    in float64, in member order (``np.bincount`` adds in index order from 0.0: the same sums as adding
    them one by one in a dict)."""
    if not parts:
        return {}
    keys = np.concatenate([k for k, _ in parts])
    buckets, at = np.unique(keys, return_inverse=True)
    sums = np.bincount(at, weights=np.concatenate([v for _, v in parts]).astype(np.float64), minlength=len(buckets))
    order = np.lexsort((buckets, -sums))[:keep]
    return dict(zip(buckets[order].tolist(), sums[order].tolist()))


def _refresh_profile(tables, story_id: int, encoder, members: list[tuple] | None = None) -> np.ndarray | None:
    """Sum a development's member vectors, topics, entities and dates into its stored profile.
    ``members``: its :meth:`member_profiles` rows when read already."""
    vec_sum = np.zeros(encoder.dim, np.float32)
    n_vec, n = 0, 0
    topics: list[tuple[np.ndarray, np.ndarray]] = []
    entities: dict[str, int] = {}
    days: set[int] = set()
    for aid, vec, top, ents, ds in (tables.member_profiles(story_id) if members is None else members):
        n += 1
        if vec is not None and len(vec) == 4 * encoder.dim:
            vec_sum += np.frombuffer(vec, dtype=np.float32)
            n_vec += 1
        if top:
            topics.append(chargrams.unpack_arrays(top))
        for e in json.loads(ents or "[]"):
            entities[e] = entities.get(e, 0) + 1
        days.update(json.loads(ds or "[]"))
    keep = SETTINGS.link.topic_buckets
    topic = _summed_topic(topics, keep)
    entities = dict(sorted(entities.items(), key=lambda kv: (-kv[1], kv[0]))[:keep])
    tables.save_story_profile(story_id, vec_sum.tobytes() if n_vec else None, n_vec, n, chargrams.pack_f32(topic),
                              entities, sorted(days), min(days) if days else None, max(days) if days else None,
                              encoder.name)
    norm = float(np.linalg.norm(vec_sum))
    return vec_sum / norm if norm else None


def _link_chunk(store, chunk: list[int], arts: _Articles, index: DevelopmentIndex, encoder, last_story: int,
                summary: LinkSummary) -> set[int]:
    links = store.link_tables
    rows, spans = links.chunk_articles(chunk)
    signed = {a: Signature.from_row(r) for a, r in links.signatures(chunk).items() if r["encoder"] == encoder.name}
    feats = [signed[aid].features(aid, spans[aid]) if aid in signed else article_features(aid, rows[aid]["text"], spans[aid])
             for aid in chunk]
    for aid in chunk:
        arts.keys[aid] = ((rows[aid]["published"] or "9999-12-31")[:10], aid)
    touched: set[int] = set()
    tables = store.story_tables
    with store.transaction():
        # 1. near duplicates
        groups = find_duplicates(links, feats, arts.order_key, arts.shingle_sets)
        dup_marks = []                                         # (article, original or None, similarity)
        for aid in chunk:
            root = groups.root_of.get(aid)
            if root is not None:
                dup_marks.append((aid, root, groups.similarity[aid]))
                summary.duplicates += 1
            elif aid in groups.originals and rows[aid]["duplicate_of"] is not None:
                dup_marks.append((aid, None, None))
        for aid, root in groups.changed.items():
            dup_marks.append((aid, root, groups.similarity.get(aid) if root is not None else None))
            summary.repointed += 1
        links.set_duplicates(dup_marks)
        nondup = [f for f in feats if f.article_id not in groups.root_of]

        # 2. copied passages
        copied = find_copies(links, nondup, arts.order_key, arts.spans,
                            lambda a, b: groups.root(a) == groups.root(b),
                            arts.sentence)
        shingles = {f.article_id: f.shingles for f in nondup}
        shingles.update(arts.shingle_sets(sorted({a for c in copied for a in (c.article_id, c.source_article_id)
                                                  if a not in shingles})))
        copy_rows = []
        for link in copied:
            sl, se = shingles[link.article_id], shingles[link.source_article_id]
            inter = len(sl & se)
            union = len(sl) + len(se) - inter
            text_len = len(rows[link.article_id]["text"]) if link.article_id in rows else links.text_length(link.article_id)
            covered = sum(p.end - p.start for p in link.passages)
            copy_rows.append((link.article_id, link.source_article_id, round(inter / union, 4) if union else 0.0,
                              round(covered / max(text_len, 1), 4),
                              [(p.start, p.end, p.source_start, p.source_end, p.similarity) for p in link.passages]))
            summary.copies += 1
            summary.passages += len(link.passages)
        links.replace_copies(copy_rows)

        # 3. developments: edges to stored articles, then join / open / merge (see clustering.py)
        story_of: dict[int, int] = {}
        to_cluster = [f.article_id for f in nondup if f.article_id not in groups.old_story_of_group]
        mentions = tables.mention_rows(to_cluster)
        vec_of = _vectors(to_cluster, rows, spans, signed, encoder)
        vectors = np.array([vec_of[a] for a in to_cluster], dtype=np.float32).reshape(-1, encoder.dim)
        profiles, leads, profile_rows = _chunk_profiles(to_cluster, rows, mentions, signed)
        edges = []
        index.prepare(vectors)
        for a in to_cluster:                                   # chunk is in canonical order already
            day = _day(rows[a]["published"])
            found = index.edges(profiles[a], vec_of[a], day, leads[a])
            sid = index.join(a, profiles[a], vec_of[a], day, found, leads[a])
            edges += [(a, b, sc, sig) for b, sc, sig in found]
            story_of[a] = sid
            if sid <= last_story:
                summary.stories_joined += 1
        for f in nondup:
            a = f.article_id
            if a in groups.old_story_of_group:
                story_of[a] = _live(index, tables, groups.old_story_of_group[a])
                index.attach(a, story_of[a])
        for aid in chunk:
            root = groups.root_of.get(aid)
            if root is None:
                continue
            sid = story_of.get(root)
            if sid is None:
                sid = _live(index, tables, tables.story_of_articles([root]).get(root))
            if sid is None:                                    # should not happen: originals are linked first
                sid = tables.new_story(encoder.name)
            index.attach(aid, sid)
            story_of[aid] = sid
        for kept, gone in index.merges:
            for a, s in story_of.items():
                if s == gone:
                    story_of[a] = kept
        index.merges.clear()
        tables.assign_articles([(story_of[a], a) for a in chunk])
        tables.save_edges(edges)
        tables.save_profiles(profile_rows)
        touched.update(story_of.values())

        # 4. what the next run needs
        state = []
        for f in feats:
            a = f.article_id
            vec = vec_of.get(a)
            state.append((a, f.minhash.astype(np.uint32).tobytes(), f.n_shingles, _day(rows[a]["published"]),
                          vec.astype(np.float32).tobytes() if vec is not None else None,
                          encoder.name if vec is not None else None, "[]",
                          json.dumps(profiles[a].keys if a in profiles else [], ensure_ascii=False)) + pack(f))
        links.save_link_state(state)
        links.save_band_keys([(k, f.article_id) for f in feats for k in f.band_keys])
        links.save_sentence_keys([(k, f.article_id, i) for f in nondup for k, i in f.sentence_keys])
        for f in feats:
            arts.remember(f)
    return touched


def _vectors(ids: list[int], rows, spans, signed: dict[int, Signature], encoder) -> dict[int, np.ndarray]:
    """Encoder vectors of the articles' titles and leads: from their signatures, the others encoded here."""
    todo = [a for a in ids if a not in signed]
    texts = [encoder_text(rows[a]["title"], bool(rows[a]["title_derived"]), rows[a]["text"], spans[a]) for a in todo]
    out = dict(zip(todo, encoder.encode(texts))) if texts else {}
    return {a: signed[a].vector() if a in signed else out[a] for a in ids}
