"""Events: who did what, where and when, in ACLED's taxonomy.

In: analysed articles (text, sentences, entity mentions, their development) and, across articles, the
state the runner loads through :mod:`marsad.store.events` (the event index, development dates,
provenance for independent origins). Out: event mentions per article and ``events`` — the same event
reported by several articles is one event, with ACLED's fields (event/sub-event type from
``data/acled_taxonomy.tsv``, date and time precision, actor1/actor2 with inter codes from
``data/actors.tsv``, location with admin1, country, coordinates and geo precision, fatalities when
stated, English notes generated from the fields), its article ids, evidence sentences, outlets and
independent-origin count.

API:
- ``run_events(items, state) -> updates`` — the pipeline's cross-article stage (``marsad.stages.EVENTS``),
  pure: the runner loads ``state`` and saves the updates through :mod:`marsad.store.events`.
- ``events(store) -> list[dict]`` — ``marsad/1`` export records.
- ``write_acled_csv(store, out) -> int``, ``acled_rows(store)`` — ACLED column names.
- ``write_geojson(store, out) -> int``, ``geojson(store)`` — events and places.
- ``extract_event_mentions(text, sentences, mentions, entities, published, ...)`` — pure, per article;
  ``event_mentions_of(item)`` / ``events_batch(batch)`` the same over :class:`~marsad.model.AnalysedArticle`
  (a per-article stage's ``run``); ``cluster_mentions(rows)`` — pure grouping of mentions into events.
- ``event_date(text, published)``, ``relative_date(text, published)`` — dates with ACLED precision.
"""

from .dates import event_date, relative_date
from .export import ACLED_COLUMNS, acled_rows, events, geojson, write_acled_csv, write_geojson
from ..model import EventMention
from .extract import extract_event_mentions
from .merge import cluster_mentions
from .stage import event_mentions_of, events_batch, run_events

__all__ = ["run_events", "cluster_mentions", "event_mentions_of", "events_batch", "events", "write_acled_csv", "acled_rows", "write_geojson", "geojson",
           "extract_event_mentions", "EventMention", "event_date", "relative_date", "ACLED_COLUMNS"]
