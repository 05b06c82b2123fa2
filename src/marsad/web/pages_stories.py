"""The story pages: the overview (``/``), a storyline (``/storylines/{id}``) and a story (``/stories/{id}``).

In: requests, the app's :class:`~marsad.web.deps.Site` and the calling thread's store. Out:
:func:`router`, whose routes answer Arabic HTML pages (not in the OpenAPI schema). The overview and a
story page are rendered once per store change (at most every summary period while it changes).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from ..store import Store
from . import data
from .deps import MAX_ID, Site, get_site, get_store, story_bundle, story_id_path
from .graph import provenance_graph
from .maps import build_map

REASONS = {"denial": "نفي", "polarity": "إثبات مقابل نفي", "numbers": "أرقام مختلفة", "times": "توقيت مختلف",
           "dates": "تواريخ مختلفة", "places": "أماكن مختلفة", "stance": "موقف متعارض", "antonym": "تضاد",
           "opposed": "روايتان متعارضتان"}


def router() -> APIRouter:
    r = APIRouter()
    r.get("/", response_class=HTMLResponse, include_in_schema=False)(overview)
    r.get("/storylines/{storyline_id}", response_class=HTMLResponse, include_in_schema=False)(storyline_page)
    r.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)(story_page)
    return r


def overview(sort: str = Query("size", pattern="^(size|recent)$"), site: Site = Depends(get_site),
             store: Store = Depends(get_store)):
    """The same for every reader until the store changes: rendered once per summary period."""
    def render() -> str:
        o = overview_summary(site, store, sort)
        counts = o["counts"]
        return site.render(
            "overview.html", nav="overview", stories=o["stories"], n_stories=o["n_stories"], sort=sort,
            storylines=storyline_summary(site, store),
            stats={"articles": counts["articles"]}, n_entities=counts["entities"], n_events=counts["events"],
            n_claims=counts["claims"], has_claims=o["has_claims"],
            map=build_map(o["points"]), map_kind=o["map_kind"], timeline=o["timeline"],
            event_days=o["event_days"], outlets=o["outlets"], names=o["names"], events=o["events"],
            actors=o["actors"])
    return HTMLResponse(site.summaries.get(("overview.html", sort, data.overview), store.web.generation(), render))


def overview_summary(site: Site, store: Store, sort: str) -> dict:
    return site.summaries.get(("overview", sort, data.overview), store.web.generation(),
                              lambda: data.overview(store, sort))


def storyline_summary(site: Site, store: Store) -> list[dict]:
    """Storylines of two developments or more, largest first, with their developments' titles (cached)."""
    def compute():
        lines = store.web.storylines_page(limit=8, min_stories=2)[1]
        titles = store.web.story_titles(sid for l in lines for sid in l["story_ids"])
        for l in lines:
            sizes = {d["story_id"]: d.get("n_articles") or 0 for d in l["summary"]}
            main = sorted(l["story_ids"], key=lambda sid: (-sizes.get(sid, 0), sid))[:5]
            l["devs"] = [{"id": sid, "title": titles.get(sid), "n": sizes.get(sid, 0),
                          "start": next((d["start"] for d in l["summary"] if d["story_id"] == sid), None)}
                         for sid in l["story_ids"] if sid in main]
        return lines
    return site.summaries.get(("storylines",), store.web.generation(), compute)


def event_map(store: Store, evts: list[dict], article_ids: list) -> tuple[dict, list[dict], str]:
    """The events' place names, and the map's points: the events', else the places the articles name."""
    names = data.entity_names(store, [e.get("location") for e in evts if isinstance(e.get("location"), str)])
    points = data.event_points(evts, names)
    if points:
        return names, points, "events"
    return names, data.places_points(store, article_ids), "places"


def storyline_page(storyline_id: int = PathParam(..., ge=0, le=MAX_ID), site: Site = Depends(get_site),
                   store: Store = Depends(get_store)):
    from ..link import storyline as read_storyline

    line = read_storyline(store, storyline_id)
    if line is None:
        raise HTTPException(404, f"no storyline with id {storyline_id}")
    evts = [e for sid in line["story_ids"] for e in data.events(store, sid)]
    _, points, map_kind = event_map(store, evts, [a for s in line["stories"] for a in s["article_ids"]])
    return site.page("storyline.html", nav="", line=line, origins=store.web.story_origins(line["story_ids"]),
                     n_outlets=len({o for s in line["stories"] for o in s["outlets"]}), map=build_map(points),
                     map_kind=map_kind)


def story_page(story_id: int = Depends(story_id_path), site: Site = Depends(get_site),
               store: Store = Depends(get_store)):
    """Rendered once per store change (at most every summary period while it changes; kept by
    :class:`~marsad.web.middleware.AnswerCache` with the other answers)."""
    return HTMLResponse(render_story(site, store, story_id))


def render_story(site: Site, store: Store, story_id: int) -> str:
    b = story_bundle(store, story_id)
    s, evts = b["story"], b["events"]
    line = store.story_tables.storyline(s["storyline_id"]) if s.get("storyline_id") is not None else None
    names, points, map_kind = event_map(store, evts, s["article_ids"])
    outlet_of = {a["id"]: a.get("outlet") for a in s["articles"]}
    title_of = {a["id"]: a.get("title") for a in s["articles"]}
    main_groups = [g for g in b["claim_groups"] if (g.get("n_articles") or data.outlets_count(g) or 1) > 1
                   or g.get("contradicts")]
    main_ids = {data.group_id(g) for g in main_groups}
    other_groups = [g for g in b["claim_groups"] if data.group_id(g) not in main_ids]
    provenance = provenance_rows([c for c in b["claims"] if c.get("group_id") in main_ids] or b["claims"], outlet_of)
    by_group = claims_by_group(b["claims"], outlet_of, title_of)
    contradictions = contradiction_pairs({data.group_id(g): g for g in b["claim_groups"]}, by_group, outlet_of)
    evts_sorted = sorted(evts, key=lambda e: (str(e.get("date") or ""), str(e.get("id"))))
    return site.render("story.html", nav="", s=s, claims=b["claims"], groups=main_groups, other_groups=other_groups,
                       by_group=by_group, provenance=provenance, graph=provenance_graph(provenance),
                       contradictions=contradictions, events=evts_sorted, names=names,
                       actors=data.actor_names_ar(store, evts_sorted[:40]), map=build_map(points), map_kind=map_kind,
                       timeline=data.day_counts(a.get("published") for a in s["articles"]),
                       title_of=title_of, outlet_of=outlet_of, line=line)


def provenance_rows(claims: list[dict], outlet_of: dict) -> list[dict]:
    """Provenance rows (outlet → relays / cited sources → origin), most claims first."""
    prov = Counter(tuple(data.provenance_chain(c, outlet_of.get(c.get("article_id")))) for c in claims)
    return [{"chain": list(ch), "n": n} for ch, n in sorted(prov.items(), key=lambda kv: (-kv[1], kv[0]))]


def claims_by_group(claims: list[dict], outlet_of: dict, title_of: dict) -> dict[Any, list[dict]]:
    """The claims of each group, each with its outlet and its article's title."""
    by_group: dict[Any, list[dict]] = defaultdict(list)
    for c in claims:
        c = dict(c, outlet=c.get("outlet") or outlet_of.get(c.get("article_id")),
                 article_title=title_of.get(c.get("article_id")))
        by_group[c.get("group_id")].append(c)
    return by_group


def contradiction_pairs(groups: dict, by_group: dict, outlet_of: dict) -> list[dict]:
    """Each pair of contradicting claim groups once: both groups, the sentences that contradict (else
    each group's first claims) and the reasons, in Arabic."""
    pairs: dict[tuple, dict] = {}
    for gid, g in groups.items():
        for item in g.get("contradicts") or []:
            other = item.get("group_id") if isinstance(item, dict) else item
            key = tuple(sorted((str(gid), str(other))))
            flip = key[0] != str(gid)
            if key not in pairs:
                pairs[key] = new_pair(groups, g, other, item, flip)
            if isinstance(item, dict) and item.get("sentence"):
                add_sentences(pairs[key], item, outlet_of, flip)
    for entry in pairs.values():
        if not entry["explicit"]:       # only ids given: show the groups' own claims
            entry["a_claims"] = by_group.get(data.group_id(entry["a"]), [])[:6]
            entry["b_claims"] = by_group.get(data.group_id(entry["b"]), [])[:6]
        entry["reasons"] = sorted(REASONS.get(r, r) for r in entry["reasons"])
    return list(pairs.values())


def new_pair(groups: dict, g: dict, other, item, flip: bool) -> dict:
    other_text = item.get("other_text") if isinstance(item, dict) else None
    other_group = groups.get(other) or {"id": other, "text": other_text or f"#{other}"}
    a, b = (other_group, g) if flip else (g, other_group)
    return {"a": a, "b": b, "a_claims": [], "b_claims": [], "reasons": set(), "explicit": False}


def add_sentences(entry: dict, item: dict, outlet_of: dict, flip: bool) -> None:
    """Add a contradiction's two sentences to its pair's sides (each sentence once) and its reasons."""
    mine = {"text": item["sentence"], "article_id": item.get("article_id"),
            "outlet": outlet_of.get(item.get("article_id"))}
    theirs = {"text": item.get("other_sentence"), "article_id": item.get("other_article_id"),
              "outlet": outlet_of.get(item.get("other_article_id"))}
    side_a, side_b = (theirs, mine) if flip else (mine, theirs)
    for lst, x in ((entry["a_claims"], side_a), (entry["b_claims"], side_b)):
        if x["text"] and all(y["text"] != x["text"] for y in lst):
            lst.append(x)
    entry["explicit"] = True
    entry["reasons"].update(item.get("reasons") or [])
