"""What one article says about its development, and how strongly two articles share one.

In: an article's title, display text, published date and entity mentions (with each entity's type,
country and geocoding precision when the entity stage has run). Out: an :class:`ArticleProfile`:

- ``lead``: character n-gram TF-IDF of the title and lead (the opening ``lead_chars`` characters), so
  the recap paragraphs at the end of an article never glue two developments together, with the title
  and first ``lead_head_chars`` characters weighing ``w_lead_head`` more;
- ``topic``: the same over the whole text, kept to its heaviest buckets (used for storylines);
- ``keys``: entities named in the lead, a whole country marked ``country:`` (it names the arena that
  many developments share, so a shared country counts ``w_country_key`` of a shared entity); ``persons``
  (linked people) and ``cities`` (places at town precision) among them; ``entities``: every entity
  the article names (storyline profile);
- ``weekdays`` named in the lead ("الخميس", "أمس الأحد") and ``days``: the article's date when
  known and dates written out in its opening (proleptic ordinals).

:func:`pair_score` scores two profiles: lead TF-IDF cosine, plus the bundled sentence encoder's
cosine above a floor, plus shared lead entities, minus penalties for conflicting evidence (different
weekdays, dates a month apart, different people, different towns). It returns the score and the
signals behind it, which the store keeps to explain why an article joined its development.
Every weight is in ``settings.cfg`` ``[link]``. Nothing here depends on other articles, so a pair
scores the same whatever else has been stored: the property that makes linking order-independent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np

from .. import data
from ..clean.dates import find_date
from ..settings import SETTINGS
from ..text import normalize
from . import chargrams

_WORD = re.compile(r"\w+")
_GENERIC_PERSON = "marsad:per:"          # an unlinked one-word name: too weak to tell people apart
_UNLINKED = ("marsad:per:", "marsad:org:", "marsad:loc:")   # ids of names linked to no known entity
COUNTRY_KEY = "country:"                 # lead key of a whole country: "country:" + its entity id


@dataclass
class ArticleProfile:
    article_id: int
    lead: dict[int, float] = field(default_factory=dict)
    topic: dict[int, float] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    weekdays: list[int] = field(default_factory=list)
    days: list[int] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)   # entity id -> the name as written


@lru_cache(maxsize=1)
def _weekdays() -> dict[str, int]:
    return {normalize(r["word"]): int(r["weekday"]) for r in data.rows("link_time_words.tsv")}


def weekdays_named(text: str) -> list[int]:
    """Weekdays (Monday = 0) a text names, with or without و / ب / ال, not after كل / منذ."""
    table = _weekdays()
    out: set[int] = set()
    words = _WORD.findall(normalize(text))
    for i, w in enumerate(words):
        for prefix in ("", "و", "ب", "وب"):
            if w.startswith(prefix) and w[len(prefix):] in table:
                if not (i and words[i - 1] in ("كل", "منذ")):
                    out.add(table[w[len(prefix):]])
                break
    return sorted(out)


def _ordinal(iso: str | None) -> int | None:
    try:
        return date.fromisoformat(iso[:10]).toordinal() if iso else None
    except ValueError:
        return None


def lead_text(title: str | None, title_derived: bool, text: str, chars: int | None = None) -> str:
    """The title (when the page gave one) and the opening characters of the text."""
    chars = chars or SETTINGS.link.lead_chars
    head = "" if (title_derived or not title) else title.strip() + "\n"
    return head + text[:chars]


def _lead_vector(title: str | None, title_derived: bool, text: str, lead: str) -> dict[int, float]:
    """TF-IDF of the title and lead, the title and opening ``lead_head_chars`` weighing ``w_lead_head``
    more: a news report says what happened first, and what follows drifts to reactions and background."""
    cfg = SETTINGS.link
    vec = chargrams.tfidf(lead)
    if cfg.w_lead_head <= 0 or cfg.lead_head_chars >= cfg.lead_chars:
        return vec
    for k, v in chargrams.tfidf(lead_text(title, title_derived, text, cfg.lead_head_chars)).items():
        vec[k] = vec.get(k, 0.0) + cfg.w_lead_head * v
    norm = sum(v * v for v in vec.values()) ** 0.5
    return {k: v / norm for k, v in vec.items()} if norm else {}


def _is_country(mention: dict) -> bool:
    """A whole country (a place or nationality linked to a place of country precision: لبنان,
    اللبناني): it names the arena many developments share more than the happening."""
    return mention.get("type") in ("GPE", "NORP") and mention.get("geo_precision") == 3


def article_profile(article_id: int, title: str | None, title_derived: bool, text: str,
                    published: str | None, mentions: list[dict]) -> ArticleProfile:
    """Profile of one article; ``mentions``: dicts with start, type, entity_id, text, geo_precision."""
    return with_mentions(text_profile(article_id, title, title_derived, text, published), mentions)


def text_profile(article_id: int, title: str | None, title_derived: bool, text: str,
                 published: str | None) -> ArticleProfile:
    """The part of an article's profile its text alone gives (lead and topic vectors, weekdays, dates):
    what the ``signatures`` stage computes per article, before the entity mentions are stored."""
    cfg = SETTINGS.link
    lead = lead_text(title, title_derived, text)
    topic = chargrams.tfidf(text, keep=cfg.topic_buckets)
    p = ArticleProfile(article_id, lead=_lead_vector(title, title_derived, text, lead), topic=topic)
    p.weekdays = weekdays_named(text[:cfg.lead_chars])
    days = {_ordinal(published)}
    found = find_date(text[:cfg.date_chars])
    days.add(_ordinal(found[0]) if found else None)
    p.days = sorted(d for d in days if d is not None)
    return p


def with_mentions(p: ArticleProfile, mentions: list[dict]) -> ArticleProfile:
    """``p`` with what the article's stored entity mentions give: entities, lead keys, names, persons, cities."""
    cfg = SETTINGS.link
    keys: dict[str, None] = {}
    for m in mentions:
        eid = m.get("entity_id")
        if not eid:
            continue
        if eid not in p.entities:
            p.entities.append(eid)
        if m["start"] >= cfg.lead_chars:
            continue
        key = COUNTRY_KEY + eid if _is_country(m) else eid
        p.names.setdefault(key, m.get("name") or m.get("text") or eid)
        keys[key] = None
        if m.get("type") == "PER" and not eid.startswith(_GENERIC_PERSON) and eid not in p.persons:
            p.persons.append(eid)
        if m.get("geo_precision") == 1 and eid not in p.cities:
            p.cities.append(eid)
    p.keys = list(keys)
    p.names = {k: v for k, v in p.names.items() if k in keys}
    return p


def key_overlap(sa: set[str], sb: set[str]) -> tuple[float, list[str]]:
    """Weighted Jaccard of two leads' entity keys, and the shared keys: a shared whole country counts
    ``w_country_key`` of a shared entity, and a key named in one lead only counts ``w_unlinked_key`` in the
    union when it is linked to no known entity (a name the tagger alone found: whether the other article's
    tagger finds it too is less sure than a difference between known entities)."""
    return _key_jaccard(sa, sb), sorted(sa & sb)


def _key_jaccard(sa: set[str], sb: set[str]) -> float:
    """The weighted Jaccard of :func:`key_overlap`, without the shared keys."""
    common = sa & sb
    if not common:
        return 0.0
    w = SETTINGS.link.w_unlinked_key
    union = len(common) + sum(w if k.startswith(_UNLINKED) else 1.0 for k in sa ^ sb)
    return _shared_weight(common) / union


def pair_score_value(a: ArticleProfile, b: ArticleProfile, encoder_cosine: float, text_cosine: float | None = None,
                     key_sets: tuple[set[str], set[str]] | None = None) -> float:
    """The score of :func:`pair_score` without its signals (the same arithmetic in the same order, so the
    same float), for the many pairs that fall short of ``join_score``; ``key_sets``: the two profiles'
    ``set(keys)`` when the caller keeps them."""
    cfg = SETTINGS.link
    text = chargrams.cosine(a.lead, b.lead) if text_cosine is None else text_cosine
    meaning = cfg.w_encoder * max(encoder_cosine - cfg.encoder_floor, 0.0)
    if a.keys and b.keys:
        jaccard = _key_jaccard(*key_sets) if key_sets is not None else _key_jaccard(set(a.keys), set(b.keys))
    else:
        jaccard = 0.0
    keys = cfg.w_keys * jaccard
    penalty = 0.0
    if a.weekdays and b.weekdays and set(a.weekdays).isdisjoint(b.weekdays):
        penalty += cfg.p_weekday
    gap = day_gap(a.days, b.days)
    if gap is not None and gap > cfg.date_gap_days:
        penalty += cfg.p_date
    if a.persons and b.persons and set(a.persons).isdisjoint(b.persons):
        penalty += cfg.p_person
    if a.cities and b.cities and set(a.cities).isdisjoint(b.cities):
        penalty += cfg.p_city
    return text + meaning + keys - penalty


def _shared_weight(shared) -> float:
    w = SETTINGS.link.w_country_key
    return sum(w if k.startswith(COUNTRY_KEY) else 1.0 for k in shared)


def pair_score(a: ArticleProfile, b: ArticleProfile, encoder_cosine: float,
               text_cosine: float | None = None) -> tuple[float, dict]:
    """Same-development score of two articles and the signals behind it (see module docstring);
    ``text_cosine``: the lead TF-IDF cosine when the caller computed it already."""
    cfg = SETTINGS.link
    text = chargrams.cosine(a.lead, b.lead) if text_cosine is None else text_cosine
    meaning = cfg.w_encoder * max(encoder_cosine - cfg.encoder_floor, 0.0)
    jaccard, shared = key_overlap(set(a.keys), set(b.keys)) if a.keys and b.keys else (0.0, [])
    keys = cfg.w_keys * jaccard
    signals: dict = {"lead_text": round(text, 3), "encoder": round(meaning, 3), "shared_entities": round(keys, 3),
                     "entities": [a.names.get(k) or b.names.get(k) or k for k in shared[:6]]}
    penalty = 0.0
    if a.weekdays and b.weekdays:
        both = set(a.weekdays).intersection(b.weekdays)
        if both:
            signals["weekday"] = sorted(both)
        else:
            penalty += cfg.p_weekday
            signals["weekday_conflict"] = [a.weekdays, b.weekdays]
    gap = day_gap(a.days, b.days)
    if gap is not None and gap > cfg.date_gap_days:
        penalty += cfg.p_date
        signals["date_conflict"] = [date.fromordinal(a.days[0]).isoformat(), date.fromordinal(b.days[0]).isoformat()]
    if a.persons and b.persons and set(a.persons).isdisjoint(b.persons):
        penalty += cfg.p_person
        signals["person_conflict"] = True
    if a.cities and b.cities and set(a.cities).isdisjoint(b.cities):
        penalty += cfg.p_city
        signals["place_conflict"] = True
    score = text + meaning + keys - penalty
    signals["score"] = round(score, 3)
    return score, signals


def day_gap(xs: list[int], ys: list[int]) -> int | None:
    """Days between the closest dates of two lists of ordinal days, None when either is empty."""
    return min(abs(x - y) for x in xs for y in ys) if xs and ys else None


def dense_query(vec: dict[int, float]) -> np.ndarray:
    """A dense copy of a sparse vector, to score many candidates against it quickly."""
    q = np.zeros(chargrams.BUCKETS, dtype=np.float32)
    if vec:
        q[np.fromiter(vec.keys(), dtype=np.int64, count=len(vec))] = np.fromiter(vec.values(), dtype=np.float32, count=len(vec))
    return q
