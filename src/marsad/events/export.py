"""Reading events back out of the store.

In: a :class:`~marsad.store.Store` after the events stage (:func:`marsad.events.run_events`). Out:
``events(store)`` — dicts in the ``marsad/1`` export shape (plus ACLED extras);
``write_acled_csv(store, out)`` — a CSV with ACLED's column names; ``write_geojson(store, out)`` —
a GeoJSON FeatureCollection of events and places (entities with coordinates and mention counts).
Nothing is recomputed; the SQL is in :mod:`marsad.store.events`.
"""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from typing import IO

from .lexicon import lexicon
from .merge import country_name

ACLED_COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
                 "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
                 "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
                 "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
                 "fatalities", "tags", "timestamp"]


def main_story(article_ids: list[int], story_of: dict[int, int | None]) -> int | None:
    """The story most of ``article_ids`` belong to (None when none has one)."""
    stories = Counter(story_of.get(a) for a in article_ids if story_of.get(a) is not None)
    return stories.most_common(1)[0][0] if stories else None


def event_record(r, story_of: dict[int, int | None]) -> dict:
    """One stored event row in the ``marsad/1`` export shape; ``story_of`` maps article ids to story ids
    (the event's story is the one most of its articles belong to)."""
    article_ids = json.loads(r["article_ids"] or "[]")
    evidence = json.loads(r["evidence"] or "[]")
    return {
        "id": r["id"],
        "story_id": main_story(article_ids, story_of),
        "event_type": r["event_type"], "sub_event_type": r["sub_event_type"],
        "date": r["date"], "time_precision": r["time_precision"],
        "actor1": r["actor1"], "actor2": r["actor2"],
        "location": r["location_id"], "lat": r["lat"], "lon": r["lon"], "geo_precision": r["geo_precision"],
        "location_kind": r["location_kind"] if "location_kind" in r.keys() else None,
        "article_ids": article_ids,
        "evidence": evidence[0]["text"] if evidence else None,
        "evidence_sentences": evidence,
        "independent_origins": r["independent_origins"],
        "assoc_actor_1": r["assoc_actor_1"], "inter1": r["inter1"], "inter2": r["inter2"],
        "admin1": r["admin1"], "country": country_name(r["country"]), "iso2": r["country"],
        "location_name": r["location_name"], "fatalities": r["fatalities"], "notes": r["notes"],
        "sources": json.loads(r["sources"] or "[]"),
    }


def events(store) -> list[dict]:
    """All merged events, oldest first, as ``marsad/1`` export records."""
    tables = store.event_tables
    story = tables.story_of_articles()
    return [event_record(r, story) for r in tables.event_rows()]


def _iso3_numeric(iso2: str | None) -> tuple[str, str]:
    if not iso2:
        return "XXX", ""
    try:
        import pycountry
        c = pycountry.countries.get(alpha_2=iso2.upper())
        return (c.alpha_3, str(int(c.numeric))) if c else (iso2, "")
    except Exception:
        return iso2, ""


def acled_rows(store) -> list[dict]:
    """Events as ACLED rows (column names of ACLED's export; unknown fields left empty)."""
    tax = lexicon().taxonomy
    now = int(time.time())
    rows = []
    for e in events(store):
        iso3, num = _iso3_numeric(e["iso2"])
        i1, i2 = e["inter1"] or 0, e["inter2"] or 0
        interaction = "".join(str(x) for x in sorted(x for x in (i1, i2) if x)) if (i1 or i2) else ""
        if interaction and len(interaction) == 1:
            interaction += "0"
        rows.append({
            "event_id_cnty": f"{iso3}{e['id']}", "event_date": e["date"] or "",
            "year": (e["date"] or "")[:4], "time_precision": e["time_precision"] or "",
            "disorder_type": tax[e["sub_event_type"]]["disorder_type"], "event_type": e["event_type"],
            "sub_event_type": e["sub_event_type"], "actor1": e["actor1"] or "", "assoc_actor_1": e["assoc_actor_1"] or "",
            "inter1": e["inter1"] or "", "actor2": e["actor2"] or "", "assoc_actor_2": "", "inter2": e["inter2"] or "",
            "interaction": interaction, "civilian_targeting": "Civilian targeting" if e["inter2"] == 7 else "",
            "iso": num, "region": "", "country": e["country"] or "", "admin1": e["admin1"] or "", "admin2": "",
            "admin3": "", "location": e["location_name"] or "", "latitude": e["lat"] if e["lat"] is not None else "",
            "longitude": e["lon"] if e["lon"] is not None else "", "geo_precision": e["geo_precision"] or "",
            "source": "; ".join(e["sources"]), "source_scale": "", "notes": e["notes"] or "",
            "fatalities": e["fatalities"] if e["fatalities"] is not None else "", "tags": "", "timestamp": now,
        })
    return rows


def write_acled_csv(store, out: IO[str]) -> int:
    """Write events as an ACLED-style CSV to the text stream ``out``; returns the number of rows."""
    rows = acled_rows(store)
    w = csv.DictWriter(out, fieldnames=ACLED_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return len(rows)


def geojson(store) -> dict:
    """A FeatureCollection: one Point per located event (``kind: event``) and per place entity with
    coordinates (``kind: place``, with its mention count)."""
    feats = []
    for e in events(store):
        if e["lat"] is None or e["lon"] is None:
            continue
        props = {k: v for k, v in e.items() if k not in ("lat", "lon", "evidence_sentences")}
        props["kind"] = "event"
        feats.append({"type": "Feature", "id": f"event:{e['id']}",
                      "geometry": {"type": "Point", "coordinates": [e["lon"], e["lat"]]}, "properties": props})
    for ent, n in store.entities():
        if ent.lat is None or ent.lon is None:
            continue
        feats.append({"type": "Feature", "id": ent.id,
                      "geometry": {"type": "Point", "coordinates": [ent.lon, ent.lat]},
                      "properties": {"kind": "place", "id": ent.id, "type": ent.type, "name_ar": ent.name_ar,
                                     "name_en": ent.name_en, "country": ent.country, "admin1": ent.admin1,
                                     "geo_precision": ent.geo_precision, "mentions": n}})
    return {"type": "FeatureCollection", "features": feats}


def write_geojson(store, out: IO[str]) -> int:
    """Write :func:`geojson` to the text stream ``out``; returns the number of features."""
    fc = geojson(store)
    json.dump(fc, out, ensure_ascii=False, indent=1)
    out.write("\n")
    return len(fc["features"])
