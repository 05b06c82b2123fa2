"""Pipeline stage: event mentions per article, merged into events across articles.

Per article (pure, any process): :func:`event_mentions_of` / :func:`events_batch` take an
:class:`~marsad.model.AnalysedArticle` (article, sentences, mentions, entities) and give its
:class:`~marsad.model.EventMention` list. Across articles: :func:`cluster_mentions` groups stored
mentions into events (pure), :func:`merge_events` builds and stores the events. Every statement
of SQL is in :mod:`marsad.store.events`, reached through ``store.event_tables``.

In: a :class:`~marsad.store.Store` whose articles have sentences (and, ideally, entity mentions from
the entities stage; an article not yet tagged is tagged here in memory). Out: rows in
``event_mentions`` (one per trigger and place in a sentence), ``event_state`` (articles read; an
interrupted run resumes after the last committed article) and ``events``: mentions of the same
sub-event type at the same place (or the same admin1 when one report is less precise, or the same
country when one report names only the country and the actors agree), dated within two days of
each other and with compatible actors, are one event with all its article ids, evidence
sentences, outlets and its number of independent origins (outlets counted after collapsing exact
duplicates, copied passages/articles, and articles whose "المصدر:" line names the same origin).
"""

from __future__ import annotations

import json
import re
import os
from collections import Counter
from datetime import date
from functools import lru_cache

from ..model import AnalysedArticle, EventMention
from ..text import normalize
from .extract import extract_event_mentions
from .lexicon import lexicon, word_key


@lru_cache(maxsize=None)
def country_name(iso2: str | None) -> str | None:
    """English (CLDR) name of an ISO2 country code."""
    if not iso2:
        return None
    try:
        import babel
        return babel.Locale("en").territories.get(iso2.upper(), iso2)
    except Exception:  # babel missing or unknown code
        return iso2


class _CountryNames(dict):
    def get(self, key, default=None):
        return country_name(key) or default


def event_mentions_of(item: AnalysedArticle, date_fallback: str | None = None) -> list[EventMention]:
    """Event mentions of one analysed article (pure). Without entity mentions the article is tagged
    here; stored mentions get back the areas ("ريف إدلب") the store does not keep."""
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


def events_for_article(store, article_id: int) -> list[EventMention]:
    """Event mentions of one stored article (entity mentions from the store, or tagged now)."""
    tables = store.event_tables
    a = tables.article_row(article_id)
    from ..model import Article, Sentence
    item = AnalysedArticle(article=Article(source="", text=a["text"], id=a["id"], published=a["published"]),
                           sentences=[Sentence(article_id, i, s, e) for i, (s, e) in enumerate(store.sentences(article_id))],
                           mentions=store.mentions(article_id=article_id))
    if item.mentions or tables.entities_tagged(article_id):
        item.done.add("entities")
    from ..entities import get_entity
    for eid in sorted({m.entity_id for m in item.mentions if m.entity_id}):   # a set's order changes per process
        e = get_entity(eid) or store.entity(eid)    # the gazetteer's entity keeps its kind (army, armed group ...)
        if e is not None:
            item.entities[eid] = e
    return event_mentions_of(item, date_fallback=tables.story_start(a["story_id"]))


@lru_cache(maxsize=1)
def _qualifier_words() -> frozenset:
    from .. import data
    return frozenset(word_key(r["word_ar"].split()[-1]) for r in data.rows("geo_qualifiers.tsv")
                     if r.get("kind") in ("area", "admin") and len(r["word_ar"].split()[-1]) > 2)


def _restore_areas(text, sentences, mentions, entities) -> None:
    """Stored mentions keep no ``location_id`` ("ريف إدلب" → the Idlib countryside area): re-link the
    sentences where a place follows an area word (ريف, شمال, محيط, محافظة ...) to recover it."""
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


def extract_events(store, progress=None) -> int:
    """Read every article not yet read, then re-merge events; returns the number of articles read."""
    from ..settings import SETTINGS
    tables = store.event_tables
    todo = tables.articles_without_events()
    batch = SETTINGS.events.batch_articles     # each committed batch survives an interruption
    for b in range(0, len(todo), batch):
        chunk = [(aid, events_for_article(store, aid)) for aid in todo[b:b + batch]]
        with store.transaction():
            tables.replace_mentions(chunk)
        if progress:
            progress("events", min(b + batch, len(todo)), len(todo))
    n_events, n_mentions = tables.counts()
    if todo or (n_mentions and not n_events):
        merge_events(store)
    return len(todo)


# -- merging -------------------------------------------------------------------------------------

def _day(d: str | None) -> int | None:
    try:
        return date.fromisoformat(d[:10]).toordinal() if d else None
    except ValueError:
        return None


_PERIOD = re.compile(r"\s*\(\d{4}-?\d{0,4}\)")


def actor_key(name: str) -> str:
    """An ACLED actor name without its period: "Military Forces of Sudan (2019-)" and the generic
    "Military Forces of Sudan" (الجيش in a Sudanese story) are one actor when merging."""
    return _PERIOD.sub("", name).strip()


def _compatible(m, members) -> bool:
    for o in members:
        a, b = _day(m["date"]), _day(o["date"])
        if a is not None and b is not None and abs(a - b) > 2:
            return False
    a1 = {actor_key(o["actor1"]) for o in members if o["actor1"]}
    a2 = {actor_key(o["actor2"]) for o in members if o["actor2"]}
    if m["actor1"] and a1 and actor_key(m["actor1"]) not in a1:
        return False
    if m["actor2"] and a2 and actor_key(m["actor2"]) not in a2:
        return False
    for o in members:
        if m["location_id"] and m["location_id"] == o["location_id"]:
            return True
        if (m["admin1"] and m["admin1"] == o["admin1"] and m["country"] == o["country"]
                and m["geo_precision"] != o["geo_precision"]):
            return True
        if ((m["geo_precision"] == 3 or o["geo_precision"] == 3) and m["country"] and m["country"] == o["country"]
                and m["actor1"] and m["actor1"] == o["actor1"]):
            return True
    return False


def _origin_article(tables, aid: int, start: int, end: int, seen=None) -> int:
    """The earliest article a sentence comes from: through copied passages covering most of it, and
    exact duplicates."""
    seen = seen or set()
    if aid in seen:
        return aid
    seen.add(aid)
    dup = tables.duplicate_of(aid)
    if dup:
        return _origin_article(tables, dup, start, end, seen)
    for src, p0, p1, s0, _s1 in tables.passages_over(aid, start, end):
        overlap = min(end, p1) - max(start, p0)
        if overlap >= 0.5 * (end - start):
            s = s0 + max(0, start - p0)
            return _origin_article(tables, src, s, s + (end - start), seen)
    src = tables.main_copy_source(aid)
    if src:
        return _origin_article(tables, src, start, end, seen)
    return aid


def outlet_name(article) -> str:
    """An article's outlet as shown in ``sources``: the outlet, else its URL's host, else its file name."""
    if article["outlet"]:
        return article["outlet"]
    src = article["url"] or article["source"] or ""
    if "://" in src:
        return src.split("://", 1)[1].split("/", 1)[0]
    return os.path.basename(src.split("#", 1)[0]) or f"article {article['id']}"


@lru_cache(maxsize=4096)
def source_key(name: str) -> str:
    """One key per source, whatever its spelling: the linked entity id when the whole name is a
    known outlet or agency (بلومبيرج = بلومبيرغ), else the normalised name."""
    try:
        from ..entities import extract_entities
        mentions, _ = extract_entities(name, use_tagger=False)
        ids = {m.entity_id for m in mentions if m.entity_id and m.type == "ORG"}
        if len(ids) == 1:
            return "entity:" + ids.pop()
    except Exception:  # the linker is optional here
        pass
    return "name:" + normalize(name)


def _origin_key(article) -> str:
    if article["cited_source"]:
        return source_key(article["cited_source"])
    if article["outlet"]:
        return source_key(article["outlet"])
    return f"article:{article['id']}"


def _note(ev: dict) -> str:
    lex = lexicon()
    tpl = lex.taxonomy[ev["sub_event_type"]].get("note") or "On {date}, {trigger_en} in {location}."
    loc = ev["location_name"] or "an unknown location"
    parts = [p for p in (ev["admin1"] if ev["admin1"] and ev["admin1"] != ev["location_name"] else None,
                         country_name(ev["country"])) if p and p != ev["location_name"]]
    if parts:
        loc += " (" + ", ".join(parts) + ")"
    fat = ev["fatalities"]
    text = tpl.format(date=ev["date"] or "an unknown date", actor1=ev["actor1"] or "an unidentified actor",
                      actor2=ev["actor2"] or "an unidentified party", location=loc,
                      trigger_en=ev.get("gloss") or ev["sub_event_type"].lower(),
                      fatalities_text=f" {fat} fatalities were reported." if fat else "")
    return text.replace("On an unknown date, ", "")


def cluster_mentions(rows: list[dict]) -> list[list[dict]]:
    """Group event mentions (sorted by sub-event type, then date, undated first) into events:
    same sub-event type, compatible place, actors and dates (see :func:`_compatible`). Pure; a
    cluster more than two days older than the mention at hand is closed."""
    clusters: list[list[dict]] = []
    by_type: dict[str, list[list[dict]]] = {}
    last_day: dict[int, int | None] = {}
    for m in rows:
        day = _day(m["date"])
        active = by_type.setdefault(m["sub_event_type"], [])
        if day is not None:
            active[:] = [c for c in active if last_day[id(c)] is None or last_day[id(c)] >= day - 2]
        for c in active:
            if _compatible(m, c):
                c.append(m)
                if day is not None:
                    last_day[id(c)] = max(day, last_day[id(c)] or day)
                break
        else:
            c = [m]
            active.append(c)
            clusters.append(c)
            last_day[id(c)] = day
    return clusters


def _event_record(c: list[dict], arts: dict, tables) -> dict:
    """The merged event of one cluster: the most precise place and date, the commonest actors, every
    article, evidence sentence, outlet and independent origin."""
    best_loc = min(c, key=lambda m: (m["geo_precision"] or 9, m["location_id"] is None, m["id"]))
    best_date = min(c, key=lambda m: (m["time_precision"] or 9, m["date"] or "9999", m["id"]))
    a1 = Counter(m["actor1"] for m in c if m["actor1"]).most_common(1)
    a2 = Counter(m["actor2"] for m in c if m["actor2"]).most_common(1)
    actor1 = a1[0][0] if a1 else None
    actor2 = a2[0][0] if a2 else None
    article_ids = sorted({m["article_id"] for m in c})
    evidence, seen, origins = [], set(), set()
    for m in sorted(c, key=lambda m: (m["article_id"], m["sentence_start"])):
        k = (m["article_id"], m["sentence_start"])
        if k in seen:
            continue
        seen.add(k)
        evidence.append({"article_id": m["article_id"], "start": m["sentence_start"], "end": m["sentence_end"],
                         "text": tables.sentence_text(m["article_id"], m["sentence_start"], m["sentence_end"])})
        origin = _origin_article(tables, m["article_id"], m["sentence_start"], m["sentence_end"])
        origins.add(_origin_key(arts[origin]))
    ev = {"id": min(m["id"] for m in c), "sub_event_type": c[0]["sub_event_type"], "event_type": c[0]["event_type"],
          "date": best_date["date"], "time_precision": best_date["time_precision"],
          "actor1": actor1, "inter1": next((m["inter1"] for m in c if m["actor1"] == actor1 and actor1), None),
          "actor2": actor2, "inter2": next((m["inter2"] for m in c if m["actor2"] == actor2 and actor2), None),
          "location_id": best_loc["location_id"], "location_name": best_loc["location_name"],
          "lat": best_loc["lat"], "lon": best_loc["lon"], "geo_precision": best_loc["geo_precision"],
          "admin1": best_loc["admin1"], "country": best_loc["country"],
          "fatalities": max((m["fatalities"] for m in c if m["fatalities"] is not None), default=None),
          "gloss": Counter(m["gloss"] for m in c).most_common(1)[0][0],
          "article_ids": article_ids, "sources": sorted({outlet_name(arts[a]) for a in article_ids}),
          "independent_origins": len(origins), "origins": sorted(origins), "evidence": evidence}
    # other actors on actor1's side (same role, other names) are ACLED's associated actors
    ev["assoc_actor_1"] = "; ".join(sorted({m["actor1"] for m in c if m["actor1"] and m["actor1"] != actor1})) or None
    ev["notes"] = _note(ev)
    return ev


def merge_events(store) -> int:
    """Rebuild ``events`` from all event mentions; returns the number of events."""
    tables = store.event_tables
    clusters = cluster_mentions(tables.all_mentions())
    arts = tables.article_meta()
    records = [_event_record(c, arts, tables) for c in clusters]
    with store.transaction():
        tables.replace_events(records, [[m["id"] for m in c] for c in clusters])
    return len(clusters)
