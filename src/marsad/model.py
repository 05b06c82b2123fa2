"""The data model: the only thing pipeline stages share.

In: nothing. Out: plain dataclasses for every record that moves between stages
(``Document`` → ``Article`` → ``Sentence``, ``Mention``, ``Entity``, ``Attribution``, ``Claim``,
``EventMention``; across articles ``Copy``, ``Story``, ``Storyline``, ``ClaimGroup``, ``Event``) and
:class:`AnalysedArticle`, the bundle per-article stages (:mod:`marsad.stages`) take and return
enriched. Offsets are character offsets into ``Article.text``, which never changes once stored.
This module is the contract between stages, the runner and the store: a field a stage produces is
declared here, so nothing is lost between stages and guessed back.
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


@dataclass
class Attribution:
    """Who a sentence says said it: the chain of sources after the outlet, outermost first."""

    sentence_idx: int                                # sentence index (Sentence.index)
    sources: list[dict] = field(default_factory=list)  # {name, name_en, kind, entity_id, ...} outermost first
    modality: str = "asserted"                       # asserted | reported | confirmed | denied | expected
    cue: str | None = None                           # the reporting verb / prepositional cue as written
    content_start: int = 0                           # reported content, offsets in the article text
    content_end: int = 0
    inherited: bool = False                          # continues the previous sentence's source


@dataclass
class Claim:
    """One claim: a sentence that reports something, with its attribution chain and what it is about."""

    id: str                                          # "c<article id>.<sentence idx>"
    article_id: int | None
    idx: int                                         # sentence index
    start: int                                       # sentence span in the article text
    end: int
    content_start: int                               # the reported content (after "... أن")
    content_end: int
    text: str
    content: str
    chain: list[dict] = field(default_factory=list)  # sources, outermost (the outlet) first
    modality: str = "asserted"
    polarity: int = 1                                # -1 when the content is negated
    entities: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    times: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)   # content words (the predicate), light-stemmed keys
    flags: dict = field(default_factory=dict)        # hedge / opinion / sensational cue counts, cue, inherited
    origin: dict | None = None                       # deepest source after following copied passages
    provenance: list[str] = field(default_factory=list)  # outlet -> (copied from) -> cited -> origin
    copied_from: str | None = None                   # claim id this claim's sentence was copied from
    group_id: str | None = None

    def stored_as(self, article_id: int) -> None:
        """A claim found before its article was stored (in a worker: ``c?.<idx>``, an unknown outlet keyed
        ``article:?``) takes the article's id."""
        self.article_id = article_id
        self.id = f"c{article_id}.{self.id.split('.', 1)[1]}"
        for src in self.chain:
            if src.get("local_key") == "article:?":
                src["local_key"] = f"article:{article_id}"


@dataclass
class ClaimGroup:
    """The same claim across articles, with its independent origins and the groups it contradicts."""

    id: str                                          # "g" + the id of the group's earliest claim
    story_id: int | None
    text: str
    claim_ids: list[str] = field(default_factory=list)
    article_ids: list[int] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    origins: list[dict] = field(default_factory=list)
    modality: str | None = None
    polarity: int | None = None
    contradicts: list[dict] = field(default_factory=list)  # {group_id, reasons, claim_id, other_claim_id}


@dataclass
class EventMention:
    """One trigger with its arguments in one sentence of one article (ACLED fields)."""

    article_id: int | None
    sentence_start: int
    sentence_end: int
    trigger_start: int
    trigger_end: int
    trigger: str
    event_type: str
    sub_event_type: str
    gloss: str | None = None
    date: str | None = None
    time_precision: int | None = None
    actor1: str | None = None
    inter1: int | None = None
    assoc_actor_1: str | None = None
    actor2: str | None = None
    inter2: int | None = None
    location_id: str | None = None
    location_name: str | None = None
    lat: float | None = None
    lon: float | None = None
    geo_precision: int | None = None
    admin1: str | None = None
    country: str | None = None                       # ISO 3166-1 alpha-2
    fatalities: int | None = None
    evidence: str = ""
    event_id: int | None = None                      # the merged Event


@dataclass
class Event:
    """The same event reported by one or more articles, merged (ACLED fields)."""

    id: int                                          # the smallest EventMention id of the event
    event_type: str
    sub_event_type: str
    date: str | None = None
    time_precision: int | None = None
    actor1: str | None = None
    inter1: int | None = None
    assoc_actor_1: str | None = None
    actor2: str | None = None
    inter2: int | None = None
    location_id: str | None = None
    location_name: str | None = None
    lat: float | None = None
    lon: float | None = None
    geo_precision: int | None = None
    admin1: str | None = None
    country: str | None = None
    fatalities: int | None = None
    story_id: int | None = None
    article_ids: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # outlet names
    independent_origins: int = 0
    origins: list[str] = field(default_factory=list)  # origin keys counted
    evidence: list[dict] = field(default_factory=list)  # {article_id, start, end, text}
    notes: str | None = None


@dataclass
class Passage:
    start: int                                       # span in the copying article
    end: int
    source_start: int                                # span in the source article
    source_end: int
    similarity: float = 1.0


@dataclass
class Copy:
    """``article_id`` reuses text of the earlier ``source_article_id`` (short of a full duplicate)."""

    article_id: int
    source_article_id: int
    similarity: float                                # Jaccard of the two articles' word 3-shingles
    coverage: float = 0.0                            # share of article_id's characters inside copied passages
    passages: list[Passage] = field(default_factory=list)


@dataclass
class Story:
    """A development: articles across outlets about one happening."""

    id: int
    title: str | None = None
    article_ids: list[int] = field(default_factory=list)
    start: str | None = None                         # ISO dates of the earliest and latest dated article
    end: str | None = None
    summary: list[dict] = field(default_factory=list)  # {article_id, start, end, text}
    outlets: list[str] = field(default_factory=list)
    storyline_id: int | None = None


@dataclass
class Storyline:
    """Developments that belong to one longer-running storyline."""

    id: int
    title: str | None = None
    story_ids: list[int] = field(default_factory=list)
    start: str | None = None
    end: str | None = None
    summary: list[dict] = field(default_factory=list)


@dataclass
class AnalysedArticle:
    """One article and everything per-article stages assigned to it: what a :class:`~marsad.stages.Stage`
    takes and returns. Before cleaning only ``document`` is set; the clean stage fills ``article``
    (one bundle per article a document splits into) or ``reject``. ``done`` names the stages that
    have run on it; ``extra`` carries stage-private per-article values (e.g. a MinHash) to the store."""

    document: Document | None = None
    article: Article | None = None
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)
    attributions: list[Attribution] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    events: list[EventMention] = field(default_factory=list)
    signals: dict[str, Any] = field(default_factory=dict)
    signature: Any = None                            # what the link stage matches it by (marsad.link.signatures)
    extra: dict[str, Any] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)
    reject: str | None = None                        # why the document could not be used (clean stage)
    seq: int = 0                                     # position in the run's input order (ids follow it)

    @property
    def id(self) -> int | None:
        return self.article.id if self.article else None
