"""Merging event mentions into events across articles: pure, no store.

In: event-mention rows (dicts with the ``event_mentions`` columns, their ``id`` and the ``event_id`` of the
stored event they belong to, None for a new mention) and a :class:`Provenance` (articles' outlets and how
sentences travelled: exact duplicates, copied passages, copies). Out: clusters (:func:`cluster_mentions`:
mentions of the same sub-event type at the same place, or the same admin1 when one report is less
precise, or the same country when one report names only the country and the actors agree, dated
within two days of each other and with compatible actors), event records (:func:`event_record`: the
most precise place and date, the commonest actors, every article, evidence sentence, outlet and
independent origin) and :func:`merge_changes` (:func:`merge_update` over rows held in memory), the
incremental step: it returns the events that change when new or re-dated mentions enter the event index,
reading the index (:class:`RowIndex`, or the store's) only around the places they fall in.

Why that gives what clustering every mention afresh would: within one sub-event type, mentions are taken
in date order and a cluster closes for good once a mention comes more than two days after its last one.
The stored events are that clustering of the stored mentions. Just before a touched place the clusters
still open are the stored events open there (each as it stood); clustering again from there, the walk
stops as soon as the open clusters are exactly the stored events open at that place again (after the
last touched place it has passed): every later decision is then the stored one, up to the next touched
place. A type holding a mention without a usable date keeps that mention's cluster open throughout, so
its affected segments (cut where consecutive dates lie more than two days apart; one segment when any
mention has no date) are clustered again whole, as :func:`cluster_mentions` with ``replay`` does.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Callable

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
    fetch: Callable[[set[int]], None] | None = None   # reads these articles' provenance ahead (the store's)


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


def _type_segment_clusters(rows: list[dict], keys: list[tuple]) -> list[list[dict]]:
    """The clusters of every segment of one sub-event type's mentions (``rows``, any order) that a key (a
    touched mention's place in :func:`mention_order`, or a re-dated mention's former place) falls in or just
    before; in each, the mentions before the first such place keep their stored events and the rest are
    clustered again."""
    out: list[list[dict]] = []
    prev = None
    for seg in segments(sorted(rows, key=mention_order)):
        last = mention_order(seg[-1])
        inside = [k for k in keys if (prev is None or k > prev) and k <= last]
        prev = last
        if inside:
            first = min(inside)
            out += cluster_mentions(seg, replay=sum(mention_order(m) < first for m in seg))
    return out


# -- the event index as merging reads it ------------------------------------------------------------

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def regular_date(d: str | None) -> bool:
    """Whether a mention's date starts with a valid ``YYYY-MM-DD`` day (the store's
    ``event_mentions_irregular`` index holds the mentions whose date does not have that shape)."""
    return d is not None and _ISO_DAY.match(d) is not None and _day(d) is not None


class RowIndex:
    """The event index held in memory (stored mentions by id, with their ``event_id``), read the way
    :func:`merge_changes` reads the store's (:class:`marsad.store.events.MentionIndex`): a sub-event
    type's mentions by date range, by event, by article."""

    def __init__(self, rows: dict[int, dict]):
        self.rows = rows

    def irregular_types(self) -> set[str]:
        return {m["sub_event_type"] for m in self.rows.values() if m["date"] is None or not _ISO_DAY.match(m["date"])}

    def between(self, sub_event_type: str, ranges: list[tuple[str, str]]) -> list[dict]:
        return [m for m in self.rows.values() if m["sub_event_type"] == sub_event_type and m["date"] is not None
                and any(lo <= m["date"] < hi for lo, hi in ranges)]

    def of_type(self, sub_event_type: str) -> list[dict]:
        return [m for m in self.rows.values() if m["sub_event_type"] == sub_event_type]

    def last_date(self, sub_event_type: str) -> str | None:
        return max((m["date"] for m in self.rows.values() if m["sub_event_type"] == sub_event_type
                    and m["date"] is not None), default=None)

    def members(self, event_ids: list[int]) -> list[dict]:
        ids = set(event_ids)
        return [m for m in self.rows.values() if m["event_id"] in ids]

    def of_articles(self, article_ids: list[int]) -> list[dict]:
        ids = set(article_ids)
        return [m for m in self.rows.values() if m["article_id"] in ids]

    def unmerged(self) -> list[dict]:
        return [m for m in self.rows.values() if m["event_id"] is None]


class _Fallback(Exception):
    """A sub-event type the walk by days cannot take (a mention without a usable date, or stored events
    unlike what clustering gives): its affected segments are clustered whole, as before."""


class _Tracked(_Cluster):
    """A cluster that knows whether it is still a stored event as it stood (``dirty`` once a touched
    mention, one of no event or of another event joins it)."""

    def __init__(self, touched: set[int]):
        super().__init__()
        self.touched = touched
        self.dirty = False

    def add(self, m: dict) -> None:
        if m["id"] in self.touched or m["event_id"] is None or (self and m["event_id"] != self[0]["event_id"]):
            self.dirty = True
        super().add(m)


class _Timeline:
    """One sub-event type's mentions, read from the index day by day as merging walks them: as stored
    (the stored events' world: re-dated mentions at their former dates, no new mentions) and as they are
    now (``overlay``: the new, unmerged and re-dated mentions, which are ``touched``, at their places).

    Clustering every mention of the type afresh (what merging must equal) is walked only where it can
    differ from the stored events: from each key (a touched mention's place or a re-dated one's former
    place), starting from the stored events still open there, until the open clusters are again exactly
    the stored events open at that place — every later decision is then the stored one, up to the next key.
    """

    def __init__(self, sub_event_type: str, index, overlay: list[dict], touched: set[int]):
        self.t, self.index, self.touched = sub_event_type, index, touched
        self.overlay: dict[int, list[dict]] = {}
        for m in overlay:
            self.overlay.setdefault(self._day_of(m), []).append(m)
        last = index.last_date(sub_event_type)
        self.last_day = max(list(self.overlay) + ([self._day_of({"date": last})] if last else []))
        self.stored: dict[int, list[dict]] = {}
        self.loaded: set[int] = set()
        self._new: dict[int, list[dict]] = {}
        self._old: dict[int, list[tuple[tuple, dict]]] = {}
        self._by_event: dict[int, list[tuple[tuple, dict]]] = {}
        self._event_day: dict[int, int] = {}

    @staticmethod
    def _day_of(m: dict) -> int:
        if not regular_date(m["date"]):
            raise _Fallback
        return _day(m["date"])

    def load(self, ranges: list[tuple[int, int]]) -> None:
        """Read the stored mentions of these days (inclusive ranges) not read yet, in one query."""
        runs: list[list[int]] = []
        for lo, hi in sorted(ranges):
            for d in range(max(lo, 1), hi + 1):
                if d in self.loaded:
                    continue
                self.loaded.add(d)
                if runs and runs[-1][1] == d - 1:
                    runs[-1][1] = d
                else:
                    runs.append([d, d])
        if not runs:
            return
        iso = lambda d: date.fromordinal(d).isoformat()   # noqa: E731
        for r in self.index.between(self.t, [(iso(a), iso(b + 1)) for a, b in runs]):
            d = self._day_of(r)
            self.stored.setdefault(d, []).append(r)
            if r["event_id"] is not None:
                self._by_event.setdefault(r["event_id"], []).append((mention_order(r), r))
                self._event_day.setdefault(r["event_id"], d)

    def new_day(self, d: int) -> list[dict]:
        """The mentions dated ``d`` as they are now, in :func:`mention_order`."""
        if d not in self._new:
            self.load([(d, d)])
            rows = [r for r in self.stored.get(d, ()) if r["id"] not in self.touched] + self.overlay.get(d, [])
            self._new[d] = sorted(rows, key=mention_order)
        return self._new[d]

    def old_day(self, d: int) -> list[tuple[tuple, dict]]:
        """The stored mentions of stored events dated ``d`` (re-dated ones at their former date), with their
        places in :func:`mention_order`."""
        if d not in self._old:
            self.load([(d, d)])
            self._old[d] = sorted(((mention_order(r), r) for r in self.stored.get(d, ()) if r["event_id"] is not None),
                                  key=lambda x: x[0])
        return self._old[d]

    def members(self, event_ids) -> dict[int, list[tuple[tuple, dict]]]:
        """Every stored mention of these events, as stored, with its place. A stored event's mentions lie
        within two days of each other (clustering keeps them so), so the days around one of them hold all."""
        unknown = sorted({e for e in event_ids if e not in self._event_day})
        if unknown:
            for r in self.index.members(unknown):
                self._event_day.setdefault(r["event_id"], self._day_of(r))
        self.load([(self._event_day[e] - 2, self._event_day[e] + 2) for e in set(event_ids) if e in self._event_day])
        return {e: self._by_event.get(e, []) for e in event_ids}

    def rows_from(self, key: tuple):
        """The mentions as they are now from ``key`` on, in :func:`mention_order` (read in growing spans)."""
        d, span = _day(key[2]), 2
        while d <= self.last_day:
            if d not in self.loaded:
                self.load([(d, min(self.last_day, d + span))])
                span *= 2
            for m in self.new_day(d):
                if mention_order(m) >= key:
                    yield m
            d += 1

    def open_at(self, key: tuple) -> list[_Tracked]:
        """The stored events open just before ``key`` (a mention dated within two days before it, so not
        closed by the first mention from ``key`` on), each as it stood there, in the order they began."""
        kd = _day(key[2])
        self.load([(kd - 2, kd)])
        ids: list[int] = []
        for d in range(kd - 2, kd + 1):
            for k, r in self.old_day(d):
                if k < key and r["event_id"] not in ids:
                    ids.append(r["event_id"])
        out = []
        for e, rows in self.members(ids).items():
            c = _Tracked(self.touched)
            for k, r in sorted(rows, key=lambda x: x[0]):
                if k < key:
                    if r["id"] in self.touched:
                        raise _Fallback
                    c.add(r)
            out.append(c)
        out.sort(key=lambda c: mention_order(c[0]))
        return out

    def converged(self, active: list[_Tracked], key: tuple, day: int) -> bool:
        """Whether the open clusters just after the mention at ``key`` (dated ``day``, untouched) are exactly
        the stored events open there (so every later decision is the stored one)."""
        if any(c.dirty for c in active):
            return False
        open_ids = {r["event_id"] for d in range(day - 2, day + 1) for k, r in self.old_day(d) if k <= key}
        ids = [c[0]["event_id"] for c in active]
        if len(open_ids) != len(active) or set(ids) != open_ids:
            return False
        members = self.members(ids)
        return all(len(c) == sum(k <= key for k, _r in members[e]) for c, e in zip(active, ids))

    def clusters(self, keys: list[tuple]) -> list[list[dict]]:
        """The clusters that clustering every mention of the type afresh gives around ``keys`` (sorted):
        those it closes before the walk meets the stored events again, and those still open where the
        mentions end. Clusters it leaves as the stored events are not returned."""
        self.load([(_day(k[2]) - 2, _day(k[2]) + 2) for k in keys])
        out: list[list[dict]] = []
        i = 0
        while i < len(keys):
            active = self.open_at(keys[i])
            converged = False
            for m in self.rows_from(keys[i]):
                mk = mention_order(m)
                while i < len(keys) and keys[i] <= mk:
                    i += 1
                day = _day(m["date"])
                keep = []
                for c in active:
                    (out if c.hi < day - 2 else keep).append(c)
                active = keep
                c = next((c for c in active if _compatible(m, c)), None)
                if c is None:
                    c = _Tracked(self.touched)
                    active.append(c)
                c.add(m)
                if m["id"] not in self.touched and self.converged(active, mk, day):
                    converged = True
                    break
            if not converged:
                out += active
                break      # the mentions ended: any key left lies after the last one
        seen: set[int] = set()
        for c in out:
            for m in c:
                if m["id"] in seen:
                    raise _Fallback
                seen.add(m["id"])
        # a cluster that is a whole stored event, untouched, is left as stored (if an article of it moved,
        # merge_changes rebuilds that event from its stored mentions, the same record)
        whole = self.members([c[0]["event_id"] for c in out if not c.dirty])
        return [list(c) for c in out if c.dirty or len(c) != len(whole[c[0]["event_id"]])]


def _whole_type(sub_event_type: str, index, overlay: list[dict], touched: set[int], keys: list[tuple]) -> list[list[dict]]:
    rows = [m for m in index.of_type(sub_event_type) if m["id"] not in touched] + overlay
    return _type_segment_clusters(rows, keys)


def merge_changes(index, new: dict[int, dict], redated: dict[int, dict], old_keys: list[tuple],
                  moved_articles: set[int], prov: Provenance) -> EventChanges:
    """The events that change when the mentions ``new`` (not merged yet: no ``event_id``) and ``redated``
    (stored ones, now at another date; ``old_keys`` their former places in :func:`mention_order`) enter
    the event index ``index`` (:class:`RowIndex` or the store's, read only where they fall), and when the
    provenance of ``moved_articles`` changed (their events' origins are counted again). The result is
    :func:`merge_update`'s over every mention: clustering every mention afresh gives the stored events
    away from the touched places, so only the stretches around those places are clustered again. Unchanged
    events are left alone; what is left of a stored event outside them is an event of its own."""
    touched = set(new) | set(redated)
    keys: dict[str, list[tuple]] = {}
    overlay: dict[str, list[dict]] = {}
    for m in list(new.values()) + list(redated.values()):
        keys.setdefault(m["sub_event_type"], []).append(mention_order(m))
        overlay.setdefault(m["sub_event_type"], []).append(m)
    for k in old_keys:
        keys.setdefault(k[0], []).append(k)
    irregular = index.irregular_types() if keys else set()
    clusters: list[list[dict]] = []
    for t in sorted(keys):
        ks = sorted(keys[t])
        try:
            if t in irregular or not all(k[1] and regular_date(k[2]) for k in ks):
                raise _Fallback
            clusters += _Timeline(t, index, overlay.get(t, []), touched).clusters(ks)
        except _Fallback:
            clusters += _whole_type(t, index, overlay.get(t, []), touched, ks)
    moved_rows = index.of_articles(sorted(moved_articles)) if moved_articles else []
    moved_events = {m["event_id"] for m in moved_rows if m["id"] not in new}
    stored_ids = {m["event_id"] for c in clusters for m in c} | moved_events
    stored_ids.discard(None)
    members: dict[int, list[dict]] = {e: [] for e in stored_ids}
    for r in index.members(sorted(stored_ids)) if stored_ids else []:
        members[r["event_id"]].append(redated.get(r["id"], r))

    def same(c: list[dict]) -> bool:
        ids = {m["event_id"] for m in c}
        return (len(ids) == 1 and None not in ids and len(members[next(iter(ids))]) == len(c)
                and not any(m["id"] in touched or m["article_id"] in moved_articles for m in c))

    changed = [c for c in clusters if not same(c)]
    placed = {m["id"] for c in changed for m in c}
    redo = {m["event_id"] for c in changed for m in c} | moved_events
    rest = {e: [m for m in members[e] if m["id"] not in placed] for e in sorted(redo - {None})}
    changed += [sorted(c, key=mention_order) for c in rest.values() if c]
    if prov.fetch is not None:
        prov.fetch({m["article_id"] for c in changed for m in c})
    out = EventChanges()
    for c in changed:
        if same(c):
            continue
        out.drop += sorted({m["event_id"] for m in c} - {None})
        ev = event_record(c, prov)
        out.events.append(ev)
        out.members.append([m["id"] for m in c])
        out.assign += [(m["id"], ev["id"]) for m in c if m["event_id"] != ev["id"]]
    out.drop = sorted(set(out.drop))
    return out


def merge_update(rows: dict[int, dict], touched: set[int], moved_articles: set[int], prov: Provenance,
                 old_keys: list[tuple] = ()) -> EventChanges:
    """:func:`merge_changes` over an event index held whole in memory: ``rows`` (every mention by id, with its
    stored ``event_id``, the ``touched`` ones as they are now: new or re-dated from their former places
    ``old_keys``)."""
    former = {k[3]: k for k in old_keys}
    new, redated, stored = {}, {}, {}
    for i, m in rows.items():
        if m["event_id"] is None:
            new[i] = m
        elif i in touched:
            redated[i] = m
            k = former.get(i)
            stored[i] = dict(m, date=(k[2] if k[1] else None)) if k else m
        else:
            stored[i] = m
    return merge_changes(RowIndex(stored), new, redated, list(old_keys), moved_articles, prov)
