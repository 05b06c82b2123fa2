"""Claims: who says what, from which independent origins, and where outlets contradict each other.

In: a store with cleaned articles, sentences, entity mentions and (optionally) the link stage's
stories and copied passages. Out: the ``claims``, ``claim_groups`` and ``article_signals`` tables,
read back as plain dicts by :func:`claims`, :func:`claim_groups` and :func:`article_signals`.
:func:`extract_claims` is the pipeline stage: it processes articles not processed before (or whose
story changed), then regroups claims, resolves origins through attribution chains and copied
passages, and finds contradictions (with :mod:`marsad.claims.stance` as an extra signal when its
model file is present). The stance classifier itself lives in :mod:`marsad.claims.stance`.
"""

from __future__ import annotations

from .attribution import parse_attribution
from .read import article_signals, claim_groups, claims

BATCH_ARTICLES = 64

__all__ = ["extract_claims", "claims", "claim_groups", "article_signals", "parse_attribution", "load_stance"]


def load_stance():
    """The trained stance classifier, or None when it (or its model file) is not available."""
    try:
        from .stance import MODEL_PATH, StanceClassifier
        if not MODEL_PATH.exists():
            return None
        return StanceClassifier.load()
    except Exception:  # noqa: BLE001  (optional signal)
        return None


def extract_claims(store, progress=None, use_stance: bool = True) -> int:
    """Pipeline stage: claims of new articles, then groups, origins, contradictions and signals.

    Incremental and resumable: each batch of articles is committed with its ``claim_state`` rows, so
    an interrupted run continues with the articles not yet done. Returns the number of new claims.
    """
    from .extract import extract_article_claims
    from .grouping import group_claims
    from .origins import resolve_origins
    from .signals import compute_signals

    db = store.db
    todo = [r[0] for r in db.execute(
        "SELECT a.id FROM articles a LEFT JOIN claim_state s ON s.article_id = a.id "
        "WHERE s.article_id IS NULL ORDER BY a.id")]
    moved = db.execute("SELECT count(*) FROM claim_state s JOIN articles a ON a.id = s.article_id "
                       "WHERE s.story_id IS NOT a.story_id").fetchone()[0]
    if not todo and not moved and db.execute("SELECT count(*) FROM claims WHERE group_id IS NULL").fetchone()[0] == 0:
        return 0
    n = 0
    for k in range(0, len(todo), BATCH_ARTICLES):
        chunk = todo[k:k + BATCH_ARTICLES]
        n += extract_article_claims(store, chunk)
        if progress:
            progress("claims", min(k + BATCH_ARTICLES, len(todo)), len(todo))
    with store.transaction():
        db.execute("UPDATE claim_state SET story_id = (SELECT story_id FROM articles WHERE id = claim_state.article_id)")
    resolve_origins(store)
    group_claims(store, load_stance() if use_stance else None)
    compute_signals(store)
    return n
