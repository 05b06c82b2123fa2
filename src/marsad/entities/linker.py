"""Entity recognition and linking for one text: gazetteer matching, patterns and the tagger.

In: a text (an article) and an optional ISO2 country hint. Out: non-overlapping mentions with
character offsets into the text (``text[m.start:m.end] == m.text``), each linked to a canonical
entity, and the entities by id.

Steps, each only on words that earlier steps left free:
1. Dictionary matching of every gazetteer name on matching keys, word by word, with attached
   proclitics (و ف ب ل ك لل) read off the first word, required context words ([معبر] نصيب), and
   name patterns: ministries (وزارة الداخلية الأردنية) and head noun + nationality adjective
   (السفارة الروسية). Longest match wins, then curated over country over GeoNames.
2. The statistical tagger (:mod:`marsad.entities.tagger`, when its model is installed): spans no
   dictionary match touches become mentions; a span that is a known name (e.g. a GeoNames place
   that is also a common word) links to it, others get a ``marsad:`` id from their key. A longer
   span replaces the dictionary names inside it, unless its words are each a place (towns listed
   without commas).
3. A title followed by a given name (المقدم حسن عبد الغني) for people in no list.
4. Short forms within the text: once a full name is found, its surname alone (الفراية, السوداني)
   links to the same person anywhere in the text, also where it would otherwise be read as a
   nationality adjective or the tagger typed the word alone as another type than PER.
5. Geocoding (:mod:`marsad.entities.geocode`): the place among same-named candidates, and
   "ريف X" / "شمال X" / "محافظة X" areas (``Mention.location_id``).
"""

from __future__ import annotations

import bisect
import re
import threading
from functools import lru_cache
from typing import NamedTuple

from .. import data
from ..model import Entity, Mention
from ..text.normalize import normalize
from . import geocode
from .clitics import GAP_OK, clitic_options, name_keys, strip_proclitics, words
from .gazetteer import PRIO_GEONAMES, Gazetteer, Name

__all__ = ["Linker", "entity_for_id"]

ORDINALS = frozenset(normalize(w) for w in
                     "الأول الثاني الثالث الرابع الخامس السادس السابع الثامن التاسع العاشر الأصغر الأكبر".split())
TITLE_FILLERS = frozenset(normalize(w) for w in
                          "السابق الأسبق الحالي العام الأعلى المكلف المؤقت المنتهية ولايته الجديد".split())
# Tanween marks an indefinite common noun or adverb (تامًا, ورًا): such a word starts no name.
_TANWEEN = re.compile("[\u064b-\u064d]")
TYPE_FOR_TAGGER = {"PER": {"PER"}, "ORG": {"ORG"}, "LOC": {"GPE", "LOC", "FAC"}}
_WORD_CACHE_MAX = 200_000   # word keys remembered per cache (a process's vocabulary stays far below)
_TITLE, _HEADS_PATTERN = 1, 2   # Linker._word_info flags


class _Cand(NamedTuple):
    first: int              # first name word
    last: int               # last name word
    start: int              # span start (chars)
    end: int                # span end (chars)
    length: int             # words covered including context words
    prio: int
    cut: int                # clitic characters stripped off the first word
    ids: tuple[str, ...]
    kind: str               # name | short | norp | guarded | pattern
    method: str
    etype: str | None = None  # type for pattern entities


@lru_cache(maxsize=1)
def _ministries() -> dict[tuple[str, ...], tuple[str, str, bool, str]]:
    out = {}
    for r in data.rows("ministries.tsv"):
        keys = name_keys(r["portfolio_ar"])
        out[keys] = (r["slug"].strip(), r["name_en"].strip(), (r.get("bare") or "").strip() == "1",
                     r["portfolio_ar"].strip())
    return out


@lru_cache(maxsize=1)
def _org_patterns() -> dict[tuple[str, ...], tuple[str, str, str, str]]:
    out = {}
    for r in data.rows("org_patterns.tsv"):
        out[name_keys(r["head_ar"])] = (r["slug"].strip(), r["name_en"].strip(), r["kind"].strip(),
                                        r["head_ar"].strip())
    return out


@lru_cache(maxsize=1)
def _adjective_forms() -> dict[str, tuple[str, str]]:
    """ISO2 / entity id -> (masculine, feminine) adjective with the article, for entity names."""
    out = {}
    for r in data.rows("nationalities.tsv"):
        forms = [f.strip() for f in (r.get("forms_ar") or "").split("|") if f.strip()]
        key = (r.get("country") or "").strip() or (r.get("id") or "").strip()
        if forms:
            out[key] = ("ال" + forms[0], "ال" + (forms[1] if len(forms) > 1 else forms[0]))
    return out


@lru_cache(maxsize=1)
def _pattern_heads():
    """Ministry portfolios and organisation head nouns indexed by the key of their first word."""
    mins: dict[str, list] = {}
    for keys, info in _ministries().items():
        mins.setdefault(keys[0], []).append((keys, info))
    orgs: dict[str, list] = {}
    for keys, info in _org_patterns().items():
        orgs.setdefault(keys[0], []).append((keys, info))
    return mins, orgs


@lru_cache(maxsize=1)
def _pattern_first_keys() -> frozenset:
    """Keys a ministry or organisation pattern may start with (وزارة, a portfolio, a head noun)."""
    ministries, orgs = _pattern_heads()
    return frozenset(("وزاره", "الوزاره")) | frozenset(ministries) | frozenset(orgs)


def _is_feminine(head_ar: str) -> bool:
    last = head_ar.split()[0]
    return last.endswith("ة") or last.endswith("ات")


def entity_for_id(gaz: Gazetteer, eid: str) -> Entity | None:
    """The entity with id ``eid``: from the gazetteer, or rebuilt from a derived id
    (``marsad:area:…``, ``marsad:ministry:…``, ``marsad:org:…``, ``marsad:per:…`` ...)."""
    e = gaz.entities.get(eid)
    if e is not None:
        return e
    if not eid.startswith("marsad:"):
        return None
    parts = eid.split(":")
    if len(parts) >= 4 and parts[1] == "area":
        base = entity_for_id(gaz, ":".join(parts[3:]))
        return geocode.area_entity(base, parts[2], gaz) if base else None
    if len(parts) in (3, 4) and parts[1] == "ministry":
        for keys, (slug, name_en, bare, word) in _ministries().items():
            if slug == parts[2]:
                cc = parts[3] if len(parts) == 4 else None
                return _ministry_entity(gaz, slug, name_en, word, cc)
        return None
    if len(parts) == 4 and parts[1] == "org":
        for keys, (slug, tmpl, kind, head) in _org_patterns().items():
            if slug == parts[2]:
                return _org_entity(gaz, slug, tmpl, kind, head, parts[3])
        return None
    if len(parts) >= 3 and parts[1] in ("per", "org", "loc"):
        name = ":".join(parts[2:]).replace("-", " ")
        ent = Entity(id=eid, type=parts[1].upper(), name_ar=name)
        ent.kind = "unlisted"
        return ent
    if len(parts) >= 3 and parts[1] == "place":
        ent = Entity(id=eid, type="GPE", name_ar=":".join(parts[2:]).replace("-", " "))
        ent.kind = "ambiguous_place"
        return ent
    return None


def _ministry_entity(gaz: Gazetteer, slug: str, name_en: str, word: str, cc: str | None) -> Entity:
    if cc:
        adj = _adjective_forms().get(cc, ("", ""))[1]
        country_en = gaz.country_names_en.get(cc, cc)
        ent = Entity(id=f"marsad:ministry:{slug}:{cc}", type="ORG", name_ar=f"وزارة {word} {adj}".strip(),
                     name_en=f"{name_en} ({country_en})", country=cc)
    else:
        ent = Entity(id=f"marsad:ministry:{slug}", type="ORG", name_ar=f"وزارة {word}", name_en=name_en)
    ent.kind = "ministry"
    return ent


def _org_entity(gaz: Gazetteer, slug: str, tmpl: str, kind: str, head: str, cc: str) -> Entity:
    masc, fem = _adjective_forms().get(cc, ("", ""))
    adj = fem if _is_feminine(head) else masc
    ent = Entity(id=f"marsad:org:{slug}:{cc}", type="ORG", name_ar=f"{head} {adj}".strip(),
                 name_en=tmpl.replace("{country}", gaz.country_names_en.get(cc, cc)), country=cc)
    ent.kind = kind
    return ent


class Linker:
    """Holds the loaded gazetteer (and, lazily, the tagger); :meth:`extract` is thread-safe."""

    def __init__(self, gazetteer: Gazetteer | None = None, tagger=None, use_tagger: bool = True):
        self.gaz = gazetteer or Gazetteer.load()
        self._tagger = tagger
        self._tagger_tried = tagger is not None or not use_tagger
        self._lock = threading.Lock()
        self.tagger_error: str | None = None
        self._known = self.gaz.vocabulary | self.gaz.given_names
        self._word_cache: dict[str, tuple] = {}   # word key -> Linker._word_info(key)

    # -- tagger -----------------------------------------------------------------------------------
    @property
    def tagger(self):
        if not self._tagger_tried:
            with self._lock:
                if not self._tagger_tried:
                    try:
                        from .tagger import Tagger
                        self._tagger = Tagger.load()
                    except (ImportError, FileNotFoundError, OSError) as exc:
                        self.tagger_error = f"{type(exc).__name__}: {exc}"
                        self._tagger = None
                    except Exception as exc:  # a broken model file must not stop linking
                        self.tagger_error = f"{type(exc).__name__}: {exc}"
                        self._tagger = None
                    self._tagger_tried = True
        return self._tagger

    # -- step 1: dictionary -----------------------------------------------------------------------
    def _gap_ok(self, text: str, toks, i: int) -> bool:
        """May words i and i+1 belong to one name (only spaces / hyphens between them)?"""
        a, b = toks[i][1], toks[i + 1][0]
        if b - a == 1 and text[a] == " ":
            return True
        return GAP_OK.fullmatch(text, a, b) is not None

    def _context_ok(self, text, toks, i: int, last: int, nm: Name) -> bool:
        n = len(toks)
        if nm.pre:
            p = len(nm.pre)
            if i - p < 0:
                return False
            for j, allowed in enumerate(nm.pre):
                t = i - p + j
                if not self._gap_ok(text, toks, t):
                    return False
                key = toks[t][2]
                if j == 0:
                    if not any(k in allowed for _, k in clitic_options(key)):
                        return False
                elif key not in allowed:
                    return False
        if nm.post:
            q = len(nm.post)
            if last + q >= n:
                return False
            for j, allowed in enumerate(nm.post):
                t = last + 1 + j
                if not self._gap_ok(text, toks, t - 1) or toks[t][2] not in allowed:
                    return False
        return True

    def _word_info(self, key: str) -> tuple[tuple[tuple[int, tuple[Name, ...]], ...], int, frozenset]:
        """What the dictionary steps ask of one word key, cached per key: ``(cut, names)`` for each
        reading (:func:`clitic_options`) that starts some gazetteer name, in reading order (most
        words start none); flags: some reading is a title (``_TITLE``) or the first word of a
        ministry / organisation pattern (``_HEADS_PATTERN``); and the set of its readings."""
        index, heads = self.gaz.index, _pattern_first_keys()
        options = clitic_options(key)
        starts = tuple((cut, index[lk]) for cut, lk in options if index.get(lk))
        readings = frozenset(k for _, k in options)
        flags = (0 if readings.isdisjoint(self.gaz.titles) else _TITLE) \
            | (0 if readings.isdisjoint(heads) else _HEADS_PATTERN)
        if len(self._word_cache) >= _WORD_CACHE_MAX:
            self._word_cache.clear()
        hit = self._word_cache[key] = (starts, flags, readings)
        return hit

    def _key_info(self, toks) -> dict[str, tuple]:
        """:meth:`_word_info` of every distinct word key of a text."""
        cached = self._word_cache.get
        return {k: cached(k) or self._word_info(k) for k in {t[2] for t in toks}}

    def _dictionary(self, text: str, toks, info) -> list[_Cand]:
        n = len(toks)
        cands: list[_Cand] = []
        gap_cache: dict[int, bool] = {}

        def gap(i: int) -> bool:
            v = gap_cache.get(i)
            if v is None:
                v = gap_cache[i] = self._gap_ok(text, toks, i)
            return v

        no_name = _tanween_words(text, toks)
        common = _common()
        for i in [i for i, t in enumerate(toks) if info[t[2]][0]]:
            if i in no_name:
                continue
            s, e, key, offs = toks[i]
            full_common = key in common
            for cut, names in info[key][0]:
                for nm in names:
                    if cut and full_common and nm.prio == PRIO_GEONAMES:
                        continue   # بصدد is a word, not ب + صدد (Sadad)
                    rest = nm.rest
                    if rest:
                        m = len(rest)
                        if i + m >= n or toks[i + 1][2] != rest[0]:
                            continue
                        ok = True
                        for j in range(m):
                            if toks[i + 1 + j][2] != rest[j] or not gap(i + j):
                                ok = False
                                break
                        if not ok:
                            continue
                    last = i + len(rest)
                    if (nm.pre or nm.post):
                        if nm.pre and cut:
                            continue
                        if not self._context_ok(text, toks, i, last, nm):
                            continue
                    if nm.case is not None and text[s:toks[last][1]] != nm.case:
                        continue
                    start = s + offs[cut] if cut else s
                    cands.append(_Cand(i, last, start, toks[last][1], nm.length, nm.prio, cut,
                                       nm.ids, nm.kind, "gazetteer"))
        cands.extend(self._patterns(text, toks, gap, info))
        return cands

    def _adjective_at(self, toks, t: int) -> str | None:
        """ISO2 (or entity id) of a nationality adjective at word t, if it is one."""
        if t >= len(toks):
            return None
        return self.gaz.adjectives.get(toks[t][2])

    def _patterns(self, text, toks, gap, info) -> list[_Cand]:
        """Ministries and head noun + nationality adjective organisations."""
        out: list[_Cand] = []
        n = len(toks)
        ministries, orgs = _pattern_heads()
        for i in [i for i, t in enumerate(toks) if info[t[2]][1] & _HEADS_PATTERN]:
            s, e, key, offs = toks[i]
            for cut, lk in clitic_options(key):
                found = []
                # وزارة + portfolio (+ adjective)
                if lk in ("وزاره", "الوزاره") and i + 1 < n and gap(i):
                    for pkeys, minfo in ministries.get(toks[i + 1][2], ()):
                        found.append((i + 1, pkeys, minfo, True))
                # bare portfolio + adjective (الخارجية الروسية)
                for pkeys, minfo in ministries.get(lk, ()):
                    if minfo[2]:
                        found.append((i, pkeys, minfo, False))
                for start_word, pkeys, (slug, name_en, bare, word), is_wizara in found:
                    m = len(pkeys)
                    if start_word + m > n or any(toks[start_word + j][2] != pkeys[j] for j in range(1, m)):
                        continue
                    if any(not gap(t) for t in range(start_word, start_word + m - 1)):
                        continue
                    last = start_word + m - 1
                    cc = None
                    if last + 1 < n and gap(last):
                        a = self._adjective_at(toks, last + 1)
                        # the adjective agrees with وزارة (feminine), not with وزير الداخلية الأردني
                        if a and a in self.gaz.country_ids and toks[last + 1][2].endswith("يه"):
                            cc = a
                            last += 1
                    if cc is None and not is_wizara:
                        continue
                    if not is_wizara and i > 0 and info[toks[i - 1][2]][1] & _TITLE:
                        continue
                    eid = f"marsad:ministry:{slug}:{cc}" if cc else f"marsad:ministry:{slug}"
                    start = s + offs[cut] if cut else s
                    out.append(_Cand(i, last, start, toks[last][1], last - i + 1, 2, cut, (eid,),
                                     "pattern", "pattern", "ORG"))
                for hkeys, (slug, tmpl, kind, head) in orgs.get(lk, ()):
                    m = len(hkeys)
                    if i + m >= n:
                        continue
                    if any(toks[i + j][2] != hkeys[j] for j in range(1, m)) or any(not gap(t) for t in range(i, i + m)):
                        continue
                    a = self._adjective_at(toks, i + m)
                    if not a or a not in self.gaz.country_ids:
                        continue
                    start = s + offs[cut] if cut else s
                    out.append(_Cand(i, i + m, start, toks[i + m][1], m + 1, 2, cut,
                                     (f"marsad:org:{slug}:{a}",), "pattern", "pattern", "ORG"))
        return out

    @staticmethod
    def _select(cands: list[_Cand], taken: list[bool]) -> list[_Cand]:
        chosen = []
        for c in sorted(cands, key=lambda c: (-c.length, -c.prio, c.first, c.cut)):
            if any(taken[t] for t in range(c.first, c.last + 1)):
                continue
            for t in range(c.first, c.last + 1):
                taken[t] = True
            chosen.append(c)
        return chosen

    # -- main -------------------------------------------------------------------------------------
    def extract(self, text: str, country_hint: str | None = None, use_tagger: bool = True
                ) -> tuple[list[Mention], dict[str, Entity]]:
        toks = words(text)
        info = self._key_info(toks)
        taken = [False] * len(toks)
        chosen = self._select(self._dictionary(text, toks, info), taken)
        # word index of each chosen mention, to find free words later
        extra: list[_Cand] = []
        if use_tagger and self.tagger is not None:
            extra += self._from_tagger(text, toks, taken, chosen)
        extra += self._title_people(text, toks, taken, info)
        chosen += extra
        chosen += self._surnames(text, toks, taken, chosen, info)
        chosen.sort(key=lambda c: c.start)
        return self._resolve(text, toks, chosen, country_hint)

    # -- step 2: tagger ---------------------------------------------------------------------------
    def _from_tagger(self, text, toks, taken, chosen: list[_Cand]) -> list[_Cand]:
        try:
            spans = self.tagger.tag_spans(text)
        except Exception as exc:  # never let the tagger break linking
            self.tagger_error = f"{type(exc).__name__}: {exc}"
            return []
        if not spans:
            return []
        starts = {t[0]: i for i, t in enumerate(toks)}
        ends = {t[1]: i for i, t in enumerate(toks)}
        common = _common()
        out: list[_Cand] = []
        for s, e, typ in spans:
            # map to word indices (tagger tokens may split punctuation differently)
            i = starts.get(s)
            j = ends.get(e)
            if i is None or j is None:
                inside = [k for k, t in enumerate(toks) if t[0] >= s and t[1] <= e]
                if not inside:
                    continue
                i, j = inside[0], inside[-1]
            if any(taken[t] for t in range(i, j + 1)):
                # A longer tagger span around places or short forms is a name of its own
                # (دينامو كييف, كوفي أنان): it replaces them. Curated full names always stay.
                inside = [c for c in chosen if c.first <= j and c.last >= i]
                if not inside or any(c.first < i or c.last > j or (c.last - c.first) >= (j - i)
                                     or (c.prio >= 4 and c.kind == "name") or c.kind == "pattern"
                                     for c in inside) or self._place_list(toks, i, j):
                    continue
                for c in inside:
                    chosen.remove(c)
                    for t in range(c.first, c.last + 1):
                        taken[t] = False
            key0, offs0 = toks[i][2], toks[i][3]
            cut = strip_proclitics(key0, self._known)
            if cut >= len(key0):
                continue
            start = toks[i][0] + offs0[cut] if cut else toks[i][0]
            end = toks[j][1]
            keys = (key0[cut:],) + tuple(t[2] for t in toks[i + 1:j + 1])
            if cut and key0[:cut].endswith("لل") and not keys[0].startswith("ال"):
                keys = ("ال" + keys[0],) + keys[1:]
            if len(keys) == 1:
                k = keys[0]
                # one word that is a trigger, title or function word (بريف, الرئيس), or a word the
                # training data almost never tags as a name (مشهد "scene"): not a mention
                if k in self.gaz.place_triggers or k in self.gaz.titles or k in self.gaz.function_words \
                        or k in common or k in self.gaz.adjectives:
                    continue
            ids: tuple[str, ...] = ()
            for nm in self.gaz.index.get(keys[0], ()):
                if nm.rest == keys[1:] and not (nm.pre or nm.post):
                    ok = [x for x in nm.ids if self.gaz.entities.get(x) is not None
                          and self.gaz.entities[x].type in TYPE_FOR_TAGGER.get(typ, ())]
                    if ok:
                        ids = tuple(dict.fromkeys(ids + tuple(ok)))
            if not ids:
                if typ == "PER" and len(keys) == 1 and keys[0] in self.gaz.given_names:
                    pass  # a lone given name is kept, linked by its key
                ids = (f"marsad:{typ.lower()}:{'-'.join(keys)}",)
            for t in range(i, j + 1):
                taken[t] = True
            out.append(_Cand(i, j, start, end, j - i + 1, 0, cut, ids, "tagger", "tagger", typ))
        return out

    def _place_list(self, toks, i: int, j: int) -> bool:
        """Whether words i..j each read (with or without proclitics) as a place name of the
        gazetteer on its own that is no given name, name part or title: towns listed without commas
        (مروي دنقلا), which a tagger span must not merge into one name (كوفي أنان and ريال مدريد
        have a word that is no place, or a given name) unless the span is a known name itself
        (العين السخنة)."""
        gaz = self.gaz
        rest = tuple(t[2] for t in toks[i + 1:j + 1])
        if any(nm.rest == rest for _, lk in clitic_options(toks[i][2]) for nm in gaz.index.get(lk, ())):
            return False
        for t in range(i, j + 1):
            if not any(lk not in gaz.given_names and lk not in gaz.name_parts and lk not in gaz.titles
                       and self._is_place_key(lk) for _, lk in clitic_options(toks[t][2])):
                return False
        return True

    def _is_place_key(self, key: str) -> bool:
        """Whether one word key is on its own the name of a gazetteer place (guarded names too;
        not a nationality adjective)."""
        ents = self.gaz.entities
        return any(not nm.rest and nm.kind != "norp" and any(x in ents and ents[x].type in geocode.PLACE_TYPES for x in nm.ids)
                   for nm in self.gaz.index.get(key, ()))

    # -- step 3: title + given name -----------------------------------------------------------------
    def _title_people(self, text, toks, taken, info) -> list[_Cand]:
        out: list[_Cand] = []
        portfolio = {k[0] for k in _ministries()}
        after = 0       # words before this one belong to a name found after an earlier title
        for i in [i for i, t in enumerate(toks) if info[t[2]][1] & _TITLE]:
            if i < after:
                continue
            span = self._name_after_title(text, toks, taken, i, portfolio)
            if span is None:
                continue
            j, k = span
            keys = tuple(t[2] for t in toks[j:k + 1])
            for t in range(j, k + 1):
                taken[t] = True
            out.append(_Cand(j, k, toks[j][0], toks[k][1], k - j + 1, 0, 0,
                             (f"marsad:per:{'-'.join(keys)}",), "pattern", "pattern", "PER"))
            after = k + 1
        return out

    def _name_after_title(self, text, toks, taken, i: int, portfolio) -> tuple[int, int] | None:
        """Words ``(j, k)`` of a given name and what follows it after the title at word ``i``
        (and the title words, adjectives and fillers after it), or None."""
        gaz = self.gaz
        n = len(toks)
        j = i + 1
        skipped = 0
        while j < n and skipped < 4 and (toks[j][2] in gaz.titles or toks[j][2] in gaz.adjectives
                                          or toks[j][2] in portfolio or toks[j][2] in TITLE_FILLERS):
            j += 1
            skipped += 1
        if j >= n or taken[j] or toks[j][2] not in gaz.given_names or not self._gap_ok(text, toks, j - 1) \
                or (toks[j - 1][2], toks[j][2]) in _office_phrases():
            return None
        k = j
        while k + 1 < n and (k - j < 3 or toks[k][2] in gaz.name_parts or toks[k + 1][2] in gaz.name_parts) \
                and k - j < 6 and not taken[k + 1] and self._gap_ok(text, toks, k):
            nk = toks[k + 1][2]
            if nk in gaz.function_words or nk in gaz.titles or nk in gaz.adjectives:
                break
            if toks[k][2] not in gaz.name_parts and nk not in gaz.name_parts \
                    and nk not in gaz.given_names and (nk in _common() or nk.startswith("ي") and len(nk) > 4
                                                       and nk not in gaz.vocabulary):
                break
            k += 1
        if toks[k][2] in gaz.name_parts:
            k -= 1
        return (j, k) if k > j else None

    # -- step 4: surnames within the text -----------------------------------------------------------
    def _surnames(self, text, toks, taken, chosen: list[_Cand], info) -> list[_Cand]:
        surnames = self._surname_keys(toks, chosen)
        if not surnames:
            return []
        # words a NORP adjective took may be re-read as a surname (السوداني), and so may one word the
        # tagger took on its own as another type than PER (مكتب "الأعسر" after خالد الأعسر, tagged ORG).
        # A one-word PER span keeps its own id (marsad:per:سلام), the key that articles naming the person
        # by surname alone share (linking it to the full name split such developments on news-dev).
        norp_words = {t for c in chosen if c.kind == "norp" for t in range(c.first, c.last + 1)}
        free = norp_words | {c.first for c in chosen if _retypable(c)}
        by_first: dict[str, list] = {}
        for sur, ids in surnames.items():
            if len(ids) == 1:
                by_first.setdefault(sur[0], []).append((sur, ids))
        hits = {k for k, v in info.items() if not v[2].isdisjoint(by_first)}
        out: list[_Cand] = []
        n = len(toks)
        for i in [i for i, t in enumerate(toks) if t[2] in hits]:
            if taken[i] and i not in free:
                continue
            s, e, key, offs = toks[i]
            for cut, lk in clitic_options(key):
                for sur, ids in by_first.get(lk, ()):
                    m = len(sur)
                    if i + m - 1 >= n or any(toks[i + j][2] != sur[j] for j in range(1, m)):
                        continue
                    if any(taken[i + j] and (i + j) not in free for j in range(m)):
                        continue
                    if i > 0 and taken[i - 1] and (i - 1) not in norp_words:
                        continue   # part of a longer name already found
                    for j in range(m):
                        taken[i + j] = True
                    start = s + offs[cut] if cut else s
                    out.append(_Cand(i, i + m - 1, start, toks[i + m - 1][1], m, 3, cut,
                                     tuple(ids), "surname", "gazetteer"))
                    break
                else:
                    continue
                break
        if out:
            replaced = {t for c in out for t in range(c.first, c.last + 1)}
            chosen[:] = [c for c in chosen if not (c.first in replaced and (c.kind == "norp" or _retypable(c)))]
        return out

    def _surname_keys(self, toks, chosen: list[_Cand]) -> dict[tuple[str, ...], set[str]]:
        """Surname keys (the last word, or name part + last word) of the people found by their
        full name, with the ids of the people they may stand for."""
        gaz = self.gaz
        surnames: dict[tuple[str, ...], set[str]] = {}
        for c in chosen:
            if c.last <= c.first or c.kind in ("norp", "short"):
                continue
            eid = c.ids[0]
            etype = c.etype or (gaz.entities[eid].type if eid in gaz.entities else None)
            if etype != "PER":
                continue
            keys = [toks[t][2] for t in range(c.first, c.last + 1)]
            keys[0] = keys[0][c.cut:] if c.cut else keys[0]
            sur = (keys[-1],)
            if len(keys) >= 3 and keys[-2] in gaz.name_parts:
                sur = (keys[-2], keys[-1])
            if len("".join(sur)) < 3 or sur[-1] in gaz.function_words or sur[-1] in gaz.titles \
                    or sur[-1] in ORDINALS or (len(sur) == 1 and sur[0] in gaz.given_names):
                continue
            surnames.setdefault(sur, set()).add(eid)
        return surnames

    # -- step 5: entities, geocoding ---------------------------------------------------------------
    def _resolve(self, text, toks, chosen: list[_Cand], country_hint: str | None
                 ) -> tuple[list[Mention], dict[str, Entity]]:
        gaz = self.gaz
        entities: dict[str, Entity] = {}
        mentions: list[Mention] = []
        pending: list[tuple[Mention, _Cand]] = []
        for c in chosen:
            m = Mention(article_id=None, start=c.start, end=c.end, text=text[c.start:c.end], type="",
                        method=c.method, score=1.0 if c.kind != "tagger" else 0.8)
            if len(c.ids) == 1:
                eid = c.ids[0]
                ent = entity_for_id(gaz, eid)
                if ent is None:
                    continue
                if c.kind == "tagger" and eid.startswith("marsad:"):
                    ent = Entity(id=eid, type=ent.type, name_ar=m.text, kind="unlisted")
                elif c.kind == "pattern" and eid.startswith("marsad:per:"):
                    ent = Entity(id=eid, type="PER", name_ar=m.text, kind="unlisted")
                if c.kind != "surname" or eid not in entities:   # the full name's entity stays
                    entities[eid] = ent
                m.entity_id = eid
                m.type = "NORP" if c.kind == "norp" else ent.type
                if c.kind in ("short", "surname"):
                    m.score = 0.9
                mentions.append(m)
            else:
                pending.append((m, c))
        if pending:
            self._resolve_pending(toks, pending, mentions, entities, country_hint)
        mentions.sort(key=lambda m: m.start)
        mentions = self._check_places(text, toks, mentions, entities, {(c.start, c.end): c for c in chosen},
                                      country_hint)
        self._areas(text, toks, mentions, entities)
        return mentions, entities

    def _resolve_pending(self, toks, pending: list[tuple[Mention, _Cand]], mentions: list[Mention],
                         entities: dict[str, Entity], country_hint: str | None) -> None:
        """Names with several candidate entities, in text order: places by country context and
        anchors from the mentions resolved so far (:func:`geocode.choose_place`), people and
        organisations by the text's countries. Adds to ``mentions`` and ``entities``."""
        gaz = self.gaz
        ctx = geocode.country_context(mentions, entities, None)
        anchors = geocode.Points((entities[m.entity_id].lat, entities[m.entity_id].lon) for m in mentions
                                 if m.type in geocode.PLACE_TYPES and entities[m.entity_id].lat is not None
                                 and entities[m.entity_id].kind != "country")
        chosen_places: dict[tuple, tuple[str | None, bool]] = {}   # a name written again: same choice
        # the mentions _local_country may pick (countries and nationalities), in the order of mentions
        marks = [o for o in mentions if self._may_locate(o, entities)]
        for m, c in pending:
            places = tuple(i for i in c.ids if i in gaz.entities)
            if not places:
                continue
            if all(gaz.entities[i].type in geocode.PLACE_TYPES for i in places):
                curated = {i for i in places if not i.startswith("gn:")}
                if c.first > 0 and any(k in _CITY_NOUNS for k in _bare_options(toks[c.first - 1][2]) + (
                        _bare_options(toks[c.first - 2][2]) if c.first > 1 and toks[c.first - 1][2] in gaz.adjectives else [])):
                    # العاصمة الأردنية عمان, مدينة ...: a town, not the country of that name
                    places = tuple(i for i in places if gaz.entities[i].kind != "country") or places
                hint = country_hint or self._local_country(marks, entities, m)
                key = (places, frozenset(curated), hint)
                if key not in chosen_places:
                    chosen_places[key] = geocode.choose_place(gaz, places, ctx, hint, anchors, curated)
                best, amb = chosen_places[key]
                if amb:
                    ent = geocode.ambiguous_entity(gaz, normalize(m.text), places, m.text)
                    m.score = 0.5
                else:
                    ent = gaz.entities[best]
            else:
                # people / organisations sharing a name: the one from the text's countries
                total = sum(ctx.values())
                ent = max((gaz.entities[i] for i in places),
                          key=lambda e: (ctx.get(e.country, 0) / total if total else 0,
                                         e.country == (country_hint or "").upper()))
            entities[ent.id] = ent
            m.entity_id = ent.id
            m.type = "NORP" if c.kind == "norp" else ent.type
            mentions.append(m)
            if self._may_locate(m, entities):
                marks.append(m)

    @staticmethod
    def _may_locate(o: Mention, entities: dict[str, Entity]) -> bool:
        """Whether a mention is a nationality or a country (what :meth:`_local_country` looks for;
        neither changes as more mentions are resolved)."""
        e = entities.get(o.entity_id or "")
        return e is not None and (o.type == "NORP" or e.kind == "country")

    @staticmethod
    def _local_country(mentions: list[Mention], entities: dict[str, Entity], m: Mention) -> str | None:
        """The country named right next to a place (مكة والرياض بالسعودية): the nearest country or
        nationality within a few words, which outweighs the text's overall context."""
        best = None
        for o in mentions:
            e = entities.get(o.entity_id or "")
            if e is None or not e.country or not (o.type == "NORP" or e.kind == "country"):
                continue
            d = o.start - m.end if o.start >= m.end else m.start - o.end
            if 0 <= d <= _LOCAL_CHARS and (best is None or d < best[0]):
                best = (d, e.country)
        return best[1] if best else None

    # -- step 6: evidence for places ----------------------------------------------------------------
    def _check_places(self, text, toks, mentions: list[Mention], entities: dict[str, Entity],
                      cands: dict, country_hint: str | None) -> list[Mention]:
        """Drop place mentions that name an outlet or institution (قناة القاهرة الإخبارية), and
        GeoNames towns found by a name that is also a word, without the evidence
        :func:`marsad.entities.geocode.keep_place` asks for."""
        ctx, anchors = geocode.evidence_context(mentions, entities, country_hint)
        # towns whose name is no ordinary word agree with the others (حماه ... ادلب والقنيطرة)
        for m in mentions:
            e = entities.get(m.entity_id or "")
            if e is not None and e.kind == "populated_place" and e.country \
                    and geocode.word_frequency(m.text) < geocode._settings().common_word_zipf:
                ctx[e.country] += 1
        place_words = set()
        for m in mentions:
            c = cands.get((m.start, m.end))
            if c is not None and m.type in geocode.PLACE_TYPES:
                place_words.update(range(c.first, c.last + 1))
        cues = _cue_words()
        near = _NearPoints(anchors, mentions, entities)
        keep = []
        for m in mentions:
            c = cands.get((m.start, m.end))
            e = entities.get(m.entity_id or "")
            if c is None or e is None or m.type not in geocode.PLACE_TYPES:
                keep.append(m)
                continue
            if self._in_outlet_name(text, toks, c, cues):
                continue
            if e.kind in ("populated_place", "ambiguous_place"):
                ev = _Lazy(lambda c=c: self._place_evidence(text, toks, c, cues, place_words))
                ents = [e] if e.kind == "populated_place" else [self.gaz.entities[i] for i in e.aliases
                                                                if i in self.gaz.entities]
                full = text[toks[c.first][0]:toks[c.first][1]]
                if e.kind == "ambiguous_place" and ev() is not None:
                    pass       # kept without coordinates: nothing is geocoded
                elif not any(geocode.keep_place(self.gaz, x, m.text, full if c.first == c.last else m.text, ev, ctx,
                                                lambda eid=m.entity_id: near.excluding(eid)) for x in ents):
                    continue
            keep.append(m)
        return keep

    def _in_outlet_name(self, text, toks, c: _Cand, cues) -> bool:
        before = c.first - 1 >= 0 and self._gap_ok(text, toks, c.first - 1) and not c.cut \
            and any(k in cues["outlet_head"] for _, k in clitic_options(toks[c.first - 1][2]))
        after = c.last + 1 < len(toks) and self._gap_ok(text, toks, c.last) \
            and toks[c.last + 1][2] in cues["outlet_suffix"]
        return before or after

    def _place_evidence(self, text, toks, c: _Cand, cues, place_words: set) -> str | None:
        """"trigger", "locative", "list" or None: what around word ``c.first`` says it is a place."""
        i = c.first
        prev = _bare_options(toks[i - 1][2]) if i > 0 else []
        if i > 1 and toks[i - 1][2] in self.gaz.adjectives:   # العاصمة اليمنية صنعاء
            prev += _bare_options(toks[i - 2][2])
        if any(k in cues["trigger"] for k in prev):
            return "trigger"
        clitic = toks[i][2][:c.cut]
        if "ب" in clitic or clitic.endswith("ل") or any(k in cues["locative"] for k in prev):
            return "locative"
        line_start = text.rfind("\n", 0, c.start) + 1
        if not text[line_start:c.start].strip() and re.match(r"\s*[-–—:(]", text[c.end:c.end + 4]):
            return "locative"   # a dateline: "الخرطوم - ..."
        for j, gap in ((i - 1, (toks[i - 1][1], toks[i][0]) if i > 0 else None),
                       (c.last + 1, (toks[c.last][1], toks[c.last + 1][0]) if c.last + 1 < len(toks) else None)):
            if gap is None or j not in place_words:
                continue
            between = text[gap[0]:gap[1]]
            joined = j > i and toks[j][2].startswith("و") or j < i and clitic.startswith("و")
            if "،" in between or "," in between or (joined and len(between.strip()) == 0):
                return "list"
        return None

    def _areas(self, text, toks, mentions: list[Mention], entities: dict[str, Entity]) -> None:
        """"ريف حلب" / "شمال إدلب" / "محافظة درعا": the mention keeps the place; its
        ``location_id`` names the derived area."""
        if not mentions:
            return
        q = geocode.qualifiers()
        starts = [t[0] for t in toks]
        covered = set()
        for m in mentions:
            k = bisect.bisect_left(starts, m.start)
            if k > 0 and toks[k - 1][1] > m.start:
                k -= 1
            while k < len(toks) and toks[k][0] < m.end:
                covered.add(k)
                k += 1
        for m in mentions:
            if m.type not in geocode.PLACE_TYPES:
                continue
            base = entities.get(m.entity_id or "")
            if base is None or base.kind in ("area", "ambiguous_place") or base.type == "FAC":
                continue
            # the word the mention starts (a clitic between qualifier and name, بحلب: no qualifier)
            i = bisect.bisect_left(starts, m.start)
            if i == 0 or i == len(starts) or starts[i] != m.start \
                    or _qualifier_lasts().isdisjoint(k for _, k in clitic_options(toks[i - 1][2])):
                continue
            found = self._qualifier_before(text, toks, i, covered, q)
            if not found:
                continue
            kind, slug = found
            if slug == "countryside":
                slug = self._countryside_suffix(text, toks, m.end, q) or slug
            area = geocode.area_entity(base, slug, self.gaz)
            if area is not None:
                entities[area.id] = area
                m.location_id = area.id

    def _qualifier_before(self, text, toks, i: int, covered: set, q) -> tuple[str, str] | None:
        """``(kind, slug)`` of an area or admin qualifier in the one or two free words before word
        ``i`` (ريف, شمال غرب, محافظة), or None."""
        for size in (2, 1):
            if i - size < 0 or any(k in covered for k in range(i - size, i)):
                continue
            if any(not self._gap_ok(text, toks, k) for k in range(i - size, i)):
                continue
            keys = tuple(t[2] for t in toks[i - size:i])
            for cut, lk in clitic_options(keys[0]):
                kk = (lk,) + keys[1:]
                for kind in ("area", "admin"):
                    if kk in q[kind]:
                        return kind, q[kind][kk][0]
        return None

    def _countryside_suffix(self, text, toks, end: int, q) -> str | None:
        """"countryside-north" for ريف حلب الشمالي: the slug of a direction suffix after the name
        ending at character ``end``, or None."""
        j = bisect.bisect_left([t[1] for t in toks], end)
        if j == len(toks) or toks[j][1] != end:
            return None
        for size in (2, 1):
            if j + size < len(toks) and all(self._gap_ok(text, toks, k) for k in range(j, j + size)):
                keys = tuple(t[2] for t in toks[j + 1:j + 1 + size])
                if keys in q["suffix"]:
                    return f"countryside-{q['suffix'][keys][0]}"
        return None


_CITY_NOUNS = frozenset(normalize(w) for w in "العاصمة عاصمة مدينة المدينة بلدة".split())
_LOCAL_CHARS = 25
_DIRECTIONS = frozenset("north south east west centre northeast northwest southeast southwest near vicinity".split())


class _NearPoints:
    """The points a town of a text may be near: the curated places (``anchors``) and every place
    of the text with a point (towns near one another agree: حمص وحماة), each point once."""

    def __init__(self, anchors, mentions: list[Mention], entities: dict[str, Entity]):
        self.anchors = dict.fromkeys(anchors)
        self.points: dict[tuple[float, float], set[str]] = {}    # point -> ids of the places there
        for m in mentions:
            e = entities.get(m.entity_id) if m.type in geocode.PLACE_TYPES else None
            if e is not None and e.lat is not None and e.kind != "country":
                self.points.setdefault((e.lat, e.lon), set()).add(m.entity_id)
        self._cache: dict[str | None, list] = {}

    def excluding(self, eid: str | None) -> list[tuple[float, float]]:
        """The points, without those only the place ``eid`` itself stands at."""
        out = self._cache.get(eid)
        if out is None:
            out = self._cache[eid] = list(self.anchors) + [
                p for p, ids in self.points.items() if p not in self.anchors and (len(ids) > 1 or eid not in ids)]
        return out


class _Lazy:
    """A value computed on first call and kept (the evidence around a name, asked by every candidate)."""

    __slots__ = ("fn", "done", "value")

    def __init__(self, fn):
        self.fn, self.done, self.value = fn, False, None

    def __call__(self):
        if not self.done:
            self.value, self.done = self.fn(), True
        return self.value


def _retypable(c: _Cand) -> bool:
    """A one-word tagger span of another type than PER: a family name found later may take it."""
    return c.kind == "tagger" and c.first == c.last and c.etype != "PER"


def _tanween_words(text: str, toks) -> set[int]:
    """Indices of the words of ``text`` that carry tanween (they start no name)."""
    out = set()
    if toks:
        starts = [t[0] for t in toks]
        for mt in _TANWEEN.finditer(text):
            k = bisect.bisect_right(starts, mt.start()) - 1
            if k >= 0 and toks[k][0] <= mt.start() < toks[k][1]:
                out.add(k)
    return out


def _bare_options(key: str) -> list[str]:
    """Readings of a word without its proclitics, short function words included (وفي → في)."""
    out = [k for _, k in clitic_options(key)]
    if len(key) <= 3 and key[:1] in ("و", "ف") and len(key) > 2:
        out.append(key[1:])
    return out


@lru_cache(maxsize=1)
def _cue_words() -> dict[str, frozenset]:
    """Keys of the words of ``geo_qualifiers.tsv`` by kind; direction and area words count as
    locative cues, governorate words as trigger nouns."""
    out: dict[str, set] = {k: set() for k in ("trigger", "locative", "outlet_head", "outlet_suffix")}
    for r in data.rows("geo_qualifiers.tsv"):
        kind = (r.get("kind") or "").strip()
        keys = name_keys(r["word_ar"])
        if len(keys) != 1:
            continue
        if kind == "area":   # directions (شمال، وسط) only locate; ريف / محيط / ضواحي name a place's area
            slug = (r.get("slug") or "").strip()
            kind = "locative" if slug.split("-")[0] in _DIRECTIONS else "trigger"
        kind = {"admin": "trigger"}.get(kind, kind)
        if kind in out:
            out[kind].add(keys[0])
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _qualifier_lasts() -> frozenset:
    """Keys of the last words of area and admin qualifiers (ريف, شمال غرب, محافظة): the word
    before a place, or a reading of it without proclitics, is one of them when a qualifier precedes."""
    q = geocode.qualifiers()
    return frozenset(keys[-1] for kind in ("area", "admin") for keys in q[kind])


@lru_cache(maxsize=1)
def _common() -> frozenset:
    return frozenset(data.lines("common_words.txt"))


@lru_cache(maxsize=1)
def _office_phrases() -> frozenset:
    """Keys of the two-word "spokesperson for" nouns of ``source_nouns.tsv`` (المتحدث باسم, الناطق باسم): their
    second word is a preposition there (باسم, "on behalf of"), never the given name Bassem."""
    out = set()
    for r in data.rows("source_nouns.tsv"):
        ws = tuple(normalize(w) for w in r["noun"].split())
        if r["role"] == "office" and len(ws) == 2:
            out.add(ws)
    return frozenset(out)



# Kinds of entity that NER corpora (ANERcorp, Wojood's outer layer) leave untagged when the
# name is a description (الجيش اللبناني, وزارة الداخلية): not offered as NER spans.
NER_SKIP_KINDS = frozenset({"military", "ministry", "embassy", "area"})
NER_TYPE = {"PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}


def ner_spans(linker: Linker, text: str) -> list[tuple[int, int, str]]:
    """Flat PER / ORG / LOC spans for NER evaluation (CoNLL-style, as ANERcorp annotates):
    the statistical tagger's spans first, then gazetteer names where the tagger found nothing.
    Nationality adjectives, pattern-built descriptions (وزارة الداخلية العراقية, السفارة
    الروسية) and generic armies are left out; GPE, LOC and FAC become LOC."""
    tagged = []
    if linker.tagger is not None:
        try:
            tagged = list(linker.tagger.tag_spans(text))
        except Exception:  # pragma: no cover - never let the tagger break tagging
            tagged = []
    mentions, entities = linker.extract(text, use_tagger=False)
    out = list(tagged)
    for m in mentions:
        if m.type not in NER_TYPE or m.method == "pattern":
            continue
        e = entities.get(m.entity_id or "")
        if e is not None and e.kind in NER_SKIP_KINDS:
            continue
        if any(s < m.end and m.start < e_ for s, e_, _ in tagged):
            continue
        out.append((m.start, m.end, NER_TYPE[m.type]))
    return sorted(out)
