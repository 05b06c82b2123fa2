"""Pipeline stage: recognise and link entities in stored articles, incrementally.

In: a :class:`~marsad.store.Store`. Out: ``mentions`` and ``entities`` rows for every article not
yet tagged (articles are visited in id order; the last tagged id is kept in the store's ``meta``
table in the same transaction as the article's mentions, so an interrupted run resumes).
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

META_KEY = "entities.last_article_id"
PARALLEL_MIN_ARTICLES = 64


def _extract(item: tuple[int, str]):
    from . import extract_entities

    article_id, text = item
    mentions, entities = extract_entities(text)
    for m in mentions:
        m.article_id = article_id
    return article_id, mentions, list(entities.values())


def tag_entities(store, progress=None, workers: int | None = None) -> int:
    """Tag every article after the last one tagged; returns how many were tagged."""
    row = store.db.execute("SELECT value FROM meta WHERE key=?", (META_KEY,)).fetchone()
    last = int(row[0]) if row else 0
    items = [(r[0], r[1]) for r in store.db.execute("SELECT id, text FROM articles WHERE id > ? ORDER BY id", (last,))]
    if not items:
        return 0
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers > 1 and len(items) >= PARALLEL_MIN_ARTICLES:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            _save(store, pool.map(_extract, items, chunksize=32), len(items), progress)
    else:
        _save(store, map(_extract, items), len(items), progress)
    return len(items)


def _save(store, results, total, progress) -> None:
    for i, (article_id, mentions, entities) in enumerate(results):
        with store.transaction():
            store.save_mentions(article_id, mentions, entities)
            store.db.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                             (META_KEY, str(article_id)))
        if progress:
            progress("entities", i + 1, total)
