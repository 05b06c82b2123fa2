"""SQL of events: what the events stage reads and writes (``event_mentions``, ``event_state``, ``events``).

In: a ``sqlite3`` connection (``Store.db``) and plain values. Out: rows, plain dicts and ids. The events
stage reaches these through :attr:`SQLiteStore.event_tables` (this module bound to the store's
connection), so no SQL lives in ``marsad.events``:

- what to read: articles the stage has not read yet, an article's text and dates, whether the entities
  stage has tagged it, the first date of its development;
- per-article event mentions: replaced per article together with the article's ``event_state`` row;
- what merging needs: every stored mention, article metadata, and how a sentence travelled (exact
  duplicates, copied passages, copies) to find the article it originally comes from;
- merged events: replaced as a whole, with each mention's ``event_id``; read back for the exports.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Iterable

MENTION_COLUMNS = ["article_id", "sentence_start", "sentence_end", "trigger_start", "trigger_end", "trigger",
                   "gloss", "event_type", "sub_event_type", "date", "time_precision", "actor1", "inter1",
                   "assoc_actor_1", "actor2", "inter2", "location_id", "location_name", "lat", "lon",
                   "geo_precision", "admin1", "country", "fatalities"]
EVENT_COLUMNS = ["id", "event_type", "sub_event_type", "date", "time_precision", "actor1", "inter1", "assoc_actor_1",
                 "actor2", "inter2", "location_id", "location_name", "lat", "lon", "geo_precision", "admin1", "country",
                 "fatalities", "article_ids", "sources", "independent_origins", "origins", "evidence", "notes"]
COPY_COVERAGE = 0.8      # a copy covering this share of an article makes its source the article's origin


# -- reading articles ------------------------------------------------------------------------------

def articles_without_events(db: sqlite3.Connection) -> list[int]:
    """Ids of articles the events stage has not read, in id order."""
    return [r[0] for r in db.execute(
        "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM event_state) ORDER BY id")]


def article_row(db: sqlite3.Connection, article_id: int) -> sqlite3.Row | None:
    """``id, text, published, story_id`` of one article."""
    return db.execute("SELECT id, text, published, story_id FROM articles WHERE id=?", (article_id,)).fetchone()


def story_start(db: sqlite3.Connection, story_id: int | None) -> str | None:
    """The earliest publication date of a development's articles."""
    if story_id is None:
        return None
    row = db.execute("SELECT min(published) FROM articles WHERE story_id=? AND published IS NOT NULL",
                     (story_id,)).fetchone()
    return row[0] if row else None


def entities_tagged(db: sqlite3.Connection, article_id: int) -> bool:
    """Whether the entities stage has run on the article (its mentions in the store are final)."""
    row = db.execute("SELECT value FROM meta WHERE key='entities.last_article_id'").fetchone()
    return bool(row and int(row[0]) >= article_id)


# -- per-article mentions --------------------------------------------------------------------------

def replace_mentions(db: sqlite3.Connection, per_article: Iterable[tuple[int, list]]) -> None:
    """Replace each article's event mentions (objects with the :data:`MENTION_COLUMNS` attributes) and
    record the article as read. Joins the caller's transaction."""
    cols = ",".join(MENTION_COLUMNS)
    marks = ",".join("?" * len(MENTION_COLUMNS))
    for aid, ems in per_article:
        db.execute("DELETE FROM event_mentions WHERE article_id=?", (aid,))
        db.executemany(f"INSERT INTO event_mentions({cols}) VALUES ({marks})",
                       [tuple(getattr(em, c) for c in MENTION_COLUMNS) for em in ems])
        db.execute("INSERT OR REPLACE INTO event_state(article_id, n_mentions) VALUES (?,?)", (aid, len(ems)))


def counts(db: sqlite3.Connection) -> tuple[int, int]:
    """``(events, event mentions)`` stored."""
    return (db.execute("SELECT count(*) FROM events").fetchone()[0],
            db.execute("SELECT count(*) FROM event_mentions").fetchone()[0])


def all_mentions(db: sqlite3.Connection) -> list[dict]:
    """Every stored event mention, by sub-event type, then date (undated first), then id."""
    return [dict(r) for r in db.execute("SELECT * FROM event_mentions ORDER BY sub_event_type, date, id")]


def article_meta(db: sqlite3.Connection) -> dict[int, sqlite3.Row]:
    """``id, outlet, url, source, cited_source, published, story_id`` of every article, by id."""
    return {r["id"]: r for r in db.execute(
        "SELECT id, outlet, url, source, cited_source, published, story_id FROM articles")}


def sentence_text(db: sqlite3.Connection, article_id: int, start: int, end: int) -> str:
    row = db.execute("SELECT substr(text, ?, ?) FROM articles WHERE id=?", (start + 1, end - start, article_id)).fetchone()
    return row[0] if row else ""


# -- where a sentence comes from -------------------------------------------------------------------

def duplicate_of(db: sqlite3.Connection, article_id: int) -> int | None:
    row = db.execute("SELECT duplicate_of FROM articles WHERE id=?", (article_id,)).fetchone()
    return row[0] if row and row[0] else None


def passages_over(db: sqlite3.Connection, article_id: int, start: int, end: int) -> list[tuple[int, int, int, int, int]]:
    """Copied passages of the article overlapping ``[start, end)``: ``(source article, start, end,
    source_start, source_end)``."""
    return [tuple(r) for r in db.execute(
        "SELECT source_article_id, start, end, source_start, source_end FROM copy_passages "
        "WHERE article_id=? AND start < ? AND end > ?", (article_id, end, start))]


def main_copy_source(db: sqlite3.Connection, article_id: int) -> int | None:
    """The article this one copies almost whole, if any."""
    row = db.execute("SELECT source_article_id FROM copies WHERE article_id=? AND coverage >= ? "
                     "ORDER BY coverage DESC LIMIT 1", (article_id, COPY_COVERAGE)).fetchone()
    return row[0] if row else None


# -- merged events ---------------------------------------------------------------------------------

def replace_events(db: sqlite3.Connection, events: list[dict], members: list[list[int]]) -> None:
    """Replace all merged events (dicts with the :data:`EVENT_COLUMNS` keys; lists are stored as JSON)
    and point each event's mentions (ids in ``members``, aligned with ``events``) at it."""
    db.execute("DELETE FROM events")
    cols = ",".join(EVENT_COLUMNS)
    marks = ",".join("?" * len(EVENT_COLUMNS))
    for ev, ids in zip(events, members):
        db.execute(f"INSERT INTO events({cols}) VALUES ({marks})",
                   tuple(json.dumps(ev[c], ensure_ascii=False) if isinstance(ev[c], list) else ev[c]
                         for c in EVENT_COLUMNS))
        db.executemany("UPDATE event_mentions SET event_id=? WHERE id=?", [(ev["id"], i) for i in ids])


def event_rows(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every merged event, oldest first (undated last)."""
    return list(db.execute("SELECT * FROM events ORDER BY date IS NULL, date, id"))


def story_of_articles(db: sqlite3.Connection) -> dict[int, int | None]:
    return {r[0]: r[1] for r in db.execute("SELECT id, story_id FROM articles")}


class EventTables:
    """This module's functions bound to one connection: ``store.event_tables.all_mentions()``."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __getattr__(self, name: str):
        fn = globals().get(name)
        if not callable(fn) or name.startswith("_") or name == "EventTables":
            raise AttributeError(name)
        return lambda *args, **kw: fn(self.db, *args, **kw)
