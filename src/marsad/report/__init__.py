"""Report: one self-contained, offline HTML page of what the store holds.

In: a :class:`~marsad.store.Store` (and optionally the summary of the run that just finished).
Out: an HTML file (right-to-left, Arabic typography, no external resources, everything escaped):
a summary of what was ingested, split, deduplicated and rejected with reasons, stories when the
linking stage has made them (each with a small inline SVG map of its events over country outlines
cut from the bundled basemap, and a compact timeline), and per article its title, outlet, date,
entities, clean text and a collapsible list of the page furniture that was removed.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from .. import __version__
from ..store import Store

ENV = Environment(loader=PackageLoader("marsad", "report"), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)


def _article_entities(store: Store, article_id: int) -> list[dict]:
    seen: dict[str, dict] = {}
    for m in store.mentions(article_id=article_id):
        if not m.entity_id or m.entity_id in seen:
            continue
        e = store.entity(m.entity_id)
        if e:
            seen[m.entity_id] = {"name_ar": e.name_ar, "name_en": e.name_en, "type": e.type}
    return sorted(seen.values(), key=lambda d: (d["type"], d["name_ar"]))


def _place_names(store: Store, events: list[dict]) -> dict:
    names = {}
    for e in events:
        loc = e.get("location")
        if loc and loc not in names:
            ent = store.entity(loc)
            names[loc] = ent.name_ar if ent else None
    return names


def _story_map(events: list[dict], names: dict) -> dict:
    """The events of one story as a self-contained SVG map: :func:`marsad.web.maps.build_map` for the
    view and markers (one per place, sized by its events), and the country outlines that intersect
    the view, inline and rounded to 0.1°, so the report needs no file beside it."""
    from ..web.maps import build_map, outline_paths

    places: dict = {}
    for e in events:
        if not isinstance(e.get("lat"), (int, float)) or not isinstance(e.get("lon"), (int, float)):
            continue
        key = (round(e["lat"], 3), round(e["lon"], 3))
        pl = places.setdefault(key, {"lat": e["lat"], "lon": e["lon"], "weight": 0, "kind": "event",
                                     "label": names.get(e.get("location")) or e.get("location_name") or "?",
                                     "label_en": e.get("location_name") or "", "href": f"#ev{e['id']}", "types": []})
        pl["weight"] += 1
        pl["types"].append(e.get("sub_event_type") or e.get("event_type") or "")
    for pl in places.values():
        pl["note"] = "، ".join(dict.fromkeys(t for t in pl.pop("types") if t))
    m = build_map(list(places.values()))
    m["outline"] = outline_paths(m)
    return m


def _timeline(events: list[dict], names: dict) -> list[dict]:
    """Events grouped by day: ``[{date, evs: [{id, type, place, place_en}]}]``, undated last."""
    days: dict = {}
    for e in events:
        days.setdefault(e.get("date") or "", []).append({
            "id": e["id"], "type": e.get("sub_event_type") or e.get("event_type") or "",
            "place": names.get(e.get("location")) or e.get("location_name") or "",
            "place_en": e.get("location_name") or ""})
    return [{"date": d or None, "evs": evs} for d, evs in sorted(days.items(), key=lambda kv: (not kv[0], kv[0]))]


def _stories(store: Store) -> list[dict]:
    """Stories with their events attached (events without a story go to a story-less group)."""
    from .. import claims as cl
    from .. import events as ev
    from .. import link

    stories = list(link.stories(store))
    by_story: dict = {}
    for e in ev.events(store):
        by_story.setdefault(e.get("story_id"), []).append(e)
    groups: dict = {}
    for g in cl.claim_groups(store):
        if g["n_articles"] >= 2 or g["contradicts"]:
            lines = [(" → ".join(c["provenance"]), c.get("copied_from")) for o in g["origins"] for c in o["claims"]]
            g["provenance_lines"] = list(dict.fromkeys(lines))
            groups.setdefault(g["story_id"], []).append(g)
    for s in stories:
        s["events"] = sorted(by_story.pop(s["id"], []), key=lambda e: (e.get("date") or "", e["id"]))
        s["claims"] = groups.get(s["id"], [])
    if any(by_story.values()):
        stories.append({"id": None, "title": "أحداث خارج القصص", "article_ids": [], "summary": [], "start": None,
                        "end": None, "events": [e for es in by_story.values() for e in es]})
    for s in stories:
        if s["events"]:
            names = _place_names(store, s["events"])
            s["map"] = _story_map(s["events"], names)
            s["timeline"] = _timeline(s["events"], names)
    return stories


def build_context(store: Store, run=None) -> dict:
    from ..claims import article_signals

    signals = {r["article_id"]: r for r in article_signals(store)}
    articles = []
    for a in store.articles():
        articles.append({
            "a": a, "paragraphs": [p for p in a.text.split("\n\n") if p.strip()],
            "removed": [(r.split(": ", 1) + [""])[:2] for r in a.removed],
            "entities": _article_entities(store, a.id),
            "signals": signals.get(a.id),
        })
    stats = store.stats()
    rejects = [dict(r) for r in store.rejects()]
    reasons = Counter(r["reason"].split(" (")[0] for r in rejects)
    removed_kinds = Counter(k for item in articles for k, _ in item["removed"])
    titles = {a["a"].id: a["a"].title for a in articles}
    return {"version": __version__, "generated": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "stats": stats, "articles": articles, "rejects": rejects, "reasons": reasons.most_common(),
            "removed_kinds": removed_kinds.most_common(), "run": run, "stories": _stories(store), "titles": titles,
            "db": store.path}


def render_report(store: Store, run=None) -> str:
    return ENV.get_template("report.html").render(**build_context(store, run))


def write_report(store: Store, path: str | Path, run=None) -> Path:
    path = Path(path)
    html = render_report(store, run)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path
