"""The export downloads under ``/api/export``: the whole store as ``marsad/1`` JSON, events as CSV,
places and events as GeoJSON.

In: requests and the calling thread's store. Out: :func:`router`, whose routes answer attachments
(``marsad.json``, ``marsad-events.csv``, ``marsad.geojson``) written by :mod:`marsad.export` (or, where
it lacks a writer, by :mod:`marsad.events` or the fallbacks here). Never kept by the answer cache.
"""

from __future__ import annotations

import io
import json

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from ..store import Store
from . import data
from .deps import get_store


def router() -> APIRouter:
    r = APIRouter()
    r.get("/api/export.json", tags=["export"])(api_export_json)
    r.get("/api/export/events.csv", tags=["export"])(api_export_events_csv)
    r.get("/api/export.geojson", tags=["export"])(api_export_geojson)
    return r


def full_export(store: Store) -> dict:
    from ..export import collect

    doc = collect(store)
    if not doc.get("claims"):
        doc["claims"] = data.claims(store)
    if not doc.get("events"):
        doc["events"] = data.events(store)
    return doc


def api_export_json(store: Store = Depends(get_store)):
    body = json.dumps(full_export(store), ensure_ascii=False)
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": 'attachment; filename="marsad.json"'})


def api_export_events_csv(store: Store = Depends(get_store)):
    from .. import export

    out = io.StringIO()
    if "events" in getattr(export, "CSV_TABLES", ()):
        export.write_csv(store, out, table="events")
    else:
        try:
            from ..events import write_acled_csv
        except ImportError:
            raise HTTPException(404, "the events CSV exporter is not installed") from None
        write_acled_csv(store, out)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="marsad-events.csv"'})


def api_export_geojson(store: Store = Depends(get_store)):
    from .. import export

    writer = getattr(export, "write_geojson", None)
    if writer is None:
        try:
            from ..events import write_geojson as writer
        except ImportError:
            writer = None
    if writer is not None:
        out = io.StringIO()
        writer(store, out)
        body = out.getvalue()
    else:
        body = json.dumps(fallback_geojson(store), ensure_ascii=False)
    return Response(body, media_type="application/geo+json",
                    headers={"Content-Disposition": 'attachment; filename="marsad.geojson"'})


def fallback_geojson(store: Store) -> dict:
    feats = []
    for e in data.events(store):
        if isinstance(e.get("lat"), (int, float)) and isinstance(e.get("lon"), (int, float)):
            props = {k: v for k, v in e.items() if k not in ("lat", "lon")}
            feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [e["lon"], e["lat"]]},
                          "properties": {"kind": "event", **props}})
    for ent, n in store.entities():
        if ent.lat is not None and ent.lon is not None and n:
            feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [ent.lon, ent.lat]},
                          "properties": {"kind": "place", "id": ent.id, "type": ent.type, "name_ar": ent.name_ar,
                                         "name_en": ent.name_en, "country": ent.country, "mentions": n}})
    return {"type": "FeatureCollection", "features": feats}
