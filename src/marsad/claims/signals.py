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
from .extract import count_cues

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


def _signal_row(aid: int, text: str, cl: list) -> tuple:
    """The ``article_signals`` row of one article: its text and its claims' chain, origin and flags."""
    words = _WORD.findall(normalize(text))
    n = len(cl)
    attributed = anonymous = hedged = 0
    for c in cl:
        if _chain_length(c["chain"]) > 1:
            attributed += 1
            origin = json.loads(c["origin"]) if c["origin"] else None
            if (origin or {}).get("kind") == "anonymous":
                anonymous += 1
        flags = c["flags"]
        if '"hedge"' in flags and json.loads(flags).get("hedge"):    # no key "hedge" without that text
            hedged += 1
    per100 = 100.0 / max(1, len(words))
    return (aid, n, attributed, anonymous, (anonymous / attributed) if attributed else None,
            round(count_cues(words, "opinion") * per100, 3), round(count_cues(words, "sensational") * per100, 3),
            round(hedged / n, 3) if n else 0.0, len(words))
