"""The entity pages: the list (``/entities``, by type, paged) and one entity (``/entities/{id}``).

In: requests, the app's :class:`~marsad.web.deps.Site` and the calling thread's store. Out:
:func:`router`, whose routes answer Arabic HTML pages (not in the OpenAPI schema): entities with their
mention counts; an entity with its mentions by story, the forms it is written in, the entities named
with it and, for a place, its map.
"""

from __future__ import annotations

from types import SimpleNamespace

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from ..settings import SETTINGS
from ..store import Store
from . import data
from .deps import ENTITY_TYPE_PATTERN, Site, get_site, get_store
from .maps import build_map

WEB = SETTINGS.web


def router() -> APIRouter:
    r = APIRouter()
    r.get("/entities", response_class=HTMLResponse, include_in_schema=False)(entities_page)
    r.get("/entities/{entity_id}", response_class=HTMLResponse, include_in_schema=False)(entity_page)
    return r


def entities_page(type: str | None = Query(None, pattern=ENTITY_TYPE_PATTERN),
                  page_no: int = Query(1, alias="page", ge=1, le=10 ** 6),
                  site: Site = Depends(get_site), store: Store = Depends(get_store)):
    size = int(WEB.page_size) * 4
    total, rows = store.web.entities_page(type, limit=size, offset=(page_no - 1) * size)
    items = [(SimpleNamespace(**{k: r[k] for k in ("id", "type", "name_ar", "name_en")}), r["n"]) for r in rows]
    return site.page("entities.html", nav="entities", items=items, total=total, type=type, page=page_no,
                     pages=max(1, -(-total // size)), first=(page_no - 1) * size)


def entity_page(entity_id: str = PathParam(..., max_length=300), site: Site = Depends(get_site),
                store: Store = Depends(get_store)):
    e = store.entity(entity_id)
    if e is None:
        raise HTTPException(404, f"no entity with id {entity_id}")
    by_story = data.group_mentions_by_story(store, entity_id)
    n_mentions, forms = store.web.entity_forms(entity_id)
    points = []
    if e.lat is not None and e.lon is not None:
        points = [{"lat": e.lat, "lon": e.lon, "label": e.name_ar, "label_en": e.name_en, "href": None,
                   "weight": 1, "kind": "place", "note": ""}]
    return site.page("entity.html", nav="entities", e=e, by_story=by_story, co=data.cooccurring(store, entity_id),
                     forms=forms, n_mentions=n_mentions, map=build_map(points))
