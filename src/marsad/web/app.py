"""The FastAPI app: server-rendered pages and a JSON API over one embedded store.

In: a database path (and an optional write token). Out: an ASGI app. Pages (Arabic, right to left,
escaped, no inline script, strict Content-Security-Policy): ``/`` overview, ``/stories/{id}``,
``/articles/{id}``, ``/entities`` and ``/entities/{id}``, ``/search``, ``/ingest``. API under
``/api`` in the shape of the ``marsad/1`` export, paginated, with filters; OpenAPI at
``/openapi.json``. Every page and answer comes from indexed queries and trigger-kept summary tables
(:mod:`marsad.store.web`), and is kept by :class:`AnswerCache` as sent until the store changes; while a
marsad run writes the store, the overview's summary and kept answers are recomputed at most every
``SETTINGS.web.summary_seconds`` per worker (a story's answers: when that story changes). Writes (ingest) pass
:class:`WriteGuard` first: token and size are checked before any byte of the body is read. Ingest
runs in a separate, lower-priority process (:mod:`marsad.web.jobs`), so pages keep their speed.
Each worker thread keeps its own store connection (SQLite in WAL mode: readers never wait).

This module only builds the app: its state (a :class:`~marsad.web.deps.Site`), middleware
(:mod:`marsad.web.middleware`), error pages and the routers, one per page family: story pages
(:mod:`~marsad.web.pages_stories`), article and search pages (:mod:`~marsad.web.pages_articles`),
entity pages (:mod:`~marsad.web.pages_entities`), the JSON API (:mod:`~marsad.web.api`), exports
(:mod:`~marsad.web.exports`) and ingest (:mod:`~marsad.web.ingest_routes`).
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.exceptions import HTTPException

from .. import __version__
from ..errors import MarsadError
from ..settings import SETTINGS
from ..store import Store
from . import api, exports, ingest_routes, pages_articles, pages_entities, pages_stories
from .deps import Site, ThreadStores
from .jobs import Jobs, store_writing
from .middleware import (CSP, SECURITY_HEADERS, AnswerCache, Summaries, WriteGuard, answer_version, header_adder,
                         tile_origin)
from .templating import environment

__all__ = ["AnswerCache", "Summaries", "WriteGuard", "answer_version", "app_from_env", "create_app"]

HERE = Path(__file__).parent
WEB = SETTINGS.web
ROUTERS = (pages_stories, pages_articles, pages_entities, api, exports, ingest_routes)


def create_app(db_path: str | Path, token: str | None = None, tile_url: str | None = None,
               tile_attribution: str | None = None, allow_private_urls: bool | None = None) -> FastAPI:
    """``tile_url`` (or env ``MARSAD_TILE_URL``): an optional Leaflet tile layer drawn under the
    bundled country boundaries, e.g. a local tile server; its origin is added to the CSP ``img-src``.
    ``allow_private_urls`` (or env ``MARSAD_ALLOW_PRIVATE_URLS=1``, ``[web] allow_private_urls``): let
    URL ingest reach loopback, private and link-local hosts (refused by default)."""
    db_path = str(db_path)
    if allow_private_urls is None:
        allow_private_urls = os.environ.get("MARSAD_ALLOW_PRIVATE_URLS") == "1" or bool(WEB.allow_private_urls)
    Store(db_path).close()          # create / migrate once, and fail early on a bad path
    tile_url = tile_url or os.environ.get("MARSAD_TILE_URL") or None
    headers = dict(SECURITY_HEADERS)
    if tile_url:
        headers["Content-Security-Policy"] = CSP.replace("img-src 'self' data:", f"img-src 'self' data: {tile_origin(tile_url)}")
    env = environment()
    env.globals.update(tile_url=tile_url or "",
                       tile_attribution=tile_attribution or os.environ.get("MARSAD_TILE_ATTRIBUTION") or "")
    writing = functools.partial(store_writing, db_path)
    site = Site(env=env, summaries=Summaries(float(WEB.summary_seconds), writing=writing),
                jobs=Jobs(db_path, allow_private_urls=allow_private_urls), token=token,
                allow_private_urls=allow_private_urls, thread_store=ThreadStores(db_path))
    app = FastAPI(title="marsad", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Arabic news observatory: stories, articles, entities, claims and events "
                              "in the shape of the marsad/1 export.")
    app.state.site, app.state.jobs, app.state.db_path = site, site.jobs, db_path
    add_middleware(app, site, writing, token, headers)
    add_error_pages(app)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in ROUTERS:
        app.include_router(module.router())
    return app


def add_middleware(app: FastAPI, site: Site, writing, token: str | None, headers: dict[str, str]) -> None:
    """Compression innermost, then the answer cache, the write guard, and the security headers outermost."""
    store = site.thread_store
    app.add_middleware(GZipMiddleware, minimum_size=2048, compresslevel=int(WEB.gzip_level))
    app.add_middleware(AnswerCache, generation=lambda: store().web.generation(), writing=writing,
                       version=lambda path, query: answer_version(store(), path, query),
                       ttl=float(WEB.summary_seconds), size=int(WEB.answers_cached),
                       max_bytes=int(WEB.answer_max_kb) << 10)
    app.add_middleware(WriteGuard, token=token, max_bytes=int(WEB.max_upload_mb) * (1 << 20), headers=headers)
    app.middleware("http")(header_adder(headers))


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI):
    threading.Thread(target=app.state.site.warm, name="marsad-warm", daemon=True).start()
    yield


def add_error_pages(app: FastAPI) -> None:
    """Errors as JSON (``{"error", "status"}``) for the API and for writes, as an Arabic page otherwise."""
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(MarsadError, marsad_error)
    app.add_exception_handler(OverflowError, overflow_error)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path == "/openapi.json"


def error_page(request: Request, status: int, message: str):
    return request.app.state.site.page("error.html", status, status=status, message=message, nav="")


async def http_error(request: Request, exc: HTTPException):
    headers = getattr(exc, "headers", None)
    if wants_json(request) or request.method not in ("GET", "HEAD"):
        return JSONResponse({"error": exc.detail, "status": exc.status_code}, status_code=exc.status_code,
                            headers=headers)
    return error_page(request, exc.status_code, exc.detail)


async def validation_error(request: Request, exc: RequestValidationError):
    problems = [{"parameter": ".".join(str(x) for x in e.get("loc", ())[1:]) or str(e.get("loc")),
                 "in": (e.get("loc") or ("?",))[0], "message": e.get("msg"),
                 "input": e.get("input") if isinstance(e.get("input"), (str, int, float, type(None))) else None}
                for e in exc.errors()]
    for p in problems:
        if isinstance(p["input"], str) and len(p["input"]) > 200:
            p["input"] = p["input"][:200] + "…"
    if wants_json(request):
        return JSONResponse({"error": "invalid parameters", "status": 422, "problems": problems}, status_code=422)
    msg = "؛ ".join(f"{p['parameter']}: {p['message']}" for p in problems)
    return error_page(request, 422, f"معاملات غير صالحة — {msg}")


async def marsad_error(request: Request, exc: MarsadError):
    if wants_json(request):
        return JSONResponse({"error": str(exc), "status": 400}, status_code=400)
    return error_page(request, 400, str(exc))


async def overflow_error(request: Request, exc: OverflowError):
    """A number too large for the store that slipped past a parameter's range: the caller's mistake."""
    if wants_json(request):
        return JSONResponse({"error": "a number is out of range", "status": 422}, status_code=422)
    return error_page(request, 422, "رقم خارج النطاق المسموح")


def app_from_env() -> FastAPI:
    """The app for a multi-worker server: ``MARSAD_WEB_DB`` and ``MARSAD_TOKEN`` name the store and token."""
    return create_app(os.environ["MARSAD_WEB_DB"], token=os.environ.get("MARSAD_TOKEN") or None,
                      allow_private_urls=os.environ.get("MARSAD_ALLOW_PRIVATE_URLS") == "1" or None)
