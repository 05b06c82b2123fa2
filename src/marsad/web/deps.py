"""What the routers share: the app's state, the store dependency, answers, parameters, common reads.

In: a request (its app's ``state.site``, a :class:`Site` that :func:`marsad.web.app.create_app` sets).
Out: the dependencies :func:`get_site` and :func:`get_store` (the calling thread's store connection);
:func:`answer` and :func:`page_of` (JSON answers); the parameter declarations the routes share
(:data:`Limit`, :data:`Offset`, :data:`StoryFilter`, :func:`story_id_path`, :func:`article_id_path`);
and the reads both pages and API make: :func:`story_bundle` (a story with its claims and events) and
:func:`run_search` (one page of full-text matches with snippets).
"""

from __future__ import annotations

import datetime as _dt
import threading
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Callable

from fastapi import Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment
from starlette.exceptions import HTTPException

from ..settings import SETTINGS
from ..store import Store
from . import data
from .jobs import Jobs
from .middleware import Summaries

WEB = SETTINGS.web
MAX_ID = 2 ** 63 - 1          # SQLite's largest integer: larger ids are refused (422), never reach a query
ENTITY_TYPE_PATTERN = "^(" + "|".join(data.ENTITY_TYPES) + ")$"
Limit = Query(50, ge=1, le=500, description="page size (1–500)")
Offset = Query(0, ge=0, le=MAX_ID, description="items to skip")
StoryFilter = Query(None, ge=0, le=MAX_ID, description="only this story")


class ThreadStores:
    """One connection per worker thread, opened on first use (SQLite connections stay in their thread)."""

    def __init__(self, db_path: str):
        self.db_path, self.local = db_path, threading.local()

    def __call__(self) -> Store:
        store = getattr(self.local, "store", None)
        if store is None:
            store = self.local.store = Store(self.db_path)
        return store


class StoreProxy:
    """Resolves to the calling thread's store on each use, so a dependency made in one pool
    thread can serve an endpoint that runs in another."""

    __slots__ = ("_thread_store",)

    def __init__(self, thread_store: Callable[[], Store]):
        self._thread_store = thread_store

    def __getattr__(self, name: str):
        return getattr(self._thread_store(), name)


@dataclass
class Site:
    """What one app's routes read: its templates, summary memo, ingest jobs, write token and store."""

    env: Environment
    summaries: Summaries
    jobs: Jobs
    token: str | None
    allow_private_urls: bool
    thread_store: ThreadStores

    def __post_init__(self):
        self.store = StoreProxy(self.thread_store)

    def render(self, name: str, **ctx) -> str:
        return self.env.get_template(name).render(**ctx)

    def page(self, name: str, code: int = 200, **ctx) -> HTMLResponse:
        return HTMLResponse(self.render(name, **ctx), status_code=code)

    def warm(self) -> None:
        """Build this worker's search-variant table before the first search needs it."""
        try:
            self.thread_store()._name_variants()
        except Exception:   # a warm-up only; the first search builds it otherwise
            pass


async def get_site(request: Request) -> Site:
    return request.app.state.site


async def get_store(request: Request) -> Store:
    return request.app.state.site.store


def answer(body: Any, code: int = 200) -> JSONResponse:
    """Compact JSON, no re-encoding pass (the records are plain dicts already)."""
    return JSONResponse(body, status_code=code)


def page_of(total: int, items: list, limit: int, offset: int) -> JSONResponse:
    return answer({"total": total, "limit": limit, "offset": offset, "items": items})


def iso(d: _dt.date | None) -> str | None:
    return d.isoformat() if d else None


def story_id_path(story_id: int = PathParam(..., ge=0, le=MAX_ID)) -> int:
    return story_id


def article_id_path(article_id: int = PathParam(..., ge=0, le=MAX_ID)) -> int:
    return article_id


def story_bundle(store: Store, story_id: int) -> dict:
    s = data.story(store, story_id)
    if s is None:
        raise HTTPException(404, f"no story with id {story_id}")
    s["n_outlets"] = len(s.get("outlets") or [])
    return {"story": s, "claims": data.claims(store, story_id), "claim_groups": data.claim_groups(store, story_id),
            "events": data.events(store, story_id)}


def run_search(store: Store, q: str, outlet, story_id, since, until, limit: int, offset: int) -> tuple[int, list]:
    """Full-text matches filtered in SQL, one page, snippets for that page only."""
    fts, shown = store.search_terms(q)
    total, rows = store.web.search_page(fts, outlet=outlet, story_id=story_id, since=since, until=until,
                                        limit=limit, offset=offset, pool=int(WEB.search_pool))
    head = int(WEB.snippet_head_chars)
    return total, [(SimpleNamespace(**{k: r[k] for k in r.keys()}), data.snippet(r["text"], shown, head))
                   for r in rows]
