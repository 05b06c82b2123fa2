"""Fetch ``http(s)`` URLs politely.

In: a URL. Out: one ``Document`` (HTML, plain text, or a feed's items) or a ``Reject`` naming the
reason: unreachable host, time-out, HTTP error status, unsupported content type, or a body over
the size limit (the download is cut off there, never held whole in memory).
"""

from __future__ import annotations

from typing import Iterator

from .. import __version__
from ..model import Document
from .sources import MAX_DOCUMENT_BYTES, MAX_FEED_BYTES, Reject, document_from_bytes

USER_AGENT = f"marsad/{__version__} (Arabic news analysis; polite single requests)"
TIMEOUT_SECONDS = 15.0
_OK_TYPES = ("text/html", "application/xhtml", "text/plain")
_FEED_TYPES = ("rss", "atom", "application/xml", "text/xml")


def fetch_url(url: str, timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_DOCUMENT_BYTES) -> Iterator[Document | Reject]:
    import httpx

    try:
        with httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=5,
                          headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,application/rss+xml,text/plain;q=0.8"}) as client:
            with client.stream("GET", url) as resp:
                if resp.status_code >= 400:
                    yield Reject(url, f"HTTP {resp.status_code} {resp.reason_phrase}".strip())
                    return
                ctype = resp.headers.get("content-type", "").lower()
                is_feed = any(t in ctype for t in _FEED_TYPES)
                if ctype and not is_feed and not any(t in ctype for t in _OK_TYPES):
                    yield Reject(url, f"unsupported content type {ctype.split(';')[0]!r} (expected HTML, text or a feed)")
                    return
                limit = MAX_FEED_BYTES if is_feed else max_bytes
                declared = resp.charset_encoding
                chunks, total = [], 0
                for chunk in resp.iter_bytes():
                    total += len(chunk)
                    if total > limit:
                        yield Reject(url, f"response larger than {limit / 1e6:.0f} MB, download stopped")
                        return
                    chunks.append(chunk)
    except httpx.TimeoutException:
        yield Reject(url, f"timed out after {timeout:.0f} s")
        return
    except httpx.TooManyRedirects:
        yield Reject(url, "too many redirects")
        return
    except httpx.HTTPError as exc:
        reason = str(exc) or exc.__class__.__name__
        yield Reject(url, f"unreachable ({reason})")
        return
    raw = b"".join(chunks)
    if is_feed:
        from .feeds import read_feed

        yield from read_feed(raw, url)
        return
    kind = "html" if "html" in ctype or not ctype else "txt"
    doc = document_from_bytes(raw, url, kind, meta={"url": url}, declared=declared)
    if isinstance(doc, Document):
        doc.kind = "url"
    yield doc
