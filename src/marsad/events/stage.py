"""Pipeline stage: event mentions per article, merged into events across articles (no store).

Per article (pure, any process): :func:`event_mentions_of` / :func:`events_batch` take an
:class:`~marsad.model.AnalysedArticle` (article, sentences, mentions, entities) and give its
:class:`~marsad.model.EventMention` list. Across articles, :func:`run_events` is the
:class:`~marsad.stages.CrossStage`'s ``run``: new articles plus the state the runner loads for them
through :mod:`marsad.store.events` in, updates out, which the runner saves there in one transaction.

State (a dict): ``read`` (ids of these articles already read), ``tagged`` (ids the entities stage has
tagged), ``story_start`` (story id → its first publication date), ``next_id`` (the next event-mention
id), ``mentions`` (the event index: the store's :class:`~marsad.store.events.MentionIndex`, read where
merging needs it, or every stored mention by id with its ``event_id`` in a dict),
``undated`` (article id → its story's first date, for every stored undated article with mentions),
``moved`` (articles read earlier whose sentences may now trace back to one of these articles) and
``provenance`` (articles' outlets, duplicates, copied passages and copies, for independent origins).

Updates (a dict): ``read`` (article id, its new mentions with their ids), ``redated`` (mention id,
date, precision) — an undated article's mentions follow its story's first date when it moves — and
``changes`` (:class:`~marsad.events.merge.EventChanges`: stored events to drop, events to write with
their mentions). Merging (:mod:`marsad.events.merge`) re-clusters only the part of the event index the
new or re-dated mentions fall in, with the same result as clustering every mention afresh, and reads
no more of the index than that part.
"""

from __future__ import annotations

from functools import lru_cache

from ..model import AnalysedArticle, EventMention
from .dates import fallback_date, follows_story
from .extract import extract_event_mentions
from .lexicon import word_key
from .merge import Provenance, RowIndex, country_name, mention_order, merge_changes


class _CountryNames(dict):
    def get(self, key, default=None):
        return country_name(key) or default


def event_mentions_of(item: AnalysedArticle, date_fallback: str | None = None) -> list[EventMention]:
    """Event mentions of one analysed article (pure). Without entity mentions the article is tagged
    here; place mentions without an area ("ريف إدلب") after an area word are linked again."""
    art = item.article
    if art is None:
        return []
    sentences = [(s.start, s.end) for s in item.sentences]
    mentions, entities = item.mentions, dict(item.entities)
    if not mentions and "entities" not in item.done:
        from ..entities import extract_entities
        mentions, entities = extract_entities(art.text)
    else:
        _restore_areas(art.text, sentences, mentions, entities)
    return extract_event_mentions(art.text, sentences, mentions, entities, art.published, art.id,
                                  date_fallback=date_fallback, country_names=_CountryNames())


def events_batch(batch: list[AnalysedArticle]) -> list[AnalysedArticle]:
    """A per-article stage's ``run``: fills ``item.events`` for every article of the batch."""
    for item in batch:
        if item.article is not None:
            item.events = event_mentions_of(item)
    return batch


@lru_cache(maxsize=1)
def _qualifier_words() -> frozenset:
    from .. import data
    return frozenset(word_key(r["word_ar"].split()[-1]) for r in data.rows("geo_qualifiers.tsv")
                     if r.get("kind") in ("area", "admin") and len(r["word_ar"].split()[-1]) > 2)


def _restore_areas(text, sentences, mentions, entities) -> None:
    """Mentions stored before the store kept ``location_id`` ("ريف إدلب" → the Idlib countryside area), or
    without one: re-link the sentences where a place follows an area word (ريف, شمال, محيط, محافظة ...)."""
    quals = _qualifier_words()
    redo = set()
    for m in mentions:
        if m.type not in ("GPE", "LOC") or m.location_id:
            continue
        prev = text[max(0, m.start - 30):m.start].split()
        if prev and word_key(prev[-1]) in quals:
            redo.update(i for i, (s0, s1) in enumerate(sentences) if s0 <= m.start < s1)
    if not redo:
        return
    from ..entities import extract_entities
    by_start = {m.start: m for m in mentions}
    for i in redo:
        s0, s1 = sentences[i]
        found, ents = extract_entities(text[s0:s1], use_tagger=False)
        for fm in found:
            m = by_start.get(s0 + fm.start)
            if m is not None and fm.location_id and fm.location_id in ents:
                m.location_id = fm.location_id
                entities[fm.location_id] = ents[fm.location_id]


MENTION_FIELDS = ["article_id", "sentence_start", "sentence_end", "trigger_start", "trigger_end", "trigger",
                  "gloss", "event_type", "sub_event_type", "date", "time_precision", "actor1", "inter1",
                  "assoc_actor_1", "actor2", "inter2", "location_id", "location_name", "lat", "lon",
                  "geo_precision", "admin1", "country", "fatalities"]


def _with_gazetteer_entities(item: AnalysedArticle, tagged: bool) -> AnalysedArticle:
    """A stored article as the extraction expects it: the gazetteer's entity (which keeps its kind: army,
    armed group ...) over the stored one, in a fixed order; marked tagged when the entities stage ran."""
    from ..entities import get_entity

    if item.mentions or tagged:
        item.done.add("entities")
    stored, item.entities = item.entities, {}
    for eid in sorted({m.entity_id for m in item.mentions if m.entity_id}):   # a set's order changes per process
        e = get_entity(eid) or stored.get(eid)
        if e is not None:
            item.entities[eid] = e
    for lid in sorted({m.location_id for m in item.mentions if m.location_id} - set(item.entities)):
        if lid in stored:     # the area a place mention locates ("ريف إدلب"), kept by the store
            item.entities[lid] = stored[lid]
    return item


def _row(em: EventMention, mention_id: int) -> dict:
    return {c: getattr(em, c) for c in MENTION_FIELDS} | {"id": mention_id, "event_id": None}


def _new_mentions(items: list[AnalysedArticle], state: dict, rows: dict[int, dict]) -> list[tuple[int, list]]:
    """Event mentions of the articles not read yet; each enters ``rows`` under the id the store gives it
    (``state["next_id"]`` onwards, in article and mention order)."""
    read, next_id = [], state["next_id"]
    for item in items:
        aid = item.article.id
        if aid in state["read"]:
            continue
        item = _with_gazetteer_entities(item, aid in state["tagged"])
        ems = event_mentions_of(item, date_fallback=state["story_start"].get(item.article.story_id))
        for em in ems:
            em.article_id = aid
            rows[next_id] = _row(em, next_id)
            next_id += 1
        read.append((aid, ems))
    return read


def _redated(rows: list[dict], undated: dict[int, str | None]) -> tuple[dict[int, dict], list[tuple]]:
    """Mentions (of ``rows``: those of undated articles) whose date is their story's first date, where that
    date has moved: each as it is now (re-dated) by id, and the places they held in :func:`mention_order`."""
    out, old = {}, []
    for m in sorted(rows, key=lambda m: m["id"]):
        if m["article_id"] in undated and follows_story(None, m["time_precision"]):
            d, p = fallback_date(undated[m["article_id"]])
            if (d, p) != (m["date"], m["time_precision"]):
                old.append(mention_order(m))
                out[m["id"]] = dict(m, date=d, time_precision=p)
    return out, old


def run_events(items: list[AnalysedArticle], state: dict) -> dict:
    """The cross-article stage: the new articles' mentions, undated mentions re-dated after their story's
    start, and the events that change (see the module docstring for ``state`` and the updates)."""
    index = state["mentions"]
    if isinstance(index, dict):     # the event index held whole in memory
        index = RowIndex(index)
    redated, old_keys = _redated(index.of_articles(sorted(state["undated"])) if state["undated"] else [],
                                 state["undated"])
    dates = [(i, m["date"], m["time_precision"]) for i, m in sorted(redated.items())]
    rows = {m["id"]: redated.pop(m["id"], None) or dict(m) for m in index.unmerged()}   # stored, never merged
    read = _new_mentions(items, state, rows)
    changes = merge_changes(index, rows, redated, old_keys, set(state["moved"]), Provenance(**state["provenance"]))
    return {"read": read, "first_id": state["next_id"], "redated": dates, "changes": changes}
