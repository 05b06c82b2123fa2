"""Words and attached clitics for dictionary matching.

In: display text (an article, or a gazetteer name). Out: word tokens with their character offsets
and matching keys (:func:`words`), and for one word's key the readings without attached
proclitics (:func:`clitic_options`): conjunctions و ف, prepositions ب ل ك, and ل + article
written لل. The article ال itself is not stripped: names are listed as they are written
(العراق, الأسد), and nationality adjectives are listed with and without it.

Span convention (used by :mod:`marsad.entities`): a mention starts after و ف ب ل ك and keeps
ال as written (والأسد → الأسد, بالعراق → العراق). In the contracted form لل + X (للأسد) the
article's alef is not written, so the mention is the bare stem after لل (أسد).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..text.normalize import normalize_with_map

_MARKS = "\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200c\u200d"
# Letters and digits, with Arabic marks, tatweel and zero-width joiners inside a word.
WORD = re.compile(rf"(?:[^\W_]|[{_MARKS}])+")
# What may stand between two words of one name: spaces, hyphens, tatweel, bidi / zero-width marks.
GAP_OK = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069]*")

_CONJ = "وف"
_PREP = "بلك"

_KEY_CACHE: dict[str, tuple[str, tuple[int, ...]]] = {}
_KEY_CACHE_MAX = 300_000


def word_key(word: str) -> tuple[str, tuple[int, ...]]:
    """``(key, offsets)`` for one word: its matching key and, per key character, the index of
    the display character it came from (cached)."""
    hit = _KEY_CACHE.get(word)
    if hit is None:
        key, offs = normalize_with_map(word)
        hit = (key, tuple(offs))
        if len(_KEY_CACHE) >= _KEY_CACHE_MAX:
            _KEY_CACHE.clear()
        _KEY_CACHE[word] = hit
    return hit


def words(text: str) -> list[tuple[int, int, str, tuple[int, ...]]]:
    """Word tokens of ``text`` as ``(start, end, key, offsets)``; ``text[start:end]`` is the word."""
    out = []
    cached = _KEY_CACHE.get
    for m in WORD.finditer(text):
        w = m.group()
        hit = cached(w) or word_key(w)
        if hit[0]:
            s, e = m.span()
            out.append((s, e, hit[0], hit[1]))
    return out


def name_keys(name: str) -> tuple[str, ...]:
    """Keys of the words of a gazetteer name (hyphens and spaces separate words)."""
    return tuple(k for _, _, k, _ in words(name))


@lru_cache(maxsize=200_000)
def clitic_options(key: str) -> tuple[tuple[int, str], ...]:
    """Readings of one word key as ``(number of key characters stripped, key to look up)``.

    The full word comes first. Then without a conjunction (و ف), without a preposition (ب ل ك)
    with or without a conjunction before it, and لل + X read as ال + X (the number stripped
    is then 2, after لل, with ``ال`` put back for the look-up). A remainder shorter than two
    letters is not offered.
    """
    out = [(0, key)]
    n = len(key)
    starts = [0]
    if n > 3 and key[0] in _CONJ:
        out.append((1, key[1:]))
        starts.append(1)
    for j in starts:
        if n - j > 3 and key[j] in _PREP:
            if key[j] == "ل" and key[j + 1] == "ل":
                out.append((j + 2, "ال" + key[j + 2:]))
            out.append((j + 1, key[j + 1:]))
    return tuple(out)


def strip_proclitics(key: str, known: "set[str] | frozenset[str] | None" = None) -> int:
    """How many leading key characters of a word (e.g. the first word of a span found by the
    statistical tagger) are proclitics rather than part of the name.

    وال / فال / بال / كال / لل and their combinations are always stripped (up to the article,
    which stays: والأسد → الأسد; لل → after لل). A bare و / ف / ب / ل / ك is stripped only when the
    rest is a word in ``known`` and the whole word is not (وبوتين → بوتين, but وليد stays).
    """
    if known is not None and key in known:
        return 0
    i = 1 if (len(key) > 3 and key[0] in _CONJ) else 0
    j = i
    if len(key) - i > 3 and key[i] in _PREP:
        if key[i] == "ل" and key[i + 1] == "ل":
            return i + 2
        j = i + 1
    if key.startswith("ال", j) and len(key) - j > 3:
        return j
    if known is not None:
        for cut in (j, i):
            if cut and key[cut:] in known:
                return cut
    return 0
