"""RSS / Atom feeds to documents.

In: a feed's bytes and its name. Out: one HTML ``Document`` per item (its full content, or its
summary when no content is given), carrying the item's title, link and publication date, and a
``Reject`` for each item with no text and for a feed that cannot be parsed at all.
"""

from __future__ import annotations

import time
from typing import Iterator

from ..model import Document
from .sources import Reject, looks_like_html, sha256


def read_feed(raw: bytes, source: str) -> Iterator[Document | Reject]:
    import feedparser

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
