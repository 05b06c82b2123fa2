"""Event lexicons loaded from data files.

In: ``data/acled_taxonomy.tsv``, ``data/event_triggers.tsv``, ``data/actors.tsv``. Out: a cached
:class:`Lexicon` with compiled trigger rows, block cues, fatality patterns, relative-date phrases,
the ACLED taxonomy (sub-event type → event type, disorder type, note template) and the actor table
(by entity id and by normalised phrase).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .. import data
from ..text import normalize, strip_clitics


def word_key(word: str) -> str:
    """A normalised word without proclitics (and without a remaining ال), for phrase matching."""
    return bare_key(strip_clitics(normalize(word)))


def bare_key(bare: str) -> str:
    """:func:`word_key` of a word already normalised and stripped of its proclitics."""
    return bare[2:] if bare.startswith("ال") and len(bare) >= 5 else bare


@dataclass
class TriggerRow:
    tokens: list[re.Pattern]
    sub_event_type: str
    context: re.Pattern | None
    needs_place: bool
    needs_actor: bool
    subject: str
    object: bool
    gloss: str


@dataclass
class Actor:
    name: str
    inter: int
    country: str | None
    weak: bool


@dataclass
class Lexicon:
    taxonomy: dict[str, dict[str, str]]
    triggers: list[TriggerRow]
    first_token: re.Pattern
    block: re.Pattern
    fatalities: list[re.Pattern]
    dates: list[tuple[list[str], str]]
    actors_by_id: dict[str, Actor]
    actors_by_phrase: dict[tuple[str, ...], Actor]
    max_phrase: int = 1
    by_first: dict[int, list[int]] = field(default_factory=dict)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    taxonomy = {r["sub_event_type"]: r for r in data.rows("acled_taxonomy.tsv")}
    triggers, firsts, fatal, dates, block = [], [], [], [], None
    for r in data.rows("event_triggers.tsv"):
        kind, pat = r["kind"], normalize(r["pattern"])
        if kind == "trigger":
            if r["sub_event_type"] not in taxonomy:
                raise ValueError(f"event_triggers.tsv: unknown sub-event type {r['sub_event_type']!r}")
            toks = [re.compile(t) for t in pat.split(" ")]
            needs = r.get("needs") or ""
            triggers.append(TriggerRow(toks, r["sub_event_type"],
                                       re.compile(normalize(r["context"])) if r.get("context") else None,
                                       "place" in needs, "actor" in needs, r.get("subject") or "actor1",
                                       (r.get("object") or "0") == "1", r.get("gloss") or ""))
            firsts.append(toks[0].pattern)
        elif kind == "block":
            block = re.compile(f"(?:{pat})")
        elif kind == "fatality":
            fatal.append(re.compile(pat))
        elif kind == "date":
            dates.append((pat.split(" "), r["sub_event_type"]))
    by_id, by_phrase = {}, {}
    for r in data.rows("actors.tsv"):
        a = Actor(r["actor"], int(r["inter"]), r.get("country") or None, (r.get("weak") or "0") == "1")
        m = r["match"]
        if re.match(r"^(Q\d+|gn:|marsad:)", m):
            by_id[m] = a
        else:
            by_phrase[tuple(word_key(w) for w in m.split())] = a
    first = re.compile("(?:" + "|".join(sorted(set(firsts))) + ")")
    dates.sort(key=lambda d: -len(d[0]))
    lex = Lexicon(taxonomy, triggers, first, block or re.compile("(?!)"), fatal, dates, by_id, by_phrase,
                  max(len(k) for k in by_phrase) if by_phrase else 1)
    return lex
