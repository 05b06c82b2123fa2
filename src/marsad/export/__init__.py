"""Exports: the store as data (``marsad/1`` JSON, JSON Lines, CSV).

In: a :class:`~marsad.store.Store`. Out: text written to a file-like object. Everything is read
from the store, never recomputed. JSON is one object with ``"schema": "marsad/1"`` and the lists
promised in DESIGN.md (``articles`` and ``entities`` now; ``stories``, ``claims``, ``copies`` and
``events`` are present, empty until their stages fill them). JSON Lines writes one
``{"type": ..., ...}`` record a line; CSV writes one table.
"""

from __future__ import annotations

import csv
import json
from typing import IO, Iterator

from ..errors import MarsadError
from ..store import Store

SCHEMA = "marsad/1"
_SINGULAR = {"articles": "article", "stories": "story", "storylines": "storyline", "entities": "entity",
             "claims": "claim", "copies": "copy", "events": "event"}
ARTICLE_FIELDS = ["id", "source", "url", "outlet", "title", "title_derived", "published", "language", "text",
                  "duplicate_of", "story_id", "storyline_id", "byline", "cited_source", "removed"]


def _story_links(store: Store) -> tuple[dict[int, int | None], dict[int, dict]]:
    """Development -> storyline, and per article why it joined its development (strongest shared signals)."""
    from .. import link

    return ({s["id"]: s.get("storyline_id") for s in link.stories(store)}, link.explanations(store))


def article_records(store: Store) -> Iterator[dict]:
    line_of, why = _story_links(store)
    for a in store.articles():
        yield {"id": a.id, "source": a.source, "url": a.url, "outlet": a.outlet, "title": a.title,
               "title_derived": a.title_derived, "published": a.published, "language": a.language, "text": a.text,
               "duplicate_of": a.duplicate_of, "story_id": a.story_id, "storyline_id": line_of.get(a.story_id),
               "story_why": why.get(a.id), "byline": a.byline, "cited_source": a.cited_source, "removed": a.removed}


def entity_records(store: Store) -> Iterator[dict]:
    by_entity: dict[str, list[dict]] = {}
    for m in store.mentions():
        if m.entity_id:
            by_entity.setdefault(m.entity_id, []).append(
                {"article_id": m.article_id, "start": m.start, "end": m.end, "text": m.text, "location_id": m.location_id})
    for e, _n in store.entities():
        yield {"id": e.id, "type": e.type, "name_ar": e.name_ar, "name_en": e.name_en, "lat": e.lat, "lon": e.lon,
               "country": e.country, "admin1": e.admin1, "geo_precision": e.geo_precision, "aliases": e.aliases,
               "kind": e.kind, "mentions": by_entity.get(e.id, [])}


def _extra_lists(store: Store) -> dict[str, list]:
    """Lists filled by the linking, claims and events stages."""
    from .. import claims, events, link

    return {"stories": list(link.stories(store)), "storylines": list(link.storylines(store)),
            "copies": list(link.copies(store)),
            "claims": claims.claims(store), "events": events.events(store)}


def collect(store: Store) -> dict:
    doc = {"schema": SCHEMA, "articles": list(article_records(store)), "stories": [], "storylines": [],
           "entities": list(entity_records(store)), "claims": [], "copies": [], "events": []}
    doc.update(_extra_lists(store))
    return doc


def write_json(store: Store, out: IO[str]) -> None:
    json.dump(collect(store), out, ensure_ascii=False, indent=1)
    out.write("\n")


def write_jsonl(store: Store, out: IO[str]) -> None:
    """One record a line, streamed: ``{"type": "article", ...}``; the first line names the schema."""
    out.write(json.dumps({"type": "schema", "schema": SCHEMA}) + "\n")
    for rec in article_records(store):
        out.write(json.dumps({"type": "article", **rec}, ensure_ascii=False) + "\n")
    for rec in entity_records(store):
        out.write(json.dumps({"type": "entity", **rec}, ensure_ascii=False) + "\n")
    for name, recs in _extra_lists(store).items():
        for rec in recs:
            out.write(json.dumps({"type": _SINGULAR[name], **rec}, ensure_ascii=False) + "\n")


CSV_TABLES = ("articles", "entities", "events", "rejects")


def write_geojson(store: Store, out: IO[str]) -> None:
    """Events and geocoded places as one GeoJSON FeatureCollection."""
    from ..events import write_geojson as events_geojson

    events_geojson(store, out)


def write_csv(store: Store, out: IO[str], table: str = "articles") -> None:
    """One table as CSV; ``events`` uses ACLED's column names and order."""
    if table == "events":
        from ..events import write_acled_csv

        write_acled_csv(store, out)
        return
    if table == "articles":
        fields = [f for f in ARTICLE_FIELDS if f != "removed"] + ["removed_count"]
        rows = ({**{k: r[k] for k in fields if k in r}, "removed_count": len(r["removed"])} for r in article_records(store))
    elif table == "entities":
        fields = ["id", "type", "name_ar", "name_en", "lat", "lon", "country", "admin1", "geo_precision", "mention_count"]
        rows = ({**{k: r[k] for k in fields if k in r}, "mention_count": len(r["mentions"])} for r in entity_records(store))
    elif table == "rejects":
        fields = ["source", "reason", "at"]
        rows = (dict(r) for r in store.rejects())
    else:
        raise MarsadError(f"--table {table}", f"unknown table (choose from: {', '.join(CSV_TABLES)})")
    w = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow(r)
