"""Pipeline stage: event mentions per article, merged into events across articles.

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
import os
from collections import Counter
from datetime import date
from functools import lru_cache

from ..text import normalize
from .extract import EventMention, extract_event_mentions
from .lexicon import lexicon, word_key

_MENTION_COLS = ["article_id", "sentence_start", "sentence_end", "trigger_start", "trigger_end", "trigger", "gloss",
                 "event_type", "sub_event_type", "date", "time_precision", "actor1", "inter1", "assoc_actor_1",
                 "actor2", "inter2", "location_id", "location_name", "lat", "lon", "geo_precision", "admin1",
                 "country", "fatalities"]


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


def _story_start(store, story_id):
    if story_id is None:
        return None
    row = store.db.execute("SELECT min(published) FROM articles WHERE story_id=? AND published IS NOT NULL", (story_id,)).fetchone()
    return row[0] if row else None


def events_for_article(store, article_id: int) -> list[EventMention]:
    """Event mentions of one stored article (entity mentions from the store, or tagged now)."""
    a = store.db.execute("SELECT id, text, published, story_id FROM articles WHERE id=?", (article_id,)).fetchone()
    sentences = store.sentences(article_id)
    mentions = store.mentions(article_id=article_id)
    entities = {}
    if not mentions and not _tagged(store, article_id):
        from ..entities import extract_entities
        mentions, entities = extract_entities(a["text"])
    else:
        for eid in {m.entity_id for m in mentions if m.entity_id}:
            e = store.entity(eid)
            if e is not None:
                entities[eid] = e
        _restore_areas(a["text"], sentences, mentions, entities)
    return extract_event_mentions(a["text"], sentences, mentions, entities, a["published"], article_id,
                                  date_fallback=_story_start(store, a["story_id"]), country_names=_CountryNames())


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


def _tagged(store, article_id: int) -> bool:
    row = store.db.execute("SELECT value FROM meta WHERE key='entities.last_article_id'").fetchone()
    return bool(row and int(row[0]) >= article_id)


def extract_events(store, progress=None) -> int:
    """Read every article not yet read, then re-merge events; returns the number of articles read."""
    todo = [r[0] for r in store.db.execute(
        "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM event_state) ORDER BY id")]
    batch = 64     # articles per transaction: each committed batch survives an interruption
    for b in range(0, len(todo), batch):
        chunk = [(aid, events_for_article(store, aid)) for aid in todo[b:b + batch]]
        with store.transaction():
            for aid, ems in chunk:
                store.db.execute("DELETE FROM event_mentions WHERE article_id=?", (aid,))
                store.db.executemany(
                    f"INSERT INTO event_mentions({','.join(_MENTION_COLS)}) VALUES ({','.join('?' * len(_MENTION_COLS))})",
                    [tuple(getattr(em, c) for c in _MENTION_COLS) for em in ems])
                store.db.execute("INSERT OR REPLACE INTO event_state(article_id, n_mentions) VALUES (?,?)", (aid, len(ems)))
        if progress:
            progress("events", min(b + batch, len(todo)), len(todo))
    n_events = store.db.execute("SELECT count(*) FROM events").fetchone()[0]
    n_mentions = store.db.execute("SELECT count(*) FROM event_mentions").fetchone()[0]
    if todo or (n_mentions and not n_events):
        merge_events(store)
    return len(todo)


# -- merging -------------------------------------------------------------------------------------

def _day(d: str | None) -> int | None:
    try:
        return date.fromisoformat(d[:10]).toordinal() if d else None
    except ValueError:
        return None


def _compatible(m, members) -> bool:
    for o in members:
        a, b = _day(m["date"]), _day(o["date"])
        if a is not None and b is not None and abs(a - b) > 2:
            return False
    a1 = {o["actor1"] for o in members if o["actor1"]}
    a2 = {o["actor2"] for o in members if o["actor2"]}
    if m["actor1"] and a1 and m["actor1"] not in a1:
        return False
    if m["actor2"] and a2 and m["actor2"] not in a2:
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


def _origin_article(store, aid: int, start: int, end: int, seen=None) -> int:
    """The earliest article a sentence comes from: through copied passages covering most of it, and
    exact duplicates."""
    seen = seen or set()
    if aid in seen:
        return aid
    seen.add(aid)
    row = store.db.execute("SELECT duplicate_of FROM articles WHERE id=?", (aid,)).fetchone()
    if row and row[0]:
        return _origin_article(store, row[0], start, end, seen)
    for r in store.db.execute("SELECT source_article_id, start, end, source_start, source_end FROM copy_passages "
                              "WHERE article_id=? AND start < ? AND end > ?", (aid, end, start)):
        overlap = min(end, r[2]) - max(start, r[1])
        if overlap >= 0.5 * (end - start):
            s = r[3] + max(0, start - r[1])
            return _origin_article(store, r[0], s, s + (end - start), seen)
    row = store.db.execute("SELECT source_article_id FROM copies WHERE article_id=? AND coverage >= 0.8 "
                           "ORDER BY coverage DESC LIMIT 1", (aid,)).fetchone()
    if row:
        return _origin_article(store, row[0], start, end, seen)
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


def merge_events(store) -> int:
    """Rebuild ``events`` from all event mentions; returns the number of events."""
    rows = [dict(r) for r in store.db.execute("SELECT * FROM event_mentions ORDER BY sub_event_type, date, id")]
    arts = {r["id"]: r for r in store.db.execute(
        "SELECT id, outlet, url, source, cited_source, published, story_id FROM articles")}
    clusters: list[list[dict]] = []
    by_type: dict[str, list[list[dict]]] = {}
    last_day: dict[int, int | None] = {}
    for m in rows:   # sorted by type then date (undated first): clusters more than 2 days old retire
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
    with store.transaction():
        store.db.execute("DELETE FROM events")
        for c in clusters:
            eid = min(m["id"] for m in c)
            best_loc = min(c, key=lambda m: (m["geo_precision"] or 9, m["location_id"] is None, m["id"]))
            best_date = min(c, key=lambda m: (m["time_precision"] or 9, m["date"] or "9999", m["id"]))
            a1 = Counter(m["actor1"] for m in c if m["actor1"]).most_common(1)
            a2 = Counter(m["actor2"] for m in c if m["actor2"]).most_common(1)
            actor1 = a1[0][0] if a1 else None
            actor2 = a2[0][0] if a2 else None
            inter1 = next((m["inter1"] for m in c if m["actor1"] == actor1 and actor1), None)
            inter2 = next((m["inter2"] for m in c if m["actor2"] == actor2 and actor2), None)
            fat = max((m["fatalities"] for m in c if m["fatalities"] is not None), default=None)
            article_ids = sorted({m["article_id"] for m in c})
            evidence, seen = [], set()
            origins = set()
            for m in sorted(c, key=lambda m: (m["article_id"], m["sentence_start"])):
                k = (m["article_id"], m["sentence_start"])
                if k in seen:
                    continue
                seen.add(k)
                text = store.db.execute("SELECT substr(text, ?, ?) FROM articles WHERE id=?",
                                        (m["sentence_start"] + 1, m["sentence_end"] - m["sentence_start"], m["article_id"])).fetchone()[0]
                evidence.append({"article_id": m["article_id"], "start": m["sentence_start"], "end": m["sentence_end"], "text": text})
                origin = _origin_article(store, m["article_id"], m["sentence_start"], m["sentence_end"])
                origins.add(_origin_key(arts[origin]))
            sources = sorted({outlet_name(arts[a]) for a in article_ids})
            ev = {"sub_event_type": c[0]["sub_event_type"], "event_type": c[0]["event_type"],
                  "date": best_date["date"], "time_precision": best_date["time_precision"],
                  "actor1": actor1, "inter1": inter1, "assoc_actor_1": None, "actor2": actor2, "inter2": inter2,
                  "location_id": best_loc["location_id"], "location_name": best_loc["location_name"],
                  "lat": best_loc["lat"], "lon": best_loc["lon"], "geo_precision": best_loc["geo_precision"],
                  "admin1": best_loc["admin1"], "country": best_loc["country"], "fatalities": fat,
                  "gloss": Counter(m["gloss"] for m in c).most_common(1)[0][0]}
            # other actors on actor1's side (same role, other names) are ACLED's associated actors
            assoc = sorted({m["actor1"] for m in c if m["actor1"] and m["actor1"] != actor1})
            ev["assoc_actor_1"] = "; ".join(assoc) or None
            notes = _note(ev)
            store.db.execute(
                """INSERT INTO events(id, event_type, sub_event_type, date, time_precision, actor1, inter1, assoc_actor_1,
                   actor2, inter2, location_id, location_name, lat, lon, geo_precision, admin1, country, fatalities,
                   article_ids, sources, independent_origins, origins, evidence, notes)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                (eid, ev["event_type"], ev["sub_event_type"], ev["date"], ev["time_precision"], actor1, inter1,
                 ev["assoc_actor_1"], actor2, inter2, ev["location_id"], ev["location_name"], ev["lat"], ev["lon"],
                 ev["geo_precision"], ev["admin1"], ev["country"], fat, json.dumps(article_ids),
                 json.dumps(sources, ensure_ascii=False), len(origins), json.dumps(sorted(origins), ensure_ascii=False),
                 json.dumps(evidence, ensure_ascii=False), notes))
            store.db.executemany("UPDATE event_mentions SET event_id=? WHERE id=?", [(eid, m["id"]) for m in c])
    return len(clusters)
