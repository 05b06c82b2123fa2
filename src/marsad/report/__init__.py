"""Report: one self-contained, offline HTML page of what the store holds.

In: a :class:`~marsad.store.Store` (and optionally the summary of the run that just finished).
Out: an HTML file (right-to-left, Arabic typography, no external resources, everything escaped):
first the storylines and their developments on a timeline (articles, outlets, independent reports,
dates) with a map of their events, then a summary of what was ingested, split, deduplicated and
rejected with reasons, stories (developments) when the linking stage has made them (each with a small inline SVG map of its events over country outlines
cut from the bundled basemap, and a compact timeline), and per article its title, outlet, date,
entities, why it joined its development, and its clean text and the page furniture removed, both collapsed.
A large store's report shows its largest storylines in full (their developments, claims and articles; up to
``report.max_storylines`` of them and ``report.max_articles`` articles) and counts the rest, which the web
app and the export hold.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import tempfile
from collections import Counter
from pathlib import Path

from jinja2 import BytecodeCache, Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from .. import __version__
from ..clean.furniture import removed_pairs
from ..diskcache import cache_dir
from ..gcpause import paused_gc
from ..settings import SETTINGS
from ..store import Store
from ..text.phrases import count_ar, date_span_ar


class _Environment(Environment):
    """Jinja's environment with a cheaper ``x.name`` on a plain dict (nearly every value the report draws):
    the key read at once, where Jinja first fails an attribute lookup (an exception per access, a fifth of
    the rendering). Same result: a dict instance has no attributes but its class's, which keep precedence."""

    def getattr(self, obj, attribute: str):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


class _CompiledTemplates(BytecodeCache):
    """The report's template compiled once per version of it and kept in marsad's per-user cache directory
    (:func:`marsad.diskcache.cache_dir`; Jinja checks the template's source and its own version), so a run
    does not compile it again. A cache that cannot be read or written costs the compile, never a failure."""

    def _path(self, bucket) -> Path:
        return cache_dir() / "templates" / f"{bucket.key}.jinja"

    def load_bytecode(self, bucket) -> None:
        try:
            with open(self._path(bucket), "rb") as f:
                bucket.load_bytecode(f)
        except Exception:                                  # missing, unreadable or damaged: compile again
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        path = self._path(bucket)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                bucket.write_bytecode(f)
            os.replace(tmp, path)
        except OSError:
            pass


_DICT_ATTRIBUTES = frozenset(dir(dict))
ENV = _Environment(loader=PackageLoader("marsad", "report"), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True, bytecode_cache=_CompiledTemplates())
ENV.filters["count_ar"] = count_ar


def _span_ar(start: str | None, end: str | None) -> Markup:
    """A date range in Arabic with each date isolated left-to-right (an ISO date inside Arabic text is
    otherwise reordered by the bidi algorithm: 2025-01-11 shows as 11-01-2025)."""
    def iso(d):
        return Markup('<bdi dir="ltr" class="num">%s</bdi>') % d if d else d
    return Markup("<span>%s</span>" % date_span_ar(iso(start), iso(end)))


ENV.globals["span_ar"] = _span_ar


def _article_entities(store: Store, article_ids: list[int]) -> dict[int, list[dict]]:
    """Per article, the entities it names (each once, by type then Arabic name; each with its ``chip``, the
    HTML the report shows it as, built once per entity): two queries in all."""
    linked = store.entity_ids_of_articles(article_ids)
    known = {eid: {"name_ar": e["name_ar"], "name_en": e["name_en"], "type": e["type"], "chip": _chip(e)}
             for eid, e in store.web.entity_names({eid for ids in linked.values() for eid in ids}).items()}
    out = {}
    for aid, ids in linked.items():
        seen = {eid: known[eid] for eid in ids if eid in known}
        out[aid] = sorted(seen.values(), key=lambda d: (d["type"], d["name_ar"]))
    return out


def _chip(e: dict) -> Markup:
    """An entity as the report's articles show it: Arabic name, English name beside it, type on hover."""
    return Markup('<span class="ent" title="%s">%s%s</span>') % (
        e["type"], e["name_ar"], Markup(" <i>%s</i>") % e["name_en"] if e["name_en"] else "")


def _place_names(store: Store, events: list[dict]) -> dict:
    """Entity id → Arabic name (None when not stored) of the places of ``events``."""
    locs = {e["location"] for e in events if e.get("location")}
    found = store.web.entity_names(locs)
    return {loc: found[loc]["name_ar"] if loc in found else None for loc in locs}


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


def _stories(store: Store, shown: list[dict], keep: set | None, names: dict) -> list[dict]:
    """Stories (those in ``keep``, developments of the ``shown`` storylines, or all when None) with their
    events attached (events without a story go to a story-less group); ``names`` gets the Arabic names of
    their places."""
    from .. import claims as cl

    stories = _story_records(store, shown, keep)
    by_story: dict = {}
    for e in _events(store, keep):
        by_story.setdefault(e.get("story_id"), []).append(e)
    groups: dict = {}
    for g in cl.claim_groups(store, story_ids=keep, min_articles=2, or_contradicted=True):
        groups.setdefault(g["story_id"], []).append(g)
    for s in stories:
        s["events"] = sorted(by_story.pop(s["id"], []), key=lambda e: (e.get("date") or "", e["id"]))
        s["claims"] = groups.get(s["id"], [])
    if any(by_story.values()):
        stories.append({"id": None, "title": "أحداث خارج القصص", "article_ids": [], "summary": [], "start": None,
                        "end": None, "events": [e for es in by_story.values() for e in es]})
    names.update(_place_names(store, [e for s in stories for e in s["events"]]))
    for s in stories:
        if s["events"]:
            s["map"] = _story_map(s["events"], names)
            s["timeline"] = _timeline(s["events"], names)
    return stories


def _story_records(store: Store, shown: list[dict], keep: set | None) -> list[dict]:
    """The developments in ``keep`` (all when None) as :func:`marsad.link.stories` gives them, in its order
    (largest first, then latest, then id), read through the ``shown`` storylines only."""
    from .. import link

    if keep is None:
        return link.stories(store)
    by_id = {}
    for line in shown:
        for s in (link.storyline(store, line["id"]) or {}).get("stories", []):
            if s["id"] in keep and s["article_ids"]:
                by_id[s["id"]] = s
    out = [by_id[sid] for sid in sorted(by_id)]
    out.sort(key=lambda s: s["end"] or "", reverse=True)      # stable sorts, as link.stories
    out.sort(key=lambda s: -len(s["article_ids"]))
    return out


def _events(store: Store, keep: set | None) -> list[dict]:
    """The merged events of the developments in ``keep`` and those of none (all when None), oldest first, as
    :func:`marsad.events.events` gives them; only those rows are shaped into records."""
    from .. import events as ev
    from ..events.export import event_record, main_story

    if keep is None:
        return ev.events(store)
    story_of = store.event_tables.story_of_articles()
    out = []
    for r in store.event_tables.event_rows():
        sid = main_story(json.loads(r["article_ids"] or "[]"), story_of)
        if sid is None or sid in keep:
            out.append(event_record(r, story_of))
    return out


def _independent_reports(store: Store, digests: list[tuple]) -> dict[int, int]:
    """Per development: its articles that are neither near duplicates nor mostly copied from another member
    (``digests``: every article's (id, story_id, duplicate_of, removed))."""
    story_of = {aid: sid for aid, sid, _, _ in digests}
    copied = {aid for aid, src, coverage in store.copy_coverage()
              if (coverage or 0) >= 0.5 and story_of.get(src) == story_of.get(aid)}
    out: dict[int, int] = {}
    for aid, sid, duplicate_of, _ in digests:
        if sid is not None and duplicate_of is None and aid not in copied:
            out[sid] = out.get(sid, 0) + 1
    return out


def _storylines(stories: list[dict], shown: list[dict], independent: dict[int, int],
                names: dict) -> tuple[list[dict], list[dict]]:
    """The ``shown`` storylines with their developments in time order (outlets, ``independent`` reports,
    dates) and a map of their events (places named by ``names``); returns (storylines of two articles or
    more, single reports)."""
    by_id = {s["id"]: s for s in stories if s.get("id") is not None}
    lines, singles = [], []
    for line in shown:
        devs = []
        for sid in line["story_ids"]:
            s = by_id.get(sid)
            if s:
                devs.append({"id": sid, "title": s["title"], "start": s["start"], "end": s["end"],
                             "n": len(s["article_ids"]), "n_outlets": len(s.get("outlets") or []),
                             "independent": independent.get(sid, 0)})
        if not devs:
            continue
        outlets = {o for sid in line["story_ids"] if sid in by_id for o in by_id[sid].get("outlets") or []}
        item = {**line, "devs": devs, "n_outlets": len(outlets)}
        events = [e for sid in line["story_ids"] if sid in by_id for e in by_id[sid].get("events") or []]
        if events:
            item["map"] = _story_map(events, names)
        (lines if line["n_articles"] >= 2 else singles).append(item)
    return lines, singles


def _why_text(why: dict | None) -> str | None:
    """Why an article joined its development, in Arabic: partner, score and the strongest shared signals."""
    if not why:
        return None
    sig = why["signals"]
    parts = [f"تشابه نص العنوان والمقدمة {sig.get('lead_text', 0):.2f}"]
    if sig.get("encoder"):
        parts.append(f"تشابه المعنى {sig['encoder']:.2f}")
    if sig.get("entities"):
        parts.append("كيانات مشتركة: " + "، ".join(sig["entities"]))
    if sig.get("weekday"):
        parts.append("اليوم نفسه مذكور")
    for key, label in (("weekday_conflict", "أيام مختلفة"), ("date_conflict", "تواريخ متباعدة"),
                       ("person_conflict", "أشخاص مختلفون"), ("place_conflict", "مدن مختلفة")):
        if sig.get(key):
            parts.append(f"خصم: {label}")
    return f"انضمت إلى التطور مع #{why['article_id']} بدرجة {why['score']:.2f} — " + " · ".join(parts)


def _shown_storylines(store: Store) -> tuple[list[dict], set | None, dict]:
    """The storylines the report shows in full (the largest, up to ``max_storylines`` of them holding up to
    ``max_articles`` articles, at least one), the ids of their developments (None: the store has no
    storylines, every article is shown) and what is left out. A first storyline larger than
    ``max_articles`` is shown with its largest developments only (at least one)."""
    from ..link import storylines

    cfg = SETTINGS.report
    lines = storylines(store)
    if not lines:
        return [], None, {}
    shown, n = [], 0
    for line in lines[:cfg.max_storylines]:
        if shown and n + (line.get("n_articles") or 0) > cfg.max_articles:
            break
        shown.append(line)
        n += line.get("n_articles") or 0
    rest = lines[len(shown):]
    left = {"storylines": len(rest), "articles": sum(l.get("n_articles") or 0 for l in rest), "developments": 0}
    if n > cfg.max_articles:
        shown[0], cut_devs, cut_articles = _largest_developments(store, shown[0], cfg.max_articles)
        left["developments"] += cut_devs
        left["articles"] += cut_articles
    return shown, {sid for l in shown for sid in l["story_ids"]}, (left if left["articles"] else {})


def _largest_developments(store: Store, line: dict, budget: int) -> tuple[dict, int, int]:
    """``line`` restricted to its largest developments holding up to ``budget`` articles (at least one, in
    the line's time order), and how many developments and articles were left out."""
    sizes = store.story_tables.story_sizes(line["story_ids"])
    keep, n = set(), 0
    for sid in sorted(line["story_ids"], key=lambda s: (-sizes.get(s, 0), s)):
        if keep and n + sizes.get(sid, 0) > budget:
            break
        keep.add(sid)
        n += sizes.get(sid, 0)
    kept = [sid for sid in line["story_ids"] if sid in keep]
    return ({**line, "story_ids": kept, "n_developments": len(line["story_ids"])},
            len(line["story_ids"]) - len(kept), (line.get("n_articles") or 0) - n)


def build_context(store: Store, run=None) -> dict:
    from ..claims import article_signals
    from ..link import explanations

    shown, keep, left_out = _shown_storylines(store)
    signals = {r["article_id"]: r for r in article_signals(store)}
    digests = store.article_digests()
    removed_kinds: Counter = Counter()     # the whole store's, as the summary's other figures
    for d in digests:
        removed_kinds.update(k for k, _ in removed_pairs(d[3]))
    shown_articles = list(store.articles()) if keep is None else store.articles_in_stories(keep)
    entities = _article_entities(store, [a.id for a in shown_articles])
    why = explanations(store, None if keep is None else [a.id for a in shown_articles])
    articles = [{
        "a": a, "paragraphs": [p for p in a.text.split("\n\n") if p.strip()],
        "removed": removed_pairs(a.removed),
        "entities": entities.get(a.id, []),
        "entity_chips": Markup("".join(e["chip"] for e in entities.get(a.id, []))),
        "signals": signals.get(a.id), "why": _why_text(why.get(a.id)),
    } for a in shown_articles]
    stats = store.stats()
    rejects = [dict(r) for r in store.rejects()]
    damaged = [dict(r) for r in store.ingest_warnings()] if hasattr(store, "ingest_warnings") else []
    reasons = Counter(r["reason"].split(" (")[0] for r in rejects)
    titles = {a["a"].id: a["a"].title for a in articles}
    names: dict = {}
    stories = _stories(store, shown, keep, names)
    lines, singles = _storylines(stories, shown, _independent_reports(store, digests), names)
    return {"version": __version__, "generated": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "stats": stats, "articles": articles, "rejects": rejects, "reasons": reasons.most_common(),
            "ingest_warnings": damaged,
            "removed_kinds": removed_kinds.most_common(), "run": run, "stories": stories, "titles": titles,
            "storylines": lines, "single_reports": singles, "left_out": left_out, "db": store.path}


def render_report(store: Store, run=None) -> str:
    with paused_gc():
        return ENV.get_template("report.html").render(**build_context(store, run))


def write_report(store: Store, path: str | Path, run=None) -> Path:
    path = Path(path)
    html = render_report(store, run)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path
