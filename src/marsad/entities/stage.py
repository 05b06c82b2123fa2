"""Pipeline stage: recognise and link the entities of articles.

In: :class:`~marsad.model.AnalysedArticle` bundles with their clean ``article``. Out: the same
bundles with ``mentions`` (sorted by offset, linked to entity ids) and ``entities`` (id →
:class:`Entity`) filled. :func:`tag_batch` first has the statistical tagger tag the sentences of
all the batch's articles together (much faster for the neural tagger than article by article;
the same spans), then links each article (:func:`tag_article`). Pure: no store access; the runner (:mod:`marsad.runner`) batches articles, runs this stage on all
cores or on Ray, and saves what it assigned. :func:`tag_entities` is the old store-level entry
point, kept for callers: it asks the runner to run this stage on the articles not yet tagged.
"""

from __future__ import annotations

from ..model import AnalysedArticle


def load_models() -> None:
    """Load the gazetteers, linker and tagger once (a worker calls this before its first batch)."""
    from . import extract_entities

    extract_entities("دمشق")     # the geocoder's word frequencies come with the gazetteer (its disk cache)


def tag_batch(items: list[AnalysedArticle]) -> list[AnalysedArticle]:
    """:func:`tag_article` on each item with an article, the tagger's spans computed for all at once."""
    from . import get_linker

    todo = [it for it in items if it.article is not None]
    tagger = get_linker().tagger
    texts = [it.article.text for it in todo if it.article.text]
    if tagger is not None and texts:
        try:
            tagger.prefetch(texts)
        except Exception:  # noqa: BLE001 - never let the tagger break linking; tag_spans retries per article
            pass
    for it in todo:
        tag_article(it)
    return items


def tag_article(item: AnalysedArticle) -> AnalysedArticle:
    """Fill ``item.mentions`` and ``item.entities`` from the article's text."""
    from . import extract_entities

    mentions, entities = extract_entities(item.article.text)
    for m in mentions:
        m.article_id = item.article.id
    item.mentions = mentions
    item.entities = dict(entities)
    return item


def tag_entities(store, progress=None, workers: int | None = None) -> int:
    """Tag every stored article not yet tagged; returns how many were tagged (through the runner)."""
    from ..runner import run_stored

    return run_stored(store, ["entities"], workers=workers, progress=progress).get("entities", 0)
