"""The stage contract and the registry of marsad's stages, in order.

In: nothing but the data model. Out: :class:`Stage` (a per-article stage: ``run`` takes a batch of
:class:`~marsad.model.AnalysedArticle` and returns it enriched, touching no database: the spaCy
component pattern, each stage declaring what it ``requires`` and what it ``assigns``),
:class:`CrossStage` (a cross-article stage: the new articles plus the state it needs in, updates
to that state out), :class:`StoreStage` (a stage that still reads and writes the store itself,
until its package is converted) and :func:`registered_stages`, the list the runner, the CLI and
the bench share. Stages import :mod:`marsad.model` and :mod:`marsad.text`, never the store: the
runner (:mod:`marsad.runner`) is the only place that joins stages and store.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from .model import AnalysedArticle, Sentence
from .text import split_sentences

Batch = list[AnalysedArticle]


@dataclass(frozen=True)
class Stage:
    """A per-article stage: pure over a batch, so the runner may run it in any process or on Ray."""

    name: str
    requires: tuple[str, ...]          # AnalysedArticle fields it reads ("article", "mentions", ...)
    assigns: tuple[str, ...]           # AnalysedArticle fields it fills
    run: Callable[[Batch], Batch]
    load: Callable[[], Any] | None = None   # loads the stage's models; called once per worker process


@dataclass(frozen=True)
class CrossStage:
    """A cross-article stage: ``run(new_articles, state) -> updates``; the runner loads ``state`` for the
    new articles from the store and saves the updates (incremental, never a whole-corpus recompute)."""

    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    run: Callable[[Batch, Any], Any]
    state: str                         # which state the store loads and saves for it


@dataclass(frozen=True)
class StoreStage:
    """Transitional: a stage whose package still reads and writes the store itself (``run(store, progress)``).
    The runner calls it on the driver after the per-article stages; its owners convert it to a
    :class:`CrossStage`.

    Still StoreStage: ``link`` and ``claims`` (``events`` is a CrossStage). None of them
    holds SQL or imports :mod:`marsad.store` (``tests/test_architecture.py`` checks both): each is handed
    the store object and calls its own store module's named methods (``store.link_tables`` and
    ``store.story_tables``, ``store.claim_tables``). What keeps each from the
    ``run(new_articles, state) -> updates`` contract:

    - ``link``: the state it reads is found as it goes: LSH and sentence-key lookups give candidate
      articles whose features, ``duplicate_of`` and development are then read; each chunk is committed
      before the next is linked against it; merges, splits and storylines then revise stored
      developments that the new articles touched, not only the new articles.
    - ``claims``: the claims themselves are found per article by ``attributions``; this stage resolves
      the origins of new articles and re-resolves those of articles read in earlier runs that copy a
      new one, and regroups the claims of whole developments whose membership the link stage changed
      (articles that moved), reading them back from the store.
    """

    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    run: Callable[[Any, Any], Any]
    warnings: Callable[[], list[str]] | None = None   # what the run should report (a fallback model ...)


AnyStage = Stage | CrossStage | StoreStage


# -- clean: documents → articles ----------------------------------------------------------------
def clean_batch(batch: Batch) -> Batch:
    """Each bundle holding a document becomes one bundle per article it splits into (or a reject)."""
    from .pipeline import clean_one

    out: Batch = []
    for item in batch:
        if item.document is None or item.article is not None:
            out.append(item)
            continue
        _sha, _source, result = clean_one(item.document)
        if isinstance(result, str):
            out.append(AnalysedArticle(document=item.document, reject=result, seq=item.seq, done={"clean"}))
            continue
        for art in result:
            art.document_sha256 = item.document.sha256
            spans = split_sentences(art.text)
            out.append(AnalysedArticle(document=item.document, article=art, seq=item.seq, done={"clean"},
                                       sentences=[Sentence(None, i, s, e) for i, (s, e) in enumerate(spans)]))
        if not result:  # a document without articles is still processed (and stored as such)
            out.append(AnalysedArticle(document=item.document, seq=item.seq, done={"clean"}))
    return out


# -- entities: article text → mentions and linked entities ---------------------------------------
def entities_batch(batch: Batch) -> Batch:
    from .entities.stage import tag_batch

    tag_batch([item for item in batch if item.article is not None and "entities" not in item.done])
    return batch


def load_entities() -> None:
    from .entities.stage import load_models

    load_models()


# -- attributions: who says what in each article, and the vectors of what they say ----------------
def attributions_batch(batch: Batch) -> Batch:
    """Each article's claims (sources, attribution chains, contents); each distinct content encoded once
    per batch, its vector carried to the store's cache in ``extra["claim_vectors"]`` so that grouping
    (on the driver) encodes nothing it can find there."""
    from .claims.extract import item_claims
    from .claims.vectors import VectorCache, content_key

    todo = [it for it in batch if it.article is not None and "attributions" not in it.done]
    texts = []                       # per article: {content key: content}
    for item in todo:
        item.claims = item_claims(item)
        texts.append({content_key(c.content): c.content for c in item.claims})
    cache = VectorCache()
    vecs = cache.by_key({k: t for by_key in texts for k, t in by_key.items()})
    for item, by_key in zip(todo, texts):
        item.extra["claim_vectors"] = [(k, cache.name, vecs[k].tobytes()) for k in sorted(by_key)]
    return batch


def load_encoder() -> None:
    from .link.encoder import get_encoder

    get_encoder()


CLEAN = Stage("clean", requires=("document",), assigns=("article", "sentences", "reject"), run=clean_batch)
ENTITIES = Stage("entities", requires=("article",), assigns=("mentions", "entities"), run=entities_batch,
                 load=load_entities)

ATTRIBUTIONS = Stage("attributions", requires=("article", "sentences", "mentions", "entities"), assigns=("claims",),
                     run=attributions_batch, load=load_encoder)


# -- signatures: what the link stage matches each article by ---------------------------------------
def signatures_batch(batch: Batch) -> Batch:
    from .link.signatures import signatures_batch as run

    return run(batch)


SIGNATURES = Stage("signatures", requires=("article", "sentences"), assigns=("signature",), run=signatures_batch,
                   load=load_encoder)


def _link(store, progress=None):
    from .link import link_articles

    return link_articles(store, progress=progress)


def _encoder_warnings() -> list[str]:
    from .link.encoder import encoder_warnings

    return encoder_warnings()


def _claims(store, progress=None):
    from .claims import extract_claims

    return extract_claims(store, progress)


def _events(items: Batch, state):
    from .events.stage import run_events

    return run_events(items, state)


LINK = StoreStage("link", requires=("article", "mentions"), assigns=("duplicate_of", "copies", "story_id"), run=_link,
                  warnings=_encoder_warnings)
CLAIMS = StoreStage("claims", requires=("article", "sentences", "mentions", "story_id", "copies"),
                    assigns=("attributions", "claims", "claim_groups", "signals"), run=_claims)
EVENTS = CrossStage("events", requires=("article", "sentences", "mentions", "story_id", "copies"),
                    assigns=("events",), run=_events, state="events")


def registered_stages() -> list[AnyStage]:
    """Every stage of the pipeline, in the order the runner executes them."""
    return [CLEAN, ENTITIES, ATTRIBUTIONS, SIGNATURES, LINK, CLAIMS, EVENTS]


def per_article_stages(stages: list[AnyStage] | None = None) -> list[Stage]:
    return [s for s in (stages or registered_stages()) if isinstance(s, Stage)]


def stage_named(name: str) -> AnyStage:
    for s in registered_stages():
        if s.name == name:
            return s
    raise KeyError(f"no stage named {name!r} (stages: {', '.join(s.name for s in registered_stages())})")


def run_chain(batch: Batch, stages: list[Stage]) -> Batch:
    """Run per-article stages in order over one batch (what a worker does)."""
    for stage in stages:
        t0 = time.process_time()
        batch = stage.run(batch)
        share = (time.process_time() - t0) / max(1, len(batch))
        for item in batch:
            if item.article is not None:
                item.done.add(stage.name)
            item.extra.setdefault("cpu_seconds", {})[stage.name] = share
    return batch
