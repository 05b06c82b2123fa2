"""Line-level page furniture detection for text that was already scraped.

In: one line of display text. Out: the furniture kind it is (``share``, ``subscribe``, ``tags``,
``prevnext``, ``font``, ...; see ``data/furniture.tsv``) or ``None`` for content. Also classifies
the header-zone helpers: section labels, breadcrumbs, bylines, "المصدر:" lines and
"read also" markers (``data/split_markers.tsv``). :func:`removed_pairs` gives the lines an article
had removed with their kind named in Arabic (``data/furniture_kinds_ar.tsv``), for people to read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .. import data
from ..settings import SETTINGS
from ..text import fold_arabic, normalize, strip_clitics

_CRUMB_SEP = re.compile(r"\s+(?:>|/|\||\\|•|·)\s+|\s*(?:»|›|‹)\s*")
_EDGE = re.compile(r"^[\s()\[\]{}<>|:•·*#\"'.,!?-]+|[\s()\[\]{}<>|:•·*#\"'.,!?-]+$")
_SENTENCE_END = re.compile(r"[.!?؟…][\"'”»)]*\s*$")


@dataclass(frozen=True)
class Rule:
    kind: str
    max_words: int
    rx: re.Pattern


@lru_cache(maxsize=1)
def furniture_rules() -> tuple[Rule, ...]:
    return tuple(Rule(r["kind"], int(r["max_words"]), re.compile(fold_arabic(r["pattern"]).lower()))
                 for r in data.rows("furniture.tsv"))


@lru_cache(maxsize=1)
def _split_rx() -> re.Pattern:
    alts = "|".join(fold_arabic(r["pattern"]).lower() for r in data.rows("split_markers.tsv"))
    return re.compile(rf"^(?:{alts})\b\s*:?\s*(?P<rest>.*)$")


@lru_cache(maxsize=1)
def _sections() -> frozenset[str]:
    return frozenset(normalize(s) for s in data.lines("sections.txt"))


def line_key(line: str) -> str:
    """Normalised line with surrounding brackets and punctuation stripped."""
    return _EDGE.sub("", normalize(line))


def word_count(text: str) -> int:
    return len(text.split())


def ends_sentence(line: str) -> bool:
    return bool(_SENTENCE_END.search(line))


def furniture_kind(line: str) -> str | None:
    """The furniture kind of ``line`` or None. A full sentence of 6+ words is never furniture."""
    key = line_key(line)
    if not key:
        return "empty-symbols" if line.strip() else None
    n = word_count(key)
    if ends_sentence(line) and n >= 6:
        return None
    for rule in furniture_rules():
        if n <= rule.max_words and rule.rx.fullmatch(key):
            return rule.kind
    return None


def split_marker(line: str) -> str | None:
    """If ``line`` opens a read-also / related block, the text after the marker ('' if none)."""
    key = line_key(line)
    if word_count(key) > 30:
        return None
    m = _split_rx().match(key)
    if not m:
        return None
    # Recover the display text after the marker: same number of words from the end.
    rest_words = word_count(m.group("rest"))
    if rest_words == 0:
        return ""
    words = line.strip().split()
    return " ".join(words[-rest_words:]).strip(" :")


def is_section_label(line: str) -> bool:
    """A section name or breadcrumb trail ("الرئيسية > أخبار > سوريا", "تقارير")."""
    key = line_key(line)
    if not key:
        return False
    if key in _sections() or key.replace(" ", "") in {s.replace(" ", "") for s in _sections()}:
        return True
    parts = [p.strip() for p in _CRUMB_SEP.split(line) if p.strip()]
    return len(parts) >= 2 and all(word_count(p) <= 4 for p in parts) and word_count(key) <= 16


_BYLINE_LINE = re.compile(r"^(?P<outlet>[^|/\n]{2,40}?)\s*(?:\|\||\||/\s*-|–|—)\s*(?P<role>متابعات|خاص|وكالات|ترجمات|ترجمة|تقرير|تحرير)?\s*$")
_BYLINE_PREFIX = re.compile(r"^(?P<outlet>[^\s/|.،,:]{2,25}(?: [^\s/|.،,:]{2,25}){0,2})\s*/\s*-\s*")
# The name holds no colon: "تحرير المدينة: خطوة نحو ..." is a headline ("تحرير" = liberation), not a credit.
_AUTHOR = re.compile(r"^(?:بقلم|كتب|كتبت|كتبه|إعداد|اعداد|تحرير|by)\s*[:：-]?\s*(?P<name>[^\n:：]{2,60})$", re.I)
_SOURCE = re.compile(r"^(?:المصدر|مصدر الخبر|المصادر|source)\s*[:：]\s*(?P<name>.{2,80}?)\s*$", re.I)


def byline_outlet(line: str) -> str | None:
    """Outlet named by a byline line such as "كوردستريت || متابعات" or "المستقلة/-"."""
    s = line.strip()
    if word_count(s) > 8:
        return None
    m = _BYLINE_LINE.match(s)
    if m and (m.group("role") or "||" in s or "/-" in s.replace(" ", "")):
        return m.group("outlet").strip(" -–|")
    return None


def byline_prefix(line: str) -> tuple[str, int] | None:
    """``(outlet, prefix_length)`` when a paragraph opens with "المستقلة/- " style credit."""
    m = _BYLINE_PREFIX.match(line)
    if m:
        return m.group("outlet").strip(), m.end()
    return None


def author_line(line: str) -> str | None:
    m = _AUTHOR.match(line.strip())
    return m.group("name").strip() if m and word_count(line) <= 8 else None


def source_line(line: str) -> str | None:
    """The outlet named by an "المصدر: X" line (the article is X's), or None."""
    m = _SOURCE.match(line.strip())
    return m.group("name").strip(" .") if m and word_count(line) <= 10 else None


# A machine date stamp opening a paragraph ("date 2025-01-09 أعلن ...", "2025-01-09T10:00:00 أعلن ..."):
# scraper or CMS metadata glued to the lead, never how an Arabic sentence starts.
_DATE_STAMP = re.compile(r"^(?:date|published|تاريخ النشر|التاريخ)?\s*[:：]?\s*(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)"
                         r"(?:[T ][0-2]\d:[0-5]\d(?::[0-5]\d)?(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)?\s*[|:–-]?\s+", re.I)


def date_stamp_prefix(line: str) -> tuple[str, int] | None:
    """``(ISO date, prefix_length)`` when ``line`` opens with a machine date stamp, else None."""
    m = _DATE_STAMP.match(line)
    return (m.group("iso"), m.end()) if m else None


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    words = (normalize(w) for line in data.lines("link_stopwords.txt") for w in line.split())
    return frozenset(strip_clitics(w) for w in words)


_WORD = re.compile(r"\w+")


def content_words(text: str) -> frozenset[str]:
    """Content-word stems of ``text`` (normalised, proclitics off, function words and digits out)."""
    stems = (strip_clitics(w) for w in _WORD.findall(normalize(text)))
    return frozenset(w for w in stems if len(w) >= 3 and not w.isdigit() and w not in _stopwords())


@lru_cache(maxsize=1)
def _kind_labels() -> dict[str, str]:
    return {r["kind"]: r["label"] for r in data.rows("furniture_kinds_ar.tsv")}


def removed_pairs(removed: list[str]) -> list[tuple[str, str]]:
    """(Arabic label of its kind, line) for each removed line an article keeps as ``"kind: line"``
    (labels from ``data/furniture_kinds_ar.tsv``), for the report and the web pages."""
    pairs = ((r.split(": ", 1) + [""])[:2] for r in removed)
    return [(_kind_labels().get(kind, kind), line) for kind, line in pairs]


# ---- does a line read as prose? (for a line cut mid-sentence at the end of a text) ---------------------
_MARKUP = re.compile(r"https?:|www\.|@|#|\||©|\+|\.(?:com|net|org)\b", re.I)
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")


@lru_cache(maxsize=1)
def _reporting_verbs() -> frozenset[str]:
    return frozenset(normalize(r["form"]) for r in data.rows("attribution_verbs.tsv") if r["kind"] == "verb")


@lru_cache(maxsize=None)
def _prose_words(kind: str) -> frozenset[str]:
    """Normalised words of one kind of ``data/prose_words.tsv`` (closed_class, opener, furniture_opener)."""
    return frozenset(normalize(r["word"]) for r in data.rows("prose_words.tsv") if r["kind"] == kind)


def furniture_marked(line: str) -> bool:
    """A line that bears a mark of page furniture: a furniture kind, a read-also marker, a source, byline
    or section line, a link, handle, hashtag, bar or ©, a furniture word first, or few Arabic letters."""
    words = normalize(line).split()
    letters = [c for c in line if c.isalpha()]
    arabic = sum(bool(_ARABIC_LETTER.match(c)) for c in letters)
    return (not words or words[0].strip("-–:\"'") in _prose_words("furniture_opener") or bool(_MARKUP.search(line))
            or arabic < SETTINGS.clean.prose_min_arabic * max(1, len(letters)) or furniture_kind(line) is not None
            or split_marker(line) is not None or source_line(line) is not None or is_section_label(line)
            or byline_outlet(line) is not None or author_line(line) is not None)


def prose_signals(line: str) -> int:
    """How many signs of running prose ``line`` shows: a closed-class word, a clause comma, a sentence
    opened by a conjunction (و / ف + a word) or an opener (كما، ثم ...), a reporting verb, length."""
    words = [w.strip("\"'().,:؛;!?") for w in normalize(line).split()]
    words = [w for w in words if w]
    if not words:
        return 0
    first, verbs = words[0], _reporting_verbs()
    conj = first[:1] in ("و", "ف") and len(first) >= 4
    verb = any(w in verbs or (w[:1] in ("و", "ف") and w[1:] in verbs) for w in words)
    closed_class = _prose_words("closed_class")
    closed = any(w in closed_class or (w[:1] in ("و", "ف") and w[1:] in closed_class) for w in words)
    return (closed + ("," in normalize(line)) + (conj or first in _prose_words("opener"))
            + verb + (len(words) >= SETTINGS.clean.prose_long_words))


def reads_as_prose(line: str) -> bool:
    """A line of running prose (complete or cut off), not furniture: ``[clean] prose_min_words`` words or more,
    no mark of furniture, and at least ``prose_min_signals`` signs of prose (see :func:`prose_signals`)."""
    return (word_count(line) >= SETTINGS.clean.prose_min_words and prose_signals(line) >= SETTINGS.clean.prose_min_signals
            and not furniture_marked(line))
