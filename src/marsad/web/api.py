"""The JSON API under ``/api``: storylines, stories, articles, entities, claims, events, search, counts.

In: requests (paging, filters) and the calling thread's store. Out: :func:`router`, whose routes answer
JSON in the shape of the ``marsad/1`` export: lists as ``{"total", "limit", "offset", "items"}`` (the
storylines: a JSON list, their number in ``X-Total-Count``), one record by id, or 404.
"""

from __future__ import annotations

import datetime as _dt

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..settings import SETTINGS
from ..store import Store
from . import data
from .deps import (ENTITY_TYPE_PATTERN, Limit, Offset, Site, StoryFilter, answer, article_id_path, get_site,
                   get_store, iso, page_of, run_search, story_bundle, story_id_path)

WEB = SETTINGS.web


def router() -> APIRouter:
    """The routes (made per app: the search query's length and reach are read from the settings now)."""
    r = APIRouter()
    r.get("/api/storylines", tags=["stories"])(api_storylines)
    r.get("/api/stats", tags=["store"])(api_stats)
    r.get("/api/stories", tags=["stories"])(api_stories)
    r.get("/api/stories/{story_id}", tags=["stories"])(api_story)
    r.get("/api/articles", tags=["articles"])(api_articles)
    r.get("/api/articles/{article_id}", tags=["articles"])(api_article)
    r.get("/api/entities", tags=["entities"])(api_entities)
    r.get("/api/entities/{entity_id}", tags=["entities"])(api_entity)
    r.get("/api/claims", tags=["claims"])(api_claims)
    r.get("/api/claim_groups", tags=["claims"])(api_claim_groups)
    r.get("/api/events", tags=["events"])(api_events)
    r.get("/api/search", tags=["search"])(search_route(int(WEB.search_max_chars), int(WEB.search_pool)))
    return r


def api_storylines(limit: int = Query(100, ge=1, le=500, description="page size (1–500)"), offset: int = Offset,
                   store: Store = Depends(get_store)):
    """Storylines, largest first, one page (a JSON list; the number of all in ``X-Total-Count``): id,
    title, story_ids (developments in time order), start, end, summary, n_articles."""
    total, items = store.web.storylines_page(limit=limit, offset=offset)
    return JSONResponse(items, headers={"X-Total-Count": str(total)})


def api_stats(site: Site = Depends(get_site), store: Store = Depends(get_store)):
    """Corpus counts (computed once per summary period: some scan the whole store)."""
    return answer({"schema": "marsad/1", **site.summaries.get(("stats",), store.web.generation(), store.stats)})


def api_stories(limit: int = Limit, offset: int = Offset,
                sort: str = Query("size", pattern="^(size|recent)$"),
                since: _dt.date | None = None, until: _dt.date | None = None,
                store: Store = Depends(get_store)):
    total, items = data.stories_page(store, sort, limit, offset, iso(since), iso(until))
    return page_of(total, items, limit, offset)


def api_story(story_id: int = Depends(story_id_path), store: Store = Depends(get_store)):
    b = story_bundle(store, story_id)
    return answer({**b["story"], "claims": b["claims"], "claim_groups": b["claim_groups"], "events": b["events"]})


def api_articles(limit: int = Limit, offset: int = Offset, outlet: str | None = Query(None, max_length=300),
                 story_id: int | None = StoryFilter, since: _dt.date | None = None, until: _dt.date | None = None,
                 store: Store = Depends(get_store)):
    if since and until and since > until:
        raise HTTPException(400, "since is after until")
    total, items = data.query_articles(store, limit=limit, offset=offset, outlet=outlet, story_id=story_id,
                                       since=iso(since), until=iso(until))
    return page_of(total, items, limit, offset)


def api_article(article_id: int = Depends(article_id_path), store: Store = Depends(get_store)):
    """One article with its mentions, claims and copy links (the widest ``[web] copies_shown`` each
    way, with their passages; ``copies_total`` counts them all)."""
    _, items = data.query_articles(store, ids=[article_id], limit=1)
    if not items:
        raise HTTPException(404, f"no article with id {article_id}")
    rec = items[0]
    rec["mentions"] = [{"start": m.start, "end": m.end, "text": m.text, "type": m.type, "entity_id": m.entity_id}
                       for m in store.mentions(article_id=article_id)]
    rec["copies_total"], rec["copies"] = data.article_copies(store, article_id, int(WEB.copies_shown))
    rec["claims"] = data.claims_page(store, article_id=article_id)[1]
    return answer(rec)


def api_entities(limit: int = Limit, offset: int = Offset,
                 type: str | None = Query(None, pattern=ENTITY_TYPE_PATTERN,
                                          description="one of " + ", ".join(data.ENTITY_TYPES)),
                 store: Store = Depends(get_store)):
    """Entities, most mentioned first, with their mention counts (mentions: ``/api/entities/{id}``)."""
    total, rows = store.web.entities_page(type, limit=limit, offset=offset)
    return page_of(total, [data.entity_record(r, r["n"]) for r in rows], limit, offset)


def api_entity(entity_id: str = PathParam(..., max_length=300), limit: int = Query(200, ge=1, le=1000),
               offset: int = Offset, store: Store = Depends(get_store)):
    """One entity, one page of its mentions (``limit``, ``offset``), and the entities named with it."""
    e = store.entity(entity_id)
    if e is None:
        raise HTTPException(404, f"no entity with id {entity_id}")
    total, mentions = store.web.entity_mentions(entity_id, limit, offset)
    rec = data.entity_record(vars(e) if not isinstance(e, dict) else e, total, mentions)
    rec.update(mentions_total=total, limit=limit, offset=offset, cooccurring=data.cooccurring(store, entity_id))
    return answer(rec)


def api_claims(limit: int = Limit, offset: int = Offset, story_id: int | None = StoryFilter,
               group_id: str | None = Query(None, max_length=300), store: Store = Depends(get_store)):
    total, items = data.claims_page(store, story_id=story_id, group_id=group_id, limit=limit, offset=offset)
    return page_of(total, items, limit, offset)


def api_claim_groups(limit: int = Limit, offset: int = Offset, story_id: int | None = StoryFilter,
                     store: Store = Depends(get_store)):
    total, items = data.claim_groups_page(store, story_id=story_id, limit=limit, offset=offset)
    return page_of(total, items, limit, offset)


def api_events(limit: int = Limit, offset: int = Offset, story_id: int | None = StoryFilter,
               event_type: str | None = Query(None, max_length=100), since: _dt.date | None = None,
               until: _dt.date | None = None, store: Store = Depends(get_store)):
    total, items = data.events_page(store, story_id=story_id, event_type=event_type, since=iso(since),
                                    until=iso(until), limit=limit, offset=offset)
    return page_of(total, items, limit, offset)


def search_route(max_chars: int, pool: int):
    """The search endpoint, its query at most ``max_chars`` characters, its offset at most ``pool``."""
    def api_search(q: str = Query(..., min_length=1, max_length=max_chars, description="words, any spelling variant"),
                   limit: int = Query(20, ge=1, le=200), offset: int = Query(0, ge=0, le=pool),
                   outlet: str | None = Query(None, max_length=300),
                   story_id: int | None = StoryFilter, since: _dt.date | None = None, until: _dt.date | None = None,
                   store: Store = Depends(get_store)):
        total, hits = run_search(store, q, outlet, story_id, iso(since), iso(until), limit, offset)
        items = [{"id": a.id, "title": a.title, "outlet": a.outlet, "published": a.published,
                  "story_id": a.story_id, "duplicate_of": a.duplicate_of, "snippet": sn} for a, sn in hits]
        return answer({"query": q, "total": total, "limit": limit, "offset": offset, "items": items})
    return api_search
