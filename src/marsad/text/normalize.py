"""Arabic normalisation for matching keys.

In: any display string. Out: a matching key in which spelling variants meet: alef / hamza forms
(أ إ آ ٱ → ا, ؤ → و, ئ → ي), alif maqsura → ya, ta marbuta → ha, no diacritics or tatweel,
Western digits, one form per punctuation mark, Latin lower-cased, runs of white space collapsed.
The display text is never changed; :func:`normalize_with_map` also returns, for each character of
the key, its offset in the original so that matches on keys map back to display spans.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Harakat, tanwin, shadda, sukun, superscript alef, Quranic marks, and tatweel.
_DROP = set(chr(c) for c in range(0x0610, 0x061B)) | set(chr(c) for c in range(0x064B, 0x0660))
_DROP |= {"\u0670", "\u0640", "\u06D6", "\u06D7", "\u06D8", "\u06D9", "\u06DA", "\u06DB", "\u06DC",
          "\u06DF", "\u06E0", "\u06E1", "\u06E2", "\u06E3", "\u06E4", "\u06E7", "\u06E8", "\u06EA",
          "\u06EB", "\u06EC", "\u06ED"}
# Zero-width and bidi controls carry no meaning for matching.
_DROP |= {"\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d",
          "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\u00ad"}

_MAP = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ؤ": "و", "ئ": "ي", "ى": "ي", "ی": "ي", "ي": "ي", "ة": "ه", "ۀ": "ه", "ہ": "ه", "ھ": "ه",
    "ک": "ك", "گ": "ك", "ڤ": "ف", "پ": "ب", "چ": "ج",
    "،": ",", "؛": ";", "؟": "?", "٪": "%", "٫": ".", "٬": ",", "۔": ".",
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "″": '"', "‘": "'", "’": "'", "‚": "'", "`": "'",
    "–": "-", "—": "-", "−": "-", "ـ": "",
}
for _i in range(10):
    _MAP[chr(0x0660 + _i)] = str(_i)  # Eastern Arabic digits
    _MAP[chr(0x06F0 + _i)] = str(_i)  # Persian / Urdu digits

_DIGITS = {ord(chr(0x0660 + i)): str(i) for i in range(10)} | {ord(chr(0x06F0 + i)): str(i) for i in range(10)}
_SPACE = re.compile(r"\s+")


def to_western_digits(text: str) -> str:
    """Replace Eastern Arabic and Persian digits with 0-9 (same length, safe on display text)."""
    return text.translate(_DIGITS)


def strip_diacritics(text: str) -> str:
    """Remove harakat, tanwin, shadda, sukun and tatweel; nothing else changes."""
    return "".join(ch for ch in text if ch not in _DROP)


def _fold(ch: str) -> str:
    if ch in _DROP:
        return ""
    if ch in _MAP:
        return _MAP[ch]
    if "\uFB50" <= ch <= "\uFEFF" or "\uFF00" <= ch <= "\uFFEF":  # presentation / full-width forms
        nfkc = unicodedata.normalize("NFKC", ch)
        if nfkc != ch:  # some code points of these blocks have no compatibility form
            return "".join(_fold(c) for c in nfkc)
    if ch.isspace():
        return " "
    return ch.lower()


_FOLDED: dict[str, str] = {}       # character -> _fold(character), filled as characters are met


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Return ``(key, offsets)``: the matching key and, per key character, its index in ``text``.

    Runs of white space become one space; leading and trailing space is dropped.
    """
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        folded = _FOLDED.get(ch)
        if folded is None:
            folded = _FOLDED[ch] = _fold(ch)
        for f in folded:
            if f == " " and (not out or out[-1] == " "):
                continue
            out.append(f)
            offsets.append(i)
    while out and out[-1] == " ":
        out.pop()
        offsets.pop()
    return "".join(out), offsets


def fold_arabic(text: str) -> str:
    """Fold Arabic letter variants and drop diacritics, leaving case, digits and punctuation alone.

    Used to write lexicon patterns in natural spelling and still match normalised keys.
    """
    return "".join("" if ch in _DROP else (_MAP[ch] if ch in _MAP and "\u0600" <= ch <= "\u06FF" else ch)
                   for ch in text)


_TABLE = {ord(c): None for c in _DROP} | {ord(k): v for k, v in _MAP.items()}
_COMPAT = re.compile("[\uFB50-\uFEFF\uFF00-\uFFEF]")


def normalize(text: str) -> str:
    """The matching key of ``text`` (see module docstring)."""
    if not text:
        return ""
    if _COMPAT.search(text):  # presentation / full-width forms: rare, take the slow exact path
        text = "".join(_fold(ch) for ch in text)
    # one pass of the table after lower(): no character's lower case is a key of the table, and lower() leaves
    # the table's keys and values as they are, so this is lower-then-fold in either order (checked on every
    # code point), at half the cost of folding before and after
    return _SPACE.sub(" ", text.lower().translate(_TABLE)).strip()


# Proclitic sequences (conjunction, preposition, article) on a normalised word, longest first.
_PROCLITICS = ("وبال", "وكال", "فبال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال", "و", "ف", "ب", "ل", "ك")


@lru_cache(maxsize=262144)        # a pure function of a word, called for most words of every stage
def strip_clitics(word: str, min_stem: int = 3) -> str:
    """The normalised ``word`` without attached proclitics (و ف ب ل ك ال ...), kept when too short.

    A heuristic for matching keys, not a morphological analysis: ``بدمشق`` → ``دمشق``,
    ``والسوري`` → ``سوري``; ``بلد`` stays ``بلد`` (stripping would leave fewer than ``min_stem`` letters).
    """
    for p in _PROCLITICS:
        if word.startswith(p) and len(word) - len(p) >= min_stem:
            return word[len(p):]
    return word
