"""RSS / Atom feeds to documents.

In: a feed's bytes and its name. Out: one HTML ``Document`` per item (its full content, or its
summary when no content is given), carrying the item's title, link and publication date, and a
``Reject`` for each item with no text and for a feed that cannot be parsed at all. A feed that
declares XML entities (entity-expansion bombs, external entities reading local files) is refused
before parsing: defusedxml checks the document first, and nothing is expanded.
"""

from __future__ import annotations

import time
from typing import Iterator

from ..model import Document
from .sources import Reject, looks_like_html, sha256


def _entity_problem(raw: bytes) -> str | None:
    """Why a feed's XML is refused (entity or DTD tricks), or None. Malformed XML is left to feedparser."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        fromstring(raw, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        return f"feed declares XML entities or external references ({exc.__class__.__name__}); refused, nothing expanded"
    except (ParseError, ValueError, LookupError, RecursionError):
        return None
    return None


def read_feed(raw: bytes, source: str) -> Iterator[Document | Reject]:
    import feedparser

    problem = _entity_problem(raw)
    if problem:
        yield Reject(source, problem, sha256(raw))
        return
    parsed = feedparser.parse(raw)
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            reason = parsed.get("bozo_exception")
            yield Reject(source, f"malformed feed ({reason})", sha256(raw))
        else:
            yield Reject(source, "feed has no items", sha256(raw))
        return
    outlet = (parsed.get("feed") or {}).get("title")
    for i, entry in enumerate(entries, 1):
        where = f"{source}#item={i}"
        body = ""
        for c in entry.get("content") or []:
            if c.get("value") and len(c["value"]) > len(body):
                body = c["value"]
        if not body:
            body = entry.get("summary") or entry.get("description") or ""
        title = (entry.get("title") or "").strip()
        if not body.strip():
            yield Reject(where, "feed item has no content or summary", sha256((title or where).encode()))
            continue
        meta = {"title": title or None, "url": entry.get("link"), "outlet": outlet}
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        if stamp:
            meta["published"] = time.strftime("%Y-%m-%d", stamp)
        elif entry.get("published"):
            meta["published"] = entry["published"]
        meta = {k: v for k, v in meta.items() if v}
        payload = (title + "\n" + (entry.get("link") or "") + "\n" + body).encode("utf-8")
        yield Document(source=entry.get("link") or where, sha256=sha256(payload), kind="rss",
                       content=body, is_html=looks_like_html(body) or "<p" in body.lower(), encoding="utf-8", meta=meta)
