"""The data model: the only thing pipeline stages share.

In: nothing. Out: plain dataclasses for every record that moves between stages
(``Document`` → ``Article`` → ``Sentence`` → ``Mention`` → ``Entity``; later ``Attribution``,
``Claim``, ``Event``, ``Story``). Offsets are character offsets into ``Article.text``, which never
changes once stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Document:
    """One raw input: the bytes of a file, a URL's response, a JSONL record, a feed item or a WARC record."""

    source: str                      # path or URL (with "#line=N" / "#item=N" for records inside a file)
    sha256: str                      # hash of the bytes this document came from
    kind: str                        # txt | html | jsonl | rss | warc | url
    content: str                     # decoded text or HTML
    is_html: bool = False
    encoding: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # title / published / outlet / url given by the container


@dataclass
class Article:
    """One clean article. ``text`` is the display text; matching uses ``marsad.text.normalize``."""

    source: str
    text: str
    title: str | None = None
    title_derived: bool = False      # True when the page gave no title and the lead sentence stands in
    outlet: str | None = None
    byline: str | None = None
    published: str | None = None     # ISO date (YYYY-MM-DD) or None
    published_raw: str | None = None  # the date string as the text gives it
    cited_source: str | None = None  # "المصدر: X": the whole article is X's
    language: str | None = None
    removed: list[str] = field(default_factory=list)  # page furniture dropped, in order
    part: int = 0                    # index of this article inside its document
    id: int | None = None
    document_sha256: str | None = None
    url: str | None = None
    duplicate_of: int | None = None
    story_id: int | None = None


@dataclass
class Sentence:
    article_id: int
    index: int
    start: int
    end: int


@dataclass
class Entity:
    id: str                          # canonical id, e.g. "Q858" (Wikidata) or "gn:170654" or "marsad:..."
    type: str                        # PER | ORG | GPE | LOC | FAC | NORP
    name_ar: str
    name_en: str | None = None
    aliases: list[str] = field(default_factory=list)
    lat: float | None = None
    lon: float | None = None
    country: str | None = None       # ISO 3166-1 alpha-2
    admin1: str | None = None
    geo_precision: int | None = None  # ACLED: 1 town, 2 part of a region / near a town, 3 region or country
    wikidata: str | None = None      # Wikidata QID when known
    kind: str | None = None          # finer kind: country, populated_place, border_crossing, news_agency, armed_group, minister ...


@dataclass
class Mention:
    article_id: int | None
    start: int
    end: int
    text: str
    type: str
    entity_id: str | None = None
    score: float = 1.0
    method: str = "gazetteer"        # gazetteer | tagger | pattern
    location_id: str | None = None   # for places: the area this mention locates when a qualifier narrows it
                                     # ("ريف حلب", "شمال إدلب" → a derived area entity); None = entity_id itself
