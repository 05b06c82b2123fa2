"""Geocoding: which place a place name means, and how precisely it locates an event.

In: the place mentions of one text with their candidate entities (from the gazetteer), the
country context (an optional country hint, the countries, nationality adjectives and
unambiguous places the same text mentions). Out: one entity per mention — a GeoNames place, a
curated facility or region, a country — or, when the candidates cannot be told apart, an
"ambiguous place" entity without coordinates; and, for "ريف X" / "شمال X" / "محافظة X"
expressions, a derived area entity around X with ACLED geo precision 2 (3 around a country or
region, and for a governorate).

ACLED geo precision: 1 = the town or facility itself, 2 = part of a region or near a town,
3 = a region, governorate or country. Countries get precision 3 and the point of their capital
(GeoNames), as ACLED locates country-level events; areas around a country or region ("شمال
سوريا") and curated regions without a known point keep no coordinates; coordinates are never guessed.

Choice among same-named places (e.g. الشجرة in Daraa, Syria, and in Irbid, Jordan) scores each
candidate by: curated entry, population (log scale), being in the Middle East / North Africa,
the share of the text's country context that falls in its country (and the country hint), and
nearness to the other, unambiguous places of the text.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache

from .. import data
from ..model import Entity, Mention
from ..text.normalize import normalize, strip_diacritics
from .gazetteer import MENA, PRIO_GEONAMES, Gazetteer

__all__ = ["haversine_km", "country_context", "choose_place", "area_entity", "qualifiers",
           "geocode_place", "PLACE_TYPES", "word_frequency", "evidence_context", "keep_place", "near", "Points"]

PLACE_TYPES = frozenset({"GPE", "LOC", "FAC"})
AMBIGUITY_MARGIN = 0.75


@lru_cache(maxsize=1)
def _settings():
    from ..settings import SETTINGS
    return SETTINGS.entities


@lru_cache(maxsize=50_000)
def word_frequency(word: str) -> float:
    """Zipf frequency (log10 per billion words) of an Arabic word or phrase as written, from the
    ``wordfreq`` package's Arabic list (Wikipedia, subtitles, news, web, social media; see its
    documentation); 0.0 when unknown or when wordfreq is not installed.

    Words of names (all the geocoder asks about) are read from the frequencies the gazetteer
    keeps (:meth:`Gazetteer.covers_word`), so that a process does not load the whole list; any
    other text goes to ``wordfreq.zipf_frequency``. Both give the same value."""
    text = strip_diacritics(word)
    gaz = Gazetteer.load()
    tokens = text.split(" ")
    if gaz.word_freqs and all(gaz.covers_word(t) for t in tokens):
        return _zipf([gaz.word_freqs.get(t) for t in tokens])
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a dependency
        return 0.0
    return zipf_frequency(text, "ar")


_MIN_FREQ = 10 ** 0 / 1e9     # wordfreq.zipf_to_freq(0), the floor zipf_frequency passes on


def _zipf(freqs: list[float | None]) -> float:
    """``wordfreq.zipf_frequency`` of a phrase from the list frequencies of its words (None: not
    listed), with the package's arithmetic (``_word_frequency``: 1/f = sum of 1/f_i, rounded to
    three significant digits; then log10(f) + 9 rounded to hundredths)."""
    if any(f is None for f in freqs):
        freq = _MIN_FREQ
    else:
        one_over = 0.0
        for f in freqs:
            one_over += 1.0 / f
        unrounded = max(1.0 / one_over, _MIN_FREQ)
        freq = round(unrounded, math.floor(-math.log(unrounded, 10)) + 3)
    return round(math.log(freq, 10) + 9, 2)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0088 * 2 * math.asin(min(1.0, math.sqrt(a)))


class Points:
    """Distinct ``(lat, lon)`` points (the anchors of a text) and, memoised per asking point, the
    distance to the nearest of them: a text asks about the same candidate places again and again."""

    def __init__(self, points):
        self.points = list(dict.fromkeys(points))
        self._nearest: dict[tuple[float, float], float] = {}

    def __bool__(self) -> bool:
        return bool(self.points)

    def nearest_km(self, lat: float, lon: float) -> float:
        d = self._nearest.get((lat, lon))
        if d is None:
            d = self._nearest[(lat, lon)] = min(haversine_km(lat, lon, a, b) for a, b in self.points)
        return d


def near(lat: float, lon: float, points, km: float) -> bool:
    """Whether some ``(lat, lon)`` of ``points`` lies within ``km`` of the point (stops at the first)."""
    return any(haversine_km(lat, lon, a, b) <= km for a, b in points)


# -- qualifiers -----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def qualifiers() -> dict[str, dict[tuple[str, ...], tuple[str, str, str]]]:
    """``{"area"|"admin"|"suffix": {keys: (slug, name_en template, word_ar)}}`` from
    ``geo_qualifiers.tsv``."""
    out: dict[str, dict[tuple[str, ...], tuple[str, str, str]]] = {"area": {}, "admin": {}, "suffix": {}}
    from .clitics import name_keys
    for row in data.rows("geo_qualifiers.tsv"):
        kind = (row.get("kind") or "").strip()
        if kind in out:
            keys = name_keys(row["word_ar"])
            out[kind][keys] = ((row.get("slug") or "").strip(), (row.get("name_en") or "").strip(),
                               row["word_ar"].strip())
    return out


def area_entity(base: Entity, slug: str, gaz: Gazetteer | None = None) -> Entity | None:
    """The derived area ``slug`` of ``base`` ("countryside", "north", "countryside-north",
    "governorate", ...): id ``marsad:area:SLUG:BASE_ID``, the base's coordinates with precision 2
    around a town or facility, precision 3 (and no coordinates unless the base has some) around
    a country or region, and for a governorate."""
    q = qualifiers()
    parts = slug.split("-", 1)
    main = parts[0]
    suffix = parts[1] if len(parts) > 1 else None
    found = None
    for kind in ("area", "admin"):
        for keys, (s, tmpl, word) in q[kind].items():
            if s == main:
                found = (kind, tmpl, word)
                break
        if found:
            break
    if not found:
        return None
    kind, tmpl, word = found
    place_en = base.name_en or base.name_ar
    name_en = tmpl.replace("{place}", place_en)
    name_ar = f"{word} {base.name_ar}"
    if suffix:
        for keys, (s, stmpl, sword) in q["suffix"].items():
            if s == suffix:
                name_en = stmpl.replace("{place}", place_en)
                name_ar = f"{name_ar} {sword}"
                break
    region = base.kind in ("country", "world_region") or (base.geo_precision or 1) >= 3
    prec = 3 if (region or kind == "admin") else 2
    point = (None, None) if region else (base.lat, base.lon)   # north of a country is not at its capital
    ent = Entity(id=f"marsad:area:{slug}:{base.id}", type="LOC", name_ar=name_ar, name_en=name_en,
                 lat=point[0], lon=point[1], country=base.country, admin1=base.admin1,
                 geo_precision=prec if base.lat is not None or region else None)
    ent.kind = "area"
    return ent


# -- context ------------------------------------------------------------------------------------

def country_context(mentions: list[Mention], entities: dict[str, Entity],
                    country_hint: str | None = None) -> Counter:
    """Country weights of a text: each mention of a country, nationality adjective or
    unambiguously resolved place counts 1 for its country; the hint counts 3."""
    ctx: Counter = Counter()
    for m in mentions:
        e = entities.get(m.entity_id or "")
        if e is not None and e.country and (m.type == "NORP" or e.type in PLACE_TYPES):
            ctx[e.country] += 1
    if country_hint:
        ctx[country_hint.upper()] += 3
    return ctx


def evidence_context(mentions: list[Mention], entities: dict[str, Entity], country_hint: str | None = None
                     ) -> tuple[Counter, list[tuple[float, float]]]:
    """What a text says about where it is, from the names that need no geocoding evidence: countries,
    nationality adjectives, organisations with a home country and curated places (not GeoNames
    towns, which are what is being checked). Returns the country weights and the points of the curated places."""
    ctx: Counter = Counter()
    anchors: list[tuple[float, float]] = []
    for m in mentions:
        e = entities.get(m.entity_id or "")
        if e is None or not (m.type in ("NORP", "ORG") or e.type in PLACE_TYPES) or e.kind == "populated_place":
            continue
        if e.kind in ("ambiguous_place", "unlisted"):
            continue
        if e.country:
            ctx[e.country] += 1
        if e.lat is not None and m.type != "NORP" and e.kind != "country":
            anchors.append((e.lat, e.lon))
    if country_hint:
        ctx[country_hint.upper()] += 3
    return ctx, anchors


def keep_place(gaz: Gazetteer, ent: Entity, surface: str, full_word: str, evidence,
               ctx: Counter, anchors) -> bool:
    """Whether a GeoNames town found by name is really meant as that place.

    ``surface`` is the name as written (without attached clitics), ``full_word`` the first word with
    them, ``evidence`` the kind of cue around the name (or a function returning it, called only
    when needed): ``"trigger"`` (بلدة / مدينة / ولاية X),
    ``"locative"`` (في / من / إلى / ب X, a direction or area word before it, a dateline), ``"list"``
    (next to another place: حمص وحماة) or None. A town in a country the text names (or near
    one of the points ``anchors``, a list of ``(lat, lon)`` or a function returning it, called only
    when needed: the text's curated places) is *in context*. Rules, from the word's frequency as an
    ordinary Arabic word (:func:`word_frequency`) and the place's size:
    - a clitic that makes a word more frequent than the name alone (لجأوا, بصدد) was not a clitic;
    - outside the Middle East and North Africa: in context, or a big city with evidence;
    - after a trigger noun (مدينة درعا, ريف إدلب): a place;
    - a frequent one-word name (سترة, الخيام; الأبيض "white" and El Obeid): evidence and context both,
      unless the town is a big city;
    - any other name: evidence or context.
    """
    cfg = _settings()
    if full_word != surface and word_frequency(full_word) >= max(cfg.clitic_word_zipf, word_frequency(surface)):
        return False
    ask = evidence if callable(evidence) else (lambda: evidence)
    pop = gaz.population.get(ent.id, 0)
    in_ctx = bool(ent.country and ctx.get(ent.country))
    if not in_ctx and ent.lat is not None:
        points = anchors() if callable(anchors) else anchors
        in_ctx = bool(points) and near(ent.lat, ent.lon, points, cfg.context_km)
    if ent.country not in MENA:
        return in_ctx or (pop >= cfg.big_city_population and ask() is not None)
    one_word = " " not in surface.strip()     # names of several words are seldom ordinary phrases
    common = one_word and pop < cfg.big_city_population and word_frequency(surface) >= cfg.common_word_zipf
    if in_ctx and not common:
        return True
    cue = ask()
    if cue == "trigger":
        return True
    return cue is not None and (in_ctx or not common)


def _score(gaz: Gazetteer, eid: str, ctx: Counter, total: float, top: str | None, hint: str | None,
           anchors: "Points", curated: bool) -> float:
    e = gaz.entities.get(eid)
    if e is None:
        return -1e9
    s = 0.0
    if curated:
        s += 3.0
    if e.kind == "country":
        s += 3.5
    s += 0.5 * math.log10(gaz.population.get(eid, 0) + 1)
    if e.country in MENA:
        s += 0.5
    if total and e.country:
        s += 4.0 * ctx.get(e.country, 0) / total
        if e.country == top:
            s += 1.0
    if hint and e.country == hint.upper():
        s += 2.0
    if anchors and e.lat is not None:
        d = anchors.nearest_km(e.lat, e.lon)
        if d < 1:       # the same place written differently: no evidence either way
            pass
        elif d < 30:
            s += 1.0
        elif d < 100:
            s += 0.5
    return s


def choose_place(gaz: Gazetteer, ids: tuple[str, ...], ctx: Counter, country_hint: str | None = None,
                 anchors: "list[tuple[float, float]] | Points | None" = None, curated: set[str] | None = None
                 ) -> tuple[str | None, bool]:
    """``(chosen id, ambiguous)`` among candidate entity ids of one place name. ``ambiguous`` is
    True when the best two are GeoNames places whose scores are within a small margin. ``anchors``:
    the points of the text's resolved places (a :class:`Points` to share nearest distances between
    the names of one text)."""
    if len(ids) == 1:
        return ids[0], False
    total = float(sum(ctx.values()))
    top = ctx.most_common(1)[0][0] if ctx else None
    curated = curated or set()
    anchors = anchors if isinstance(anchors, Points) else Points(anchors or ())
    scored = sorted(((_score(gaz, i, ctx, total, top, country_hint, anchors, i in curated), i) for i in ids),
                    reverse=True)
    best, second = scored[0], scored[1]
    both_geonames = best[1].startswith("gn:") and second[1].startswith("gn:") \
        and gaz.entities[best[1]].kind == "populated_place" and gaz.entities[second[1]].kind == "populated_place"
    if both_geonames and best[0] - second[0] < AMBIGUITY_MARGIN:
        a, b = gaz.entities[best[1]], gaz.entities[second[1]]
        if a.lat is not None and b.lat is not None and haversine_km(a.lat, a.lon, b.lat, b.lon) < 10:
            return best[1], False      # two GeoNames records of one place
        return best[1], True
    return best[1], False


def ambiguous_entity(gaz: Gazetteer, key: str, ids: tuple[str, ...], display: str) -> Entity:
    """An entity for a place name that could not be resolved: no coordinates; the country and
    precision 3 only when every candidate lies in the same country."""
    countries = {gaz.entities[i].country for i in ids if i in gaz.entities}
    cc = countries.pop() if len(countries) == 1 else None
    ent = Entity(id="marsad:place:" + key.replace(" ", "-"), type="GPE", name_ar=display,
                 name_en=None, aliases=[i for i in ids], country=cc, geo_precision=3 if cc else None)
    ent.kind = "ambiguous_place"
    return ent


def geocode_place(name: str, country_hint: str | None = None, context: tuple[str, ...] = ()) -> Entity | None:
    """Geocode one place name given alone (e.g. an event location typed by a user): the best
    candidate under ``country_hint`` and the ISO2 ``context`` countries, or None when the name is
    unknown. An ambiguous name gives an entity without coordinates."""
    gaz = Gazetteer.load()
    from .clitics import name_keys
    keys = name_keys(name)
    if not keys:
        return None
    ids: tuple[str, ...] = ()
    curated: set[str] = set()
    for nm in gaz.index.get(keys[0], ()):
        if nm.rest == keys[1:]:
            ids = tuple(dict.fromkeys(ids + nm.ids))
            if nm.prio > PRIO_GEONAMES:
                curated.update(nm.ids)
    ids = tuple(i for i in ids if gaz.entities.get(i) is not None and gaz.entities[i].type in PLACE_TYPES)
    if not ids:
        return None
    ctx = Counter({c.upper(): 1 for c in context})
    if country_hint:
        ctx[country_hint.upper()] += 3
    best, amb = choose_place(gaz, ids, ctx, country_hint, None, curated)
    if amb:
        return ambiguous_entity(gaz, normalize(name), ids, name)
    return gaz.entities.get(best) if best else None
