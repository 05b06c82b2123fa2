"""Sentence splitting for Arabic (and mixed Arabic / Latin) news text.

In: display text. Out: ``(start, end)`` character spans of sentences, trimmed of white space.
A sentence ends at ``.`` ``!`` ``?`` ``؟`` ``…`` (with any closing quotes or brackets after it)
followed by white space or the end, and at every line break (paragraphs and headings are never
joined). It does not end at the Arabic comma or semicolon, at a full stop inside a number (3.5),
after a known abbreviation (د. ، م. ، U.S.) or after a single initial letter.
Time is linear in the length of the text: each full stop looks back at most ``_WORD_WINDOW``
characters for the word it closes.
"""

from __future__ import annotations

import re

from .. import data
from .normalize import normalize

_END = re.compile(r"[.!?؟…]+[\"'”’»)\]]*(?=\s|$)")
_LINE = re.compile(r"[^\n]+")
_WORD_BEFORE = re.compile(r"([\w.\u0600-\u06FF]+)$")
_WORD_WINDOW = 48   # characters looked at before a full stop: abbreviations are short, and a bounded window keeps splitting linear

_ABBREV: set[str] | None = None


def _abbreviations() -> set[str]:
    global _ABBREV
    if _ABBREV is None:
        _ABBREV = {normalize(a).rstrip(".") for a in data.lines("abbreviations.txt")}
    return _ABBREV


def _is_abbreviation(line: str, dot: int) -> bool:
    """True when the full stop at ``dot`` closes an abbreviation rather than a sentence."""
    if line[dot] != ".":
        return False
    m = _WORD_BEFORE.search(line[max(0, dot - _WORD_WINDOW):dot])
    if not m:
        return False
    word = normalize(m.group(1)).strip(".")
    if not word:
        return False
    if word in _abbreviations():
        return True
    # A single Latin capital initial ("J. Smith"), but not a digit ("in 2024.").
    return len(word) == 1 and word.isalpha() and word.isascii()


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (see module docstring)."""
    spans: list[tuple[int, int]] = []
    for line_m in _LINE.finditer(text):
        line, base = line_m.group(0), line_m.start()
        start = 0
        for m in _END.finditer(line):
            if _is_abbreviation(line, m.start()):
                continue
            _add(spans, line, base, start, m.end())
            start = m.end()
        _add(spans, line, base, start, len(line))
    return spans


def _add(spans: list[tuple[int, int]], line: str, base: int, start: int, end: int) -> None:
    seg = line[start:end]
    lead = len(seg) - len(seg.lstrip())
    trail = len(seg.rstrip())
    if trail > lead:
        spans.append((base + start + lead, base + start + trail))
