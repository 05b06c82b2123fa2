"""Clean: raw documents to clean articles.

In: a :class:`~marsad.model.Document` (text or HTML, with what its container said). Out: a list of
:class:`~marsad.model.Article`, one per article the document holds, with title, outlet, byline,
publication date, cited source ("المصدر:"), language, display text (paragraphs separated by a
blank line) and the page furniture removed (as ``"kind: line"`` strings, in order).
"""

from __future__ import annotations

from ..model import Article, Document
from ..settings import SETTINGS
from .dates import parse_date, url_date
from .html import HtmlError, extract_html
from .language import detect_language
from .outlets import outlet_display, resolve_outlet
from .scraped import clean_scraped


class CleanError(ValueError):
    """The document holds no usable article text; the message says why."""


def _check_size(text: str, what: str) -> None:
    """Refuse text far longer than one article before the line-by-line work starts."""
    limit = 2 * SETTINGS.clean.max_article_chars   # room for furniture and appended articles
    if len(text) > limit:
        raise CleanError(f"{what} too long for one article ({len(text):,} characters > {limit:,}); "
                         "split it or use JSON Lines")


def clean_document(doc: Document) -> list[Article]:
    meta = doc.meta or {}
    meta_title = meta.get("title")
    meta_date = parse_date(meta.get("published"))
    outlet = meta.get("outlet")
    author = meta.get("author")
    dropped: list[str] = []
    text = doc.content
    if doc.is_html:
        try:
            page = extract_html(doc.content, url=meta.get("url"))
        except HtmlError as exc:
            raise CleanError(str(exc)) from exc
        text = page.text
        _check_size(text, "main text")
        meta_title = meta_title or page.title
        meta_date = meta_date or parse_date(page.date)
        outlet = outlet or page.sitename
        author = author or page.author
        dropped = page.dropped
    if meta_date is None and (meta_date := url_date(meta.get("url"))):
        meta = {**meta, "published": meta.get("url")}   # shown as the date's source
    if not text or not text.strip():
        raise CleanError("no article text found")
    if not doc.is_html:
        _check_size(text, "text")
    parsed = clean_scraped(text, meta_title=meta_title)
    if not parsed:
        raise CleanError("no article text found (only page furniture)")
    articles = []
    for part, p in enumerate(parsed):
        removed = [f"{kind}: {line}" for kind, line in p.removed]
        if part == 0:
            removed = [f"html: {line}" for line in dropped] + removed
        body = p.text
        articles.append(Article(
            source=doc.source, text=body, title=p.title,
            outlet=outlet_display(resolve_outlet(meta.get("url") if part == 0 else None,
                                                 outlet if part == 0 and outlet else p.outlet, body, p.cited_source)),
            title_derived=p.title_derived,
            byline=p.byline or (author if part == 0 else None),
            published=p.published or (meta_date if part == 0 else None),
            published_raw=p.published_raw or (meta.get("published") if part == 0 else None),
            cited_source=p.cited_source, language=detect_language(body), removed=removed, part=part,
            document_sha256=doc.sha256, url=meta.get("url") if part == 0 else None))
    return articles
