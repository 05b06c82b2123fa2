"""What the web pages and the API read: plain dicts from the store's indexed queries, never recomputed.

In: a :class:`~marsad.store.Store`; every query goes through ``store.web``
(:class:`marsad.store.web.WebReads`: indexed, paginated, summary tables kept by triggers). Out: dicts
in the shape of the ``marsad/1`` export (articles, stories, entities, claims, events), ``(total,
items)`` pages for the API, and what the pages need around them (map points, timelines, highlighted
text segments, the overview's summary).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from typing import Any, Iterable

from jinja2.filters import do_urlencode
from markupsafe import Markup, escape

from .. import data as marsad_data
from ..events.export import event_record, main_story
from ..store import Store

ENTITY_TYPES = ("PER", "ORG", "GPE", "LOC", "FAC", "NORP")
# Explicit bidi embeddings, overrides and isolates: untrusted text must not reorder the page around it.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def inert(text: Any) -> str:
    """Display form of untrusted text: bidi control characters dropped (HTML escaping is Jinja's job)."""
    return BIDI_CONTROLS.sub("", "" if text is None else str(text))


# -- claims (the claims stage's tables, read per story or per page) ------------------------------
def _json(text: str | None, default: Any) -> Any:
    return json.loads(text) if text else default


def source_label_ar(x: dict) -> str:
    from ..claims.read import source_label_ar as label

    return label(x)


def _origin_ar(r) -> str | None:
    from ..claims.read import _origin_ar as origin_ar

    return origin_ar(r)


def claim_record(r, g, copied_outlet: str | None = None) -> dict:
    """One claim in the ``marsad/1`` export shape (as :func:`marsad.claims.read.claims` gives it); a claim
    copied from another names, in its Arabic provenance, the outlet it was copied from (not the claim id)."""
    chain = _json(r["chain"], [])
    origin = _json(r["origin"], None)
    origin_name = None
    if origin:
        origin_name = origin["name"] + (f" (via {origin['via']})" if origin.get("kind") == "anonymous" and origin.get("via") else "")
    return {
        "id": r["id"], "story_id": r["story_id"], "text": r["text"], "group_id": r["group_id"],
        "article_id": r["article_id"], "attribution": [x.get("name") for x in chain],
        "attribution_ar": [source_label_ar(x) for x in chain],
        "origin_ar": _origin_ar(r),
        "origin": origin_name,
        "independent_origins": g["n_origins"] if g else 1,
        "contradicts": sorted({c["group_id"] for c in _json(g["contradicts"], [])}) if g else [],
        "modality": r["modality"], "polarity": r["polarity"],
        "outlet": chain[0].get("name") if chain else None,
        "provenance": _json(r["provenance"], None) or [x.get("name") for x in chain],
        "provenance_ar": [source_label_ar(x) for x in chain]
                         + ([f"منقول عن {copied_outlet or 'مقالة سابقة'}"] if r["copied_from"] else []),
        "copied_from": r["copied_from"],
        "start": r["start"], "end": r["end"], "content": r["content"],
        "entities": _json(r["entities"], []), "numbers": _json(r["numbers"], []),
        "attribution_chain": chain,
    }


def claims_page(store: Store, story_id: int | None = None, group_id: str | None = None,
                article_id: int | None = None, limit: int | None = None, offset: int = 0) -> tuple[int, list[dict]]:
    total, rows = store.web.claims_page(story_id=story_id, group_id=group_id, article_id=article_id,
                                        limit=limit, offset=offset)
    groups = store.web.groups_by_id(r["group_id"] for r in rows)
    sources = store.web.claim_texts(r["copied_from"] for r in rows if r["copied_from"])
    outlets = store.web.article_titles(aid for _, aid in sources.values())
    outlet_of = {cid: outlets.get(aid, (None, None))[1] for cid, (_, aid) in sources.items()}
    return total, [claim_record(r, groups.get(r["group_id"]), outlet_of.get(r["copied_from"])) for r in rows]


def claims(store: Store, story_id: int | None = None) -> list[dict]:
    """The claims of one story (all claims when ``story_id`` is None)."""
    return claims_page(store, story_id=story_id)[1]


def group_records(store: Store, rows: list) -> list[dict]:
    """Claim groups with their contradictions spelled out (as :func:`marsad.claims.read.claim_groups`)."""
    contra = {r["id"]: _json(r["contradicts"], []) for r in rows}
    cids = {x for cs in contra.values() for c in cs for x in (c.get("claim_id"), c.get("other_claim_id"))}
    text_of = store.web.claim_texts(cids)
    others = store.web.groups_by_id(c["group_id"] for cs in contra.values() for c in cs)
    origins = {r["id"]: _json(r["origins"], []) for r in rows}
    named = store.web.entity_names(o.get("entity_id") for os_ in origins.values() for o in os_ if isinstance(o, dict))
    out = []
    for g in rows:
        items = []
        for c in contra[g["id"]]:
            mine, theirs = text_of.get(c.get("claim_id"), ("", None)), text_of.get(c.get("other_claim_id"), ("", None))
            other = others.get(c["group_id"])
            items.append({"group_id": c["group_id"], "reasons": c.get("reasons"), "sentence": mine[0],
                          "article_id": mine[1], "other_sentence": theirs[0], "other_article_id": theirs[1],
                          "other_text": other["text"] if other else None})
        out.append({"id": g["id"], "story_id": g["story_id"], "text": g["text"],
                    "claim_ids": _json(g["claim_ids"], []), "article_ids": _json(g["article_ids"], []),
                    "outlets": _json(g["outlets"], []), "n_outlets": g["n_outlets"], "n_articles": g["n_articles"],
                    "independent_origins": g["n_origins"], "origins": origins[g["id"]],
                    "origin_names_ar": [origin_label_ar(o, named) for o in origins[g["id"]]],
                    "modality": g["modality"], "polarity": g["polarity"], "contradicts": items})
    return out


def origin_label_ar(origin: Any, named: dict[str, dict]) -> str:
    """A claim group's origin as an Arabic page names it: its entity's Arabic name when it has one."""
    if not isinstance(origin, dict):
        return str(origin)
    entity = named.get(origin.get("entity_id") or "")
    return entity["name_ar"] if entity and entity.get("name_ar") else source_label_ar(origin)


def claim_groups_page(store: Store, story_id: int | None = None, limit: int | None = None,
                      offset: int = 0) -> tuple[int, list[dict]]:
    total, rows = store.web.claim_groups_page(story_id=story_id, limit=limit, offset=offset)
    return total, group_records(store, rows)


def claim_groups(store: Store, story_id: int | None = None) -> list[dict]:
    """The claim groups of one story, most widely reported first (all when ``story_id`` is None)."""
    return claim_groups_page(store, story_id=story_id)[1]


# -- events ------------------------------------------------------------------------------------
def _event_records(store: Store, rows: list) -> list[dict]:
    story_of = store.web.story_of_articles(a for r in rows for a in _json(r["article_ids"], []))
    return [event_record(r, story_of) for r in rows]


def events(store: Store, story_id: int | None = None) -> list[dict]:
    """The events whose main story is ``story_id`` (every event when None: exports only)."""
    if story_id is None:
        return _event_records(store, store.web.events_page()[1])
    return [e for e in _event_records(store, store.web.story_event_rows(story_id)) if e["story_id"] == story_id]


def events_page(store: Store, story_id: int | None = None, event_type: str | None = None, since: str | None = None,
                until: str | None = None, limit: int | None = None, offset: int = 0) -> tuple[int, list[dict]]:
    if story_id is not None:
        items = [e for e in events(store, story_id)
                 if (event_type is None or e["event_type"] == event_type)
                 and (not since or str(e.get("date") or "") >= since)
                 and (not until or (e.get("date") and str(e["date"])[:10] <= until))]
        return len(items), items[offset:None if limit is None else offset + limit]
    total, rows = store.web.events_page(event_type=event_type, since=since, until=until, limit=limit, offset=offset)
    return total, _event_records(store, rows)


def light_events(store: Store, rows: list) -> list[dict]:
    """Events for the overview's timeline and map: type, date, place and main story only."""
    first = {r["id"]: _json(r["article_ids"], []) for r in rows}
    story_of = store.web.story_of_articles(a for ids in first.values() for a in ids)
    return [{"id": r["id"], "event_type": r["event_type"], "sub_event_type": r["sub_event_type"], "date": r["date"],
             "location": r["location_id"], "location_name": r["location_name"], "lat": r["lat"], "lon": r["lon"],
             "actor1": r["actor1"], "inter1": r["inter1"], "article_ids": first[r["id"]],
             "story_id": main_story(first[r["id"]], story_of)}
            for r in rows]


# -- stories -----------------------------------------------------------------------------------
def story_record(r, article_ids: list[int]) -> dict:
    """A story in the ``marsad/1`` shape (as :func:`marsad.link.read.stories` gives it)."""
    spans = _json(r["summary"], [])
    return {"id": r["id"], "title": r["title"], "article_ids": article_ids, "start": r["start"], "end": r["end"],
            "summary": [s["text"] for s in spans], "outlets": _json(r["outlets"], []), "n_articles": len(article_ids),
            "summary_spans": [{"article_id": s["article_id"], "start": s["start"], "end": s["end"]} for s in spans]}


def stories_page(store: Store, sort: str = "size", limit: int = 50, offset: int = 0, since: str | None = None,
                 until: str | None = None) -> tuple[int, list[dict]]:
    """Stories largest (or latest) first, with outlets and independent origins, one page at a time."""
    total, rows = store.web.stories_page(sort=sort, limit=limit, offset=offset, since=since, until=until)
    ids = [r["id"] for r in rows]
    members = store.web.story_members(ids)
    origins = store.web.story_origins(ids)
    items = []
    for r in rows:
        s = story_record(r, members.get(r["id"], []))
        s["n_outlets"] = len(s["outlets"])
        s["independent_origins"] = origins.get(r["id"])
        items.append(s)
    return total, items


def story(store: Store, story_id: int) -> dict | None:
    from ..link.read import story as _story

    return _story(store, story_id)


def copies(store: Store, article_id: int | None = None) -> list[dict]:
    from ..link.read import copies as _copies

    return _copies(store, article_id=article_id)


def article_copies(store: Store, article_id: int, limit: int) -> tuple[int, list[dict]]:
    """The article's widest copy links (at most ``limit`` each way) as :func:`copies` gives them, and
    how many it has in all (a wire story can be copied by hundreds of articles)."""
    total, rows, passage_rows = store.web.copy_links(article_id, limit)
    passages: dict[tuple[int, int], list[dict]] = {}
    for p in passage_rows:
        passages.setdefault((p["article_id"], p["source_article_id"]), []).append(
            {"start": p["start"], "end": p["end"], "source_start": p["source_start"], "source_end": p["source_end"],
             "similarity": p["similarity"]})
    return total, [{"article_id": c["article_id"], "source_article_id": c["source_article_id"],
                    "similarity": c["similarity"], "coverage": c["coverage"],
                    "passages": passages.get((c["article_id"], c["source_article_id"]), [])}
                   for c in rows]


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
    for key in ("origin_names_ar", "independent_origins", "origins", "origin_names"):
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
    chain = claim.get("provenance_ar") or claim.get("provenance")
    if not isinstance(chain, list) or not chain:
        chain = [outlet or "مصدر غير معروف"] + [x for x in (claim.get("attribution") or [])]
    chain = [str(x) for x in chain if x]
    origin = claim.get("origin_ar") or claim.get("origin")
    if origin and (not chain or chain[-1] != origin):
        chain.append(str(origin))
    out: list[str] = []
    for x in chain:
        if not out or out[-1] != x:
            out.append(x)
    return out


# -- the overview ------------------------------------------------------------------------------
def overview(store: Store, sort: str = "size", n_stories: int = 100) -> dict:
    """Everything the overview page shows, from summary tables and indexed queries."""
    counts = store.web.counts()
    total, items = stories_page(store, sort=sort, limit=n_stories)
    recent = light_events(store, store.web.recent_events(12))
    placed = light_events(store, store.web.event_places())
    names = store.web.entity_names(e["location"] for e in recent + placed if isinstance(e.get("location"), str))
    points, map_kind = event_points(placed, names), "events"
    if not points:
        points, map_kind = places_points(store), "places"
    return {"counts": counts, "n_stories": total, "stories": items, "events": recent, "names": names,
            "points": points, "map_kind": map_kind, "timeline": store.web.day_counts(),
            "event_days": dict(store.web.event_day_counts()), "outlets": store.web.outlet_counts(),
            "has_claims": store.web.has_claims(), "actors": actor_names_ar(store, recent)}


# -- articles and entities ---------------------------------------------------------------------
def article_record(r) -> dict:
    d = dict(r)
    d["title_derived"] = bool(d["title_derived"])
    if "removed" in d:
        d["removed"] = json.loads(d["removed"] or "[]")
    return d


def query_articles(store: Store, *, limit: int = 50, offset: int = 0, outlet: str | None = None,
                   story_id: int | None = None, since: str | None = None, until: str | None = None,
                   ids: Iterable[int] | None = None, with_text: bool = True) -> tuple[int, list[dict]]:
    total, rows = store.web.articles_page(limit=limit, offset=offset, outlet=outlet, story_id=story_id, since=since,
                                          until=until, ids=ids, with_text=with_text)
    return total, [article_record(r) for r in rows]


def snippet(text: str, shown: list[str], head: int) -> str:
    """:func:`marsad.store.db.display_snippet` (a window around the first match, match in [brackets]),
    found by :func:`display_pattern` in the display text itself (no per-character normalisation of the
    article: that cost 1-2 ms an article). Text with presentation-form letters takes the exact path,
    in the first ``head`` characters first."""
    from ..store.db import display_snippet, snippet_window
    from ..text import strip_clitics

    if _COMPAT.search(text):
        if len(text) > head and "[" not in text[:head]:
            first = display_snippet(text[:head], shown)
            if "[" in first:
                return first
        return display_snippet(text, shown)
    for terms in (shown, [strip_clitics(t) for t in shown]):
        m = display_pattern(tuple(sorted(set(terms)))).search(text)
        if m:
            return snippet_window(text, m.start(), m.end())
    return text[:140].replace("\n", " ")


_COMPAT = re.compile("[\uFB50-\uFEFF\uFF00-\uFFEF]")     # presentation and full-width forms (NFKC-folded)


@lru_cache(maxsize=512)
def display_pattern(terms: tuple[str, ...]) -> re.Pattern:
    """A pattern matching, in display text, what :func:`marsad.text.normalize` folds to any of ``terms``
    (normalised keys): each key letter as any letter folding to it, diacritics and tatweel between
    letters, a space as a run of white space. Alternatives in sorted order: at one position the
    smallest term wins, as in :func:`marsad.store.db.display_snippet`."""
    drop, letters = _folding()
    between = f"[{drop}]*"
    def one(term: str) -> str:
        parts = [f"[{drop}\\s]*\\s[{drop}\\s]*" if c == " " else f"[{letters.get(c, re.escape(c))}]" for c in term]
        return between.join(parts)
    return re.compile("|".join(one(t) for t in terms if t) or "(?!)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _folding() -> tuple[str, dict[str, str]]:
    """The characters normalisation drops (a character class body), and per key letter the class body of
    the display letters that fold to it."""
    from ..text.normalize import _DROP, _MAP

    dropped = set(_DROP) | {k for k, v in _MAP.items() if v == ""}
    into: dict[str, set[str]] = {}
    for k, v in _MAP.items():
        if v and k not in dropped:
            into.setdefault(v, {v}).add(k)
    esc = lambda chars: "".join(re.escape(c) for c in sorted(chars))  # noqa: E731
    return esc(dropped), {v: esc(ks) for v, ks in into.items()}


def outlets(store: Store) -> list[tuple[str, int]]:
    return store.web.outlet_counts()


def entity_record(e, n: int | None = None, mentions: list | None = None) -> dict:
    d = {"id": e["id"], "type": e["type"], "name_ar": e["name_ar"], "name_en": e["name_en"], "lat": e["lat"],
         "lon": e["lon"], "country": e["country"], "admin1": e["admin1"], "geo_precision": e["geo_precision"],
         "aliases": _json(e["aliases"], []) if isinstance(e["aliases"], str) else e["aliases"]}
    if mentions is not None:
        d["mentions"] = [{"article_id": m["article_id"], "start": m["start"], "end": m["end"], "text": m["text"]}
                         for m in mentions]
    if n is not None:
        d["mention_count"] = n
    return d


def entity_names(store: Store, ids: Iterable[str]) -> dict[str, dict]:
    return store.web.entity_names(ids)


def places_points(store: Store, article_ids: Iterable[int] | None = None, limit: int = 60) -> list[dict]:
    """Places (entities with coordinates) mentioned in the given articles (all when None), by mentions."""
    rows = store.web.places(None if article_ids is None else list(article_ids), limit)
    return [{"lat": r["lat"], "lon": r["lon"], "label": r["name_ar"], "label_en": r["name_en"],
             "href": f"/entities/{r['id']}", "weight": r["na"], "kind": "place",
             "note": f"{r['na']} مقالة"} for r in rows]


def cooccurring(store: Store, entity_id: str, limit: int = 20) -> list[dict]:
    return store.web.cooccurring(entity_id, limit)


def group_mentions_by_story(store: Store, entity_id: str) -> list[dict]:
    """The articles naming an entity, grouped by story, largest group first."""
    by_story: dict[Any, list[dict]] = {}
    for r in store.web.entity_articles(entity_id):
        by_story.setdefault(r["story_id"], []).append(dict(r))
    titles = store.web.story_titles(s for s in by_story if s is not None)
    out = [{"story_id": sid, "title": titles.get(sid), "articles": arts} for sid, arts in by_story.items()]
    out.sort(key=lambda s: -len(s["articles"]))
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


def segments_html(segments: list[dict]) -> Markup:
    """One paragraph of :func:`highlighted` as HTML: each segment escaped, a mention as a link to its
    entity (or a span), inside its copied-passage and claim spans. What article.html wrote segment by
    segment, made here in one pass (a long article has thousands of segments)."""
    out = []
    for seg in segments:
        claim, copied, entity, kind = seg.get("claim"), seg.get("copied"), seg.get("entity"), seg.get("type")
        text = escape(inert(seg["text"]))
        if claim:
            out.append(f'<span class="claimed" title="{escape(inert(claim))}">')
        if copied:
            out.append(f'<span class="copied" title="منقول من المقالة #{escape(copied)}" data-source="{escape(copied)}">')
        if entity:
            out.append(f'<a class="m t-{escape(kind)}" href="/entities/{escape(do_urlencode(entity))}" '
                       f'data-entity="{escape(entity)}">{text}</a>')
        elif kind:
            out.append(f'<span class="m t-{escape(kind)}">{text}</span>')
        else:
            out.append(text)
        out.append("</span>" * (bool(copied) + bool(claim)))
    return Markup("".join(out))


def event_points(evts: list[dict], names: dict[str, dict] | None = None) -> list[dict]:
    out = []
    for e in evts:
        lat, lon = e.get("lat"), e.get("lon")
        if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
            continue
        loc = e.get("location")
        place = (names or {}).get(loc, {}) if isinstance(loc, str) else {}
        label = place.get("name_ar") or e.get("location_name") or event_type_ar(e.get("event_type")) or "حدث"
        kind = event_type_ar(e.get("sub_event_type")) or event_type_ar(e.get("event_type"))
        out.append({"lat": lat, "lon": lon, "label": label, "label_en": place.get("name_en") or None,
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


@lru_cache(maxsize=1)
def _acled_ar() -> dict[str, dict[str, str]]:
    """``data/acled_ar.tsv`` by kind: ACLED's English names → their Arabic display names."""
    out: dict[str, dict[str, str]] = {}
    for r in marsad_data.rows("acled_ar.tsv"):
        out.setdefault(r["kind"], {})[r["en"]] = r["ar"]
    return out


@lru_cache(maxsize=1)
def _countries_ar() -> dict[str, str]:
    """English country names (CLDR, and the ``country`` rows of ``acled_ar.tsv``) → Arabic (CLDR)."""
    from babel import Locale

    ar = Locale("ar").territories
    out = {name: ar[code] for code, name in Locale("en").territories.items() if code in ar}
    out.update(_acled_ar().get("country", {}))
    return out


def event_type_ar(event_type: str | None) -> str | None:
    """ACLED's event type or sub-event type in Arabic (the taxonomy itself is English)."""
    table = _acled_ar()
    return table["event_type"].get(event_type or "") or table["sub_event_type"].get(event_type or "", event_type)


YEARS = re.compile(r"\s*(\(\d{4}-\d{0,4}\))$")
LATIN = re.compile(r"[A-Za-z]")


def actor_ar(name: str | None, inter: int | None = None, names_ar: dict[str, str] | None = None) -> str | None:
    """An ACLED actor name in Arabic: a named actor, a pattern with a country (years kept), an entity's
    Arabic name (``names_ar``: English → Arabic), else the Arabic name of its interaction code."""
    if not name:
        return None
    table = _acled_ar()
    m = YEARS.search(name)
    base, years = (name[:m.start()], " " + m.group(1)) if m else (name, "")
    if base in table["actor"]:
        return table["actor"][base] + years
    for pattern, ar in table["actor_pattern"].items():
        head, _, tail = pattern.partition("{country}")
        if base.startswith(head) and base.endswith(tail) and len(base) > len(head) + len(tail):
            country = base[len(head):len(base) - len(tail)]
            country_ar = _countries_ar().get(country.removeprefix("the "))
            if country_ar:
                return ar.replace("{country}", country_ar) + years
    if names_ar and names_ar.get(name):
        return names_ar[name]
    if not LATIN.search(name):
        return name
    return table["inter"].get(str(inter), "جهة مسلحة" if inter is None else "جهة فاعلة")


def actor_names_ar(store: Store, evts: list[dict]) -> dict[str, str]:
    """Arabic display names of the actors of some events (English ACLED name → Arabic), an actor named
    after an entity taking that entity's Arabic name."""
    pairs = {(e.get(k), e.get(i)) for e in evts for k, i in (("actor1", "inter1"), ("actor2", "inter2"))
             if isinstance(e.get(k), str) and e.get(k)}
    names_ar = store.web.entity_names_ar([n for n, _ in pairs if LATIN.search(n)])
    return {n: actor_ar(n, inter, names_ar) for n, inter in sorted(pairs, key=lambda p: (p[0], p[1] or 0))}

def day_counts(dates: Iterable[str | None]) -> list[tuple[str, int]]:
    c = Counter(d[:10] for d in dates if d)
    return sorted(c.items())
