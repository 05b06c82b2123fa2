"""Store: the embedded SQLite database every stage reads from and writes to.

In: documents, articles, sentences, rejects (and, from later stages, entities, mentions, stories).
Out: the same records read back, full-text search on normalised keys, and corpus statistics.
"""

from .db import Store, open_store

__all__ = ["Store", "open_store"]
