"""Clean text that was already scraped: furniture out, articles apart, metadata found.

In: the display text of one document (plain text, or the main text trafilatura kept from HTML)
and what its container said (title, date, outlet). Out: a list of :class:`ParsedArticle`, one per
article the document holds, each with its title, body paragraphs, date, outlet, byline, cited
source and the furniture lines removed (kind and text, in order).

How: lines are classified (furniture rules, section labels, date lines, bylines, "المصدر:" lines),
the document is cut at "read also" markers when a full article follows (a related-headline list is
dropped instead), and in each part the header zone above the first body paragraph yields the
title and metadata; short trailing lines after the last body paragraph are dropped, unless the text ends
with prose cut off mid-sentence (a scrape cut at a size limit; see ``_cut_prose_tail``). Clutter above the
lead goes too: a list of other stories' headlines (headline-like lines sharing no word with the lead),
a caption doubled below the title, and a machine date stamp glued to the lead (kept as the date).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..settings import SETTINGS
from ..text import normalize, split_sentences
from .dates import find_date
from .furniture import (author_line, byline_outlet, byline_prefix, content_words, date_stamp_prefix,
                        ends_sentence, furniture_kind, furniture_marked, is_section_label, line_key, reads_as_prose,
                        source_line, split_marker, word_count)

BODY_MIN_WORDS = 15          # a line this long is a body paragraph
TITLE_MIN_WORDS = 3
DATELINE_MAX_WORDS = 6       # a header line this short ending with ":" introduces the text
TITLE_MAX_WORDS = 30
DATE_LINE_MAX_WORDS = 12
NEW_ARTICLE_MIN_WORDS = 60   # text after a read-also block this long is an appended article
RELATED_BLOCK_MIN_LINES = 3  # this many headlines above the lead sharing no word with it: other stories' list
LEAD_LINES = 2               # body paragraphs a header line is compared with
# HTML tags left in scraped text (<strong>, <br/>, <a href=...>): formatting, not words
_INLINE_TAG = re.compile(r"</?(strong|b|i|em|u|span|font|a|br|p|div|h[1-6]|sup|sub|small|mark)\b[^<>]{0,300}?/?>",
                         re.IGNORECASE)


@dataclass
class ParsedArticle:
    title: str | None = None
    title_derived: bool = False
    paragraphs: list[str] = field(default_factory=list)
    published: str | None = None
    published_raw: str | None = None
    outlet: str | None = None
    byline: str | None = None
    cited_source: str | None = None
    removed: list[tuple[str, str]] = field(default_factory=list)  # (kind, line)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def _is_body(line: str) -> bool:
    """A body paragraph: long, or a full sentence (a question mark alone makes a headline)."""
    n = word_count(line)
    return n >= BODY_MIN_WORDS or (n >= 8 and ends_sentence(line) and not line.rstrip(" \"'”»)").endswith(("?", "؟")))


def _ends_content(line: str) -> bool:
    """A line that can close an article's body: long, or any full sentence of six words or more."""
    return word_count(line) >= BODY_MIN_WORDS or (word_count(line) >= 6 and ends_sentence(line))


def _date_line(line: str) -> tuple[str, str] | None:
    """A short line that states a date (and little else): the page's date line."""
    if word_count(line) > DATE_LINE_MAX_WORDS or (ends_sentence(line) and word_count(line) >= 6):
        return None
    return find_date(line)


def split_parts(lines: list[str]) -> list[tuple[list[str], list[tuple[str, str]]]]:
    """Cut the document's lines at read-also markers followed by a full article.

    Returns ``[(lines, removed), ...]``: the lines of each part and the furniture dropped at the cut.
    Linear in the number of lines: each line is classified once, and whether a part holds a body
    paragraph yet is tracked as lines are added rather than recounted at every marker.
    """
    n = len(lines)
    markers = [split_marker(l) for l in lines]
    parts: list[tuple[list[str], list[tuple[str, str]]]] = [([], [])]
    has_body = [False]
    i = 0
    while i < n:
        line, rest = lines[i], markers[i]
        if rest is None:
            parts[-1][0].append(line)
            has_body[-1] = has_body[-1] or _is_body(line)
            i += 1
            continue
        # Headline-like lines right after the marker (and the text on the marker line itself).
        links = [rest] if rest else []
        j = i + 1
        while j < n and not _is_body(lines[j]) and word_count(lines[j]) <= TITLE_MAX_WORDS \
                and _date_line(lines[j]) is None and markers[j] is None and not furniture_kind(lines[j]):
            links.append(lines[j])
            j += 1
        next_marker = next((k for k in range(j, n) if markers[k] is not None), n)
        body_words = sum(word_count(lines[k]) for k in range(j, next_marker) if _is_body(lines[k]))
        starts_like_article = j < n and (
            _date_line(lines[j]) is not None or byline_outlet(lines[j]) is not None
            or byline_prefix(lines[j]) is not None)
        long_enough = body_words >= NEW_ARTICLE_MIN_WORDS
        if links and j < n and (starts_like_article or (long_enough and not has_body[-1]) or
                                (long_enough and _closed(parts[-1][0]))):
            # An appended article: its title is the last headline before its text.
            parts.append(([links[-1]], [("read-also", line)] + [("related", l) for l in links[:-1]]))
            has_body.append(_is_body(links[-1]))
        else:
            parts[-1][1].append(("read-also", line))
            parts[-1][1].extend(("related", l) for l in links)
        i = j
    return [p for p in parts if any(l.strip() for l in p[0])]


def _closed(lines: list[str]) -> bool:
    """True when the part so far ended the way articles end: source, tags or share lines after its body
    (read backwards from the end, only as far as the last body paragraph)."""
    closing = False
    for line in reversed(lines):
        if _is_body(line):
            return closing
        if source_line(line) or furniture_kind(line) in ("tags", "share", "follow", "subscribe"):
            closing = True
    return False   # no body paragraph at all


def _take_meta_line(art: ParsedArticle, line: str, title_key: str | None) -> bool:
    """Record ``line`` as the article's date, byline or repeated title; False if it is none of them."""
    found = _date_line(line)
    if found:
        if art.published is None:
            art.published, art.published_raw = found[0], line
        art.removed.append(("date", line))
        return True
    outlet = byline_outlet(line)
    author = None if outlet else author_line(line)
    if outlet or author:
        art.outlet = art.outlet or outlet
        art.byline = art.byline or author
        art.removed.append(("byline", line))
        return True
    if title_key and normalize(line) == title_key:
        art.removed.append(("repeated-title", line))
        return True
    return False


def _unrelated_headlines(candidates: list[str], body: list[str]) -> set[int]:
    """Indexes of the header lines that form a list of other stories' headlines (a sidebar or ticker the
    scrape kept above the article): a run of headline-like lines (title length, no final punctuation)
    sharing at most one content word with the article's opening paragraphs, at least
    RELATED_BLOCK_MIN_LINES of them sharing none."""
    lead = content_words(" ".join(body[:LEAD_LINES]))
    if not lead:
        return set()
    found: set[int] = set()
    run: list[int] = []
    zeros = 0
    for k, line in enumerate(candidates + [""]):   # the sentinel closes the last run
        headline = TITLE_MIN_WORDS <= word_count(line) <= TITLE_MAX_WORDS and not ends_sentence(line) \
            and not is_section_label(line)
        shared = len(content_words(line) & lead) if headline else 2
        if shared <= 1:
            run.append(k)
            zeros += shared == 0
            continue
        if zeros >= RELATED_BLOCK_MIN_LINES:
            found.update(run)
        run, zeros = [], 0
    return found


def _doubled(lines: list[str], skip: int | None) -> set[int]:
    """Indexes of lines that appear twice in a row (other than line ``skip``, the title, and its repeat):
    below the title, an image's alt text and caption."""
    pairs = {k for k in range(len(lines) - 1)
             if skip not in (k, k + 1) and normalize(lines[k]) == normalize(lines[k + 1])}
    return pairs | {k + 1 for k in pairs}


def _words(line: str) -> int:
    """Words of a header line without the bars and brackets around it ("نواف سلام |" has two)."""
    return word_count(line_key(line))


def _leads_in(line: str) -> bool:
    """A line ending with ":" introduces what follows (a dateline, a source): never a title."""
    return line.rstrip().endswith(":")


def parse_part(lines: list[str], removed: list[tuple[str, str]], meta_title: str | None = None,
               at_end: bool = True) -> ParsedArticle:
    """One article from the lines of one part; ``at_end``: the part ends the text (it may be cut off)."""
    art = ParsedArticle(removed=list(removed))
    lines = [l.strip() for l in lines if l.strip()]
    first_body = next((k for k, l in enumerate(lines) if _is_body(l) and not furniture_kind(l)), len(lines))
    header, rest = lines[:first_body], lines[first_body:]

    title_key = normalize(meta_title) if meta_title else None
    if meta_title:
        art.title = meta_title.strip()
    candidates: list[str] = []
    for line in header:
        kind = furniture_kind(line)
        if kind:
            art.removed.append((kind, line))
        elif not _take_meta_line(art, line, title_key):
            candidates.append(line)
    related = _unrelated_headlines(candidates, rest)
    art.removed.extend(("related", line) for k, line in enumerate(candidates) if k in related)
    candidates = [line for k, line in enumerate(candidates) if k not in related]

    # Title: the first header line of title length; shorter lines above it are section labels.
    title_idx = None
    if art.title is None:
        # A lone short line (a place, a name, a time, a site name) is no title: the lead sentence makes a
        # better one. Nor is a line that introduces what follows ("وكالات - بيروت:").
        title_idx = next((k for k, line in enumerate(candidates)
                          if TITLE_MIN_WORDS <= _words(line) <= TITLE_MAX_WORDS
                          and not is_section_label(line) and not _leads_in(line)), None)
        if title_idx is not None:
            art.title = candidates[title_idx]
            title_key = normalize(art.title)
    keep_header: list[str] = []
    captions = _doubled(candidates, title_idx)
    for k, line in enumerate(candidates):
        if k == title_idx:
            continue
        if title_key and normalize(line) == title_key:
            art.removed.append(("repeated-title", line))
        elif k in captions:
            art.removed.append(("caption", line))
        elif (title_idx is not None and k < title_idx) or is_section_label(line) or _words(line) < TITLE_MIN_WORDS:
            art.removed.append(("section", line))
        elif _leads_in(line) and word_count(line) <= DATELINE_MAX_WORDS:
            art.removed.append(("dateline", line))   # "وكالات - بيروت:", "الشارقة 24 – أ ف ب:"
        else:
            keep_header.append(line)  # a standfirst or subtitle: content

    body: list[str] = []
    furniture_at = 0   # body lines kept when the last furniture line below the header went
    for line in keep_header + rest:
        kind = furniture_kind(line)
        if kind:
            art.removed.append((kind, line))
            furniture_at = len(body)
            continue
        src = source_line(line)
        if src:
            art.cited_source = art.cited_source or src
            art.removed.append(("source", line))
            furniture_at = len(body)
            continue
        if (not body and _take_meta_line(art, line, title_key)) or (title_key and normalize(line) == title_key):
            if body:
                art.removed.append(("repeated-title", line))
                furniture_at = len(body)
            continue
        if not body:
            line = _strip_date_stamp(art, line)
            pre = byline_prefix(line)
            if pre and _is_body(line[pre[1]:]):
                art.outlet = art.outlet or pre[0]
                art.removed.append(("byline", line[:pre[1]].strip()))
                line = line[pre[1]:]
        body.append(line)

    # Trailing lines after the last body paragraph that are not sentences: page furniture.
    # Unless the text ends with prose cut off mid-sentence right after the body (no furniture in between).
    last = max((k for k, l in enumerate(body) if _ends_content(l)), default=-1)
    if at_end and 0 <= last and furniture_at <= last and _cut_prose_tail(body[last + 1:]):
        last = len(body) - 1
    for line in body[last + 1:]:
        art.removed.append(("trailing", line))
    art.paragraphs = body[:last + 1]

    if art.title is None and art.paragraphs:
        art.title = _derive_title(art.paragraphs[0])
        art.title_derived = True
    return art


def _cut_prose_tail(tail: list[str]) -> bool:
    """True when ``tail``, the lines after the last body paragraph at the end of a text, ends with prose cut
    off mid-sentence (a scrape cut at a size limit): its last line ends no sentence and reads as prose, or
    continues (hard-wrapped) a line that does; the lines above bear no mark of furniture and at most one of
    them (a subheading of two words or more) does not read as prose."""
    if not tail or ends_sentence(tail[-1]) or furniture_marked(tail[-1]):
        return False
    cut = 1
    if not reads_as_prose(tail[-1]):
        wrapped = len(tail) >= 2 and not ends_sentence(tail[-2]) and reads_as_prose(tail[-2])
        if not wrapped or word_count(tail[-1]) < SETTINGS.clean.prose_min_words:
            return False
        cut = 2
    above = tail[:-cut]
    odd = [line for line in above if not reads_as_prose(line)]
    return not any(furniture_marked(line) for line in above) and len(odd) <= 1 and all(word_count(l) >= 2 for l in odd)


def _strip_date_stamp(art: ParsedArticle, line: str) -> str:
    """The first body paragraph without a machine date stamp glued to its start (kept as the date)."""
    stamp = date_stamp_prefix(line)
    if not stamp or not _is_body(line[stamp[1]:]):
        return line
    prefix = line[:stamp[1]].strip()
    if art.published is None:
        art.published, art.published_raw = stamp[0], prefix
    art.removed.append(("date", prefix))
    return line[stamp[1]:]


def _derive_title(paragraph: str, max_words: int = 20) -> str:
    """A title for an article whose page gave none: its first sentence, cut at ``max_words``."""
    spans = split_sentences(paragraph)
    first = paragraph[spans[0][0]:spans[0][1]] if spans else paragraph
    words = first.split()
    if len(words) > max_words:
        return " ".join(words[:max_words]) + " …"
    return first.rstrip(".")


def clean_scraped(text: str, meta_title: str | None = None) -> list[ParsedArticle]:
    """All articles in one scraped text (see module docstring)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = _INLINE_TAG.sub(lambda m: "\n" if m.group(1).lower() in ("br", "p", "div") else "", text)
    lines = [l for l in (re.sub(r"[ \t]+", " ", l).strip() for l in text.split("\n")) if l]
    articles = []
    parts = split_parts(lines)
    for k, (part_lines, removed) in enumerate(parts):
        art = parse_part(part_lines, removed, meta_title if k == 0 else None, at_end=k == len(parts) - 1)
        if art.paragraphs:
            articles.append(art)
        elif articles:
            articles[-1].removed.extend(removed + art.removed)
    return articles
