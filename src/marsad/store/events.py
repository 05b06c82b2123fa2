"""SQL of events: what the events stage reads and writes (``event_mentions``, ``event_state``, ``events``).

In: the store (for the runner's :func:`load_state` / :func:`save_state`) or a ``sqlite3`` connection, and
plain values. Out: plain dicts, ids and rows. The events stage (:func:`marsad.events.stage.run_events`, a
:class:`~marsad.stages.CrossStage`) never sees the store: the runner loads its state here and saves its
updates here, so no SQL lives in ``marsad.events``:

- :func:`load_state`: for a batch of new articles, which are read or tagged already, their developments'
  first dates, the next mention id, the event index (every stored mention with its event), undated
  articles' development dates, articles whose sentences may now trace back to the new ones, and the
  provenance independent origins are counted on (outlets, duplicates, copied passages, copies);
- :func:`save_state`: the new mentions under the ids the stage numbered them with (and each article's
  ``event_state`` row), re-dated mentions, dropped and changed events (evidence gets its sentences'
  text here), in the runner's transaction;
- merged events read back for the exports (:func:`event_rows`, :func:`story_of_articles`, through
  :attr:`SQLiteStore.event_tables`).
"""

from __future__ import annotations

import json
import sqlite3

MENTION_COLUMNS = ["article_id", "sentence_start", "sentence_end", "trigger_start", "trigger_end", "trigger",
                   "gloss", "event_type", "sub_event_type", "date", "time_precision", "actor1", "inter1",
                   "assoc_actor_1", "actor2", "inter2", "location_id", "location_name", "lat", "lon",
                   "geo_precision", "admin1", "country", "fatalities"]
EVENT_COLUMNS = ["id", "event_type", "sub_event_type", "date", "time_precision", "actor1", "inter1", "assoc_actor_1",
                 "actor2", "inter2", "location_id", "location_name", "lat", "lon", "geo_precision", "admin1", "country",
                 "fatalities", "article_ids", "sources", "independent_origins", "origins", "evidence", "notes"]
COPY_COVERAGE = 0.8      # a copy covering this share of an article makes its source the article's origin


# -- the state the events stage needs for a batch of new articles ------------------------------------

def _ids_in(db: sqlite3.Connection, sql: str, ids: list[int]) -> set[int]:
    return {r[0] for r in db.execute(sql, (json.dumps(ids),))}


def _story_starts(db: sqlite3.Connection, story_ids: list[int]) -> dict[int, str | None]:
    """The earliest publication date of each development's articles."""
    return {r[0]: r[1] for r in db.execute(
        "SELECT story_id, min(published) FROM articles WHERE story_id IN (SELECT value FROM json_each(?)) "
        "AND published IS NOT NULL GROUP BY story_id", (json.dumps(story_ids),))}


def undated_story_starts(db: sqlite3.Connection) -> dict[int, str | None]:
    """Article id → its development's first date, for every undated article with event mentions."""
    return {r[0]: r[1] for r in db.execute(
        "SELECT a.id, (SELECT min(b.published) FROM articles b WHERE b.story_id = a.story_id "
        "AND b.published IS NOT NULL) FROM articles a WHERE a.published IS NULL "
        "AND a.id IN (SELECT article_id FROM event_mentions)")}


def all_mentions(db: sqlite3.Connection) -> dict[int, dict]:
    """Every stored event mention by id (the event index), with the event it belongs to."""
    return {r["id"]: dict(r) for r in db.execute("SELECT * FROM event_mentions ORDER BY id")}


def articles_reaching(db: sqlite3.Connection, article_ids: list[int]) -> set[int]:
    """Articles read by the events stage whose sentences may come from one of ``article_ids`` (through
    exact duplicates, copied passages and copies, transitively): their events' origins are counted again."""
    return {r[0] for r in db.execute(
        "WITH RECURSIVE edge(src, dst) AS ("
        " SELECT duplicate_of, id FROM articles WHERE duplicate_of IS NOT NULL"
        " UNION ALL SELECT source_article_id, article_id FROM copy_passages"
        " UNION ALL SELECT source_article_id, article_id FROM copies WHERE coverage >= ?),"
        " reach(id) AS (SELECT value FROM json_each(?) UNION SELECT e.dst FROM edge e JOIN reach r ON e.src = r.id) "
        "SELECT id FROM reach WHERE id IN (SELECT article_id FROM event_state) "
        "AND id NOT IN (SELECT value FROM json_each(?))",
        (COPY_COVERAGE, json.dumps(article_ids), json.dumps(article_ids)))}


def provenance(db: sqlite3.Connection) -> dict:
    """Articles' outlets, exact duplicates, copied passages (per article, in index order) and the article
    each copies almost whole: the fields of :class:`marsad.events.merge.Provenance`."""
    arts, dups, passages, main = {}, {}, {}, {}
    for r in db.execute("SELECT id, outlet, url, source, cited_source, duplicate_of FROM articles"):
        arts[r["id"]] = {k: r[k] for k in ("id", "outlet", "url", "source", "cited_source")}
        if r["duplicate_of"]:
            dups[r["id"]] = r["duplicate_of"]
    for r in db.execute("SELECT article_id, source_article_id, start, end, source_start, source_end "
                        "FROM copy_passages ORDER BY article_id, source_article_id, rowid"):
        passages.setdefault(r[0], []).append(tuple(r[1:]))
    for r in db.execute("SELECT article_id, source_article_id FROM copies WHERE coverage >= ? "
                        "ORDER BY article_id, coverage DESC, source_article_id", (COPY_COVERAGE,)):
        main.setdefault(r[0], r[1])
    return {"articles": arts, "duplicate_of": dups, "passages": passages, "main_copy": main}


def load_state(store, items: list) -> dict:
    """What the events stage needs for ``items`` (new :class:`~marsad.model.AnalysedArticle`), as described
    in :mod:`marsad.events.stage`: which are read or tagged already, their stories' first dates, the next
    mention id, the event index, undated articles' story dates, articles whose provenance may have moved
    and the provenance itself."""
    db = store.db
    ids = [it.article.id for it in items]
    row = db.execute("SELECT value FROM meta WHERE key='entities.last_article_id'").fetchone()
    tagged_upto = int(row[0]) if row else 0
    return {
        "read": _ids_in(db, "SELECT article_id FROM event_state WHERE article_id IN (SELECT value FROM json_each(?))", ids),
        "tagged": {i for i in ids if i <= tagged_upto},
        "story_start": _story_starts(db, sorted({it.article.story_id for it in items if it.article.story_id is not None})),
        "next_id": db.execute("SELECT coalesce(max(id), 0) + 1 FROM event_mentions").fetchone()[0],
        "mentions": all_mentions(db),
        "undated": undated_story_starts(db),
        "moved": articles_reaching(db, ids),
        "provenance": provenance(db),
    }


# -- saving the stage's updates ---------------------------------------------------------------------

def _sentence_text(db: sqlite3.Connection, article_id: int, start: int, end: int) -> str:
    row = db.execute("SELECT substr(text, ?, ?) FROM articles WHERE id=?", (start + 1, end - start, article_id)).fetchone()
    return row[0] if row else ""


def save_state(store, updates: dict, items: list) -> None:
    """Write the events stage's updates (joins the runner's transaction): each read article's mentions
    under the ids the stage numbered them with, and its ``event_state`` row; re-dated mentions; dropped
    events deleted and changed ones written (evidence with its sentences' text), and the mentions whose
    event changed pointed at it."""
    db = store.db
    cols = ",".join(["id"] + MENTION_COLUMNS)
    marks = ",".join("?" * (len(MENTION_COLUMNS) + 1))
    next_id = updates["first_id"]
    for aid, ems in updates["read"]:
        db.execute("DELETE FROM event_mentions WHERE article_id=?", (aid,))
        rows = [(next_id + k,) + tuple(getattr(em, c) for c in MENTION_COLUMNS) for k, em in enumerate(ems)]
        db.executemany(f"INSERT INTO event_mentions({cols}) VALUES ({marks})", rows)
        next_id += len(ems)
        db.execute("INSERT OR REPLACE INTO event_state(article_id, n_mentions) VALUES (?,?)", (aid, len(ems)))
    db.executemany("UPDATE event_mentions SET date=?, time_precision=? WHERE id=?",
                   [(d, p, i) for i, d, p in updates["redated"]])
    changes = updates["changes"]
    db.executemany("DELETE FROM events WHERE id=?", [(i,) for i in changes.drop])
    for ev in changes.events:
        for e in ev["evidence"]:
            e["text"] = _sentence_text(db, e["article_id"], e["start"], e["end"])
    write_events(db, changes.events)
    db.executemany("UPDATE event_mentions SET event_id=? WHERE id=?", [(e, i) for i, e in changes.assign])


def counts(db: sqlite3.Connection) -> tuple[int, int]:
    """``(events, event mentions)`` stored."""
    return (db.execute("SELECT count(*) FROM events").fetchone()[0],
            db.execute("SELECT count(*) FROM event_mentions").fetchone()[0])


# -- merged events ---------------------------------------------------------------------------------

def write_events(db: sqlite3.Connection, events: list[dict]) -> None:
    """Insert merged events (dicts with the :data:`EVENT_COLUMNS` keys; lists are stored as JSON)."""
    cols = ",".join(EVENT_COLUMNS)
    marks = ",".join("?" * len(EVENT_COLUMNS))
    db.executemany(f"INSERT INTO events({cols}) VALUES ({marks})",
                   [tuple(json.dumps(ev[c], ensure_ascii=False) if isinstance(ev[c], list) else ev[c]
                          for c in EVENT_COLUMNS) for ev in events])


def event_rows(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every merged event, oldest first (undated last), with its place's kind (``location_kind``)."""
    return list(db.execute("SELECT ev.*, e.kind AS location_kind FROM events ev LEFT JOIN entities e "
                           "ON e.id = ev.location_id ORDER BY ev.date IS NULL, ev.date, ev.id"))


def story_of_articles(db: sqlite3.Connection) -> dict[int, int | None]:
    return {r[0]: r[1] for r in db.execute("SELECT id, story_id FROM articles")}
