"""Claim groups and contradictions across articles.

In: the stored claims (entities, places, numbers, time expressions, content words, polarity,
modality) and content embeddings, computed here only for claims with a candidate in another article
(:mod:`marsad.claims.vectors`; equal texts need none). Out: ``claims.group_id`` and the
``claim_groups`` table. Claims of different articles in the same story (or, for articles in no story,
all of them together) are grouped when they assert the same thing: close embeddings plus a shared entity or predicate word
(a shared exact count, "99 صوتا", anchors them as an entity does; most of their main clauses' words
shared lowers the cosine needed; in one development, the same predicate class in both main clauses
with two shared entities lowers it to ``frame_cos``: "اغتيال السنوار" / "السنوار قتل في اشتباك"), and no
mismatch — different numbers, opposite polarity (a denial counts as negation; so does a denied
involvement one claim adds: "X did it, Y was not involved" is not "X did it"), different places,
different relative times or different rounds (counts of "the first round" / "the second") are never
the same claim. Merging is average-free agglomeration: two groups
merge only when no pair across them mismatches. A group's id is ``g`` + the id of its earliest claim,
so it is stable while that claim stays. Groups about the same thing that disagree record each other in
``contradicts``: opposite polarity, a denial (also of an actor's involvement: "عدم تورط طهران"),
opposed predicates, times of one act that cannot meet, and incompatible counts within one development
(casualty tolls need no shared entity: "83 injured" / "124 injured", "no injuries" / "injuries fell";
a toll update or another weekday is no conflict). The stance classifier's ``disagree`` only raises the
confidence of a contradiction found by these rules.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from functools import lru_cache
from itertools import chain, combinations, compress

import numpy as np

from .. import data
from ..gcpause import paused_gc
from ..settings import SETTINGS
from .origins import dumps_ar, group_origins
from .vectors import VectorCache, content_key

_CFG = SETTINGS.claims
SAME_COS = _CFG.same_cos
SAME_COS_STRONG = _CFG.same_cos_strong
RELATED_COS = _CFG.related_cos
CONTRA_COS = _CFG.contra_cos
STANCE_MIN_PROBA = _CFG.stance_min_proba
SAME_PLACE_NAME = _CFG.same_place_name
TIMES_MAX_GAP = _CFG.times_max_gap_days
GROUP_MEAN_COS = _CFG.group_mean_cos
LEXICAL_COS = _CFG.lexical_cos
LEXICAL_MIN_SHARED = _CFG.lexical_min_shared
LEXICAL_CONTAINMENT = _CFG.lexical_containment
LEXICAL_MAX_DF = _CFG.lexical_max_df
FRAME_COS = _CFG.frame_cos
GROUP_SAME_SHARE = _CFG.group_same_share
FRAME_MIN_ENTITIES = _CFG.frame_min_entities
MIN_SAME_COS = min(SAME_COS, SAME_COS_STRONG, LEXICAL_COS, FRAME_COS)   # below it two claims are never one
NEAR_MARGIN = 1e-3      # a cosine of unit float32 vectors summed in another order differs by far less
NEAR_BLOCK = 4096       # candidate pairs whose cosines are computed at once
GRAM_SHARE = 16         # a scope's cosines are all computed when it has more than n*n/16 candidate pairs
GRAM_MAX = 3000         # and no more than this many claims (a 36 MB matrix)


def _claim_rows(tables, story_ids) -> list[dict]:
    """The claims of ``story_ids`` as dicts, JSON columns parsed. Values repeat across claims (one
    outlet, one source; copies; ``[]``): each distinct text is parsed once and its value shared by every
    row and column that holds it (values are only read)."""
    out = []
    shared: dict[str, object] = {}
    keys: dict[str, str] = {}
    for d in tables.claim_rows(story_ids):      # a new dict per claim, completed here
        for k in _JSON_COLUMNS:
            t = d[k]
            if not t:
                d[k] = _EMPTY[k]()
            else:
                v = shared.get(t)
                d[k] = v if v is not None else shared.setdefault(t, _parse(t))
        d["eff_polarity"] = d["polarity"] * (-1 if d["modality"] == "denied" else 1)
        content = d["content"]
        key = keys.get(content)
        d["key"] = key if key is not None else keys.setdefault(content, content_key(content))
        d["vec"] = None         # filled by _encode_candidates for the claims that can join a group
        d["_pubday"] = _day_number(d.get("published"))
        out.append(d)
    return out


def _none() -> None:
    return None


_SCAN = json.JSONDecoder().scan_once


def _parse(text: str):
    """``json.loads(text)`` of a JSON text as the store writes them (no surrounding space): the scanner
    alone, without loads' checks and whitespace matching; anything else through loads."""
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


_JSON_COLUMNS = ("entities", "places", "numbers", "times", "terms", "flags", "chain", "origin", "provenance")
_EMPTY = {**dict.fromkeys(_JSON_COLUMNS, list), "origin": _none}   # a NULL or empty column


def _day_number(published: str | None) -> int | None:
    try:
        return date.fromisoformat((published or "")[:10]).toordinal() if published else None
    except ValueError:
        return None


def _days(c: dict) -> tuple[int, int] | None:
    """The absolute day range (days since 1970) a claim's relative time means, or its relative range
    when the article has no date."""
    r = (c.get("flags") or {}).get("days")
    if not r:
        return None
    base = c.get("_pubday") or 0
    return base + r[0], base + r[1]


def times_differ(a: dict, b: dict) -> bool:
    """Both claims say when, and the days they can mean do not overlap ("last week" / "hours before";
    "today" in Monday's paper and "yesterday" in Tuesday's are the same day). Without both publication
    dates a one-day expression (اليوم، أمس) may be off by the day between two papers. Times more than
    ``times_max_gap_days`` apart ("last year" in an anniversary piece / "yesterday") are different
    happenings rather than a conflict."""
    da, db = _days(a), _days(b)
    if da is None or db is None:
        return False
    dated = a.get("_pubday") is not None and b.get("_pubday") is not None
    if not dated:                       # compare both relative to their own (unknown) publication day
        da, db = tuple((a.get("flags") or {})["days"]), tuple((b.get("flags") or {})["days"])
        da = (da[0] - 1, da[1] + 1) if da[0] == da[1] else da
        db = (db[0] - 1, db[1] + 1) if db[0] == db[1] else db
    gap = max(db[0] - da[1], da[0] - db[1])
    return gap > 0 and gap <= TIMES_MAX_GAP


def _interval(v: int, qual: str) -> tuple[float, float]:
    if qual == ">":
        return v, float("inf")
    if qual == "<":
        return 0, v
    if qual == "~":
        return 0.8 * v, 1.2 * v
    return v, v


@lru_cache(maxsize=1)
def _casualty_units() -> frozenset[str]:
    """Units of people harmed (claim_casualty_words.tsv): their tolls conflict without a shared entity."""
    return frozenset(r["unit"] for r in data.rows("claim_casualty_words.tsv") if r.get("unit"))


def _derived(c: dict, name: str, compute):
    """A value derived from a claim row, computed on first use and kept on the row (rows are compared
    pair by pair many times while groups grow)."""
    v = c.get(name)
    if v is None:
        v = c[name] = compute()
    return v


def _flag(c: dict, name: str) -> list:
    """A list the claim's ``flags`` hold (counts, ordinals, not_involved), empty when absent."""
    return (c.get("flags") or {}).get(name) or []


def _rounds(c: dict) -> frozenset[str]:
    """The round / session / stage ordinals a claim names, without the article (أولى = الأولى)."""
    return _derived(c, "_rounds", lambda: frozenset(_ordinal(o) for o in _flag(c, "ordinals")))


def rounds_differ(a: dict, b: dict) -> bool:
    """Both claims say which round, session or stage they are about, and none is the same ("في الجولة
    الأولى" / "في الدورة الثانية"): they report different happenings, neither the same claim nor a
    conflict."""
    ra, rb = _rounds(a), _rounds(b)
    return bool(ra) and bool(rb) and not ra & rb


def _ordinal(o: str | None) -> str | None:
    return o[2:] if o and o.startswith("ال") else o


def _count_table(c: dict) -> dict[str, list[tuple]]:
    """unit -> [(low, high, round)] of a claim's counts (round: the ordinal the count belongs to, or None)."""
    d = c.get("_count_table")
    if d is None:
        d = c["_count_table"] = {}
        for item in _flag(c, "counts"):
            v, u = item[0], item[1]
            q, r = (item[2] if len(item) > 2 else "="), (item[3] if len(item) > 3 else None)
            d.setdefault(u, []).append((*_interval(v, q), _ordinal(r)))
    return d


def _exact_values(c: dict) -> frozenset:
    return _derived(c, "_exact_values",
                    lambda: frozenset(x[0] for xs in _count_table(c).values() for x in xs if x[0] == x[1]))


def _compare_counts(a: dict, b: dict) -> tuple[list[tuple], bool]:
    """(counts of the same thing that cannot both hold, as (unit, values in a, values in b); whether the
    claims count the same unit only for different rounds). Counts of different rounds or sessions
    ("71 in the first round" / "99 in the second") are different counts: no conflict, but no one claim."""
    if rounds_differ(a, b):
        return [], False
    ta, tb = _count_table(a), _count_table(b)
    exact = [_exact_values(a), _exact_values(b)]
    out, other_round = [], False
    for u in ta.keys() & tb.keys():
        pairs = [(x, y) for x in ta[u] for y in tb[u] if not (x[2] and y[2] and x[2] != y[2])]
        if not pairs:
            other_round = True
            continue
        if {x[0] for x, _ in pairs if x[0] == x[1]} & exact[1] or {y[0] for _, y in pairs if y[0] == y[1]} & exact[0]:
            continue
        if not any(x[0] <= y[1] and y[0] <= x[1] for x, y in pairs):
            out.append((u, sorted({x[0] for x, _ in pairs}), sorted({y[0] for _, y in pairs})))
    return out, other_round


def count_conflicts(a: dict, b: dict) -> list[tuple]:
    """Counts of the same thing that cannot both hold: (unit, values in a, values in b). A sentence that
    gives both rounds' votes (71 then 99) does not conflict with one that gives 99, "more than 100
    injured" does not conflict with "124 injured", counts of different rounds or sessions (الأولى /
    الثانية) are different counts, and a count the other claim gives under another noun ("99 صوتا" /
    "تأييد 99 نائبا") is the same count."""
    return _compare_counts(a, b)[0]


def mismatch(a: dict, b: dict) -> list[str]:
    """Why two claims about the same thing cannot be the same claim (empty when compatible)."""
    why = []
    if a["eff_polarity"] != b["eff_polarity"]:
        why.append("denial" if "denied" in (a["modality"], b["modality"]) else "polarity")
    if "denied" in (a["modality"], b["modality"]) and a["modality"] != b["modality"]:
        why.append("denial")    # a denial never supports what it denies, nor what others report
    if _not_involved(a) != _not_involved(b):
        why.append("denial")    # "X did it, and Y was not involved" also denies; "X did it" does not
    if a["numbers"] and b["numbers"] and not _set(a, "numbers") & _set(b, "numbers"):
        why.append("numbers")
    conflicts, other_round = _compare_counts(a, b)
    if conflicts:
        why.append("numbers")
    if a["places"] and b["places"] and not _set(a, "places") & _set(b, "places") and not _places_nest(a, b):
        why.append("places")
    if facilities_differ(a, b) and "places" not in why:
        why.append("places")
    if other_round or rounds_differ(a, b):
        why.append("rounds")
    if times_differ(a, b) or (a["times"] and b["times"] and not set(a["times"]) & set(b["times"])
                              and _days(a) is None and _days(b) is None):
        why.append("times")
    if opposed(a, b):
        why.append("opposed")
    return why


@lru_cache(maxsize=1)
def _oppositions() -> frozenset[tuple[str, str]]:
    out = set()
    for r in data.rows("claim_oppositions.tsv"):
        out.add(("~" + r["class_a"], "~" + r["class_b"]))
        out.add(("~" + r["class_b"], "~" + r["class_a"]))
    return frozenset(out)


def _predicates(c: dict) -> frozenset[str]:
    """The predicate classes (``~leave``) among a claim's terms."""
    v = c.get("_predicates")
    if v is None:
        v = c["_predicates"] = frozenset(t for t in c["terms"] if t.startswith("~"))
    return v


def opposed(a: dict, b: dict) -> list[str]:
    """Predicate classes of ``a`` and ``b`` that cannot both hold (captured / withdrew)."""
    pa, pb = _predicates(a) - _predicates(b), _predicates(b) - _predicates(a)
    if not pa or not pb:
        return []
    return sorted(f"{x}/{y}" for x in pa for y in pb if (x, y) in _oppositions())


_PLACE_COUNTRY: dict[str, tuple[str | None, int | None]] = {}
_PLACE_NAME: dict[str, str] = {}
_FACILITIES: set[str] = set()


def _facilities(c: dict) -> frozenset[str]:
    return _derived(c, "_facilities", lambda: frozenset(c["entities"]) & _FACILITIES)


def facilities_differ(a: dict, b: dict) -> bool:
    """Both claims name a facility (airport, port, power station, base) and none is the same: they are
    about different targets or sites ("غارة على محطة كهرباء حزيز" / "غارة على محطة كهرباء ذهبان"),
    however alike their wording."""
    fa, fb = _facilities(a), _facilities(b)
    return bool(fa) and bool(fb) and not fa & fb


def _places_nest(a: dict, b: dict) -> bool:
    """A country and a place inside it are compatible (روسيا / موسكو); so are two spellings of one
    place the linker kept apart (قيساريا / قيسارية)."""
    from rapidfuzz import fuzz

    for p in a["places"]:
        for q in b["places"]:
            cp, pp = _PLACE_COUNTRY.get(p, (None, None))
            cq, pq = _PLACE_COUNTRY.get(q, (None, None))
            if cp and cp == cq and (pp == 3 or pq == 3):
                return True
            np_, nq = _PLACE_NAME.get(p), _PLACE_NAME.get(q)
            if np_ and nq and fuzz.ratio(np_, nq) >= SAME_PLACE_NAME:
                return True
    return False


# how sure a contradiction is, by its strongest reason
REASON_CONFIDENCE = {"denial": 0.85, "numbers": 0.7, "opposed": 0.6, "polarity": 0.6, "times": 0.55}
STANCE_BONUS = 0.1


_SET_KEYS = {f: "_set_" + f for f in ("entities", "places", "numbers", "terms", "times")}


def _set(c: dict, field: str) -> frozenset:
    """A claim row's list field as a set, built once per row (pairs of rows are compared many times)."""
    key = _SET_KEYS.get(field) or "_set_" + field
    v = c.get(key)
    if v is None:
        v = c[key] = frozenset(c[field])
    return v


def contradiction(a: dict, b: dict, cos: float) -> tuple[list[str], bool]:
    """(reasons two claims about the same thing contradict, whether to ask the stance classifier).

    Two claims that agree on a negative statement never contradict; the stance classifier alone never
    makes a contradiction (it only adds to the confidence of one found here)."""
    why, ents, terms = _contradiction_head(a, b)
    if ents is None:
        return why, bool(why)
    return _contradiction_tail(a, b, cos, why, ents, terms)


def _contradiction_head(a: dict, b: dict) -> tuple[list[str], frozenset | None, frozenset | None]:
    """What :func:`contradiction` decides without the cosine: (reasons so far, shared entities, shared
    terms), the last two None when those reasons are all there is."""
    ents = _set(a, "entities") & _set(b, "entities")
    why = ["numbers"] if count_conflict(a, b, _casualty_units()) else []
    if not ents:            # a denial of involvement needs a shared entity too (the act's target)
        return why, None, None
    if denies_involvement(a, b) or denies_involvement(b, a):
        why.append("denial")
    terms = _set(a, "terms") & _set(b, "terms")
    if not (terms or opposed(a, b)):
        return why, None, None
    return why, ents, terms


def _contradiction_tail(a: dict, b: dict, cos: float, why: list[str], ents: frozenset,
                        terms: frozenset) -> tuple[list[str], bool]:
    """The rest of :func:`contradiction`, for claims that share an entity and a term or opposed predicates."""
    actors = ents - _set(a, "places") - _set(b, "places")
    preds = _predicates(a) & _predicates(b)
    if preds and times_differ(a, b) or (preds and a["times"] and b["times"] and not set(a["times"]) & set(b["times"])
                                        and _days(a) is None and _days(b) is None):
        why.append("times")     # e.g. "left last week" / "fled hours before": the same act, another time
    if cos >= RELATED_COS and actors and opposed(a, b):
        why.append("opposed")
    if cos < RELATED_COS:
        return why, False
    denied = "denied" in (a["modality"], b["modality"]) and a["eff_polarity"] != b["eff_polarity"]
    if denied and terms:
        why.append("denial")
    close = len(terms) >= 2 and cos >= CONTRA_COS
    if a["eff_polarity"] != b["eff_polarity"] and not denied and close and _negates_other(a, b):
        why.append("polarity")
    if close and "numbers" not in why and count_conflict(a, b, None):
        why.append("numbers")
    return why, bool(why)


def _not_involved(c: dict) -> frozenset[str]:
    v = c.get("_not_involved")
    if v is None:
        v = c["_not_involved"] = frozenset(_flag(c, "not_involved"))
    return v


def denies_involvement(neg: dict, pos: dict) -> bool:
    """``neg`` says an entity was not involved ("عدم تورط طهران") that ``pos`` reports as an actor of the
    act ("إيران حاولت اغتيال نتنياهو"; a place stands for its country's government), and the two share
    another entity (the act's target)."""
    out = _not_involved(neg)
    if not out or pos["eff_polarity"] < 0 or pos["modality"] == "denied":
        return False
    actors = _set(pos, "entities") - _set(pos, "places")
    hit = out & actors or {x for x in out for y in actors if _same_country_actor(x, y)}
    return bool(hit) and bool((_set(neg, "entities") - out) & (_set(pos, "entities") - hit))


def _same_country_actor(place: str, country: str) -> bool:
    """``place`` lies in ``country`` and ``country`` is a whole country (طهران for إيران)."""
    cp, _ = _PLACE_COUNTRY.get(place, (None, None))
    cc, pc = _PLACE_COUNTRY.get(country, (None, None))
    return bool(cp) and cp == cc and pc == 3


def same_development(a: dict, b: dict) -> bool:
    return a.get("story_id") is not None and a.get("story_id") == b.get("story_id")


def count_conflict(a: dict, b: dict, units: frozenset[str] | None) -> bool:
    """Two reports of one development that give incompatible counts of the same thing of ``units`` (any
    unit when None)
    ("83 injured" / "124 injured"; "no injuries" / "injured fell"), with the same polarity, places that
    can be one place and times that can be one time. For casualties no shared entity or wording is
    needed: the development says what happening is counted. Counts in different developments of a
    storyline are counts of different happenings."""
    if not _count_table(a) or not _count_table(b):
        return False        # no unit counted in both (the checks below are pure: their order is free)
    if not same_development(a, b) or a["eff_polarity"] != b["eff_polarity"] or "expected" in (a["modality"], b["modality"]):
        return False
    if a["places"] and b["places"] and not set(a["places"]) & set(b["places"]) and not _places_nest(a, b):
        return False
    fa, fb = a.get("flags") or {}, b.get("flags") or {}
    if fa.get("toll_update") or fb.get("toll_update"):
        return False        # "the toll rose to 124": an update of earlier counts, not a conflict
    if fa.get("weekdays") and fb.get("weekdays") and not set(fa["weekdays"]) & set(fb["weekdays"]):
        return False        # Monday's count and Sunday's
    return any(units is None or c[0] in units for c in count_conflicts(a, b)) and not times_differ(a, b)


def _negates_other(a: dict, b: dict) -> bool:
    """The negative claim's main clause negates a word the positive claim's main clause asserts."""
    neg, pos = (a, b) if a["eff_polarity"] < b["eff_polarity"] else (b, a)
    return bool(set(neg["flags"].get("neg_terms", [])) & set(pos["flags"].get("main_terms", pos["terms"])))


def confidence(reasons: list[str]) -> float:
    base = max((REASON_CONFIDENCE.get(r, 0.0) for r in reasons if r != "stance"), default=0.0)
    return round(min(0.95, base + (STANCE_BONUS if "stance" in reasons else 0.0)), 2)


def _exact_counts(c: dict) -> frozenset[tuple]:
    """(value, unit) of the exact counts a claim gives ("99 صوتا" -> (99, "votes"))."""
    return _derived(c, "_exact_counts",
                    lambda: frozenset((x[0], x[1]) for x in _flag(c, "counts") if len(x) < 3 or x[2] == "="))


def _words(c: dict) -> frozenset[str]:
    return _derived(c, "_words", lambda: frozenset(t for t in c["terms"] if not t.startswith("~")))


def _main_words(c: dict) -> frozenset[str]:
    """The content words of a claim's main clause (:func:`marsad.claims.extract.main_clause`)."""
    def words() -> frozenset[str]:
        main = (c.get("flags") or {}).get("main_terms")
        return _words(c) if main is None else frozenset(t for t in main if not t.startswith("~"))
    return _derived(c, "_main_words", words)


def _main_predicates(c: dict) -> frozenset[str]:
    """Predicate classes (``~kill``) of the words of a claim's main clause."""
    from .extract import predicate_classes

    return _derived(c, "_main_predicates", lambda: frozenset(predicate_classes(_main_words(c))))


def lexical_overlap(a: dict, b: dict) -> bool:
    """The main clauses of the two contents share at least ``lexical_min_shared`` content words, and
    they are at least ``lexical_containment`` of the shorter one's: the same wording, whatever the
    encoder says. Words of a subordinate clause ("... بعد انتهاء مهلة الـ60 يوما") do not count: two
    claims that set different acts in the same circumstances are not one claim."""
    wa, wb = _main_words(a), _main_words(b)
    shared = len(wa & wb)
    return shared >= LEXICAL_MIN_SHARED and shared >= LEXICAL_CONTAINMENT * min(len(wa), len(wb))


def _related(a: dict, b: dict, cos: float) -> tuple[bool, bool]:
    """(same-topic enough to be one claim if compatible, related enough to contradict). A shared exact
    count ("99 صوتا" in both) anchors two claims as a shared entity does; with most of their content
    words shared, a lower cosine (``same_cos``, or ``lexical_cos`` with an anchor) is enough; so is
    ``frame_cos`` for two claims of one development that give the same exact count ("17 قتيلا" / "قتلت
    17 شخصا"), or whose main clauses state the same predicate class and share a word, with
    ``frame_min_entities`` entities in common (the same act on the same participants, worded apart)."""
    ents = _set(a, "entities") & _set(b, "entities")
    anchor = bool(ents) or bool(_exact_counts(a) & _exact_counts(b))
    terms = _set(a, "terms") & _set(b, "terms")
    same = (cos >= SAME_COS and anchor and bool(terms)) or (cos >= SAME_COS_STRONG and (anchor or terms))
    if not same and cos >= min(SAME_COS, LEXICAL_COS) and lexical_overlap(a, b):
        same = cos >= SAME_COS or (anchor and cos >= LEXICAL_COS)
    if not same and cos >= FRAME_COS and same_development(a, b):
        same = bool(_exact_counts(a) & _exact_counts(b)) or (
            len(ents) >= FRAME_MIN_ENTITIES and bool(_main_predicates(a) & _main_predicates(b))
            and bool(_main_words(a) & _main_words(b)))
    related = cos >= RELATED_COS and bool(ents) and (bool(terms) or cos >= SAME_COS)
    return same, related


def _scopes(rows: list[dict], large: set | frozenset = frozenset()) -> dict:
    """Claims compared with each other: those of one storyline (the developments of one thread, so a
    claim repeated across developments is one claim), or of one development outside any storyline or in
    a ``large`` one (a months-long thread of hundreds of developments would otherwise compare every
    claim with every other on each run)."""
    scopes: dict = {}
    for r in rows:
        line = r.get("storyline_id")
        key = ("storyline", line) if line is not None and line not in large else ("story", r["story_id"])
        scopes.setdefault(key, []).append(r)
    return scopes


def group_claims(store, stance=None, story_ids=None) -> int:
    """Regroup the claims of ``story_ids`` (every story with claims when None) and recompute their
    groups' origins and contradictions; other stories' groups are left as they are. Scopes are
    independent: they are regrouped a few hundred developments at a time, so memory does not grow
    with the store."""
    tables = store.claim_tables
    if story_ids is None:
        story_ids = tables.stories_of(tables.processed_articles())
    large = large_storylines(tables)
    story_ids = tables.with_storyline_mates(set(story_ids), skip=large)
    if not story_ids:
        return 0
    _load_places(tables)
    with paused_gc(collect_first=True):   # origin resolution's recursive closures leave cycles holding every row it read
        return sum(_regroup(store, chunk, large, stance)
                   for chunk in _scope_chunks(tables.storylines_of(story_ids), large))


def large_storylines(tables) -> set:
    """Storylines too large to be one scope (``max_scope_stories`` developments or ``max_scope_articles``
    articles): their developments' claims are grouped apart."""
    return tables.large_storylines(int(_CFG.max_scope_stories), int(_CFG.max_scope_articles))


def _load_places(tables) -> None:
    if not _PLACE_COUNTRY:
        for r in tables.places():
            _PLACE_COUNTRY[r["id"]] = (r["country"], r["geo_precision"])
            _PLACE_NAME[r["id"]] = r["name_ar"]
            if r["type"] == "FAC":
                _FACILITIES.add(r["id"])


def _scope_chunks(line_of: dict, large: set):
    """The stories of ``line_of`` (story -> storyline) in chunks of whole scopes of about
    ``regroup_stories`` developments."""
    by_scope: dict = {}
    for sid in sorted(line_of, key=lambda x: (x is None, x or 0)):
        line = line_of[sid]
        by_scope.setdefault(("storyline", line) if line is not None and line not in large else ("story", sid),
                            []).append(sid)
    chunk: list = []
    for stories in by_scope.values():
        chunk += stories
        if len(chunk) >= _CFG.regroup_stories:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _regroup(store, story_ids: list, large: set, stance) -> int:
    """Group the claims of ``story_ids`` (whole scopes), find their contradictions and store the groups
    (only those whose row changed are written); returns the number of groups."""
    tables = store.claim_tables
    rows = _claim_rows(tables, story_ids)
    cache = VectorCache(tables)
    scopes = _scopes(rows, large)
    pairs = {k: _candidate_pairs(m) | _lexical_pairs(m) for k, m in scopes.items()}   # blocked once per scope
    _encode_candidates(scopes, pairs, cache)
    groups_out = []
    for k, members in scopes.items():
        groups_out.extend(_group_scope(members, pairs[k], k))
    _contradictions(groups_out, stance, cache)
    _save_vectors(store, cache)
    for g in groups_out:
        for c in g["contradicts"]:
            c["confidence"] = confidence(c["reasons"])
    tables.replace_groups(story_ids, groups_out)
    return len(groups_out)


def _encode_candidates(scopes: dict, pairs: dict, cache: VectorCache) -> None:
    """Vectors for the claims: each claim's from the store's cache (the ``attributions`` stage caches every
    content it finds), and, encoded now when missing there, those of the claims that can join a group or
    contradict one: with a candidate (:func:`_candidate_pairs`) in another article whose text differs (two
    equal texts need no vector to be the same). The other claims stay without one (``vec`` None). So a
    claim's vector never depends on which other scopes are regrouped with it, nor in which run."""
    vecs = cache.known({c["key"] for members in scopes.values() for c in members})
    if any(c["key"] not in vecs for members in scopes.values() for c in members):
        need: dict[str, str] = {}      # in the order the pairs meet them (the encoder's batches)
        for k, members in scopes.items():
            for i, j in _cross_pairs(members, pairs[k]):
                for c in (members[i], members[j]):
                    if c["key"] not in vecs:
                        need.setdefault(c["key"], c["content"])
        vecs.update(cache.by_key(need))
    for members in scopes.values():
        for c in members:
            c["vec"] = vecs.get(c["key"])


def _save_vectors(store, cache: VectorCache) -> None:
    rows = cache.take_new_rows()
    if rows:
        with store.transaction():
            store.claim_tables.save_vectors(rows)


def _cross_pairs(members: list[dict], pairs: set[tuple[int, int]]):
    """Of a scope's candidate pairs, those of claims from different articles with different texts."""
    for i, j in pairs:
        a, b = members[i], members[j]
        if a["article_id"] != b["article_id"] and a["key"] != b["key"]:
            yield i, j


def _cos(a: dict, b: dict) -> float:
    """Cosine of two claims' contents (1 for the same normalised text, 0 when one has no vector), kept
    on both rows by the other's text key (a row's vector is its text's; a pair is met again as groups
    grow and contradictions are sought; the dot product of two vectors is the same either way round)."""
    ka, kb = a["key"], b["key"]
    if ka == kb:
        return 1.0
    memo = a.get("_cos")
    if memo is None:
        memo = a["_cos"] = {}
    v = memo.get(kb)
    if v is None:
        va, vb = a["vec"], b["vec"]
        v = memo[kb] = 0.0 if va is None or vb is None or len(va) != len(vb) else float(va @ vb)
        b.setdefault("_cos", {})[ka] = v
    return v


def _candidate_pairs(members: list[dict]) -> set[tuple[int, int]]:
    """Pairs of claims that share an entity or a predicate class (lexical blocking: only these are
    compared by embedding)."""
    index: dict[str, list[int]] = {}
    for i, m in enumerate(members):
        keys = m.get("_block_keys")     # one set per row, kept (grouping and contradictions both block)
        if keys is None:
            keys = m["_block_keys"] = set(m["entities"]) | {t for t in m["terms"] if t.startswith("~")}
        for key in keys:
            index.setdefault(key, []).append(i)
    pairs: set[tuple[int, int]] = set()
    for idx in index.values():
        if len(idx) > 1:
            pairs.update(combinations(idx, 2))     # (idx[x], idx[y]), x < y, in loop order
    return pairs


def _lexical_pairs(members: list[dict]) -> set[tuple[int, int]]:
    """Pairs of claims with no shared entity or predicate class that may still say the same thing: they
    give the same exact count, or share ``lexical_min_shared`` content words (words found in more than
    ``lexical_max_df`` claims of the scope do not count)."""
    index: dict = {}
    for i, m in enumerate(members):
        for key in _words(m) | {("#",) + x for x in _exact_counts(m)}:
            index.setdefault(key, []).append(i)
    shared: Counter = Counter()      # pairs in the order first met, as a dict counting them would hold them
    pairs = set()
    for key, idx in index.items():
        if len(idx) < 2 or len(idx) > LEXICAL_MAX_DF:
            continue
        if isinstance(key, tuple):
            pairs.update(combinations(idx, 2))
        else:
            shared.update(combinations(idx, 2))
    return pairs | {p for p, n in shared.items() if n >= LEXICAL_MIN_SHARED}


def _count_pairs(members: list[dict]) -> set[tuple[int, int]]:
    """Pairs of claims of one development that count the same casualties (contradiction candidates
    that need no shared entity)."""
    index: dict[tuple, list[int]] = {}
    units = _casualty_units()
    for i, m in enumerate(members):
        for u in {item[1] for item in (m.get("flags") or {}).get("counts") or [] if item[1] in units}:
            index.setdefault((m.get("story_id"), u), []).append(i)
    pairs = set()
    for (story, _), idx in index.items():
        if story is None:
            continue
        pairs.update(combinations(idx, 2))
    return pairs


def _group_scope(members: list[dict], candidates: set[tuple[int, int]], scope: tuple) -> list[dict]:
    """Groups of one scope's claims (``scope``: its key, within which contradictions are sought too)."""
    n = len(members)
    dim = next((len(m["vec"]) for m in members if m["vec"] is not None), 0)
    V = np.zeros((n, max(dim, 1)), dtype=np.float32)
    for i, m in enumerate(members):
        if m["vec"] is not None and len(m["vec"]) == dim:
            V[i] = m["vec"]
    kid: dict[str, int] = {}
    keys = np.array([kid.setdefault(m["key"], len(kid)) for m in members])
    parent = list(range(n))
    group_members = {i: [i] for i in range(n)}
    pairs = []
    for i, j in _may_reach(members, V, keys, candidates, MIN_SAME_COS):
        a, b = members[i], members[j]
        if a["article_id"] == b["article_id"]:
            continue        # an article saying a thing twice does not corroborate it
        cos = _cos(a, b)
        if cos < MIN_SAME_COS:
            continue
        same, _ = _related(a, b, cos)
        if same and not mismatch(a, b):
            pairs.append((cos, i, j))
    pairs.sort(reverse=True)

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    clash, alike = _pair_cache(lambda x, y: bool(mismatch(members[x], members[y]))), \
        _pair_cache(lambda x, y: _related(members[x], members[y], _cos(members[x], members[y]))[0])
    for _, i, j in pairs:
        ri, rj = find(i), find(j)
        if ri == rj:
            continue
        if any(clash(x, y) for x in group_members[ri] for y in group_members[rj]):
            continue
        if len(group_members[ri]) + len(group_members[rj]) > 2 and \
                _mean_cos(V, keys, group_members[ri], group_members[rj]) < GROUP_MEAN_COS and \
                not _mostly_same(members, group_members[ri], group_members[rj], alike):
            continue        # average linkage: a chain of pairwise-similar claims is not one claim
        parent[rj] = ri
        group_members[ri].extend(group_members.pop(rj))
    return [_group(sorted((members[i] for i in idxs), key=_claim_order), scope) for idxs in group_members.values()]


def _group(cs: list[dict], scope: tuple) -> dict:
    """A group of claims ``cs`` (in :func:`_claim_order`) as stored: its id, text, articles, outlets, origins."""
    rep = max(cs, key=lambda c: (len(c["chain"]), -len(c["text"]) if len(c["text"]) > 400 else len(c["text"])))
    first = cs[0]
    outlets = sorted({(c["chain"][0].get("name_ar") or c["chain"][0].get("name") if c["chain"] else None) or "?"
                      for c in cs})
    return {"id": "g" + first["id"][1:], "story_id": first["story_id"], "claims": cs, "text": rep["text"],
            "scope": scope, "article_ids": sorted({c["article_id"] for c in cs}), "outlets": outlets,
            "origins": _origins(cs), "modality": first["modality"], "polarity": first["eff_polarity"],
            "contradicts": []}


def _may_reach(members: list[dict], V: np.ndarray, keys: np.ndarray, candidates: set[tuple[int, int]],
               floor: float) -> list[tuple[int, int]]:
    """Of ``candidates`` (in their order), those whose cosine (:func:`_cos`) may reach ``floor``: all but
    the pairs of two encoded claims whose cosine, computed for all pairs at once, is more than
    ``NEAR_MARGIN`` below it (far more than the rounding error of the other summation order), so the
    exact cosine is computed pair by pair only where it can matter."""
    cand = list(candidates)
    if not cand:
        return cand
    ij = np.fromiter(chain.from_iterable(cand), dtype=np.int64, count=2 * len(cand)).reshape(-1, 2)
    vec = np.fromiter((m["vec"] is not None and len(m["vec"]) == V.shape[1] for m in members), dtype=bool,
                      count=len(members))
    keep = (keys[ij[:, 0]] == keys[ij[:, 1]]) | ~(vec[ij[:, 0]] & vec[ij[:, 1]])
    if len(members) <= GRAM_MAX and len(cand) * GRAM_SHARE >= len(members) ** 2:   # many pairs: every cosine
        # at once (no copies of the pairs' rows)
        keep |= (V @ V.T)[ij[:, 0], ij[:, 1]] >= floor - NEAR_MARGIN
        return list(compress(cand, keep.tolist()))
    for k in range(0, len(cand), NEAR_BLOCK):
        i, j = ij[k:k + NEAR_BLOCK, 0], ij[k:k + NEAR_BLOCK, 1]
        keep[k:k + NEAR_BLOCK] |= np.einsum("ij,ij->i", V[i], V[j]) >= floor - NEAR_MARGIN
    return list(compress(cand, keep.tolist()))


def _claim_order(c) -> tuple:
    """A group's claims in article and sentence order."""
    return c["article_id"], c["start"], c["id"]


def _origins(cs: list[dict]) -> list[dict]:
    """The distinct origins of a group's claims (``cs`` in :func:`_claim_order`)."""
    return group_origins([{"claim_id": c["id"], "article_id": c["article_id"], "outlet": c["chain"][0].get("name"),
                           "origin": c["origin"] or {"key": "?", "name": "?"}, "provenance": c["provenance"],
                           "copied_from": c["copied_from"]} for c in cs])


def refresh_origins(store, claim_ids) -> int:
    """Recompute the origins of the groups holding ``claim_ids``: claims whose origin changed while their
    group did not (a passage they copy turned out to come from an article stored later). Group
    membership never depends on origins, so these groups need no regrouping. Returns the number of
    groups updated."""
    tables = store.claim_tables
    by_group: dict[str, list[dict]] = {}
    for r in tables.group_member_rows(tables.groups_of_claims(claim_ids)):
        by_group.setdefault(r["group_id"], []).append({
            "id": r["id"], "article_id": r["article_id"], "start": r["start"], "chain": json.loads(r["chain"] or "[]"),
            "origin": json.loads(r["origin"]) if r["origin"] else None,
            "provenance": json.loads(r["provenance"]) if r["provenance"] else [], "copied_from": r["copied_from"]})
    updates = []
    for gid, cs in by_group.items():
        origins = _origins(sorted(cs, key=_claim_order))
        updates.append((dumps_ar(origins), len(origins), gid))
    tables.save_group_origins(updates)
    return len(updates)


def _pair_cache(fn):
    """``fn(x, y)`` of two member indices, computed once per unordered pair (groups that fail to merge
    are compared again as they grow)."""
    done: dict[tuple[int, int], bool] = {}

    def get(x: int, y: int) -> bool:
        k = (x, y) if x < y else (y, x)
        v = done.get(k)
        if v is None:
            v = done[k] = fn(*k)
        return v
    return get


def _mostly_same(members: list[dict], gi: list[int], gj: list[int], alike=None) -> bool:
    """At least ``group_same_share`` of the pairs across two groups (of different articles) are one
    claim on their own (:func:`_related`; ``alike(x, y)`` when given): the groups agree even where the
    encoder scores them apart (the same count or act worded differently)."""
    alike = alike or (lambda x, y: _related(members[x], members[y], _cos(members[x], members[y]))[0])
    pairs = [(x, y) for x in gi for y in gj if members[x]["article_id"] != members[y]["article_id"]]
    if not pairs:
        return False
    return sum(1 for x, y in pairs if alike(x, y)) >= GROUP_SAME_SHARE * len(pairs)


def _mean_cos(V: np.ndarray, keys: np.ndarray, gi: list[int], gj: list[int]) -> float:
    """Mean cosine across two groups (equal texts count 1 whether encoded or not)."""
    m = V[gi] @ V[gj].T
    m[keys[gi][:, None] == keys[gj][None, :]] = 1.0
    return float(m.mean())


def _contradictions(groups: list[dict], stance=None, encoder=None) -> None:
    by_scope: dict = {}
    for g in groups:
        by_scope.setdefault(g["scope"], []).append(g)
    for gs in by_scope.values():
        if len(gs) < 2:
            continue
        members = [(gi, c) for gi, g in enumerate(gs) for c in g["claims"]]
        if not members:
            continue
        best_of: dict[tuple[int, int], tuple] = {}
        claims = [c for _, c in members]
        # :func:`_contradiction_head` pair by pair, on each claim's sets taken once (the checks it skips
        # here are those that cannot hold: a count conflict without counts in both, a denial of
        # involvement by a claim that denies none, opposed predicates without one of each side's own)
        group_of = [gi for gi, _ in members]
        article = [c["article_id"] for c in claims]
        entities = [_set(c, "entities") for c in claims]
        terms_of = [_set(c, "terms") for c in claims]
        units = _casualty_units()
        tolls = [_count_table(c).keys() & units for c in claims]    # a conflict of casualty counts needs
        development = [c.get("story_id") if t else None for c, t in zip(claims, tolls)]   # counts of one
        # such unit in both claims, of one development (:func:`same_development`)
        denier = [bool(_not_involved(c)) for c in claims]
        preds = [_predicates(c) for c in claims]
        for i, j in _candidate_pairs(claims) | _count_pairs(claims):
            gi, gj = group_of[i], group_of[j]
            if gi == gj or article[i] == article[j]:
                continue
            a, b = claims[i], claims[j]
            ents = entities[i] & entities[j]
            why = ["numbers"] if development[i] is not None and development[i] == development[j] \
                and not tolls[i].isdisjoint(tolls[j]) and count_conflict(a, b, units) else []
            if not ents:
                if not why:
                    continue
                ents = terms = None
            else:
                if denier[i] and denies_involvement(a, b) or denier[j] and denies_involvement(b, a):
                    why.append("denial")
                terms = terms_of[i] & terms_of[j]
                if not terms and (preds[i] <= preds[j] or preds[j] <= preds[i] or not opposed(a, b)):
                    if not why:
                        continue
                    ents = None
            cos = _cos(a, b)
            why, ask = (why, True) if ents is None else _contradiction_tail(a, b, cos, why, ents, terms)
            if not (why or ask):
                continue
            key = (min(gi, gj), max(gi, gj))
            if gi > gj:
                a, b = b, a
            cur = best_of.get(key)
            if cur is None or (len(why), cos) > (len(cur[0]), cur[3]):
                best_of[key] = (why, a, b, cos)
        cands = [(i, j, *v) for (i, j), v in sorted(best_of.items()) if v[0]]   # the stance classifier alone
        stance_says = {}                                                         # never makes a contradiction
        if stance is not None and cands:
            try:
                probs = stance.predict_proba([(c[3]["content"], c[4]["content"]) for c in cands], encoder=encoder)
                stance_says = {k: p for k, p in enumerate(probs)}
            except Exception:  # noqa: BLE001  (the classifier is an optional extra signal)
                stance_says = {}
        for k, (i, j, why, a, b, cos) in enumerate(cands):
            reasons = list(why)
            p = stance_says.get(k)
            if p and p.get("disagree", 0) >= STANCE_MIN_PROBA:
                reasons.append("stance")
            gs[i]["contradicts"].append({"group_id": gs[j]["id"], "reasons": reasons, "claim_id": a["id"],
                                         "other_claim_id": b["id"], "similarity": round(cos, 3)})
            gs[j]["contradicts"].append({"group_id": gs[i]["id"], "reasons": reasons, "claim_id": b["id"],
                                         "other_claim_id": a["id"], "similarity": round(cos, 3)})
