"""Reading the link stage's outputs from the store (never recomputing them).

In: a :class:`~marsad.store.Store`. Out: plain dicts in the shape of the ``marsad/1`` export:
:func:`stories` (``id``, ``title``, ``article_ids``, ``start``, ``end``, ``summary`` as a list of
sentences, plus ``outlets``, ``n_articles`` and ``summary_spans`` with each sentence's article and
character span), :func:`story` (one story, plus its ``articles``), and :func:`copies`
(``article_id``, ``source_article_id``, ``similarity``, ``passages`` as ``{start, end, source_start,
source_end}`` spans, plus ``coverage`` and each passage's ``similarity``).
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
        "outlets": json.loads(r["outlets"] or "[]"),
        "n_articles": len(article_ids),
        "summary_spans": [{"article_id": s["article_id"], "start": s["start"], "end": s["end"]} for s in spans],
    }


def stories(store) -> list[dict]:
    """All stories, largest first (then most recent, then id)."""
    db = store.db
    members: dict[int, list[int]] = {}
    for sid, aid in db.execute("SELECT story_id, id FROM articles WHERE story_id IS NOT NULL ORDER BY id"):
        members.setdefault(sid, []).append(aid)
    out = [_story_dict(r, members.get(r["id"], [])) for r in db.execute("SELECT * FROM stories ORDER BY id")]
    out = [s for s in out if s["article_ids"]]
    out.sort(key=lambda s: s["end"] or "", reverse=True)      # stable sorts: size, then latest, then id
    out.sort(key=lambda s: -len(s["article_ids"]))
    return out


def story(store, story_id: int) -> dict | None:
    """One story with its articles (id, title, outlet, published, duplicate_of, similarity), or None."""
    db = store.db
    r = db.execute("SELECT * FROM stories WHERE id=?", (story_id,)).fetchone()
    if r is None:
        return None
    arts = db.execute("SELECT id, title, outlet, published, source, url, duplicate_of, similarity FROM articles "
                      "WHERE story_id=? ORDER BY coalesce(published, '9999'), id", (story_id,)).fetchall()
    d = _story_dict(r, sorted(a["id"] for a in arts))
    d["articles"] = [dict(a) for a in arts]
    return d


def copies(store, article_id: int | None = None) -> list[dict]:
    """Copy links (all, or those where ``article_id`` is the copying or the source article)."""
    db = store.db
    where, args = "", ()
    if article_id is not None:
        where, args = " WHERE article_id=? OR source_article_id=?", (article_id, article_id)
    passages: dict[tuple[int, int], list[dict]] = {}
    for p in db.execute("SELECT * FROM copy_passages" + where + " ORDER BY article_id, source_article_id, start", args):
        passages.setdefault((p["article_id"], p["source_article_id"]), []).append(
            {"start": p["start"], "end": p["end"], "source_start": p["source_start"], "source_end": p["source_end"],
             "similarity": p["similarity"]})
    return [{"article_id": c["article_id"], "source_article_id": c["source_article_id"], "similarity": c["similarity"],
             "coverage": c["coverage"], "passages": passages.get((c["article_id"], c["source_article_id"]), [])}
            for c in db.execute("SELECT * FROM copies" + where + " ORDER BY article_id, source_article_id", args)]
