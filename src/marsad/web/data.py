"""What the web pages and the API read: plain dicts from the store, never recomputed.

In: a :class:`~marsad.store.Store`. Out: dicts in the shape of the ``marsad/1`` export (articles,
stories, entities, claims, events) plus what the pages need around them (map points, timelines,
highlighted text segments). Claims and events come from :mod:`marsad.claims` and
:mod:`marsad.events` when those stages are installed and have run; otherwise they are empty lists.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter, defaultdict
from typing import Any, Iterable

from ..store import Store

ENTITY_TYPES = ("PER", "ORG", "GPE", "LOC", "FAC", "NORP")
ARTICLE_COLUMNS = ("id", "source", "url", "outlet", "title", "title_derived", "published", "language", "text",
                   "duplicate_of", "story_id", "byline", "cited_source", "removed")
# Explicit bidi embeddings, overrides and isolates: untrusted text must not reorder the page around it.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def inert(text: Any) -> str:
    """Display form of untrusted text: bidi control characters dropped (HTML escaping is Jinja's job)."""
    return BIDI_CONTROLS.sub("", "" if text is None else str(text))


# -- optional stages ---------------------------------------------------------------------------
def _tolerant(fn, *args, **kwargs) -> list:
    try:
        return list(fn(*args, **kwargs) or [])
    except sqlite3.OperationalError:      # the stage's tables are not there yet
        return []


def claims(store: Store, story_id: int | None = None) -> list[dict]:
    try:
        from ..claims import claims as _claims
    except ImportError:
        return []
    try:
        out = _tolerant(_claims, store, story_id=story_id)
    except TypeError:                       # an implementation without the story filter
        out = _tolerant(_claims, store)
    if story_id is not None:
        out = [c for c in out if c.get("story_id") == story_id]
    return out


def claim_groups(store: Store, story_id: int | None = None) -> list[dict]:
    try:
        from ..claims import claim_groups as _groups
    except ImportError:
        return []
    try:
        return _tolerant(_groups, store, story_id=story_id)
    except TypeError:                       # an implementation without the story filter
        groups = _tolerant(_groups, store)
        return [g for g in groups if story_id is None or g.get("story_id") == story_id]


def events(store: Store, story_id: int | None = None) -> list[dict]:
    try:
        from ..events import events as _events
    except ImportError:
        return []
    out = _tolerant(_events, store)
    if story_id is not None:
        out = [e for e in out if e.get("story_id") == story_id]
    return out


def stories(store: Store) -> list[dict]:
    try:
        from ..link import stories as _stories
    except ImportError:
        return []
    return _tolerant(_stories, store)


def story(store: Store, story_id: int) -> dict | None:
    try:
        from ..link import story as _story
    except ImportError:
        return None
    try:
        return _story(store, story_id)
    except sqlite3.OperationalError:
        return None


def copies(store: Store, article_id: int | None = None) -> list[dict]:
    try:
        from ..link import copies as _copies
    except ImportError:
        return []
    try:
        return _copies(store, article_id=article_id)
    except sqlite3.OperationalError:
        return []


def origins_count(group: dict) -> int | None:
    """The number of independent origins of a claim group, whatever the stage names the field."""
    for key in ("n_independent_origins", "independent_origins", "n_origins", "origins"):
        v = group.get(key)
        if isinstance(v, bool):
            continue
        if isinstance(v, int):
            return v
        if isinstance(v, (list, tuple, set)):
            return len(v)
    return None


def origin_names(group: dict) -> list[str]:
    for key in ("independent_origins", "origins", "origin_names"):
        v = group.get(key)
        if isinstance(v, (list, tuple)):
            return [str(x if not isinstance(x, dict) else x.get("name") or x.get("origin") or x) for x in v]
    return []


def outlets_count(group: dict) -> int | None:
    for key in ("n_outlets", "outlets"):
        v = group.get(key)
        if isinstance(v, int) and not isinstance(v, bool):
            return v
        if isinstance(v, (list, tuple, set)):
            return len(v)
    return None


def group_id(group: dict) -> Any:
    return group.get("id", group.get("group_id"))


def contradicted_ids(group: dict) -> list:
    """Ids of the groups this one contradicts (``contradicts`` holds ids or dicts with ``group_id``)."""
    return [c.get("group_id") if isinstance(c, dict) else c for c in group.get("contradicts") or []]


def provenance_chain(claim: dict, outlet: str | None) -> list[str]:
    """Outlet → relays / cited sources → origin, as names, consecutive repeats dropped."""
    chain = claim.get("provenance")
    if not isinstance(chain, list) or not chain:
        chain = [outlet or "مصدر غير معروف"] + [x for x in (claim.get("attribution") or [])]
    chain = [str(x) for x in chain if x]
    origin = claim.get("origin")
    if origin and (not chain or chain[-1] != origin):
        chain.append(str(origin))
    out: list[str] = []
    for x in chain:
        if not out or out[-1] != x:
            out.append(x)
    return out


def count_claims(store: Store) -> int:
    try:
        return store.db.execute("SELECT count(*) FROM claims").fetchone()[0]
    except sqlite3.OperationalError:
        return len(claims(store))


def story_origin_counts(store: Store) -> dict[int, int]:
    """Per story, the largest number of independent origins any of its claim groups has."""
    try:   # fast path on the claims stage's table; the reading function below is the fallback
        return {r[0]: r[1] for r in store.db.execute(
            "SELECT story_id, max(n_origins) FROM claim_groups WHERE story_id IS NOT NULL GROUP BY story_id")}
    except sqlite3.OperationalError:
        pass
    out: dict[int, int] = {}
    for g in claim_groups(store):
        sid, n = g.get("story_id"), origins_count(g)
        if sid is not None and n is not None:
            out[sid] = max(out.get(sid, 0), n)
    return out


# -- articles ----------------------------------------------------------------------------------
def article_record(r: sqlite3.Row) -> dict:
    d = {k: r[k] for k in ARTICLE_COLUMNS}
    d["title_derived"] = bool(d["title_derived"])
    d["removed"] = json.loads(d["removed"] or "[]")
    return d


def query_articles(store: Store, *, limit: int = 50, offset: int = 0, outlet: str | None = None,
                   story_id: int | None = None, since: str | None = None, until: str | None = None,
                   ids: Iterable[int] | None = None) -> tuple[int, list[dict]]:
    where, args = [], []
    if outlet is not None:
        where.append("outlet = ?"); args.append(outlet)
    if story_id is not None:
        where.append("story_id = ?"); args.append(story_id)
    if since is not None:
        where.append("published >= ?"); args.append(since)
    if until is not None:
        where.append("published <= ?"); args.append(until)
    if ids is not None:
        ids = list(ids)
        where.append(f"id IN ({','.join('?' * len(ids))})"); args.extend(ids)
    sql_where = (" WHERE " + " AND ".join(where)) if where else ""
    total = store.db.execute("SELECT count(*) FROM articles" + sql_where, args).fetchone()[0]
    rows = store.db.execute(f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles{sql_where} "
                            "ORDER BY coalesce(published, '0000') DESC, id DESC LIMIT ? OFFSET ?",
                            [*args, limit, offset]).fetchall()
    return total, [article_record(r) for r in rows]


def outlets(store: Store) -> list[tuple[str, int]]:
    return [(r[0], r[1]) for r in store.db.execute(
        "SELECT outlet, count(*) FROM articles WHERE outlet IS NOT NULL GROUP BY outlet ORDER BY count(*) DESC, outlet")]


def entity_record(store: Store, e, n: int | None = None, with_mentions: bool = True) -> dict:
    d = {"id": e.id, "type": e.type, "name_ar": e.name_ar, "name_en": e.name_en, "lat": e.lat, "lon": e.lon,
         "country": e.country, "admin1": e.admin1, "geo_precision": e.geo_precision, "aliases": e.aliases}
    if with_mentions:
        d["mentions"] = [{"article_id": m.article_id, "start": m.start, "end": m.end, "text": m.text}
                         for m in store.mentions(entity_id=e.id)]
    if n is not None:
        d["mention_count"] = n
    return d


def entity_names(store: Store, ids: Iterable[str]) -> dict[str, dict]:
    ids = list(set(ids))
    out: dict[str, dict] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for r in store.db.execute(f"SELECT id, type, name_ar, name_en, lat, lon FROM entities WHERE id IN "
                                  f"({','.join('?' * len(chunk))})", chunk):
            out[r["id"]] = dict(r)
    return out


def highlighted(text: str, mentions: list, passages: list[dict] | None = None,
                claim_spans: list[tuple[int, int, str]] | None = None) -> list[list[dict]]:
    """The article text as paragraphs of segments: ``{"text", "entity"?, "type"?, "copied"?, "claim"?}``.

    Mentions never overlap in the store's output; an overlapping one is skipped. Copied passages
    (spans of this article's text reused from an earlier article) mark the segments they cover.
    """
    spans = []
    last = -1
    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if m.start >= last and 0 <= m.start < m.end <= len(text):
            spans.append(m)
            last = m.end
    copied = sorted((p["start"], p["end"], p["source_article_id"]) for p in (passages or []))
    cuts = {0, len(text)}
    for m in spans:
        cuts.update((m.start, m.end))
    claimed = sorted((s, e, t) for s, e, t in (claim_spans or []) if isinstance(s, int) and isinstance(e, int))
    for s, e, _ in copied + claimed:
        cuts.update((max(0, min(s, len(text))), max(0, min(e, len(text)))))
    for i, ch in enumerate(text):
        if ch == "\n":
            cuts.update((i, i + 1))
    bounds = sorted(cuts)
    by_start = {m.start: m for m in spans}
    paragraphs: list[list[dict]] = [[]]
    current = None
    for a, b in zip(bounds, bounds[1:]):
        piece = text[a:b]
        if piece == "\n":
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        if current is not None and a >= current.end:
            current = None
        if a in by_start:
            current = by_start[a]
        seg: dict = {"text": piece}
        if current is not None and current.start <= a and b <= current.end:
            seg["entity"] = current.entity_id
            seg["type"] = current.type
        for s, e, src in copied:
            if s <= a and b <= e:
                seg["copied"] = src
                break
        for s, e, what in claimed:
            if s <= a and b <= e:
                seg["claim"] = what
                break
        paragraphs[-1].append(seg)
    return [p for p in paragraphs if p]


def places_points(store: Store, article_ids: Iterable[int] | None = None, limit: int = 60) -> list[dict]:
    """Places (entities with coordinates) mentioned in the given articles (all when None), by mentions."""
    args: list = []
    where = "e.lat IS NOT NULL AND e.lon IS NOT NULL"
    if article_ids is not None:
        ids = list(article_ids)
        if not ids:
            return []
        where += f" AND m.article_id IN ({','.join('?' * len(ids))})"
        args = ids
    rows = store.db.execute(
        "SELECT e.id, e.name_ar, e.name_en, e.lat, e.lon, count(*) AS n, count(DISTINCT m.article_id) AS na "
        f"FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE {where} "
        "GROUP BY e.id ORDER BY n DESC, e.id LIMIT ?", [*args, limit]).fetchall()
    return [{"lat": r["lat"], "lon": r["lon"], "label": r["name_ar"], "label_en": r["name_en"],
             "href": f"/entities/{r['id']}", "weight": r["na"], "kind": "place",
             "note": f"{r['na']} مقالة"} for r in rows]


def event_points(evts: list[dict], names: dict[str, dict] | None = None) -> list[dict]:
    out = []
    for e in evts:
        lat, lon = e.get("lat"), e.get("lon")
        if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
            continue
        loc = e.get("location")
        place = (names or {}).get(loc, {}) if isinstance(loc, str) else {}
        label = place.get("name_ar") or e.get("location_name") or event_type_ar(e.get("event_type")) or "حدث"
        kind = event_type_ar(e.get("event_type"))
        out.append({"lat": lat, "lon": lon, "label": label,
                    "label_en": " · ".join(str(x) for x in (e.get("sub_event_type"), place.get("name_en")) if x) or None,
                    "href": f"/stories/{e['story_id']}#event-{e.get('id')}" if e.get("story_id") is not None else None,
                    "weight": max(1, len(e.get("article_ids") or [])), "kind": "event",
                    "note": " ".join(str(x) for x in (kind, e.get("date")) if x)})
    return merge_points(out)


def merge_points(points: list[dict]) -> list[dict]:
    """One marker per place: events at the same coordinates become one, weighted by their number."""
    by_place: dict[tuple, dict] = {}
    for p in points:
        key = (round(p["lat"], 3), round(p["lon"], 3))
        q = by_place.get(key)
        if q is None:
            by_place[key] = dict(p, n=1)
        else:
            q["n"] += 1
            q["weight"] += p["weight"]
    for q in by_place.values():
        if q["n"] > 1:
            q["note"] = f"{q['n']} أحداث"
    return list(by_place.values())


EVENT_TYPES_AR = {"Battles": "معارك", "Explosions/Remote violence": "انفجارات وعنف عن بُعد",
                  "Violence against civilians": "عنف ضد المدنيين", "Protests": "احتجاجات", "Riots": "أعمال شغب",
                  "Strategic developments": "تطورات استراتيجية"}


def event_type_ar(event_type: str | None) -> str | None:
    """ACLED's event type in Arabic (the taxonomy itself is English)."""
    return EVENT_TYPES_AR.get(event_type or "", event_type)


def day_counts(dates: Iterable[str | None]) -> list[tuple[str, int]]:
    c = Counter(d[:10] for d in dates if d)
    return sorted(c.items())


def cooccurring(store: Store, entity_id: str, limit: int = 20) -> list[dict]:
    rows = store.db.execute(
        "SELECT e.id, e.type, e.name_ar, e.name_en, count(DISTINCT m2.article_id) AS n FROM mentions m1 "
        "JOIN mentions m2 ON m2.article_id = m1.article_id AND m2.entity_id != m1.entity_id "
        "JOIN entities e ON e.id = m2.entity_id WHERE m1.entity_id = ? GROUP BY e.id ORDER BY n DESC, e.name_ar LIMIT ?",
        (entity_id, limit)).fetchall()
    return [dict(r) for r in rows]


def group_mentions_by_story(store: Store, entity_id: str) -> list[dict]:
    rows = store.db.execute(
        "SELECT a.id, a.title, a.outlet, a.published, a.story_id, count(*) AS n, min(m.start) AS first, "
        "(SELECT text FROM mentions WHERE article_id = a.id AND entity_id = ? ORDER BY start LIMIT 1) AS form "
        "FROM mentions m JOIN articles a ON a.id = m.article_id WHERE m.entity_id = ? "
        "GROUP BY a.id ORDER BY a.story_id, a.published, a.id", (entity_id, entity_id)).fetchall()
    titles = {}
    by_story: dict[Any, list[dict]] = defaultdict(list)
    for r in rows:
        by_story[r["story_id"]].append(dict(r))
    sids = [s for s in by_story if s is not None]
    if sids:
        try:
            titles = {r[0]: r[1] for r in store.db.execute(
                f"SELECT id, title FROM stories WHERE id IN ({','.join('?' * len(sids))})", sids)}
        except sqlite3.OperationalError:
            titles = {}
    out = [{"story_id": sid, "title": titles.get(sid), "articles": arts} for sid, arts in by_story.items()]
    out.sort(key=lambda s: -len(s["articles"]))
    return out
