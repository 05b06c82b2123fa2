"""The app's ASGI middleware: the security headers every answer carries, the guard in front of writes,
and the per-worker cache of answers and summaries.

In: the inner ASGI app, the write token and size limit, the store's change counters. Out:
:data:`SECURITY_HEADERS` (with :func:`tile_origin` for a tile server's CSP source), :class:`WriteGuard`
(token, origin and size checked before a write's body is read), :class:`AnswerCache` (GET answers kept
as sent until the store changes; :func:`answer_version` gives a story's finer counter), and
:class:`Summaries` (a memo of summaries, recomputed at most every ``ttl`` seconds while a writer works).
"""

from __future__ import annotations

import hmac
import re
import threading
import time
from urllib.parse import urlsplit

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def tile_origin(tile_url: str) -> str:
    """The CSP source for a tile URL template (``https://{s}.tile.example.org/{z}/{x}/{y}.png``):
    scheme and host, a ``{s}`` subdomain becoming ``*``. Anything but http(s) is refused."""
    parts = urlsplit(tile_url)
    host = parts.netloc.replace("{s}", "*")
    if parts.scheme not in ("http", "https") or not host or any(c in host for c in " ;,'\"{}"):
        raise ValueError(f"tile URL must be an http(s) URL template, got {tile_url!r}")
    return f"{parts.scheme}://{host}"


def header_adder(headers: dict[str, str]):
    """An ``http`` middleware function setting ``headers`` on every answer that lacks them, and an hour's
    public caching on static files."""
    async def security_headers(request, call_next):
        response = await call_next(request)
        for k, v in headers.items():
            response.headers.setdefault(k, v)
        if request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "public, max-age=3600")
        return response
    return security_headers


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

