"""Arabic normalisation for matching keys.

In: any display string. Out: a matching key in which spelling variants meet: alef / hamza forms
(أ إ آ ٱ → ا, ؤ → و, ئ → ي), alif maqsura → ya, ta marbuta → ha, no diacritics or tatweel,
Western digits, one form per punctuation mark, Latin lower-cased, runs of white space collapsed.
The display text is never changed; :func:`normalize_with_map` also returns, for each character of
the key, its offset in the original so that matches on keys map back to display spans.
"""

from __future__ import annotations

import re
import threading
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


_EASTERN_DIGIT = re.compile("[\u0660-\u0669\u06F0-\u06F9]")


def to_western_digits(text: str) -> str:
    """Replace Eastern Arabic and Persian digits with 0-9 (same length, safe on display text)."""
    return text.translate(_DIGITS) if _EASTERN_DIGIT.search(text) else text   # translate is slow on Arabic text


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
_NEVER = re.compile(r"(?!)")
_LEARNING = threading.Lock()
_SPACE_RUN = re.compile(" {2,}")
# the commonest characters that fold to another, each replaced in one pass of str.replace (those that fold
# to one character which folds to itself, so the passes cannot chain)
_HOT = tuple((c, _fold(c)) for c in "ةأإىئؤآ،\n" if len(_fold(c)) == 1 and _fold(_fold(c)) == _fold(c))


class _Seen:
    """Patterns over the characters met so far: one not met yet, one that folds to something else, one
    that folds to nothing and one that folds to several characters (recompiled when one is met)."""
    unknown = re.compile(r"[\s\S]")
    changed = dropped = wide = _NEVER


def _char_class(chars, negate: bool = False) -> re.Pattern:
    if not chars:
        return _NEVER
    return re.compile(("[^" if negate else "[") + "".join(map(re.escape, sorted(chars))) + "]")


def _learn(text: str) -> None:
    """Fold the characters of ``text`` not met before, and recompile the patterns over them (one thread at a
    time; the pattern of unknown characters last, so that a character it knows is in the others)."""
    with _LEARNING:
        for ch in set(text).difference(_FOLDED):
            _FOLDED[ch] = _fold(ch)
        hot = {c for c, _ in _HOT}
        _Seen.changed = _char_class([c for c, f in _FOLDED.items() if f != c and c not in hot])
        _Seen.dropped = _char_class([c for c, f in _FOLDED.items() if not f])
        _Seen.wide = _char_class([c for c, f in _FOLDED.items() if len(f) > 1])
        _Seen.unknown = _char_class(_FOLDED, negate=True)


def _fold_match(m: re.Match) -> str:
    return _FOLDED[m.group()]


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Return ``(key, offsets)``: the matching key and, per key character, its index in ``text``.

    Runs of white space become one space; leading and trailing space is dropped.
    """
    if _Seen.unknown.search(text):
        _learn(text)
    folded = text
    for c, f in _HOT:
        folded = folded.replace(c, f)
    folded = _Seen.changed.sub(_fold_match, folded)
    if _Seen.wide.search(text):
        offsets = [i for i, ch in enumerate(text) for _ in _FOLDED[ch]]
    else:                           # each character folds to one or to none (a diacritic)
        offsets, pos = [], 0
        for m in _Seen.dropped.finditer(text):
            offsets += range(pos, m.start())
            pos = m.end()
        offsets += range(pos, len(text))
    return _collapse_spaces(folded, offsets)


def _collapse_spaces(folded: str, offsets: list[int]) -> tuple[str, list[int]]:
    """``folded`` without leading and trailing spaces and with each run of spaces kept as its first
    space, and the offsets of the characters kept."""
    n = len(folded)
    runs = [m.span() for m in _SPACE_RUN.finditer(folded)]
    if folded[:1] == " " and not (runs and runs[0][0] == 0):
        runs.insert(0, (0, 1))
    if folded[-1:] == " " and not (runs and runs[-1][1] == n):
        runs.append((n - 1, n))
    if not runs:
        return folded, offsets
    key, offs, pos = [], [], 0
    for a, b in runs:
        keep = a + (0 < a and b < n)     # a run inside the text keeps its first space
        key.append(folded[pos:keep])
        offs += offsets[pos:keep]
        pos = b
    key.append(folded[pos:])
    offs += offsets[pos:]
    return "".join(key), offs


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
    return " ".join(_translate(text.lower()).split())


def _translate(text: str) -> str:
    """``text.translate(_TABLE)``: the commonest letters by str.replace, the others by one regex pass (str.translate
    looks every character up in the table, several times slower on Arabic text)."""
    for c, f in _TABLE_HOT:
        text = text.replace(c, f)
    return _TABLE_REST.sub(_table_char, text)


def _table_char(m: re.Match) -> str:
    return _TABLE[ord(m.group())] or ""


# the hot letters fold to characters the table leaves as they are, so the passes cannot chain
_TABLE_HOT = tuple((c, _MAP[c]) for c in "ةأإىئؤآ،" if _TABLE.get(ord(_MAP[c]), _MAP[c]) == _MAP[c])
_TABLE_REST = re.compile("[" + "".join(re.escape(chr(k)) for k, v in sorted(_TABLE.items())
                                        if v != chr(k) and chr(k) not in dict(_TABLE_HOT)) + "]")


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
