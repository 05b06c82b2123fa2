"""Attribution: who says a sentence, as a chain of sources, outermost first.

In: one sentence of an article (display text and its offset), the article's entity mentions and the
previous sentence's chain. Out: an :class:`Attribution` — the chain after the outlet (cited outlets
or agencies, then the cited person / office / unnamed source), the reporting modality (reported,
confirmed, denied, expected) and the span of the reported content. Reporting verbs, source nouns,
unnamed-source heads and closeness cues are lexicons in ``marsad/data`` (``attribution_verbs.tsv``,
``source_nouns.tsv``, ``anonymous_sources.tsv``). Names are linked to canonical entities through the
stored mentions, so spelling variants (بلومبيرج / بلومبيرغ) are one source.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from .. import data
from ..text import normalize, normalize_with_map

MEDIA_IDS_FILE = "entities_media.tsv"
_WORD = re.compile(r"\w+")
_COMPLEMENTIZER = re.compile(r"^(?:[بل]?ان(?:ه|ها|هم|هما|نا)?|الي)$")   # أن / بأن / إن / أنه / إلى (أن)
_PREFIXES = ("و", "ف", "ل", "ب", "ك")
_DATIVE = re.compile(r'(?:^|[\s"(])ل"?\s?$')   # لـ"رويترز" / لـ CNN: the medium a speaker talked to


@dataclass(frozen=True)
class Lexicon:
    verbs: dict[str, tuple[str, bool]]            # normalised verb -> (modality, continuation)
    preps: dict[tuple[str, ...], str]             # normalised word tuple -> modality
    nouns: dict[tuple[str, ...], tuple[str, str]]  # source noun words -> (role, name_en)
    heads: dict[str, str]                          # unnamed-source head -> name_en
    definite: set[str]                             # definite back-references (المصادر)
    close: dict[tuple[str, ...], str]              # closeness cue words -> name_en
    media: dict[str, str]                          # media entity id -> English name
    media_alias: dict[str, tuple[str, str]]        # normalised outlet alias -> (entity id, English name)
    openers: frozenset = frozenset()               # sentence openers that continue the previous source (فقد)
    participles: frozenset = frozenset()           # "قائلا": says what its clause's subject said
    own: frozenset = frozenset()                   # nouns of one's words: على حد قوله، حسب تعبيرها
    own_preps: frozenset = frozenset()             # cues before them that are no cue alone: (علي, حد)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    verbs, preps, openers, parts, own, own_preps = {}, {}, set(), set(), set(), set()
    for r in data.rows("attribution_verbs.tsv"):
        key = normalize(r["form"])
        if r["kind"] == "cont":
            openers.add(key)
        elif r["kind"] in ("participle", "own", "ownprep"):
            {"participle": parts, "own": own}.get(r["kind"], own_preps).add(key if r["kind"] != "ownprep" else tuple(key.split()))
        elif r["kind"] == "prep":
            preps[tuple(key.split())] = r["modality"]
        else:
            verbs[key] = (r["modality"], r["continuation"] == "1")
    nouns = {tuple(normalize(r["noun"]).split()): (r["role"], r["name_en"]) for r in data.rows("source_nouns.tsv")}
    heads, definite, close = {}, set(), {}
    for r in data.rows("anonymous_sources.tsv"):
        key = normalize(r["form"])
        if r["kind"] == "head":
            heads[key] = r["name_en"]
        elif r["kind"] == "definite":
            definite.add(key)
            heads.setdefault(key, r["name_en"])
        else:
            close[tuple(key.split())] = r["name_en"]
    media, alias = {}, {}
    for r in data.rows(MEDIA_IDS_FILE):
        media[r["id"]] = r["name_en"]
        for a in [r["name_ar"], r["name_en"], *r["aliases_ar"].split("|")]:
            a = re.sub(r"\[[^\]]*\]", "", a).strip()
            if a:
                alias[normalize(a)] = (r["id"], r["name_en"])
    return Lexicon(verbs, preps, nouns, heads, definite, close, media, alias, frozenset(openers), frozenset(parts),
                   frozenset(own), frozenset(own_preps))


_MEDIUM_ONLY = frozenset(("statement", "statements", "post"))


def head_word(tok: str) -> str:
    """The head word of a name or noun without its proclitics and article: الجيش → جيش, وللوزاره → وزاره."""
    tok = tok[1:] if len(tok) > 3 and tok[0] in "وف" else tok
    tok = tok[1:] if len(tok) > 3 and tok[0] in "بل" and tok[1:3] == "ال" else tok
    return tok[2:] if tok.startswith("ال") and len(tok) > 4 else tok


_OFFICE_WORDS = frozenset(normalize(w) for w in ("مكتب", "ديوان", "مقر", "فريق", "وفد", "أوساط", "دوائر"))


@dataclass
class Attribution:
    sources: list[dict] = field(default_factory=list)   # after the outlet, outermost first
    modality: str = "asserted"                           # asserted | reported | confirmed | denied | expected
    cue: str | None = None                               # the reporting verb / prepositional cue as written
    content_start: int = 0                               # reported content, offsets in the article text
    content_end: int = 0
    inherited: bool = False                              # continues the previous sentence's source


UNKNOWN_OUTLET = ("unknown outlet", "مصدر غير معروف")


def outlet_source(outlet: str | None, cited_source: str | None, fallback: str | None = None,
                  url: str | None = None) -> dict:
    """The outermost source of every chain: the article's cited source ("المصدر: X") or its outlet,
    named from the outlet registry; an article with neither is an unknown outlet of its own
    (``fallback`` keys it apart from other unknown outlets, it is never shown)."""
    from ..clean.outlets import outlet_named, resolve_outlet

    name = cited_source or outlet
    o = outlet_named(name) if name else None
    if o is None and not cited_source:
        o = resolve_outlet(url, outlet)
    if o is None and not name:
        return {"kind": "outlet", "name": UNKNOWN_OUTLET[0], "name_ar": UNKNOWN_OUTLET[1], "entity_id": None,
                "local_key": fallback or "?"}
    if o is None:
        return {"kind": "outlet", "name": name, "name_ar": name, "entity_id": None}
    return {"kind": "outlet", "name": o.name_en or o.name_ar, "name_ar": o.name_ar,
            "entity_id": o.entity_id or (("outlet:" + o.domain) if o.domain else None)}


def wire_source(text: str) -> dict | None:
    """The wire agency an article credits at its top ("القاهرة (رويترز) -"), as a relaying channel."""
    from ..clean.outlets import wire_credit

    o = wire_credit(text)
    if o is None:
        return None
    return {"kind": "channel", "name": o.name_en or o.name_ar, "name_ar": o.name_ar, "as_written": o.name_ar,
            "entity_id": o.entity_id or (("outlet:" + o.domain) if o.domain else None), "wire": True}


@lru_cache(maxsize=1)
def _registry_names() -> dict[tuple[str, ...], object]:
    """Outlet names of the registry as normalised token tuples (longest names first when matching)."""
    from ..clean.outlets import registry_names

    return {tuple(_WORD.findall(k)): o for k, o in registry_names().items() if _WORD.findall(k)}


def registry_source(s: "_Sentence", i: int, hi: int, allow_single: bool) -> tuple[dict, int] | None:
    """An outlet named at token ``i`` by the outlet registry ("القناة 12 الإسرائيلية", "هيئة البث"):
    (channel source, index after it). Single-word names only when ``allow_single`` (after صحيفة / قناة)."""
    names = _registry_names()
    firsts = _registry_heads(s.toks[i])
    if not firsts:
        return None         # no outlet name starts with this word (the common case)
    for n in range(min(5, hi - i), 0 if allow_single else 1, -1):
        rest = tuple(s.toks[i + 1:i + n])
        for f in firsts:
            o = names.get((f, *rest))
            if o is not None:
                surface = s.text[s.dstart[i] - s.base: s.dend[i + n - 1] - s.base]
                return ({"kind": "channel", "name": o.name_en or o.name_ar, "name_ar": o.name_ar, "as_written": surface,
                         "entity_id": o.entity_id or (("outlet:" + o.domain) if o.domain else None)}, i + n)
    return None


@lru_cache(maxsize=1)
def _registry_firsts() -> frozenset[str]:
    return frozenset(k[0] for k in _registry_names())


@lru_cache(maxsize=65536)
def _registry_heads(first: str) -> tuple[str, ...]:
    """Token ``first``, then without one and two proclitics, as far as a registry name starts with it."""
    forms = [first] + [first[k:] for k in (1, 2) if len(first) - k > 2 and all(c in _PREFIXES for c in first[:k])]
    return tuple(f for f in forms if f in _registry_firsts())


_OPEN_QUOTES, _CLOSE_QUOTES = "\"“«'”", "\"”»'“"


def quoted_at(s: "_Sentence", i: int) -> bool:
    """Token ``i`` is a name written in quotes on its own ("العربية", «الحدث», “الميادين”), so a
    one-word outlet name there is that outlet and not the adjective or common noun it spells."""
    a, b = s.dstart[i] - s.base, s.dend[i] - s.base
    return a > 0 and s.text[a - 1] in _OPEN_QUOTES and b < len(s.text) and s.text[b] in _CLOSE_QUOTES


_QUOTED = re.compile(r'^\s*["“«\']\s*([^"”»\'\n]{2,40}?)\s*["”»\']')
_NUMBERED = re.compile(r"^\s*[\"“«]?\s*(?:ال\s*)?(\d{1,3})\b")


def named_medium(s: "_Sentence", noun_end: int, hi: int) -> tuple[str, int] | None:
    """A medium named right after its noun but unknown to the registry: "القناة 7", صحيفة "فلان".
    (as written, token index after the name)."""
    if noun_end >= hi:
        return None
    rest = s.text[s.dstart[noun_end] - s.base - (1 if s.dstart[noun_end] - s.base > 0 else 0):]
    m = _NUMBERED.match(s.text[s.dstart[noun_end] - s.base - 1:] if s.dstart[noun_end] > s.base else s.text)
    if m:
        j = noun_end + (2 if s.toks[noun_end] == "ال" else 1)
        noun = s.text[s.dstart[noun_end - 1] - s.base: s.dend[noun_end - 1] - s.base]
        return f"{noun} {m.group(1)}", j
    m = _QUOTED.match(rest)
    if m:
        end_off = s.dstart[noun_end] - s.base + m.end() - 1
        j = noun_end
        while j < hi and s.dend[j] - s.base <= end_off + 1:
            j += 1
        if j > noun_end:
            return s.text[s.dstart[noun_end - 1] - s.base: s.dend[j - 1] - s.base] + m.group(0)[-1:], j
    return None


@lru_cache(maxsize=1)
def _nouns_by_first() -> tuple[dict[str, list[tuple[str, ...]]], dict[tuple[str, ...], int]]:
    """Source nouns by first word, and each noun's rank: longest first, ties in file order."""
    ranked = sorted(lexicon().nouns, key=len, reverse=True)
    out: dict[str, list[tuple[str, ...]]] = {}
    for n in ranked:
        out.setdefault(n[0], []).append(n)
    return out, {n: k for k, n in enumerate(ranked)}


def _source_noun(toks: list[str], i: int) -> tuple[str, ...] | None:
    """The first source noun by rank at token ``i``: its words, or one word with up to two proclitics
    (``وبيان``)."""
    by_first, rank = _nouns_by_first()
    if by_first.keys().isdisjoint(_forms(toks[i])):
        return None         # no source noun starts with this word (the common case)
    word, *bare = _forms(toks[i])
    found = [n for n in by_first.get(word, ()) if tuple(toks[i:i + len(n)]) == n]
    found += [n for form in bare for n in by_first.get(form, ()) if len(n) == 1]
    return min(found, key=rank.__getitem__) if found else None


def _clean_en(name: str | None) -> str | None:
    return re.sub(r"\s*\([^)]*\)", "", name).strip() if name else name


@lru_cache(maxsize=65536)
def _forms(tok: str) -> tuple[str, ...]:
    """``tok``, then ``tok`` without one and without two proclitics (while more than three letters remain
    before each is removed)."""
    out = [tok]
    for _ in range(2):
        if len(tok) > 3 and tok[0] in _PREFIXES:
            tok = tok[1:]
            out.append(tok)
    return tuple(out)


def _strip(tok: str, known) -> str | None:
    """``tok`` or ``tok`` without one or two proclitics, if that is in ``known``."""
    for f in _forms(tok):
        if f in known:
            return f
    return None


_COMMA = re.compile("[,،]")


@lru_cache(maxsize=65536)
def verb_of(tok: str) -> str | None:
    """The reporting verb (attribution_verbs.tsv) token ``tok`` is, with or without one or two proclitics."""
    return _strip(tok, lexicon().verbs)


def _commas_before(key: str, spans: list[tuple[int, int]]) -> list[int]:
    """Per token span, the commas of ``key`` before it."""
    at = [m.start() for m in _COMMA.finditer(key)]
    return [bisect_left(at, start) for start, _ in spans] if at else [0] * len(spans)


class _Sentence:
    """Tokens of one sentence on its normalised key, with display offsets and mention lookup."""

    def __init__(self, text: str, base: int, mentions: list, entity_names: dict):
        self.text, self.base = text, base
        key, kmap = normalize_with_map(text)
        self.key = key
        self.kspan = kspan = [m.span() for m in _WORD.finditer(key)]
        self.toks = [key[a:b] for a, b in kspan]
        self.dstart = [kmap[a] + base for a, _ in kspan]
        self.dend = [kmap[b - 1] + base + 1 for _, b in kspan]
        self.commas = _commas_before(key, self.kspan)
        self.names = entity_names
        self.mentions = mentions
        self.backrefs: dict = {}
        self.titles: TitledPersons | None = None
        self.ment_at: dict[int, object] = {}      # token index -> mention starting there
        self.in_ment: dict[int, object] = {}      # token index -> mention covering it
        for m in mentions:   # the tokens overlapping the mention (starts and ends both ascend)
            first, stop = bisect_right(self.dend, m.start), bisect_left(self.dstart, m.end)
            if first < stop:
                self.ment_at.setdefault(first, m)
                for i in range(first, stop):
                    self.in_ment.setdefault(i, m)

    def tok_end(self, i: int) -> int:
        """Index after the mention starting at token ``i`` (or i+1)."""
        m = self.ment_at.get(i)
        j = i + 1
        while m is not None and j < len(self.toks) and self.in_ment.get(j) is m:
            j += 1
        return j


def _office_before(s: _Sentence, i: int, lex: Lexicon) -> bool:
    """An office noun (source_nouns.tsv) ends right before token ``i``: "بعثة إيران", "سفارة فرنسا"."""
    return any(lex.nouns.get(tuple(s.toks[k:i]), ("",))[0] == "office" for k in range(max(0, i - 2), i))


def _entity_source(s: _Sentence, m, lex: Lexicon, channel: bool) -> dict:
    ent = s.names.get(m.entity_id) or {}
    is_media = m.entity_id in lex.media
    name_en = _clean_en(ent.get("name_en")) or lex.media.get(m.entity_id)
    kind = "channel" if (channel or is_media) else "speaker"
    src = {"kind": kind, "name": name_en or ent.get("name_ar") or m.text, "name_ar": ent.get("name_ar") or m.text,
           "as_written": m.text, "entity_id": m.entity_id, "type": m.type}
    if m.type == "PER" and (m.entity_id or "").startswith("marsad:per:") and len(_WORD.findall(src["name_ar"])) == 1:
        full = _person_named(s, normalize(src["name_ar"]), m.entity_id)   # "عون" after "جوزيف عون"
        if full and full in s.names:
            e2 = s.names[full]
            src.update(entity_id=full, name=_clean_en(e2.get("name_en")) or e2.get("name_ar"), name_ar=e2.get("name_ar"))
    principal = speaks_for(ent.get("name_ar") or m.text, lex) if m.type == "PER" else None
    if principal:
        src["speaks_for"] = principal
        person = _person_named(s, principal, m.entity_id)
        if person:
            src["speaks_for_id"] = person
    return src


def _person_named(s: "_Sentence", name: str, other: str) -> str | None:
    """The entity id of the person of the article whose name is or ends with ``name`` (normalised); of
    several (two spellings of one name), the first by id, whatever order the names were read in."""
    for eid, e in sorted(s.names.items()):
        full = normalize(e.get("name_ar") or "")
        if eid != other and e.get("type") == "PER" and full and (full == name or full.endswith(" " + name)):
            return eid
    return _known_person(name)


@lru_cache(maxsize=256)
def _known_person(name: str) -> str | None:
    """The gazetteer person a bare name denotes ("نتنياهو"), when the article names them no other way."""
    from ..entities import extract_entities

    ms, _ = extract_entities(name, use_tagger=False)
    if len(ms) == 1 and ms[0].type == "PER" and ms[0].method == "gazetteer" and ms[0].end - ms[0].start == len(name):
        return ms[0].entity_id
    return None


def speaks_for(name_ar: str, lex: Lexicon) -> str | None:
    """The person an office or aide named as one person speaks for: "ديوان نتنياهو", "مكتب فلان",
    "مستشار فلان", "المتحدث باسم فلان" -> the normalised name after the office word (None otherwise)."""
    toks = _WORD.findall(normalize(name_ar))
    if toks and len(toks[0]) > 3 and toks[0][0] in "وف":
        toks[0] = toks[0][1:]
    for noun, (role, _) in lex.nouns.items():
        if role == "office" and len(toks) > len(noun) and tuple(toks[:len(noun)]) == noun:
            return " ".join(toks[len(noun):])
    return None


_DESC_STOP = frozenset(("عن", "قوله", "قولها", "قولهم", "قولهما"))   # "عن مسؤول ... قوله إن": the words end there


@lru_cache(maxsize=1)
def _office_nouns() -> tuple[tuple, frozenset[str], frozenset[str]]:
    """The office nouns in file order as (words, label, their last word + ه / ها), the first words of the
    nouns of several words, and the possessed forms of the one-word nouns."""
    rows = tuple((noun, label, frozenset((noun[-1] + "ه", noun[-1] + "ها")))
                 for noun, (role, label) in lexicon().nouns.items() if role == "office")
    return (rows, frozenset(n[0] for n, _, _ in rows if len(n) > 1),
            frozenset().union(*(ends for n, _, ends in rows if len(n) == 1)))


def _pronoun_office(s: _Sentence, i: int, hi: int, lex: Lexicon) -> dict | None:
    """An office or spokesman of someone named before, by a pronoun ("مكتبه", "ديوانها", "المتحدث
    باسمه"): that person's or organisation's office, speaking for them."""
    rows, firsts, single_ends = _office_nouns()
    if s.toks[i] not in firsts and single_ends.isdisjoint(_forms(s.toks[i])):
        return None         # no office noun can start here (the common case)
    for noun, label, ends in rows:
        n = len(noun)
        if i + n > hi or tuple(s.toks[i:i + n - 1]) != noun[:-1]:
            continue
        last = _strip(s.toks[i + n - 1], ends)
        surface = s.text[s.dstart[i + n - 1] - s.base: s.dend[i + n - 1] - s.base]
        if last is None or surface.endswith("ة"):          # مكتبة is a library, not "his office"
            continue
        before = [m for m in s.mentions if m.entity_id and m.type in ("PER", "ORG") and m.end <= s.dstart[i]]
        if not before:
            return None
        ref = max(before, key=lambda m: m.start)
        src = _entity_source(s, ref, lex, False)
        return {**src, "kind": "speaker", "name": f"{label} {src['name']}", "office": True, "_end": i + n,
                "as_written": s.text[s.dstart[i] - s.base: s.dend[i + n - 1] - s.base]}
    return None


TITLE_MAX_WORDS = 6         # words from a title's first word to the name it introduces
_TITLE_BREAK = re.compile(r"[,،.:;؛!?()\[\]\"“”«»\n]")


@lru_cache(maxsize=1)
def _title_nouns() -> frozenset[str]:
    """The words a person's title starts with (source_nouns.tsv, role person: وزير، الرئيس، رئيس ...)."""
    return frozenset(n[0] for n, (role, _) in lexicon().nouns.items() if role == "person" and len(n) == 1)


def _title_before(text: str, m, mentions: list) -> tuple[str, ...] | None:
    """The title the article gives person mention ``m`` right before the name ("رئيس الوزراء الإسرائيلي
    بنيامين نتنياهو" → رييس الوزراء الاسراييلي), as normalised words: a title noun, then up to
    TITLE_MAX_WORDS definite words, words of a named organisation or place, or the complement of an
    indefinite title (رئيس وزراء), with no punctuation or other person between; None otherwise."""
    lo = max(0, m.start - 80)
    key, kmap = normalize_with_map(text[lo:m.start])
    spans = [x.span() for x in _WORD.finditer(key)]
    words = [key[a:b] for a, b in spans]
    near = [x for x in mentions if x.end > lo and x.start < m.start]
    nouns, after = _title_nouns(), m.start
    for j in range(len(words) - 1, max(-1, len(words) - 1 - TITLE_MAX_WORDS), -1):
        a, b = lo + kmap[spans[j][0]], lo + kmap[spans[j][1] - 1] + 1
        if _TITLE_BREAK.search(text, b, after):
            return None
        inside = next((x for x in near if x.start <= a < x.end), None)
        if inside is not None and inside.type == "PER":
            return None
        w = words[j]
        bare = w[1:] if len(w) > 3 and w[0] in "وف" else w
        if inside is None and bare in nouns:
            return (bare, *words[j + 1:])
        prev = words[j - 1] if j > 0 else ""
        construct = (prev[1:] if len(prev) > 3 and prev[0] in "وف" else prev) in nouns and not prev.startswith("ال")
        if inside is None and not w.startswith("ال") and not construct:
            return None
        after = a
    return None


class TitledPersons:
    """The persons an article names after a title, with the title (:func:`_title_before`), read from the
    article's text and mentions on first use: a later "الرئيس" or "رئيس الوزراء الإسرائيلي" standing
    alone is the one person named with that title before."""

    def __init__(self, text: str, mentions: list):
        self.text, self.mentions = text, mentions
        self._found: list | None = None

    def before(self, pos: int) -> list[tuple[tuple[str, ...], object]]:
        """(title words, person mention) of the titled names ending before display offset ``pos``."""
        if self._found is None:
            self._found = [(t, m) for m in self.mentions if m.type == "PER" and m.entity_id
                           for t in (_title_before(self.text, m, self.mentions),) if t]
        return [(t, m) for t, m in self._found if m.end <= pos]


def _title_ref(s: _Sentence, i: int, hi: int, lex: Lexicon) -> dict | None:
    """The person a title at token ``i`` stands for, or their office ("مكتب رئيس الوزراء الإسرائيلي"):
    the title's words are among those the article gave one person before it, with no name, other
    adjective (الفرنسي) or, for an indefinite title (وزير), no missing complement after them. None when
    no person or several were named so."""
    noun = _source_noun(s.toks, i)
    office = lex.nouns[noun][1] if noun is not None and len(noun) == 1 and lex.nouns[noun][0] == "office" else None
    t0 = i + 1 if office else i
    if t0 >= hi:
        return None
    w = s.toks[t0]
    first = w[1:] if len(w) > 3 and w[0] in "وف" and w[1:] in _title_nouns() else w
    if first not in _title_nouns():
        return None         # no title starts here (the common case)
    people: dict = {}
    for title, m in s.titles.before(s.dstart[t0]):
        if title[0] != first:
            continue
        k = t0 + 1
        while k < hi and s.toks[k] in title[1:] and s.commas[k] == s.commas[t0]:
            k += 1
        if k == t0 + 1 and not first.startswith("ال"):
            continue        # "وزير" alone: which minister?
        nxt = s.ment_at.get(k) if k < len(s.toks) else None
        if k < len(s.toks) and s.commas[k] == s.commas[k - 1] and (
                _NISBA.match(s.toks[k]) or (nxt is not None and nxt.type in ("PER", "NORP"))):
            continue        # another title (الرئيس الفرنسي) or a name of its own follows
        people.setdefault(m.entity_id, (m, k))
    if len(people) != 1:
        return None
    m, k = next(iter(people.values()))
    surface = s.text[s.dstart[i] - s.base: s.dend[k - 1] - s.base]
    if surface[:1] in "وف" and s.toks[i] != (noun[0] if office else first):
        surface = surface[1:]       # وقال الرئيس: "الرئيس"
    src = {**_entity_source(s, m, lex, False), "as_written": surface, "backref": True, "_end": k}
    if office:
        src.update(kind="speaker", name=f"{office} {src['name']}", office=True)
    return src


@lru_cache(maxsize=1)
def _time_words() -> frozenset[str]:
    """One-word times (modality_cues.tsv: اليوم، أمس) and weekday names (claim_count_cues.tsv), bare or after
    و: never part of what describes an unnamed source."""
    words = {normalize(r["form"]) for r in data.rows("modality_cues.tsv") if r["kind"] == "time" and " " not in r["form"]}
    words |= {normalize(r["form"]) for r in data.rows("claim_count_cues.tsv") if r["kind"] == "weekday"}
    return frozenset(words | {"و" + w for w in words})


def _anonymous(s: _Sentence, i: int, stop: int, lex: Lexicon, head: str) -> tuple[dict, int]:
    """An unnamed source whose head noun is token ``i``: its description and the entity it is close to."""
    j, close_to, rel = i + 1, None, None
    limit = min(stop, i + 7)
    while j < limit:
        tok = s.toks[j]
        if _COMPLEMENTIZER.match(tok) or tok in _DESC_STOP or s.commas[j] != s.commas[i] or tok in _time_words():
            break           # "وسائل الإعلام الإسرائيلية اليوم صورة ...": the description ends before "اليوم"
        hit = None
        for cue, en in lex.close.items():
            n = len(cue)
            if tuple(s.toks[j:j + n]) == cue and (cue != ("في",) or j == i + 1 or j == i + 2):
                hit = (n, en)
                break
        if hit is None and j > i and tok.startswith("ب") and s.ment_at.get(j) is not None \
                and s.ment_at[j].type in ("ORG", "GPE"):
            hit = (0, "in")
        if hit and close_to is None:
            k = j + hit[0]
            if s.ment_at.get(k) is None and k + 1 < limit + 2 and k + 1 < len(s.toks) and s.toks[k] in _OFFICE_WORDS:
                k += 1
                hit = (hit[0], f"{hit[1]} the office of" if s.toks[k - 1] in ("مكتب", "ديوان") else hit[1])
            m = s.ment_at.get(k)
            if m is not None and m.type in ("ORG", "PER", "GPE", "NORP"):
                close_to, rel = m, hit[1]
                j = s.tok_end(k)
                break
        if s.ment_at.get(j) is not None and s.ment_at[j].type in ("PER", "ORG"):
            break
        if tok == "ل" or _DATIVE.search(s.key[max(0, s.kspan[j][0] - 4):s.kspan[j][0]]):
            break
        j += 1
    desc_ar = s.text[s.dstart[i] - s.base: s.dend[j - 1] - s.base]
    if desc_ar[:1] in _PREFIXES and normalize(desc_ar[1:]).startswith(head):
        desc_ar = desc_ar[1:]
    src = {"kind": "anonymous", "name_ar": desc_ar, "description": desc_ar, "entity_id": None, "head": head}
    label = lex.heads.get(head, "source")
    if close_to is not None:
        ent = s.names.get(close_to.entity_id) or {}
        cname = _clean_en(ent.get("name_en")) or ent.get("name_ar") or close_to.text
        src["close_to"] = close_to.entity_id
        src["close_to_name"] = cname
        src["relation"] = rel
        the = "the " if close_to.type == "ORG" and not cname.lower().startswith("the ") else ""
        src["name"] = f"{label.removeprefix('the ')} {rel} {the}{cname}"
    else:
        src["name"] = f"unnamed {label.removeprefix('the ')} ({desc_ar})"
    return src, j


def _sources(s: _Sentence, lo: int, hi: int, lex: Lexicon, allow_gpe_at: int | None) -> tuple[list[dict], bool]:
    """Sources named in tokens [lo, hi). Returns (sources, back_reference)."""
    out: list[dict] = []
    back = False
    i = lo
    last_i = lo
    while i < hi:
        if out and "_start" not in out[-1]:
            out[-1]["_start"] = last_i
            out[-1].setdefault("_end", i)
        last_i = i
        tok = s.toks[i]
        m = s.ment_at.get(i)
        if m is not None and m.entity_id and i > lo and s.toks[i - 1] == "لدي":
            i = s.tok_end(i)        # "بعثة إيران لدى الأمم المتحدة": where the mission sits, not who speaks
            continue
        if m is not None and m.entity_id and (m.type in ("ORG", "PER") or (m.type == "GPE" and (
                i == allow_gpe_at or _office_before(s, i, lex)))):
            prev = s.toks[i - 1] if i > 0 else ""
            channel = any(tuple(s.toks[k:i]) in lex.nouns and lex.nouns[tuple(s.toks[k:i])][0] == "channel"
                          for k in range(max(0, i - 2), i))
            office = next((lex.nouns[tuple(s.toks[k:i])] for k in range(max(0, i - 2), i)
                           if tuple(s.toks[k:i]) in lex.nouns and lex.nouns[tuple(s.toks[k:i])][0] == "office"), None)
            src = _entity_source(s, m, lex, channel)
            if office:
                src = {**src, "kind": "speaker", "name": f"{office[1]} {src['name']}", "office": True}
            # ``لـ"رويترز"`` after a speech verb: the medium the speaker talked to
            if prev == "ل" or _DATIVE.search(s.key[max(0, s.kspan[i][0] - 4):s.kspan[i][0]]):
                src["kind"] = "channel" if src["kind"] != "speaker" or m.entity_id in lex.media else src["kind"]
            i = s.tok_end(i)
            src["_end"] = i
            out.append(src)
            continue
        if m is None and i == lo and s.titles is not None:
            ref = _title_ref(s, i, hi, lex)
            if ref is not None:             # "وقال الرئيس" / "مكتب رئيس الوزراء الإسرائيلي": who was named so
                out.append(ref)
                i = ref["_end"]
                continue
        if m is None and tok.lstrip("وف").startswith("ال") and s.backrefs:
            ref = s.backrefs.get(head_word(tok))
            if ref is not None and s.ment_at.get(i + 1) is None:
                src = {**_entity_source(s, ref, lex, False), "as_written": s.text[s.dstart[i] - s.base: s.dend[i] - s.base],
                       "_end": i + 1, "backref": True}
                out.append(src)
                i += 1
                continue
        if m is None or not m.entity_id or m.type not in ("ORG", "PER", "GPE"):
            # words linked to a country or city are that place ("رئاسة الجمهورية اللبنانية" is Lebanon's
            # presidency, not the newspaper الجمهورية)
            hit = registry_source(s, i, hi, allow_single=quoted_at(s, i))
            if hit is not None:
                out.append({**hit[0], "_end": hit[1]})
                i = hit[1]
                continue
        own = _pronoun_office(s, i, hi, lex) if m is None else None
        if own is not None:
            out.append(own)
            i = own["_end"]
            continue
        # unnamed sources: "مصدر مقرب من ...", "مسؤولون سوريون وعرب", "وسائل إعلام عبرية"
        head = _strip(tok, lex.heads)
        if head is not None and m is None:
            nxt = s.toks[i + 1] if i + 1 < hi else ""
            if head in lex.definite and (i + 1 >= hi or _COMPLEMENTIZER.match(nxt) or nxt in ("الذي", "التي")):
                back = True
                i += 1
                continue
            # a named person right after the head ("مسؤول ... فلان") is not unnamed
            near = range(i + 1, min(hi, i + 4))
            if any(s.ment_at.get(k) is not None and s.ment_at[k].type == "PER"
                   and not any(s.toks[x] in ("في", "من") or s.toks[x] in _OFFICE_WORDS for x in range(i + 1, k))
                   for k in near):
                i += 1
                continue
            medium = registry_source(s, i + 1, hi, allow_single=quoted_at(s, i + 1)) if i + 1 < hi else None
            if medium is not None and s.ment_at.get(i + 1) is None:
                # "مصادر «العربية»": unnamed sources of that outlet, which relays them
                src, _ = _anonymous(s, i, i + 1, lex, head)
                out += [{**src, "_start": i, "_end": i + 1}, {**medium[0], "_start": i + 1, "_end": medium[1]}]
                i = medium[1]
                continue
            src, j = _anonymous(s, i, hi, lex, head)
            out.append(src)
            i = max(j, i + 1)
            continue
        noun = _source_noun(s.toks, i)
        if noun is not None and lex.nouns[noun][1] in _MEDIUM_ONLY:
            i += len(noun)      # "في بيان لها", "في تغريدة": how the speaker said it, not who
            continue
        if noun is not None and lex.nouns[noun][0] == "channel":
            k = i + len(noun)
            nm = s.ment_at.get(k)
            if nm is None or nm.type not in ("ORG", "PER"):
                hit = registry_source(s, k, hi, allow_single=True)
                if hit is not None:
                    out.append({**hit[0], "as_written": s.text[s.dstart[i] - s.base: s.dend[hit[1] - 1] - s.base],
                                "_end": hit[1]})
                    i = hit[1]
                    continue
                named = named_medium(s, k, hi)
                if named is not None:
                    from ..clean.outlets import outlet_named

                    o = outlet_named(named[0])
                    out.append({"kind": "channel", "name": (o.name_en or o.name_ar) if o else named[0],
                                "name_ar": o.name_ar if o else named[0], "as_written": named[0],
                                "entity_id": (o.entity_id or ("outlet:" + o.domain if o.domain else None)) if o else None,
                                "_end": named[1]})
                    i = named[1]
                    continue
                if noun in (("التقرير",), ("تقرير",)) and (k >= hi or _COMPLEMENTIZER.match(s.toks[k]) or s.toks[k] in ("الاخير",)):
                    back = True
                    i = k
                    continue
                src, j = _anonymous(s, i, hi, lex, noun[0])
                if not src.get("close_to"):
                    src["name"] = f"unnamed {lex.nouns[noun][1]} ({src['description']})"
                src["kind"] = "anonymous"
                src["channel_noun"] = True
                out.append(src)
                i = max(j, k)
                continue
        i += 1
    if out and "_start" not in out[-1]:
        out[-1]["_start"] = last_i
        out[-1].setdefault("_end", i)
    for x in list(out):
        if x["kind"] == "channel" and x in out:
            end = x.get("_end")
            _affiliation(s, x, hi, lex)
            if x.get("voices"):     # the side it is affiliated with is its description, not a source it cites
                out = [y for y in out if y is x or not (end <= y.get("_start", -1) < x["_end"])]
    return out, back


_SIDE_CUES = frozenset(("affiliated with", "loyal to", "close to"))


def _affiliation(s: _Sentence, src: dict, hi: int, lex: Lexicon) -> None:
    """A medium described as affiliated with / loyal to / close to someone ("قناة المسيرة التابعة
    للحوثيين"): ``voices`` that side (its entity id), which counts as the origin of what it reports."""
    j = src.get("_end")
    if j is None or j >= hi:
        return
    for cue, en in lex.close.items():
        k = j + len(cue)
        if en in _SIDE_CUES and tuple(s.toks[j:k]) == cue and k < hi:
            m = s.ment_at.get(k)
            if m is not None and m.entity_id and m.type in ("ORG", "PER", "GPE", "NORP"):
                ent = s.names.get(m.entity_id) or {}
                src["voices"] = m.entity_id
                src["voices_name"] = _clean_en(ent.get("name_en")) or ent.get("name_ar") or m.text
                src["_end"] = s.tok_end(k)
            return


_RELAY_WORDS = frozenset(("عن", "نقلا", "عبر", "و", "ل", "في", "من", "قوله", "قولها", "تصريحات", "خاصه", "تصريح"))
_NISBA = re.compile(r"^ال\w{2,}(?:يه|ي|يين|يون)$")   # the adjective of a medium: القناة 12 العبرية / الإسرائيلية


def _relayed(s: _Sentence, found: list[dict]) -> list[dict]:
    """The sources after a verb that form one chain: the first, then each one joined to the one before by
    a relay word (عن، نقلاً عن، لـ، عبر، و) or directly; a name further on is part of the content
    ("أعلن الجيش السيطرة على المدينة بعد معارك مع قوات الدعم السريع")."""
    kept = found[:1]
    for x in found[1:]:
        between = s.toks[kept[-1].get("_end", 0):x.get("_start", 0)]
        if len(between) > 3 or any(t not in _RELAY_WORDS and not t.startswith("ل") and not _NISBA.match(t)
                                   for t in between):
            break
        kept.append(x)
    return kept


@lru_cache(maxsize=1)
def _prep_firsts() -> frozenset[str]:
    """The first words of the prepositional cues (بحسب, وفقا ...)."""
    return frozenset(words[0] for words in lexicon().preps)


def with_proclitics(words) -> frozenset[str]:
    """``words`` bare and after one or two proclitics: every token :func:`_forms` may take to one of them
    (and more)."""
    one = {p + w for w in words for p in _PREFIXES}
    return frozenset(words) | one | {p + w for w in one for p in _PREFIXES}


@lru_cache(maxsize=1)
def _cue_words() -> frozenset[str]:
    """The tokens that may be a reporting verb or open a prepositional cue."""
    return with_proclitics(set(lexicon().verbs) | _prep_firsts() | lexicon().participles)


def parse_attribution(text: str, base: int, mentions: list, entity_names: dict,
                      previous: list[dict] | None = None, recent: list[dict] | None = None,
                      backrefs: dict | None = None, article_mentions: list | None = None,
                      in_quote: bool = False, titles: TitledPersons | None = None) -> Attribution:
    """The attribution of one sentence (``text`` starts at ``base`` in the article text).

    ``mentions`` are the article's entity mentions (display offsets), ``entity_names`` maps entity ids
    to ``{"name_ar", "name_en", "type"}``, ``previous`` is the previous sentence's source list (used by
    continuations: وأضاف, وتوضح), ``recent`` the last non-empty one a few sentences back (used by
    back-references: المصادر, التقرير, الشخص); ``backrefs`` maps the head word of organisations named
    earlier in the article (``جيش``, ``وزاره``) to their mention, so "قال الجيش" is that army;
    ``article_mentions`` (all the article's mentions) give "مكتبه" / "المتحدث باسمه" their referent;
    ``in_quote``: the sentence goes on with a quotation the previous one opened (its speaker's words);
    ``titles``: the article's titled persons, so "وقال الرئيس" is the president it named before.
    """
    lex = lexicon()
    s = _Sentence(text, base, mentions, entity_names)
    s.backrefs = backrefs or {}
    s.titles = titles
    if article_mentions is not None:
        s.mentions = article_mentions
    end = base + len(text)
    att = Attribution(content_start=base, content_end=end)
    n = len(s.toks)
    cue_i, cue_n, kind, modality, cont = None, 0, None, None, False
    prep_firsts, cue_words = _prep_firsts(), _cue_words()
    for i, tok in enumerate(s.toks):
        if tok not in cue_words or s.in_ment.get(i) is not None:
            continue        # no cue, whatever its proclitics
        for words, mod in (lex.preps.items() if not prep_firsts.isdisjoint(_forms(tok)) else ()):
            w0 = words[0]
            if _strip(tok, {w0}) == w0 and (len(words) == 1 or (i + 1 < n and (
                    s.toks[i + 1] == words[1] or (len(words[1]) == 1 and s.toks[i + 1].startswith(words[1]))))):
                cue_i, cue_n, kind, modality = i, (len(words) if len(words) > 1 and s.toks[i + 1] == words[1] else 1), "prep", mod
                break
        if cue_i is not None:
            break
        v = verb_of(tok)
        if v is not None and v.startswith("نقل") and kind is None and "عن" not in s.toks[i + 1:i + 10]:
            v = None    # "تم نقل الأسد": a transfer, not a report (reports are نقل X عن Y)
        if v is not None:
            cue_i, cue_n, kind = i, 1, "verb"
            modality, cont = lex.verbs[v]
            break
        if _strip(tok, lex.participles) is not None:
            cue_i, cue_n, kind, modality, cont = i, 1, "participle", "reported", True
            break
    if cue_i is None:
        if previous and s.toks and (s.toks[0] in lex.openers or in_quote):
            att.sources = [dict(x) for x in previous]
            att.inherited = True
            att.modality = "reported"
            return att
        if _own_words(s, lex, att, previous):
            return att
        if re.search(r"(?:^|\s)[وف]?لا صحه", s.key):
            att.modality = "denied"
        return att
    att.cue = s.text[s.dstart[cue_i] - base: s.dend[cue_i + cue_n - 1] - base]
    # the source region: after the cue up to the complementizer (أن / إن / بأن), a comma or "عن" + content
    lo = cue_i + cue_n
    j = lo
    while j < n and j < lo + 16:
        tok = s.toks[j]
        if s.in_ment.get(j) is None and _COMPLEMENTIZER.match(tok):
            break
        if s.commas[j] != s.commas[lo if lo < n else n - 1] and j > lo:
            break
        if tok == "عن" and j > lo:
            nxt = j + 1
            is_src = nxt < n and (_strip(s.toks[nxt], lex.heads) is not None or (
                s.ment_at.get(nxt) is not None and s.ment_at[nxt].type in ("ORG", "PER"))
                or any(tuple(s.toks[nxt:nxt + len(w)]) == w for w in lex.nouns))
            if not is_src:
                break
        j += 1
    hi = _apposition(s, lo, j, lex) if kind != "participle" else lo    # "قائلا إن": no source after it
    # a subject before the verb, after the last comma / "حيث": "التقرير الأخير من بلومبيرغ أشار إلى"
    pre_lo = cue_i
    while pre_lo > 0 and s.commas[pre_lo - 1] == s.commas[cue_i] and s.toks[pre_lo - 1] not in ("حيث", "فيما", "بينما", "كما") \
            and cue_i - pre_lo < 10:
        pre_lo -= 1
    pre, back_pre = _sources(s, pre_lo, cue_i, lex, None) if kind == "verb" else ([], False)
    subj = s.in_ment.get(cue_i - 1) if cue_i > 0 else None
    pre = [x for x in pre if (subj is not None and x.get("entity_id") == subj.entity_id) or x.get("_end") == cue_i]
    post, back_post = _sources(s, lo, hi, lex, lo if kind == "verb" else None)
    post = _relayed(s, post)
    sources = [{k: v for k, v in x.items() if k not in ("_end", "_start")} for x in pre + post]
    if not sources and kind == "prep" and back_post:
        sources = []
    # outermost first: relaying media before speakers and unnamed sources, each in text order
    chans = [x for x in sources if x["kind"] == "channel"]
    rest = [x for x in sources if x["kind"] != "channel"]
    sources, seen = [], set()
    for x in chans + rest:
        k = x.get("entity_id") or x.get("description") or x.get("name")
        if k not in seen:
            seen.add(k)
            sources.append(x)
    if not sources and kind == "verb" and not (back_pre or back_post):
        sources = _fronted_subject(s, cue_i, lex) or _titled_subject(s, lo, hi, lex)
    if not sources and kind == "participle":
        sources = _clause_subject(s, cue_i, lex)
    if not sources and not (back_pre or back_post) and _own_words(s, lex, att, previous):
        return att
    if not sources:
        if recent and (back_pre or back_post):
            att.sources = [dict(x) for x in recent]
            att.inherited = True
        elif previous and (cue_i == 0 or kind == "participle" and not _named_before(s, cue_i)) \
                and (cont or s.toks[0].startswith("و")):
            att.sources = [dict(x) for x in previous]
            att.inherited = True
        elif not (back_pre or back_post):
            # a reporting verb with no source found (e.g. "أعلنت الفصائل"): the outlet's own report
            att.sources = []
    else:
        att.sources = sources
    att.modality = modality if (att.sources or att.inherited) else ("denied" if modality == "denied" else "asserted")
    # content: after the source region when the cue opens the sentence, otherwise before the cue
    if hi < n:
        k = hi + 1 if (hi < n and (_COMPLEMENTIZER.match(s.toks[hi]) or s.toks[hi] == "عن")) else hi
        if k < n and s.toks[k] == "ان" and s.toks[hi] == "الي":
            k += 1
        att.content_start = s.dstart[k] if k < n else end
    elif cue_i > 2:
        att.content_end = s.dstart[pre_lo] if pre_lo < cue_i else s.dstart[cue_i]
    if att.content_end - att.content_start < 8:
        att.content_start, att.content_end = base, end
    _add_trailing(s, att, max(hi, cue_i + cue_n), lex)
    return att


_PREPOSITIONS = frozenset(("في", "من", "الى", "علي", "عن", "مع", "بين", "لدي", "ضد", "عند"))


def _clause_subject(s: _Sentence, stop: int, lex: Lexicon) -> list[dict]:
    """The subject of the sentence's clause before token ``stop``: the first person or organisation named
    in it, or the person a title there stands for (:func:`_title_ref`); nothing when the first name is
    after a preposition ("ووجه فلان حديثه لعلان قائلا": فلان; "رد على فلان قائلا": not فلان)."""
    for k in range(stop):
        m = s.ment_at.get(k)
        if m is None:
            ref = _title_ref(s, k, stop, lex) if s.titles is not None else None
            if ref is not None:
                return [{x: v for x, v in ref.items() if x != "_end"}]
            continue
        if not m.entity_id or m.type not in ("PER", "ORG"):
            continue
        if (m.text[:1] in ("ب", "ل") and not m.text.startswith("ال")) or (k > 0 and s.toks[k - 1] in _PREPOSITIONS):
            return []
        return [_entity_source(s, m, lex, False)]
    return []


def _named_before(s: _Sentence, stop: int) -> bool:
    """A person or organisation is named in the sentence before token ``stop``."""
    return any(m.type in ("PER", "ORG") for k, m in s.ment_at.items() if k < stop)


@lru_cache(maxsize=1)
def _own_forms() -> frozenset[str]:
    """The nouns of one's words (lex.own) possessed by a pronoun, bare or after ل / ب: قوله، لقولها ..."""
    return frozenset(p + n + suf for n in lexicon().own for suf in ("ه", "ها", "هم", "هما") for p in ("", "ل", "ب"))


def _own_words_at(s: _Sentence, lex: Lexicon) -> int | None:
    """The token where the sentence says it is its subject's own words: a noun of lex.own possessed by a
    pronoun after a prepositional cue or after "على حد" ("على حد قوله"، "حسب تعبيرها"، "وفقا لقوله")."""
    forms = _own_forms()
    for k in range(1, len(s.toks)):
        if s.toks[k] not in forms:
            continue
        if not _prep_firsts().isdisjoint(_forms(s.toks[k - 1])):
            return k - 1
        for p in lex.own_preps:
            if k >= len(p) and tuple(s.toks[k - len(p):k]) == p:
                return k - len(p)
    return None


def _own_words(s: _Sentence, lex: Lexicon, att: Attribution, previous: list[dict] | None) -> bool:
    """Attribute a sentence that names no source but says it is someone's words ("...، على حد قوله") to
    its clause's subject, or else to the previous sentence's source; True when it did."""
    if _own_forms().isdisjoint(s.toks):
        return False        # no noun of one's words (the common case)
    k = _own_words_at(s, lex)
    if k is None:
        return False
    sources = _clause_subject(s, k, lex)
    if not sources and not previous:
        return False
    att.sources = sources or [dict(x) for x in previous]
    att.inherited = not sources
    att.modality = "reported"
    if k > 2 and s.dstart[k] > att.content_start:
        att.content_end = min(att.content_end, s.dstart[k])
    return True


def _coordinated_subject(s: _Sentence, cue_i: int, lex: Lexicon) -> list[dict]:
    """The subject of the sentence's first verb for a reporting verb joined to it by و with no subject
    of its own ("أدى عون اليمين الدستورية، وقال إن ..."): the first person or organisation named, unless
    a preposition or another verb's object position makes it something else."""
    for k in range(1, cue_i):
        m = s.ment_at.get(k)
        if m is None or not m.entity_id or m.type not in ("PER", "ORG"):
            continue
        prev = s.toks[k - 1]
        if m.text[:1] in ("ب", "ل") and not m.text.startswith("ال") or prev in ("في", "من", "الى", "علي", "عن", "مع", "بين"):
            return []
        return [_entity_source(s, m, lex, False)]
    return []


def _titled_subject(s: _Sentence, lo: int, hi: int, lex: Lexicon) -> list[dict]:
    """A qualified title or office right after the verb that no name follows ("وقال مكتب رئيس الوزراء
    الإسرائيلي، إن", "وقال وزير الخارجية إن"): a named source of its own, not the previous speaker (a bare
    "وقال الرئيس" still refers back to the one named before)."""
    if hi - lo < 2 or hi - lo > 6 or any(s.in_ment.get(k) is not None and s.in_ment[k].type in ("PER", "ORG")
                                      for k in range(lo, hi)):
        return []
    titles = {n[0] for n, (role, _) in lex.nouns.items() if role in ("person", "office")}
    if _strip(s.toks[lo], titles) is None:
        return []
    surface = s.text[s.dstart[lo] - s.base: s.dend[hi - 1] - s.base]
    if surface[:1] in "وف" and normalize(surface[1:]).split()[0] in titles:
        surface = surface[1:]
    return [{"kind": "speaker", "name": surface, "name_ar": surface, "as_written": surface, "entity_id": None,
             "title": True}]


def _fronted_subject(s: _Sentence, cue_i: int, lex: Lexicon) -> list[dict]:
    """A person or organisation opening the sentence, set off from its verb by a comma-bounded phrase
    ("عون، في خطابه الأول، قال إن ..."): the speaker when the verb names no source of its own."""
    m = s.ment_at.get(0)
    if (m is None or not m.entity_id or m.type not in ("PER", "ORG")) and cue_i > 0 and s.toks[cue_i][0] == "و":
        return _coordinated_subject(s, cue_i, lex)
    if m is None or not m.entity_id or m.type not in ("PER", "ORG") or cue_i > 14:
        return []
    end = s.tok_end(0)
    if end >= cue_i or s.commas[cue_i] == s.commas[end - 1] or any(
            s.ment_at.get(k) is not None and s.ment_at[k].type in ("PER", "ORG") for k in range(end, cue_i)):
        return []
    return [_entity_source(s, m, lex, False)]


def _apposition(s: _Sentence, lo: int, hi: int, lex: Lexicon) -> int:
    """The end of the source region ``[lo, hi)`` stopped by a comma: a title followed by the person's
    name set off by commas ("قال وزير الخارجية الإسرائيلي، فلان الفلاني، إن") takes in the name."""
    if hi >= len(s.toks) or hi == lo or s.commas[hi] == s.commas[lo]:
        return hi
    m = s.ment_at.get(hi)
    title = _strip(s.toks[lo], {n[0] for n, (role, _) in lex.nouns.items() if role == "person" and len(n) == 1})
    if m is None or m.type != "PER" or title is None or hi - lo > 6 \
            or any(s.in_ment.get(k) is not None and s.in_ment[k].type == "PER" for k in range(lo, hi)):
        return hi
    return s.tok_end(hi)


_TRAILING_PREPS = (("بحسب",), ("حسب",), ("حسبما",), ("وفقا",), ("وفق",), ("نقلا", "عن"), ("طبقا",))
_TRAILING_FIRSTS = frozenset(w for p in _TRAILING_PREPS for w in (p[0], "ل" + p[0]))


def _add_trailing(s: _Sentence, att: Attribution, after: int, lex: Lexicon) -> None:
    """A second cue closing the sentence ("..., بحسب ما نقلت سكاي نيوز", "على ما أفاد مصدر"): the medium that relayed
    what the sentence's own source said, added as the outer source; the content ends before it."""
    n = len(s.toks)
    for t in range(after + 1, n - 1):
        if s.in_ment.get(t) is not None or s.commas[t] == s.commas[after - 1 if after > 0 else 0] and t < n - 6:
            continue
        w = s.toks[t]
        w = w[1:] if len(w) > 3 and w[0] in "وف" else w
        if w == "علي":      # "على ما أفاد مصدر أمني": as a source reported
            if s.toks[t + 1] != "ما" or t + 2 >= n or verb_of(s.toks[t + 2]) is None:
                continue
        elif w not in _TRAILING_FIRSTS:
            continue
        lo = t + 1
        while lo < n and s.toks[lo] in ("ما", "لما", "عن", "ل") or (lo < n and _strip(s.toks[lo], lex.verbs) is not None):
            lo += 1
        found, _ = _sources(s, lo, n, lex, lo)
        found = [{k: v for k, v in x.items() if k not in ("_end", "_start")} for x in _relayed(s, found)]
        known = {x.get("entity_id") or x.get("name") for x in att.sources}
        found = [x for x in found if (x.get("entity_id") or x.get("name")) not in known]
        if found:
            att.sources = found + att.sources
            if att.modality == "asserted":
                att.modality = "reported"
            if s.dstart[t] > att.content_start:
                att.content_end = min(att.content_end, s.dstart[t])
        return
