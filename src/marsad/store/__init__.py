"""Store: the one interface every SQL statement of marsad sits behind.

In: documents, articles, sentences, rejects and what every stage assigned (entities, mentions,
stories, claims, events). Out: the same records read back, full-text search on normalised keys,
batches of :class:`~marsad.model.AnalysedArticle` for the runner, and corpus statistics.
:class:`~marsad.store.base.Store` is the protocol; :class:`SQLiteStore` (also ``Store``, the name
callers construct) is the SQLite implementation; :func:`open_store` opens one from a path.
"""

from .base import Store as StoreProtocol
from .db import SQLiteStore, Store, open_store

__all__ = ["Store", "SQLiteStore", "StoreProtocol", "open_store"]
