"""HTML pages to main text.

In: an HTML string. Out: :class:`HtmlText` with the main text (paragraphs one per line, kept by
trafilatura with ``favor_precision=True``, which also drops appended articles and sidebars), the
page's title, date, site name and author from its metadata, and the visible text blocks that the
extraction dropped (navigation, sidebars, footers), so the report can show what was removed.
Scripts and styles never count as text. A page of tens of thousands of elements has its inline tags
unwrapped before extraction, and one still over ``[clean] max_html_elements`` is refused. A page nested
deeper than the tree parser reads (256 levels) is read as a stream of tags instead: its text, without
main-text extraction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..settings import SETTINGS
from ..text import normalize

_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a", "span", "div", "td", "time", "figcaption", "button", "small", "header", "footer", "nav")
MAX_REMOVED_BLOCKS = 200
MAX_EXAMINED_BLOCKS = 5000       # blocks looked at for the "removed" list
MAX_SUBSTRING_TEXT = 100000      # kept text up to this long is searched for each block's text
_INLINE = ("span", "font", "b", "i", "em", "strong", "u", "small", "big", "mark", "abbr", "sub", "sup", "bdi", "bdo")


@dataclass
class HtmlText:
    text: str
    title: str | None = None
    date: str | None = None
    sitename: str | None = None
    author: str | None = None
    dropped: list[str] = field(default_factory=list)


class HtmlError(ValueError):
    pass


def extract_html(html: str, url: str | None = None) -> HtmlText:
    import trafilatura
    from lxml import etree
    from lxml import html as lxml_html

    parser = lxml_html.HTMLParser()
    try:
        tree = lxml_html.fromstring(html, parser=parser)
    except (ValueError, Exception) as exc:  # lxml raises ParserError / XMLSyntaxError on junk
        raise HtmlError(f"unparseable HTML ({exc.__class__.__name__})") from exc
    if any("Excessive depth" in e.message for e in parser.error_log):
        return _flat_text(html)   # libxml2 stops reading at 256 levels of nesting
    if not isinstance(tree.tag, str):  # a comment or processing instruction alone
        raise HtmlError("no HTML elements")
    etree.strip_elements(tree, "script", "style", "noscript", "template", with_tail=False)
    html = _bounded(tree, html)
    try:
        doc = trafilatura.bare_extraction(html, url=url, favor_precision=True, include_comments=False,
                                          include_tables=True, with_metadata=True, deduplicate=False)
    except RecursionError as exc:
        raise HtmlError("HTML nested too deeply to extract") from exc
    except ValueError as exc:
        raise HtmlError(f"main text extraction failed ({exc})") from exc
    text = (getattr(doc, "text", None) or "") if doc is not None else ""
    if doc is None or not text.strip():
        # Short pages (or pages that are one paragraph) can defeat precision mode: fall back to the
        # paragraphs of the page itself.
        paras = [" ".join(p.text_content().split()) for p in tree.iter("p")]
        text = "\n".join(p for p in paras if p) or "\n".join(
            " ".join(l.split()) for l in tree.text_content().splitlines() if l.strip())
    out = HtmlText(text=text)
    if doc is not None:
        out.title = (doc.title or "").strip() or None
        out.date = doc.date
        out.sitename = (doc.sitename or "").strip() or None
        out.author = (doc.author or "").strip() or None
    if out.title is None:
        h1 = next(iter(tree.iter("h1")), None)
        t = tree.find(".//title")
        cand = h1 if h1 is not None else t
        out.title = " ".join(cand.text_content().split()) if cand is not None else None
    out.dropped = _dropped_blocks(tree, text, out.title)
    return out


class _TextCollector(HTMLParser):
    """Text of a page read as a stream of tags (no tree, so any depth of nesting): blocks on their
    own lines, scripts and styles left out, the first <title> kept."""

    _BREAKS = set(_BLOCKS) | {"br", "tr", "section", "article", "body"}
    _HIDDEN = {"script", "style", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: str | None = None
        self._hidden = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self._on_tag(tag, 1)

    def handle_endtag(self, tag):
        self._on_tag(tag, -1)

    def _on_tag(self, tag: str, step: int) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden + step)
        elif tag == "title":
            self._in_title = step > 0
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title = self.title or " ".join(data.split()) or None
        elif not self._hidden:
            self.parts.append(data)


def _flat_text(html: str) -> HtmlText:
    """The text of a page nested too deeply for a tree parser, read tag by tag."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).splitlines())
    return HtmlText(text="\n".join(line for line in lines if line), title=collector.title)


def _bounded(tree, html: str) -> str:
    """The page as trafilatura should see it: unchanged, or, for a page of tens of thousands of
    elements, with inline formatting tags unwrapped (their text kept), which keeps extraction linear.
    A page still over ``[clean] max_html_elements`` is refused: it is not one article's page."""
    from lxml import etree
    from lxml import html as lxml_html

    n = sum(1 for _ in tree.iter())
    if n <= SETTINGS.clean.simplify_html_elements:
        return html
    etree.strip_tags(tree, *_INLINE)
    n = sum(1 for _ in tree.iter())
    if n > SETTINGS.clean.max_html_elements:
        raise HtmlError(f"page has {n:,} HTML elements (more than {SETTINGS.clean.max_html_elements:,}); "
                        "not one article's page")
    return lxml_html.tostring(tree, encoding="unicode")


def _dropped_blocks(tree, kept_text: str, title: str | None) -> list[str]:
    """Visible text blocks of the page that are not in the kept main text (the first
    ``MAX_EXAMINED_BLOCKS`` blocks are looked at, so the cost stays linear in the page)."""
    kept = normalize(kept_text) + " " + normalize(title or "")
    kept_lines = set(normalize(l) for l in kept_text.splitlines()) | {normalize(title or "")}
    substrings = len(kept) <= MAX_SUBSTRING_TEXT
    seen: set[str] = set()
    dropped: list[str] = []
    for n, el in enumerate(tree.iter(*_BLOCKS)):
        if n >= MAX_EXAMINED_BLOCKS:
            break
        if el.getparent() is not None and any(anc.tag in ("script", "style", "noscript") for anc in el.iterancestors()):
            continue
        # Leaf-ish blocks only: their own text, not the text of nested blocks.
        if any(child.tag in _BLOCKS for child in el):
            own = " ".join((el.text or "").split())
        else:
            own = " ".join(el.text_content().split())
        key = normalize(own)
        if len(key) < 2 or key in seen or key in kept_lines or (substrings and key in kept):
            continue
        seen.add(key)
        dropped.append(own)
        if len(dropped) >= MAX_REMOVED_BLOCKS:
            break
    return dropped
