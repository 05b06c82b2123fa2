"""Events: who did what, where and when, in ACLED's taxonomy.

In: a :class:`~marsad.store.Store` with articles, sentences and entity mentions (and, for merging
and independent origins, the link stage's duplicates, copies and stories). Out: ``events`` rows —
the same event reported by several articles is one event, with ACLED's fields (event/sub-event
type from ``data/acled_taxonomy.tsv``, date and time precision, actor1/actor2 with inter codes
from ``data/actors.tsv``, location with admin1, country, coordinates and geo precision,
fatalities when stated, English notes generated from the fields), its article ids, evidence
sentences, outlets and independent-origin count.

API:
- ``extract_events(store, progress=None) -> int`` — the pipeline stage (incremental, resumable).
- ``events(store) -> list[dict]`` — ``marsad/1`` export records.
- ``write_acled_csv(store, out) -> int``, ``acled_rows(store)`` — ACLED column names.
- ``write_geojson(store, out) -> int``, ``geojson(store)`` — events and places.
- ``extract_event_mentions(text, sentences, mentions, entities, published, ...)`` — pure, per article;
  ``event_mentions_of(item)`` / ``events_batch(batch)`` the same over :class:`~marsad.model.AnalysedArticle`
  (a per-article stage's ``run``); ``cluster_mentions(rows)`` — pure grouping of stored mentions into events.
- SQL: :mod:`marsad.store.events`, reached through ``store.event_tables``.
- ``event_date(text, published)``, ``relative_date(text, published)`` — dates with ACLED precision.
"""

from .dates import event_date, relative_date
from .export import ACLED_COLUMNS, acled_rows, events, geojson, write_acled_csv, write_geojson
from ..model import EventMention
from .extract import extract_event_mentions
from .stage import cluster_mentions, event_mentions_of, events_batch, extract_events, merge_events

__all__ = ["extract_events", "merge_events", "cluster_mentions", "event_mentions_of", "events_batch", "events", "write_acled_csv", "acled_rows", "write_geojson", "geojson",
           "extract_event_mentions", "EventMention", "event_date", "relative_date", "ACLED_COLUMNS"]
