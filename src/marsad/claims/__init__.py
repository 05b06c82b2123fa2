"""Claims: who says what, from which independent origins, and where outlets contradict each other.

In: a store with cleaned articles, sentences, entity mentions and (optionally) the link stage's
stories and copied passages. Out: the ``claims``, ``claim_groups``, ``claim_vectors`` and
``article_signals`` tables (SQL in :mod:`marsad.store.claims`), read back as plain dicts by
:func:`claims`, :func:`claim_groups` and :func:`article_signals`. :func:`extract_claims` is the
pipeline stage, incremental: it extracts the claims of articles not processed before (a pure function
of each article: :func:`marsad.claims.extract.article_claims`), resolves the new claims' origins
through attribution chains and copied passages, and regroups only the stories that gained, lost or
moved claims (groups, origins per group, contradictions, with :mod:`marsad.claims.stance` as an extra
signal when its model file is present). Stored articles that copy a new one (their origins may now lead
to it) are not regrouped: grouping never reads origins, so only their groups' origins are recomputed,
and only where a claim's origin changed. Each article records the storyline its claims were grouped in,
so a storyline the link stage split, joined or let grow past the scope limits since is regrouped too.
The per-article ``attributions`` stage (:mod:`marsad.stages`) finds most claims first, on all cores,
and encodes each distinct content once into the store's vector cache; grouping reads vectors there (and
encodes, for claims found here, only those with a candidate in another article); the cache is shared
with the stance classifier (:mod:`marsad.claims.vectors`). Other stories' groups are not touched.
"""

from __future__ import annotations

from ..settings import SETTINGS
from .attribution import parse_attribution
from .read import article_signals, claim_groups, claims

BATCH_ARTICLES = SETTINGS.claims.batch_articles

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
    """Pipeline stage: claims of new articles, their origins, then groups, contradictions and signals
    of the stories they touch. The claims of articles the per-article ``attributions`` stage has seen
    are read from the store; the others' are found here.

    Resumable: each batch of articles is committed with its ``claim_state`` rows, so an interrupted run
    continues with the articles not yet done. Returns the number of new claims.
    """
    from .extract import extract_article_claims
    from .grouping import group_claims, large_storylines
    from .signals import compute_signals

    tables = store.claim_tables
    todo = tables.articles_to_process()
    moved = tables.moved_articles()
    large = large_storylines(tables)
    dirty = _stale_stories(tables, moved, large)
    if not todo and not dirty:
        return 0
    unseen = set(store.articles_to_run("attributions"))
    extracted = [a for a in todo if a not in unseen]     # claims found by the per-article stage
    n = tables.count_claims(extracted)
    rest = [a for a in todo if a in unseen]
    for k in range(0, len(rest), BATCH_ARTICLES):
        chunk = rest[k:k + BATCH_ARTICLES]
        n += extract_article_claims(store, chunk)
        if progress:
            progress("claims", min(k + BATCH_ARTICLES, len(rest)), len(rest))
    tables.mark_moved([a for a, _, _ in moved])
    changed = _resolve_with_copiers(store, todo)
    dirty |= tables.stories_of(todo)
    group_claims(store, load_stance() if use_stance else None, dirty)
    compute_signals(store, sorted(set(todo) | set(changed.values())))
    with store.transaction():      # last: a run interrupted before this resolves and groups them again
        tables.mark_extracted_done(extracted)
        tables.record_scopes(tables.storylines_of(tables.with_storyline_mates(dirty, skip=large)), large)
    return n


def _stale_stories(tables, moved: list[tuple], large: set) -> set:
    """Stories whose stored groups no longer hold: those articles (``moved``) left or joined, those with
    ungrouped claims, and both the old and the new scope of articles whose storyline changed."""
    rescoped = tables.rescoped_articles(large)
    return ({old for _, old, _ in moved} | {new for _, _, new in moved} | tables.ungrouped_stories()
            | {story for _, _, story in rescoped} | tables.stories_in_storylines({line for _, line, _ in rescoped}))


def _resolve_with_copiers(store, todo: list[int], rounds: int = 8) -> dict[str, int]:
    """Resolve the origins of ``todo`` and of every article read before that copies one of them (through
    copies of copies): their origins change when their source arrives in a later run, whatever the order
    the articles came in. A copy of a copy (or a new article copying a stored one) is resolved again only
    when the article it copies had a claim whose origin changed after it was resolved. Stored articles
    are not regrouped (grouping never reads origins): the origins of their groups are recounted in the
    transaction that changes their claims' origins, so an interrupted run leaves none behind. Returns
    {claim id: article id} of the claims whose origin changed."""
    from .grouping import refresh_origins
    from .origins import resolve_origins

    tables = store.claim_tables
    new = set(todo)
    frontier = sorted(new | tables.copiers_of(todo))
    changed: dict[str, int] = {}
    for _ in range(rounds):
        with store.transaction():
            now = resolve_origins(store, frontier)
            refresh_origins(store, [c for c, a in now.items() if a not in new])
        changed.update(now)
        source = sorted(set(now.values()))    # copiers resolved in the same call saw their changes already
        frontier = sorted(({a for a in tables.copying_articles(source) if a in new} | tables.copiers_of(source))
                          - set(frontier))
        if not frontier:
            break
    return changed
