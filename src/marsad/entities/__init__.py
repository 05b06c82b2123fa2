"""Entities: recognise, link and geocode the people, organisations and places of a text.

In: a text (an article's display text) and optionally the ISO2 code of the country it is about.
Out: ``extract_entities(text, country_hint=None) -> (mentions, entities)`` — a list of
:class:`marsad.model.Mention` with exact character offsets into ``text``
(``text[m.start:m.end] == m.text``), a type among PER / ORG / GPE / LOC / FAC / NORP and an
``entity_id``, and the :class:`marsad.model.Entity` records they link to, by id (canonical
Arabic and English names, aliases, kind, Wikidata id where known; for places coordinates,
country, admin1 and ACLED geo precision). ``get_entity(id)`` returns any entity by id.

Spans: a mention covers the name as written without attached و ف ب ل ك (والأسد → الأسد,
بالعراق → العراق) and keeps the article ال (السوري, الكرملين); after لل, where the article's alef
is not written, it is the stem (للأسد → أسد). Titles are not part of a person's span
(الرئيس الروسي فلاديمير بوتين → PER فلاديمير بوتين, and NORP الروسي → Russia), nor are trigger
nouns for names that are not names without them (معبر نصيب → FAC نصيب, Nasib crossing;
وكالة “بلومبيرج” → ORG بلومبيرج). Nationality adjectives are NORP mentions linked to their
country. For "ريف حلب" / "شمال إدلب" the mention is the place (حلب) and ``Mention.location_id``
names a derived area entity (precision 2) — as NER corpora annotate such phrases.

Linking: spelling variants (بلومبيرج / بلومبيرغ, البوكمال / البو كمال / أبو كمال), short forms
(الأسد, and any surname once the full name appeared in the text), metonyms as their own ORG
entities (الكرملين = the Russian presidency; موسكو stays the city). Places with one name and
several candidates are chosen by country context, population and nearness
(:mod:`marsad.entities.geocode`); ambiguous ones keep no coordinates.

Names in no list come from the statistical tagger (:mod:`marsad.entities.tagger`) when its
model file is installed; without it, dictionary matching and patterns still work.

Resources load once per process, lazily (safe in worker processes: nothing unpicklable is
created at import time). Sources of every lexicon: see :mod:`marsad.entities.gazetteer` and the
headers of the files under ``marsad/data/``.
"""

from __future__ import annotations

import threading

from ..model import Entity, Mention

__all__ = ["extract_entities", "get_entity", "get_linker", "tagger_available", "ner_spans"]

_LINKER = None
_LOCK = threading.Lock()


def get_linker():
    """The process-wide :class:`marsad.entities.linker.Linker` (gazetteer loaded on first call)."""
    global _LINKER
    if _LINKER is None:
        with _LOCK:
            if _LINKER is None:
                from .linker import Linker
                _LINKER = Linker()
    return _LINKER


def extract_entities(text: str, country_hint: str | None = None, *, use_tagger: bool = True
                     ) -> tuple[list[Mention], dict[str, Entity]]:
    """Mentions of ``text`` (sorted by offset, not overlapping) and the entities they link to.

    ``country_hint``: ISO2 code of the country the text is about (e.g. from the story), used to
    choose among same-named places. ``use_tagger=False`` skips the statistical tagger.
    """
    if not text:
        return [], {}
    return get_linker().extract(text, country_hint, use_tagger=use_tagger)


def get_entity(entity_id: str) -> Entity | None:
    """Any entity by id: gazetteer entities (Wikidata ``Q…``, GeoNames ``gn:…``, curated
    ``marsad:…``) and derived ones (``marsad:area:…``, ``marsad:ministry:…``, tagger ids)."""
    from .linker import entity_for_id
    return entity_for_id(get_linker().gaz, entity_id)


def ner_spans(text: str) -> list[tuple[int, int, str]]:
    """Flat ``(start, end, PER|ORG|LOC)`` spans for NER evaluation (``marsad tag``): the
    tagger's spans first, gazetteer names where it found nothing, without nationality
    adjectives and descriptive organisation names (see :func:`marsad.entities.linker.ner_spans`)."""
    from .linker import ner_spans as _ner_spans
    return _ner_spans(get_linker(), text) if text else []


def tagger_available() -> bool:
    """Whether the statistical tagger's model could be loaded."""
    return get_linker().tagger is not None
