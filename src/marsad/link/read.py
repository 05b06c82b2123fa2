"""Reading the link stage's outputs from the store (never recomputing them).

In: a :class:`~marsad.store.Store`. Out: plain dicts in the shape of the ``marsad/1`` export:
:func:`stories` (developments: ``id``, ``title``, ``article_ids``, ``start``, ``end``, ``summary`` as a
list of sentences, ``storyline_id``, plus ``outlets``, ``n_articles`` and ``summary_spans`` with each
sentence's article and character span), :func:`story` (one development, plus its ``articles``, each
with ``why``: the strongest shared signals and score of why it joined), :func:`storylines` (``id``,
``title``, ``story_ids``, ``start``, ``end``, ``summary``: its developments in time order),
:func:`storyline` (one, with its developments), :func:`explanations` (article id → ``why``), :func:`story_log` (merges and splits with their reason),
and :func:`copies` (``article_id``, ``source_article_id``, ``similarity``, ``passages`` as ``{start,
end, source_start, source_end}`` spans, plus ``coverage`` and each passage's ``similarity``).
"""

from __future__ import annotations

import json


def _story_dict(r, article_ids: list[int]) -> dict:
    spans = json.loads(r["summary"] or "[]")
    return {
        "id": r["id"],
        "title": r["title"],
        "article_ids": article_ids,
        "start": r["start"],
        "end": r["end"],
        "summary": [s["text"] for s in spans],
        "storyline_id": r["storyline_id"],
        "outlets": json.loads(r["outlets"] or "[]"),
        "n_articles": len(article_ids),
        "summary_spans": [{"article_id": s["article_id"], "start": s["start"], "end": s["end"]} for s in spans],
    }


def stories(store) -> list[dict]:
    """All developments, largest first (then most recent, then id)."""
    rows, members = store.story_tables.story_rows()
    out = [_story_dict(r, members.get(r["id"], [])) for r in rows]
    out = [s for s in out if s["article_ids"]]
    out.sort(key=lambda s: s["end"] or "", reverse=True)      # stable sorts: size, then latest, then id
    out.sort(key=lambda s: -len(s["article_ids"]))
    return out


def explanations(store, article_ids: list[int] | None = None) -> dict[int, dict]:
    """Why each article is in its development: its strongest edge ``{article_id, score, signals}``."""
    return store.story_tables.explanations(article_ids)


def story(store, story_id: int) -> dict | None:
    """One development with its articles (id, title, outlet, published, duplicate_of, similarity, why), or None."""
    r, arts = store.story_tables.story_row(story_id)
    if r is None:
        return None
    d = _story_dict(r, sorted(a["id"] for a in arts))
    why = explanations(store, d["article_ids"])
    d["articles"] = [dict(a, why=why.get(a["id"])) for a in arts]
    return d


def storylines(store) -> list[dict]:
    """All storylines, largest first, each with its developments' ids in time order."""
    return store.story_tables.storylines()


def storyline(store, storyline_id: int) -> dict | None:
    """One storyline with its developments in time order (each as in :func:`stories`), or None."""
    line = store.story_tables.storyline(storyline_id)
    if line is None:
        return None
    rows, members = store.story_tables.story_rows_for(line["story_ids"])
    by_id = {r["id"]: r for r in rows}
    line["stories"] = [_story_dict(by_id[sid], members.get(sid, [])) for sid in line["story_ids"] if sid in by_id]
    return line


def story_log(store, story_id: int | None = None) -> list[dict]:
    return store.story_tables.story_log(story_id)


def copies(store, article_id: int | None = None) -> list[dict]:
    """Copy links (all, or those where ``article_id`` is the copying or the source article)."""
    rows, passage_rows = store.story_tables.copy_rows(article_id)
    passages: dict[tuple[int, int], list[dict]] = {}
    for p in passage_rows:
        passages.setdefault((p["article_id"], p["source_article_id"]), []).append(
            {"start": p["start"], "end": p["end"], "source_start": p["source_start"], "source_end": p["source_end"],
             "similarity": p["similarity"]})
    return [{"article_id": c["article_id"], "source_article_id": c["source_article_id"], "similarity": c["similarity"],
             "coverage": c["coverage"], "passages": passages.get((c["article_id"], c["source_article_id"]), [])}
            for c in rows]
