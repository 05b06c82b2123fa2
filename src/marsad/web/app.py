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
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import hmac
import io
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader
from markupsafe import Markup
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware

from .. import __version__
from ..clean.furniture import removed_pairs
from ..errors import MarsadError
from ..settings import SETTINGS
from ..store import Store
from ..text.phrases import count_ar
from . import data
from .jobs import Busy, Jobs, store_writing
from .maps import build_map
from .urls import url_problem
from .graph import provenance_graph

HERE = Path(__file__).parent
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
ENTITY_TYPE_PATTERN = "^(" + "|".join(data.ENTITY_TYPES) + ")$"
TYPE_NAMES = {"PER": "شخص", "ORG": "منظمة", "GPE": "كيان جغرافي سياسي", "LOC": "موقع", "FAC": "منشأة", "NORP": "جماعة"}
JOB_STATUS = {"queued": "في الانتظار", "running": "قيد التحليل", "done": "اكتملت", "error": "فشلت"}
REASONS = {"denial": "نفي", "polarity": "إثبات مقابل نفي", "numbers": "أرقام مختلفة", "times": "توقيت مختلف",
           "dates": "تواريخ مختلفة", "places": "أماكن مختلفة", "stance": "موقف متعارض", "antonym": "تضاد",
           "opposed": "روايتان متعارضتان"}
MAX_ID = 2 ** 63 - 1          # SQLite's largest integer: larger ids are refused (422), never reach a query
WEB = SETTINGS.web


def _count_b(n, singular: str) -> Markup:
    """:func:`count_ar` with the number in bold: '<b>5</b> مقالات'; one and two have no digit, so the
    whole phrase is bold: '<b>مقالتان</b>'."""
    phrase = count_ar(n, singular)
    if n in (1, 2):
        return Markup("<b>%s</b>") % phrase
    return Markup("<b>%s</b> %s") % tuple(phrase.split(" ", 1))


def _env() -> Environment:
    env = Environment(loader=PackageLoader("marsad.web", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["inert"] = data.inert
    env.filters["event_ar"] = data.event_type_ar
    env.filters["segments"] = data.segments_html
    env.filters["count_ar"] = count_ar
    env.filters["count_b"] = _count_b
    static = HERE / "static"
    env.globals.update(leaflet_ready=(static / "vendor" / "leaflet" / "leaflet.js").is_file(),
                       basemap_ready=(static / "world.svg").is_file())
    env.globals.update(version=__version__, type_names=TYPE_NAMES, origins_count=data.origins_count,
                       outlets_count=data.outlets_count, origin_names=data.origin_names, group_id=data.group_id,
                       job_status=JOB_STATUS)
    return env


def _snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    m = re.search(r"\[([^\[\]]+)\]", snippet)
    if not m:
        return [(snippet, False)]
    return [(snippet[:m.start()], False), (m.group(1), True), (snippet[m.end():], False)]


def _iso(d: _dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _tile_origin(tile_url: str) -> str:
    """The CSP source for a tile URL template (``https://{s}.tile.example.org/{z}/{x}/{y}.png``):
    scheme and host, a ``{s}`` subdomain becoming ``*``. Anything but http(s) is refused."""
    parts = urlsplit(tile_url)
    host = parts.netloc.replace("{s}", "*")
    if parts.scheme not in ("http", "https") or not host or any(c in host for c in " ;,'\"{}"):
        raise ValueError(f"tile URL must be an http(s) URL template, got {tile_url!r}")
    return f"{parts.scheme}://{host}"


class WriteGuard:
    """ASGI middleware in front of every write (POST, PUT, PATCH, DELETE): the bearer token (compared in
    constant time), the request's origin and its declared size are checked before the body is read;
    a body that grows past ``max_bytes`` while streaming is cut off with 413."""

    def __init__(self, app, token: str | None, max_bytes: int, headers: dict[str, str]):
        self.app, self.token, self.max_bytes, self.headers = app, token, max_bytes, headers

    def refusal(self, headers: Headers) -> tuple[int, str, dict] | None:
        if self.token:
            auth = headers.get("authorization", "")
            given = auth[7:] if auth[:7].lower() == "bearer " else ""
            if not given or not hmac.compare_digest(given.encode(), self.token.encode()):
                return 401, "a valid 'Authorization: Bearer TOKEN' header is required", {"WWW-Authenticate": "Bearer"}
        origin = headers.get("origin")
        if origin and origin != "null" and urlsplit(origin).netloc != headers.get("host"):
            return 403, "cross-origin write refused", {}
        size = headers.get("content-length")
        if size is not None and (not size.isdigit() or int(size) > self.max_bytes):
            return 413, f"request larger than {self.max_bytes // (1 << 20)} MB", {"Connection": "close"}
        if size is None and "chunked" not in headers.get("transfer-encoding", "").lower():
            return 411, "a Content-Length header is required", {}
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        problem = self.refusal(Headers(scope=scope))
        if problem:
            status, message, extra = problem
            return await JSONResponse({"error": message, "status": status}, status_code=status,
                                      headers={**self.headers, **extra})(scope, receive, send)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, f"request larger than {self.max_bytes // (1 << 20)} MB")
            return message

        await self.app(scope, limited, send)


class AnswerCache:
    """ASGI middleware keeping this worker's answers to GET requests (pages and API lists), as sent
    (compressed when the client takes gzip): keyed by path, query and encoding, each valid while the
    store's generation is the one it was made at and, while the store changes (an ingest), for at most
    ``ttl`` seconds; at most ``size`` answers of at most ``max_bytes`` each, the oldest dropped first.
    Ingest state, exports and static files are never kept. ``generation()`` is the store's change
    counter (a few index lookups, ~0.1 ms); ``version(path)`` a finer one for the answers that show one
    part of the store (a story page: :meth:`marsad.store.web.WebReads.story_version`), or None: while
    the writer works, such an answer also stays valid as long as its part is unchanged."""

    SKIP = ("/static", "/api/ingest", "/ingest", "/api/export")

    def __init__(self, app, generation, writing, version, ttl: float, size: int, max_bytes: int):
        self.app, self.generation, self.version = app, generation, version
        self.memo = Summaries(ttl, size, writing)
        self.max_bytes = max_bytes

    def kept(self, key: tuple, path: str, generation: tuple):
        with self.memo.lock:
            hit = self.memo.memo.get(key)
        if hit is None:
            return None
        if self.memo.valid(hit, generation):
            return hit[2]
        mine = hit[2][2]
        return hit[2] if mine is not None and self.memo.writing() and mine == self.version(path, key[1]) else None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith(self.SKIP):
            return await self.app(scope, receive, send)
        gzip_ok = "gzip" in Headers(scope=scope).get("accept-encoding", "")
        path = scope["path"]
        key = (path, scope.get("query_string", b""), gzip_ok)
        generation = self.generation()
        kept = self.kept(key, path, generation)
        if kept is not None:
            start, body, _ = kept
            await send({**start, "headers": list(start["headers"])})
            await send({"type": "http.response.body", "body": body})
            return
        version = self.version(path, key[1])  # read before the answer: a change while it is made shows next time
        start, chunks, size = None, [], 0

        async def keep(message):
            nonlocal start, size
            if message["type"] == "http.response.start":
                start = {**message, "headers": list(message.get("headers", []))}
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
                if size <= self.max_bytes:
                    chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, keep)
        if start is not None and start["status"] == 200 and size <= self.max_bytes:
            self.memo.put(key, generation, (start, b"".join(chunks), version))


STORY_PAGE = re.compile(r"/(?:api/)?stories/(\d{1,18})")
STORY_CLAIMS = re.compile(r"(?:.*&)?story_id=(\d{1,18})(?:&limit=\d+|&offset=\d+)*")


def answer_version(store, path: str, query: bytes = b"") -> tuple | None:
    """The finer change counter of the answer at ``path`` (see :class:`AnswerCache`): the story's, for a
    story (page or API) and a story's claims (``/api/claims?story_id=``, paging only); else None."""
    m = STORY_PAGE.fullmatch(path)
    if m is None and path == "/api/claims":
        m = STORY_CLAIMS.fullmatch(query.decode("latin-1"))
        m = m if m and "group_id" not in query.decode("latin-1") else None
    return store.web.story_version(int(m.group(1))) if m else None


class Summaries:
    """Per-worker memo of summaries (the overview's) keyed by the store's generation; while a writer
    holds the store (``writing()``: an ingest or analyze runs), a summary is recomputed at most every
    ``ttl`` seconds, by one thread at a time: the others get the previous one meanwhile instead of
    computing it too. Once the writer is done, the next read sees its work."""

    def __init__(self, ttl: float, size: int = 64, writing=lambda: True):
        self.ttl, self.size, self.lock, self.memo, self.busy = ttl, size, threading.Lock(), {}, set()
        self.writing = writing

    def valid(self, hit: tuple, generation: tuple) -> bool:
        """Whether a kept ``(generation, made at, value)`` still stands for ``generation``."""
        return hit[0] == generation or (time.monotonic() - hit[1] < self.ttl and self.writing())

    def put(self, key: tuple, generation: tuple, value) -> None:
        with self.lock:
            self.memo.pop(key, None)
            while len(self.memo) >= self.size:          # the oldest entry goes first
                self.memo.pop(next(iter(self.memo)))
            self.memo[key] = (generation, time.monotonic(), value)

    def get(self, key: tuple, generation: tuple, compute):
        with self.lock:
            hit = self.memo.get(key)
            if hit and (key in self.busy or self.valid(hit, generation)):
                return hit[2]
            self.busy.add(key)
        try:
            value = compute()
        finally:
            with self.lock:
                self.busy.discard(key)
        self.put(key, generation, value)
        return value


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
    env = _env()
    tile_url = tile_url or os.environ.get("MARSAD_TILE_URL") or None
    tile_attribution = tile_attribution or os.environ.get("MARSAD_TILE_ATTRIBUTION") or ""
    headers = dict(SECURITY_HEADERS)
    if tile_url:
        headers["Content-Security-Policy"] = CSP.replace("img-src 'self' data:", f"img-src 'self' data: {_tile_origin(tile_url)}")
    env.globals.update(tile_url=tile_url or "", tile_attribution=tile_attribution)
    jobs = Jobs(db_path, allow_private_urls=allow_private_urls)
    max_upload = int(WEB.max_upload_mb) * (1 << 20)
    @contextlib.asynccontextmanager
    async def lifespan(_app):
        threading.Thread(target=warm, name="marsad-warm", daemon=True).start()
        yield

    app = FastAPI(title="marsad", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Arabic news observatory: stories, articles, entities, claims and events "
                              "in the shape of the marsad/1 export.")
    app.state.jobs = jobs
    app.state.db_path = db_path
    app.add_middleware(GZipMiddleware, minimum_size=2048, compresslevel=int(WEB.gzip_level))
    writing = functools.partial(store_writing, db_path)
    app.add_middleware(AnswerCache, generation=lambda: thread_store().web.generation(), writing=writing,
                       version=lambda path, query: answer_version(thread_store(), path, query), ttl=float(WEB.summary_seconds), size=int(WEB.answers_cached),
                       max_bytes=int(WEB.answer_max_kb) << 10)
    app.add_middleware(WriteGuard, token=token, max_bytes=max_upload, headers=headers)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for k, v in headers.items():
            response.headers.setdefault(k, v)
        if request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "public, max-age=3600")
        return response

    local = threading.local()

    def thread_store() -> Store:
        """One connection per worker thread, opened on first use (SQLite connections stay in their thread)."""
        store = getattr(local, "store", None)
        if store is None:
            store = local.store = Store(db_path)
        return store

    class StoreProxy:
        """Resolves to the calling thread's store on each use, so a dependency made in one pool
        thread can serve an endpoint that runs in another."""

        def __getattr__(self, name: str):
            return getattr(thread_store(), name)

    proxy = StoreProxy()

    def get_store() -> Store:
        return proxy  # type: ignore[return-value]

    summaries = Summaries(float(WEB.summary_seconds), writing=writing)

    def warm() -> None:
        """Build this worker's search-variant table before the first search needs it."""
        try:
            thread_store()._name_variants()
        except Exception:   # a warm-up only; the first search builds it otherwise
            pass

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api") or request.url.path == "/openapi.json"

    def page(name: str, code: int = 200, **ctx) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**ctx), status_code=code)

    def answer(body: Any, code: int = 200) -> JSONResponse:
        """Compact JSON, no re-encoding pass (the records are plain dicts already)."""
        return JSONResponse(body, status_code=code)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        headers = getattr(exc, "headers", None)
        if wants_json(request) or request.method not in ("GET", "HEAD"):
            return JSONResponse({"error": exc.detail, "status": exc.status_code}, status_code=exc.status_code,
                                headers=headers)
        return page("error.html", exc.status_code, status=exc.status_code, message=exc.detail, nav="")

    @app.exception_handler(RequestValidationError)
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
        return page("error.html", 422, status=422, message=f"معاملات غير صالحة — {msg}", nav="")

    @app.exception_handler(MarsadError)
    async def marsad_error(request: Request, exc: MarsadError):
        if wants_json(request):
            return JSONResponse({"error": str(exc), "status": 400}, status_code=400)
        return page("error.html", 400, status=400, message=str(exc), nav="")

    @app.exception_handler(OverflowError)
    async def overflow_error(request: Request, exc: OverflowError):
        """A number too large for the store that slipped past a parameter's range: the caller's mistake."""
        if wants_json(request):
            return JSONResponse({"error": "a number is out of range", "status": 422}, status_code=422)
        return page("error.html", 422, status=422, message="رقم خارج النطاق المسموح", nav="")

    Limit = Query(50, ge=1, le=500, description="page size (1–500)")
    Offset = Query(0, ge=0, le=MAX_ID, description="items to skip")
    StoryFilter = Query(None, ge=0, le=MAX_ID, description="only this story")
    Page = Query(1, ge=1, le=10 ** 6, description="page number (1 = first)")

    def story_id_path(story_id: int = PathParam(..., ge=0, le=MAX_ID)) -> int:
        return story_id

    def article_id_path(article_id: int = PathParam(..., ge=0, le=MAX_ID)) -> int:
        return article_id

    # ------------------------------------------------------------------ shared context builders
    def story_bundle(store: Store, story_id: int) -> dict:
        s = data.story(store, story_id)
        if s is None:
            raise HTTPException(404, f"no story with id {story_id}")
        s["n_outlets"] = len(s.get("outlets") or [])
        return {"story": s, "claims": data.claims(store, story_id), "claim_groups": data.claim_groups(store, story_id),
                "events": data.events(store, story_id)}

    def storyline_summary(store: Store) -> list[dict]:
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
        return summaries.get(("storylines",), store.web.generation(), compute)

    def overview_summary(store: Store, sort: str) -> dict:
        return summaries.get(("overview", sort, data.overview), store.web.generation(),
                             lambda: data.overview(store, sort))

    # ------------------------------------------------------------------ pages
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def overview(sort: str = Query("size", pattern="^(size|recent)$"), store: Store = Depends(get_store)):
        """The same for every reader until the store changes: rendered once per summary period."""
        def render() -> str:
            o = overview_summary(store, sort)
            counts = o["counts"]
            return env.get_template("overview.html").render(
                nav="overview", stories=o["stories"], n_stories=o["n_stories"], sort=sort,
                storylines=storyline_summary(store),
                stats={"articles": counts["articles"]}, n_entities=counts["entities"], n_events=counts["events"],
                n_claims=counts["claims"], has_claims=o["has_claims"],
                map=build_map(o["points"]), map_kind=o["map_kind"], timeline=o["timeline"],
                event_days=o["event_days"], outlets=o["outlets"], names=o["names"], events=o["events"],
                actors=o["actors"])
        return HTMLResponse(summaries.get(("overview.html", sort, data.overview), store.web.generation(), render))

    @app.get("/storylines/{storyline_id}", response_class=HTMLResponse, include_in_schema=False)
    def storyline_page(storyline_id: int = PathParam(..., ge=0, le=MAX_ID), store: Store = Depends(get_store)):
        from ..link import storyline as read_storyline

        line = read_storyline(store, storyline_id)
        if line is None:
            raise HTTPException(404, f"no storyline with id {storyline_id}")
        evts = [e for sid in line["story_ids"] for e in data.events(store, sid)]
        names = data.entity_names(store, [e.get("location") for e in evts if isinstance(e.get("location"), str)])
        points, map_kind = data.event_points(evts, names), "events"
        if not points:
            points, map_kind = data.places_points(store, [a for s in line["stories"] for a in s["article_ids"]]), "places"
        return page("storyline.html", nav="", line=line, origins=store.web.story_origins(line["story_ids"]),
                    n_outlets=len({o for s in line["stories"] for o in s["outlets"]}), map=build_map(points),
                    map_kind=map_kind)

    @app.get("/api/storylines", tags=["stories"])
    def api_storylines(limit: int = Query(100, ge=1, le=500, description="page size (1–500)"), offset: int = Offset,
                       store: Store = Depends(get_store)):
        """Storylines, largest first, one page (a JSON list; the number of all in ``X-Total-Count``): id,
        title, story_ids (developments in time order), start, end, summary, n_articles."""
        total, items = store.web.storylines_page(limit=limit, offset=offset)
        return JSONResponse(items, headers={"X-Total-Count": str(total)})

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(story_id: int = Depends(story_id_path), store: Store = Depends(get_store)):
        """Rendered once per store change (at most every summary period while it changes; kept by
        :class:`AnswerCache` with the other answers)."""
        return HTMLResponse(render_story(store, story_id))

    def render_story(store: Store, story_id: int) -> str:
        b = story_bundle(store, story_id)
        s, evts = b["story"], b["events"]
        line = store.story_tables.storyline(s["storyline_id"]) if s.get("storyline_id") is not None else None
        names = data.entity_names(store, [e.get("location") for e in evts if isinstance(e.get("location"), str)])
        points = data.event_points(evts, names)
        map_kind = "events"
        if not points:
            points, map_kind = data.places_points(store, s["article_ids"]), "places"
        outlet_of = {a["id"]: a.get("outlet") for a in s["articles"]}
        title_of = {a["id"]: a.get("title") for a in s["articles"]}
        # provenance rows: outlet → relays / cited sources → origin
        main_groups = [g for g in b["claim_groups"] if (g.get("n_articles") or data.outlets_count(g) or 1) > 1
                       or g.get("contradicts")]
        main_ids = {data.group_id(g) for g in main_groups}
        other_groups = [g for g in b["claim_groups"] if data.group_id(g) not in main_ids]
        prov = Counter()
        for c in [c for c in b["claims"] if c.get("group_id") in main_ids] or b["claims"]:
            prov[tuple(data.provenance_chain(c, outlet_of.get(c.get("article_id"))))] += 1
        provenance = [{"chain": list(ch), "n": n} for ch, n in sorted(prov.items(), key=lambda kv: (-kv[1], kv[0]))]
        by_group: dict[Any, list[dict]] = defaultdict(list)
        for c in b["claims"]:
            c = dict(c, outlet=c.get("outlet") or outlet_of.get(c.get("article_id")),
                     article_title=title_of.get(c.get("article_id")))
            by_group[c.get("group_id")].append(c)
        groups = {data.group_id(g): g for g in b["claim_groups"]}
        contradictions: dict[tuple, dict] = {}
        for gid, g in groups.items():
            for item in g.get("contradicts") or []:
                other = item.get("group_id") if isinstance(item, dict) else item
                key = tuple(sorted((str(gid), str(other))))
                flip = key[0] != str(gid)
                entry = contradictions.get(key)
                if entry is None:
                    other_text = item.get("other_text") if isinstance(item, dict) else None
                    other_group = groups.get(other) or {"id": other, "text": other_text or f"#{other}"}
                    a, bb = (other_group, g) if flip else (g, other_group)
                    entry = contradictions[key] = {"a": a, "b": bb, "a_claims": [], "b_claims": [], "reasons": set(),
                                                   "explicit": False}
                if isinstance(item, dict) and item.get("sentence"):
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
        for (ka, kb), entry in contradictions.items():
            if not entry["explicit"]:       # only ids given: show the groups' own claims
                entry["a_claims"] = by_group.get(data.group_id(entry["a"]), [])[:6]
                entry["b_claims"] = by_group.get(data.group_id(entry["b"]), [])[:6]
            entry["reasons"] = sorted(REASONS.get(r, r) for r in entry["reasons"])
        contradictions = list(contradictions.values())
        evts_sorted = sorted(evts, key=lambda e: (str(e.get("date") or ""), str(e.get("id"))))
        return env.get_template("story.html").render(nav="", s=s, claims=b["claims"], groups=main_groups, other_groups=other_groups,
                    by_group=by_group,
                    provenance=provenance, graph=provenance_graph(provenance), contradictions=contradictions, events=evts_sorted, names=names,
                    actors=data.actor_names_ar(store, evts_sorted[:40]),
                    map=build_map(points), map_kind=map_kind,
                    timeline=data.day_counts(a.get("published") for a in s["articles"]),
                    title_of=title_of, outlet_of=outlet_of, line=line)

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(article_id: int = Depends(article_id_path), store: Store = Depends(get_store)):
        a = store.article(article_id)
        if a is None:
            raise HTTPException(404, f"no article with id {article_id}")
        mentions = store.mentions(article_id=article_id)
        copies_total, cps = data.article_copies(store, article_id, int(WEB.copies_shown))
        passages = [dict(p, source_article_id=c["source_article_id"]) for c in cps if c["article_id"] == article_id
                    for p in c["passages"]]
        art_claims = data.claims_page(store, article_id=article_id)[1]
        spans = [(c.get("start"), c.get("end"), "الإسناد: " + " ← ".join(str(x) for x in c.get("attribution_ar") or c.get("attribution") or [])
                  if c.get("attribution") else "ادعاء") for c in art_claims]
        paragraphs = data.highlighted(a.text, mentions, passages, spans)
        ents = data.entity_names(store, [m.entity_id for m in mentions if m.entity_id])
        counts = Counter(m.entity_id for m in mentions if m.entity_id)
        entity_list = sorted(({**ents[i], "n": n} for i, n in counts.items() if i in ents),
                             key=lambda e: (-e["n"], e["type"], e["name_ar"]))
        duplicates = store.web.duplicates_of(article_id)
        related_ids = {c["source_article_id"] for c in cps} | {c["article_id"] for c in cps} | set(duplicates)
        if a.duplicate_of:
            related_ids.add(a.duplicate_of)
        related_ids.discard(article_id)
        titles = store.web.article_titles(related_ids)
        story_title = store.web.story_titles([a.story_id]).get(a.story_id) if a.story_id is not None else None
        from ..link import explanations

        why = explanations(store, [article_id]).get(article_id)
        removed = removed_pairs(a.removed)
        points = [{"lat": e["lat"], "lon": e["lon"], "label": e["name_ar"], "label_en": e["name_en"],
                   "href": f"/entities/{e['id']}", "weight": e["n"], "kind": "place", "note": ""}
                  for e in entity_list if e.get("lat") is not None and e.get("lon") is not None]
        return page("article.html", nav="", a=a, paragraphs=paragraphs, entities=entity_list, removed=removed,
                    copies=cps, copies_total=copies_total, duplicates=duplicates, titles=titles, story_title=story_title, claims=art_claims, why=why,
                    map=build_map(points))

    @app.get("/entities", response_class=HTMLResponse, include_in_schema=False)
    def entities_page(type: str | None = Query(None, pattern=ENTITY_TYPE_PATTERN), page_no: int = Query(1, alias="page", ge=1, le=10 ** 6),
                      store: Store = Depends(get_store)):
        size = int(WEB.page_size) * 4
        total, rows = store.web.entities_page(type, limit=size, offset=(page_no - 1) * size)
        items = [(SimpleNamespace(**{k: r[k] for k in ("id", "type", "name_ar", "name_en")}), r["n"]) for r in rows]
        return page("entities.html", nav="entities", items=items, total=total, type=type, page=page_no,
                    pages=max(1, -(-total // size)), first=(page_no - 1) * size)

    @app.get("/entities/{entity_id}", response_class=HTMLResponse, include_in_schema=False)
    def entity_page(entity_id: str = PathParam(..., max_length=300), store: Store = Depends(get_store)):
        e = store.entity(entity_id)
        if e is None:
            raise HTTPException(404, f"no entity with id {entity_id}")
        by_story = data.group_mentions_by_story(store, entity_id)
        n_mentions, forms = store.web.entity_forms(entity_id)
        points = []
        if e.lat is not None and e.lon is not None:
            points = [{"lat": e.lat, "lon": e.lon, "label": e.name_ar, "label_en": e.name_en, "href": None,
                       "weight": 1, "kind": "place", "note": ""}]
        return page("entity.html", nav="entities", e=e, by_story=by_story, co=data.cooccurring(store, entity_id),
                    forms=forms, n_mentions=n_mentions, map=build_map(points))

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request, q: str = Query("", max_length=int(WEB.search_max_chars)),
                    outlet: str | None = Query(None, max_length=300),
                    story: str | None = Query(None, pattern=r"^\d{0,18}$"),
                    since: str | None = Query(None, pattern=r"^(\d{4}-\d{2}-\d{2})?$"),
                    until: str | None = Query(None, pattern=r"^(\d{4}-\d{2}-\d{2})?$"),
                    page_no: int = Query(1, alias="page", ge=1, le=10 ** 4),
                    store: Store = Depends(get_store)):
        story_id = int(story) if story else None
        size = int(WEB.search_page_size)
        results, error, total = [], None, 0
        if q.strip():
            try:
                total, results = run_search(store, q, outlet or None, story_id, since or None, until or None,
                                            size, (page_no - 1) * size)
            except MarsadError as exc:
                error = str(exc)
        elif outlet or story_id is not None or since or until:
            total, recs = data.query_articles(store, limit=size, offset=(page_no - 1) * size, outlet=outlet or None,
                                              story_id=story_id, since=since or None, until=until or None)
            results = [(SimpleNamespace(**r), (r["text"][:200] + ("…" if len(r["text"]) > 200 else "")).replace("\n", " "))
                       for r in recs]
        stories_for_filter = store.web.story_choices(200)
        titles = dict(stories_for_filter)
        titles.update(store.web.story_titles(a.story_id for a, _ in results if a.story_id is not None))
        return page("search.html", nav="search", q=q, outlet=outlet or "", story_id=story_id, since=since or "",
                    until=until or "", results=[(a, _snippet_parts(sn)) for a, sn in results], error=error,
                    listing=not q.strip() and bool(results), total=total, page=page_no,
                    pages=max(1, -(-total // size)), first=(page_no - 1) * size,
                    outlets=data.outlets(store), stories=stories_for_filter, story_titles=titles)

    @app.get("/ingest", response_class=HTMLResponse, include_in_schema=False)
    def ingest_page():
        return page("ingest.html", nav="ingest", token_required=bool(token), jobs=jobs.all()[:5])

    # ------------------------------------------------------------------ API
    def run_search(store: Store, q: str, outlet, story_id, since, until, limit: int, offset: int) -> tuple[int, list]:
        """Full-text matches filtered in SQL, one page, snippets for that page only."""
        fts, shown = store.search_terms(q)
        total, rows = store.web.search_page(fts, outlet=outlet, story_id=story_id, since=since, until=until,
                                            limit=limit, offset=offset, pool=int(WEB.search_pool))
        head = int(WEB.snippet_head_chars)
        return total, [(SimpleNamespace(**{k: r[k] for k in r.keys()}), data.snippet(r["text"], shown, head))
                       for r in rows]

    def page_of(total: int, items: list, limit: int, offset: int) -> JSONResponse:
        return answer({"total": total, "limit": limit, "offset": offset, "items": items})

    @app.get("/api/stats", tags=["store"])
    def api_stats(store: Store = Depends(get_store)):
        """Corpus counts (computed once per summary period: some scan the whole store)."""
        return answer({"schema": "marsad/1", **summaries.get(("stats",), store.web.generation(), store.stats)})

    @app.get("/api/stories", tags=["stories"])
    def api_stories(limit: int = Limit, offset: int = Offset,
                    sort: str = Query("size", pattern="^(size|recent)$"),
                    since: _dt.date | None = None, until: _dt.date | None = None,
                    store: Store = Depends(get_store)):
        total, items = data.stories_page(store, sort, limit, offset, _iso(since), _iso(until))
        return page_of(total, items, limit, offset)

    @app.get("/api/stories/{story_id}", tags=["stories"])
    def api_story(story_id: int = Depends(story_id_path), store: Store = Depends(get_store)):
        b = story_bundle(store, story_id)
        return answer({**b["story"], "claims": b["claims"], "claim_groups": b["claim_groups"], "events": b["events"]})

    @app.get("/api/articles", tags=["articles"])
    def api_articles(limit: int = Limit, offset: int = Offset, outlet: str | None = Query(None, max_length=300),
                     story_id: int | None = StoryFilter, since: _dt.date | None = None, until: _dt.date | None = None,
                     store: Store = Depends(get_store)):
        if since and until and since > until:
            raise HTTPException(400, "since is after until")
        total, items = data.query_articles(store, limit=limit, offset=offset, outlet=outlet, story_id=story_id,
                                           since=_iso(since), until=_iso(until))
        return page_of(total, items, limit, offset)

    @app.get("/api/articles/{article_id}", tags=["articles"])
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

    @app.get("/api/entities", tags=["entities"])
    def api_entities(limit: int = Limit, offset: int = Offset,
                     type: str | None = Query(None, pattern=ENTITY_TYPE_PATTERN,
                                              description="one of " + ", ".join(data.ENTITY_TYPES)),
                     store: Store = Depends(get_store)):
        """Entities, most mentioned first, with their mention counts (mentions: ``/api/entities/{id}``)."""
        total, rows = store.web.entities_page(type, limit=limit, offset=offset)
        return page_of(total, [data.entity_record(r, r["n"]) for r in rows], limit, offset)

    @app.get("/api/entities/{entity_id}", tags=["entities"])
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

    @app.get("/api/claims", tags=["claims"])
    def api_claims(limit: int = Limit, offset: int = Offset, story_id: int | None = StoryFilter,
                   group_id: str | None = Query(None, max_length=300), store: Store = Depends(get_store)):
        total, items = data.claims_page(store, story_id=story_id, group_id=group_id, limit=limit, offset=offset)
        return page_of(total, items, limit, offset)

    @app.get("/api/claim_groups", tags=["claims"])
    def api_claim_groups(limit: int = Limit, offset: int = Offset, story_id: int | None = StoryFilter,
                         store: Store = Depends(get_store)):
        total, items = data.claim_groups_page(store, story_id=story_id, limit=limit, offset=offset)
        return page_of(total, items, limit, offset)

    @app.get("/api/events", tags=["events"])
    def api_events(limit: int = Limit, offset: int = Offset, story_id: int | None = StoryFilter,
                   event_type: str | None = Query(None, max_length=100), since: _dt.date | None = None,
                   until: _dt.date | None = None, store: Store = Depends(get_store)):
        total, items = data.events_page(store, story_id=story_id, event_type=event_type, since=_iso(since),
                                        until=_iso(until), limit=limit, offset=offset)
        return page_of(total, items, limit, offset)

    @app.get("/api/search", tags=["search"])
    def api_search(q: str = Query(..., min_length=1, max_length=int(WEB.search_max_chars),
                                  description="words, any spelling variant"),
                   limit: int = Query(20, ge=1, le=200), offset: int = Query(0, ge=0, le=int(WEB.search_pool)),
                   outlet: str | None = Query(None, max_length=300),
                   story_id: int | None = StoryFilter, since: _dt.date | None = None, until: _dt.date | None = None,
                   store: Store = Depends(get_store)):
        total, hits = run_search(store, q, outlet, story_id, _iso(since), _iso(until), limit, offset)
        items = [{"id": a.id, "title": a.title, "outlet": a.outlet, "published": a.published,
                  "story_id": a.story_id, "duplicate_of": a.duplicate_of, "snippet": sn} for a, sn in hits]
        return answer({"query": q, "total": total, "limit": limit, "offset": offset, "items": items})

    def full_export(store: Store) -> dict:
        from ..export import collect

        doc = collect(store)
        if not doc.get("claims"):
            doc["claims"] = data.claims(store)
        if not doc.get("events"):
            doc["events"] = data.events(store)
        return doc

    @app.get("/api/export.json", tags=["export"])
    def api_export_json(store: Store = Depends(get_store)):
        body = json.dumps(full_export(store), ensure_ascii=False)
        return Response(body, media_type="application/json",
                        headers={"Content-Disposition": 'attachment; filename="marsad.json"'})

    @app.get("/api/export/events.csv", tags=["export"])
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

    @app.get("/api/export.geojson", tags=["export"])
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

    @app.post("/api/ingest", status_code=202, tags=["ingest"],
              description="Bearer token (when the server has one) and Content-Length are checked before the body "
                          f"is read; at most {int(WEB.max_upload_mb)} MB. Runs in a separate process; poll `progress`.")
    async def api_ingest(files: list[UploadFile] | None = File(None), urls: str = Form("", max_length=100_000)):
        url_list = [u.strip() for u in re.split(r"[\s,]+", urls or "") if u.strip()]
        for u in url_list:
            problem = url_problem(u, allow_private_urls)
            if problem:
                raise HTTPException(400, problem)
        files = [f for f in (files or []) if f.filename]
        if not files and not url_list:
            raise HTTPException(400, "nothing to ingest: send files and/or urls")
        if jobs.running():
            raise HTTPException(409, "an ingest job is already running")
        tmp = tempfile.mkdtemp(prefix="marsad-upload-")
        try:
            names = [await save_upload(f, Path(tmp) / f"{i:03d}_{safe_name(f.filename)}") for i, f in enumerate(files)]
            job = jobs.start(names + url_list, cleanup=tmp)
        except Busy:
            shutil.rmtree(tmp, ignore_errors=True)
            raise HTTPException(409, "an ingest job is already running") from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return answer({"job": job["id"], "status": job["status"], "progress": f"/api/ingest/{job['id']}",
                       "inputs": len(names) + len(url_list)}, 202)

    def safe_name(filename: str) -> str:
        return re.sub(r"[^\w.\-]+", "_", Path(filename).name)[:120].lstrip(".") or "upload"

    async def save_upload(f: UploadFile, dest: Path) -> str:
        with dest.open("wb") as out:
            while chunk := await f.read(1 << 20):
                out.write(chunk)
        return str(dest)

    @app.get("/api/ingest", tags=["ingest"])
    def api_jobs():
        return answer({"items": jobs.all()})

    @app.get("/api/ingest/{job_id}", tags=["ingest"])
    def api_job(job_id: str = PathParam(..., max_length=64)):
        job = jobs.get(job_id)
        if job is None:
            raise HTTPException(404, f"no ingest job {job_id}")
        return answer(job)

    return app


def app_from_env() -> FastAPI:
    """The app for a multi-worker server: ``MARSAD_WEB_DB`` and ``MARSAD_TOKEN`` name the store and token."""
    return create_app(os.environ["MARSAD_WEB_DB"], token=os.environ.get("MARSAD_TOKEN") or None,
                      allow_private_urls=os.environ.get("MARSAD_ALLOW_PRIVATE_URLS") == "1" or None)
