"""Merging event mentions into events across articles: pure, no store.

In: event-mention rows (dicts with the ``event_mentions`` columns, their ``id`` and the ``event_id`` of the
stored event they belong to, None for a new mention) and a :class:`Provenance` (articles' outlets and how
sentences travelled: exact duplicates, copied passages, copies). Out: clusters (:func:`cluster_mentions`:
mentions of the same sub-event type at the same place, or the same admin1 when one report is less
precise, or the same country when one report names only the country and the actors agree, dated
within two days of each other and with compatible actors), event records (:func:`event_record`: the
most precise place and date, the commonest actors, every article, evidence sentence, outlet and
independent origin) and :func:`merge_update`, the incremental step: it re-clusters only the segments of
the event index that new or changed mentions fall in and returns the events that changed.

Why re-clustering a segment gives what clustering every mention would: within one sub-event type,
mentions are taken in date order and a cluster closes for good once a mention comes more than two
days after its last one; so where two consecutive dates of a type lie more than two days apart,
nothing before the gap can join anything after it. A mention without a usable date keeps its cluster
open, so a type holding one is a single segment.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from ..text import normalize
from .lexicon import lexicon


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


@dataclass
class Provenance:
    """What independent origins and sources need, as plain data: articles (``id, outlet, url, source,
    cited_source``) by id, exact duplicates, copied passages per article (``(source, start, end,
    source_start, source_end)`` in the store's order) and the article each copies almost whole."""

    articles: dict[int, dict] = field(default_factory=dict)
    duplicate_of: dict[int, int] = field(default_factory=dict)
    passages: dict[int, list[tuple[int, int, int, int, int]]] = field(default_factory=dict)
    main_copy: dict[int, int] = field(default_factory=dict)


@lru_cache(maxsize=65536)
def _day(d: str | None) -> int | None:
    try:
        return date.fromisoformat(d[:10]).toordinal() if d else None
    except ValueError:
        return None


_PERIOD = re.compile(r"\s*\(\d{4}-?\d{0,4}\)")


@lru_cache(maxsize=65536)
def actor_key(name: str) -> str:
    """An ACLED actor name without its period: "Military Forces of Sudan (2019-)" and the generic
    "Military Forces of Sudan" (الجيش in a Sudanese story) are one actor when merging."""
    return _PERIOD.sub("", name).strip()


class _Cluster(list):
    """A cluster's mentions with what :func:`_compatible` asks of all of them kept up to date: the range of
    their days and the keys of their actors."""

    def __init__(self):
        super().__init__()
        self.lo = self.hi = None
        self.a1: set[str] = set()
        self.a2: set[str] = set()

    def add(self, m: dict) -> None:
        self.append(m)
        d = _day(m["date"])
        if d is not None:
            self.lo = d if self.lo is None else min(self.lo, d)
            self.hi = d if self.hi is None else max(self.hi, d)
        if m["actor1"]:
            self.a1.add(actor_key(m["actor1"]))
        if m["actor2"]:
            self.a2.add(actor_key(m["actor2"]))


def _compatible(m, c: _Cluster) -> bool:
    """Whether ``m`` joins cluster ``c``: every date within two days, actors that agree, and the same
    place (or admin1 told at another precision, or the country with the same actor1 when one names only it)."""
    a = _day(m["date"])
    if a is not None and c.lo is not None and (a - c.lo > 2 or c.hi - a > 2):
        return False
    if m["actor1"] and c.a1 and actor_key(m["actor1"]) not in c.a1:
        return False
    if m["actor2"] and c.a2 and actor_key(m["actor2"]) not in c.a2:
        return False
    for o in c:
        if m["location_id"] and m["location_id"] == o["location_id"]:
            return True
        if (m["admin1"] and m["admin1"] == o["admin1"] and m["country"] == o["country"]
                and m["geo_precision"] != o["geo_precision"]):
            return True
        if ((m["geo_precision"] == 3 or o["geo_precision"] == 3) and m["country"] and m["country"] == o["country"]
                and m["actor1"] and m["actor1"] == o["actor1"]):
            return True
    return False


def mention_order(m: dict) -> tuple:
    """The order clustering takes mentions in: sub-event type, then date (undated first), then id."""
    return (m["sub_event_type"], m["date"] is not None, m["date"] or "", m["id"])


def cluster_mentions(rows: list[dict], replay: int = 0) -> list[list[dict]]:
    """Group event mentions (in :func:`mention_order`) into events: same sub-event type, compatible
    place, actors and dates (see :func:`_compatible`). A cluster more than two days older than the
    mention at hand is closed. The first ``replay`` mentions keep the event they are stored in
    (``event_id``): the clusters are rebuilt as they stood when the next mention came, without deciding again."""
    clusters: list[_Cluster] = []
    by_type: dict[str, list[_Cluster]] = {}
    stored: dict[int, _Cluster] = {}
    for k, m in enumerate(rows):
        day = _day(m["date"])
        active = by_type.setdefault(m["sub_event_type"], [])
        if day is not None:
            active[:] = [c for c in active if c.hi is None or c.hi >= day - 2]
        c = stored.get(m["event_id"]) if k < replay else next((c for c in active if _compatible(m, c)), None)
        if c is None:
            c = _Cluster()
            active.append(c)
            clusters.append(c)
            if k < replay:
                stored[m["event_id"]] = c
        c.add(m)
    return clusters


def segments(rows: list[dict]) -> list[list[dict]]:
    """The mentions of one sub-event type (in :func:`mention_order`) cut where no cluster can cross: at
    gaps of more than two days between consecutive dates; one segment when any mention has no date."""
    days = [_day(m["date"]) for m in rows]
    if any(d is None for d in days):
        return [rows] if rows else []
    out: list[list[dict]] = []
    for m, d in zip(rows, days):
        if out and d <= prev + 2:
            out[-1].append(m)
        else:
            out.append([m])
        prev = d
    return out


# -- independent origins ----------------------------------------------------------------------------

def origin_article(prov: Provenance, aid: int, start: int, end: int, seen=None) -> int:
    """The earliest article a sentence comes from: through exact duplicates, copied passages covering
    most of it, and copies of almost the whole article."""
    seen = seen or set()
    if aid in seen:
        return aid
    seen.add(aid)
    dup = prov.duplicate_of.get(aid)
    if dup:
        return origin_article(prov, dup, start, end, seen)
    for src, p0, p1, s0, _s1 in prov.passages.get(aid, ()):
        if not (p0 < end and p1 > start):
            continue
        overlap = min(end, p1) - max(start, p0)
        if overlap >= 0.5 * (end - start):
            s = s0 + max(0, start - p0)
            return origin_article(prov, src, s, s + (end - start), seen)
    src = prov.main_copy.get(aid)
    if src:
        return origin_article(prov, src, start, end, seen)
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


# -- event records ----------------------------------------------------------------------------------

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


def event_record(c: list[dict], prov: Provenance) -> dict:
    """The merged event of one cluster: the most precise place and date, the commonest actors, every
    article, evidence sentence (offsets; the store adds the sentence's text), outlet and independent origin."""
    best_loc = min(c, key=lambda m: (m["geo_precision"] or 9, m["location_id"] is None, m["id"]))
    best_date = min(c, key=lambda m: (m["time_precision"] or 9, m["date"] or "9999", m["id"]))
    a1 = Counter(m["actor1"] for m in c if m["actor1"]).most_common(1)
    a2 = Counter(m["actor2"] for m in c if m["actor2"]).most_common(1)
    actor1 = a1[0][0] if a1 else None
    actor2 = a2[0][0] if a2 else None
    article_ids = sorted({m["article_id"] for m in c})
    arts = prov.articles
    evidence, seen, origins = [], set(), set()
    for m in sorted(c, key=lambda m: (m["article_id"], m["sentence_start"])):
        k = (m["article_id"], m["sentence_start"])
        if k in seen:
            continue
        seen.add(k)
        evidence.append({"article_id": m["article_id"], "start": m["sentence_start"], "end": m["sentence_end"]})
        origin = origin_article(prov, m["article_id"], m["sentence_start"], m["sentence_end"])
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


# -- the incremental step ---------------------------------------------------------------------------

@dataclass
class EventChanges:
    """What merging changed: stored events to drop, the events to write with their mentions' ids, and the
    mentions whose event is another than the one stored (``(mention id, event id)``)."""

    drop: list[int] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    members: list[list[int]] = field(default_factory=list)
    assign: list[tuple[int, int]] = field(default_factory=list)


def _affected_clusters(rows: dict[int, dict], touched: set[int], old_keys: list[tuple]) -> list[list[dict]]:
    """The clusters of every segment that a touched mention (at its place in :func:`mention_order`) or a
    re-dated mention's former place (``old_keys``) falls in or just before; in each, the mentions before
    the first such place keep their stored events and the rest are clustered again."""
    keys: dict[str, list[tuple]] = {}
    for i in touched:
        keys.setdefault(rows[i]["sub_event_type"], []).append(mention_order(rows[i]))
    for k in old_keys:
        keys.setdefault(k[0], []).append(k)
    by_type: dict[str, list[dict]] = {}
    for m in rows.values():
        if m["sub_event_type"] in keys:
            by_type.setdefault(m["sub_event_type"], []).append(m)
    out: list[list[dict]] = []
    for t in sorted(by_type):
        prev = None
        for seg in segments(sorted(by_type[t], key=mention_order)):
            last = mention_order(seg[-1])
            inside = [k for k in keys[t] if (prev is None or k > prev) and k <= last]
            prev = last
            if inside:
                first = min(inside)
                out += cluster_mentions(seg, replay=sum(mention_order(m) < first for m in seg))
    return out


def merge_update(rows: dict[int, dict], touched: set[int], moved_articles: set[int], prov: Provenance,
                 old_keys: list[tuple] = ()) -> EventChanges:
    """The events that change when the mentions ``touched`` (new, re-dated from their former places
    ``old_keys``, or never merged) enter the event index ``rows`` (every mention by id, with its stored
    ``event_id``), and when the provenance of ``moved_articles`` changed (their events' origins are counted
    again). Unchanged events are left alone; what is left of a stored event outside the clustered part
    is an event of its own (its record is built again)."""
    size = Counter(m["event_id"] for m in rows.values() if m["event_id"] is not None)
    clusters = _affected_clusters(rows, touched, list(old_keys)) if touched or old_keys else []
    placed = {m["id"] for c in clusters for m in c}
    redo = {m["event_id"] for c in clusters for m in c}
    redo |= {m["event_id"] for m in rows.values() if m["article_id"] in moved_articles}
    rest: dict[int, list[dict]] = {}
    for m in rows.values():
        if m["event_id"] is not None and m["event_id"] in redo and m["id"] not in placed:
            rest.setdefault(m["event_id"], []).append(m)
    clusters += [sorted(c, key=mention_order) for _, c in sorted(rest.items())]
    out = EventChanges()
    for c in clusters:
        ids = {m["event_id"] for m in c}
        same = (len(ids) == 1 and None not in ids and size[next(iter(ids))] == len(c)
                and not any(m["id"] in touched or m["article_id"] in moved_articles for m in c))
        if same:
            continue
        out.drop += sorted(i for i in ids if i is not None)
        ev = event_record(c, prov)
        out.events.append(ev)
        out.members.append([m["id"] for m in c])
        out.assign += [(m["id"], ev["id"]) for m in c if m["event_id"] != ev["id"]]
    out.drop = sorted(set(out.drop))
    return out
