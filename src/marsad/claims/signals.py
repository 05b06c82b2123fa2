"""Article signals: how an article sources and words what it says.

In: the stored claims of each article (with origins) and its text. Out: the ``article_signals``
table — share of attributed claims whose deepest source is unnamed, opinion and sensational cue
words per 100 words, and the share of claims with a hedge (cue lexicon ``modality_cues.tsv``).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from ..text import normalize
from .extract import cue_counts

_WORD = re.compile(r"\w+")
CHUNK = 500      # articles read from the store at a time


def compute_signals(store, article_ids: list[int] | None = None) -> int:
    tables = store.claim_tables
    ids = article_ids if article_ids is not None else tables.processed_articles()
    rows = []
    for k in range(0, len(ids), CHUNK):
        chunk = ids[k:k + CHUNK]
        texts, claims = tables.signal_inputs(chunk)
        rows.extend(_signal_row(aid, texts[aid], claims.get(aid, [])) for aid in chunk if aid in texts)
    tables.save_signals(rows)
    return len(rows)


@lru_cache(maxsize=4096)
def _chain_length(text: str) -> int:
    """The number of links of a chain JSON (claims of one outlet and source share their chain)."""
    return len(json.loads(text))


@lru_cache(maxsize=4096)
def _anonymous_origin(text: str | None) -> bool:
    """An origin JSON names an unnamed source (claims of one source share their origin)."""
    return bool(text) and (json.loads(text) or {}).get("kind") == "anonymous"


def _hedged(flags: str) -> bool:
    """A flags JSON holds a true ``hedge``: read from the text when it holds one key "hedge" with the
    value 0 as written (the common case), else parsed."""
    if '"hedge"' not in flags:
        return False        # no key "hedge" without that text
    if flags.count('"hedge"') == 1 and ('"hedge": 0,' in flags or '"hedge": 0}' in flags):
        return False        # (inside a string a quote is escaped: only the key reads "hedge")
    return bool(json.loads(flags).get("hedge"))


def _signal_row(aid: int, text: str, cl: list) -> tuple:
    """The ``article_signals`` row of one article: its text and its claims' chain, origin and flags."""
    words = _WORD.findall(normalize(text))
    n = len(cl)
    attributed = anonymous = hedged = 0
    for c in cl:
        if _chain_length(c["chain"]) > 1:
            attributed += 1
            if _anonymous_origin(c["origin"]):
                anonymous += 1
        if _hedged(c["flags"]):
            hedged += 1
    per100 = 100.0 / max(1, len(words))
    cues = cue_counts(words, ("opinion", "sensational"))
    return (aid, n, attributed, anonymous, (anonymous / attributed) if attributed else None,
            round(cues["opinion"] * per100, 3), round(cues["sensational"] * per100, 3),
            round(hedged / n, 3) if n else 0.0, len(words))
