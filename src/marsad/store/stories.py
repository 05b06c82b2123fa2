"""SQL of developments (``stories``) and storylines: what the link stage reads and writes about them.

In: a ``sqlite3`` connection (``Store.db``) and plain values. Out: rows and plain dicts. The link stage
reaches these through :meth:`SQLiteStore.stories_sql` (this module), so no SQL lives in ``marsad.link``:

- article profiles (``link_profiles``): lead / topic n-gram vectors, entities, weekdays and dates;
- ``story_edges``: article pairs whose score reached the join score, with the signals behind it
  (the explanation of why an article joined its development);
- developments: create, assign articles, merge, split, profile columns (centroid, topic, entities, days);
- storylines: create, assign developments, edges between developments, titles and spans;
- ``story_log``: every merge and split of developments and storylines, with its reason.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Iterable

MIGRATION = """
CREATE TABLE link_profiles (           -- what the link stage compares an article on (marsad.link.signals)
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    lead BLOB,                         -- character n-gram TF-IDF of title + lead (int32 buckets, float16 weights)
    topic BLOB,                        -- the same over the whole text, heaviest buckets only
    keys TEXT NOT NULL DEFAULT '[]',   -- entity ids named in the lead
    persons TEXT NOT NULL DEFAULT '[]',
    cities TEXT NOT NULL DEFAULT '[]',
    entities TEXT NOT NULL DEFAULT '[]',
    weekdays TEXT NOT NULL DEFAULT '[]',
    days TEXT NOT NULL DEFAULT '[]',   -- ordinal days: published date and dates written in the opening
    names TEXT NOT NULL DEFAULT '{}'   -- entity id -> name as written in the lead
);
CREATE TABLE story_edges (             -- article pairs scored as one development (a < b)
    a INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    b INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    score REAL NOT NULL,
    signals TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (a, b)
) WITHOUT ROWID;
CREATE INDEX story_edges_b ON story_edges(b);
ALTER TABLE stories ADD COLUMN storyline_id INTEGER;
ALTER TABLE stories ADD COLUMN topic BLOB;         -- float32 sum of members' topic vectors (buckets, weights)
ALTER TABLE stories ADD COLUMN days TEXT NOT NULL DEFAULT '[]';
CREATE INDEX stories_storyline ON stories(storyline_id);
CREATE TABLE storylines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT,
    start TEXT, end TEXT,
    n_stories INTEGER NOT NULL DEFAULT 0,
    n_articles INTEGER NOT NULL DEFAULT 0,
    summary TEXT NOT NULL DEFAULT '[]',   -- JSON list of {story_id, title, start, end}
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE TABLE storyline_edges (         -- development pairs scored as one storyline (a < b, story ids)
    a INTEGER NOT NULL, b INTEGER NOT NULL, score REAL NOT NULL,
    PRIMARY KEY (a, b)
) WITHOUT ROWID;
CREATE INDEX storyline_edges_b ON storyline_edges(b);
CREATE TABLE story_log (               -- merges and splits of developments and storylines, with why
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    level TEXT NOT NULL,               -- development | storyline
    kind TEXT NOT NULL,                -- merge | split
    target_id INTEGER,                 -- the development / storyline kept (merge) or split
    other_id INTEGER,                  -- the one merged away (merge) or split off
    reason TEXT NOT NULL DEFAULT '{}'  -- JSON: the bridging article and signals, or the edges dropped
);
CREATE INDEX story_log_target ON story_log(target_id);
"""


def _marks(ids) -> str:
    return ",".join("?" * len(ids))


def _chunks(ids: list, size: int = 500):
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


# -- article profiles ----------------------------------------------------------------------------
def save_profiles(db: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """rows: (article_id, lead blob, topic blob, keys, persons, cities, entities, weekdays, days, names)."""
    db.executemany("INSERT OR REPLACE INTO link_profiles(article_id, lead, topic, keys, persons, cities, entities, "
                   "weekdays, days, names) VALUES (?,?,?,?,?,?,?,?,?,?)",
                   [r[:3] + tuple(json.dumps(x, ensure_ascii=False) for x in r[3:]) for r in rows])


def load_profiles(db: sqlite3.Connection, ids: list[int]) -> dict[int, sqlite3.Row]:
    out = {}
    for part in _chunks(sorted(set(ids))):
        for r in db.execute(f"SELECT * FROM link_profiles WHERE article_id IN ({_marks(part)})", part):
            out[r["article_id"]] = r
    return out


def index_rows(db: sqlite3.Connection, encoder: str, days: tuple[int, int] | None):
    """(article_id, story_id, vector, day, keys) of linked articles with a vector, near ``days`` (all if None)."""
    sql = ("SELECT l.article_id, a.story_id, l.vector, l.day, p.keys FROM link_state l "
           "JOIN articles a ON a.id = l.article_id LEFT JOIN link_profiles p ON p.article_id = l.article_id "
           "WHERE l.vector IS NOT NULL AND l.encoder = ? AND a.story_id IS NOT NULL")
    args: list = [encoder]
    if days is not None:
        sql += " AND (l.day IS NULL OR l.day BETWEEN ? AND ?)"
        args += [days[0], days[1]]
    return db.execute(sql + " ORDER BY l.article_id", args).fetchall()


def article_rows(db: sqlite3.Connection, ids: list[int]) -> dict[int, sqlite3.Row]:
    out = {}
    for part in _chunks(ids):
        for r in db.execute(f"SELECT id, title, title_derived, published, text, duplicate_of, story_id FROM articles "
                            f"WHERE id IN ({_marks(part)})", part):
            out[r["id"]] = r
    return out


def mention_rows(db: sqlite3.Connection, ids: list[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {i: [] for i in ids}
    for part in _chunks(ids):
        for r in db.execute(
                "SELECT m.article_id, m.start, m.type, m.entity_id, m.text, e.name_ar AS name, e.geo_precision "
                f"FROM mentions m LEFT JOIN entities e ON e.id = m.entity_id WHERE m.article_id IN ({_marks(part)}) "
                "ORDER BY m.article_id, m.start", part):
            out[r["article_id"]].append(dict(r))
    return out


def story_of_articles(db: sqlite3.Connection, ids: list[int]) -> dict[int, int | None]:
    out = {}
    for part in _chunks(ids):
        for aid, sid in db.execute(f"SELECT id, story_id FROM articles WHERE id IN ({_marks(part)})", part):
            out[aid] = sid
    return out


# -- edges ---------------------------------------------------------------------------------------
def save_edges(db: sqlite3.Connection, edges: Iterable[tuple[int, int, float, dict]]) -> None:
    db.executemany("INSERT OR REPLACE INTO story_edges(a, b, score, signals) VALUES (?,?,?,?)",
                   [(min(a, b), max(a, b), round(s, 4), json.dumps(sig, ensure_ascii=False)) for a, b, s, sig in edges])


def edges_within(db: sqlite3.Connection, story_id: int) -> list[tuple[int, int, float]]:
    """Edges whose both articles are in development ``story_id``."""
    return [tuple(r) for r in db.execute(
        "SELECT e.a, e.b, e.score FROM story_edges e JOIN articles x ON x.id = e.a JOIN articles y ON y.id = e.b "
        "WHERE x.story_id = ? AND y.story_id = ?", (story_id, story_id))]


def delete_edges_below(db: sqlite3.Connection, pairs: list[tuple[int, int]]) -> None:
    db.executemany("DELETE FROM story_edges WHERE a=? AND b=?", pairs)


def explanations(db: sqlite3.Connection, ids: list[int] | None = None) -> dict[int, dict]:
    """For each article, its strongest edge to another article of its development: {partner, score, signals}."""
    sql = ("SELECT e.a, e.b, e.score, e.signals FROM story_edges e JOIN articles x ON x.id = e.a "
           "JOIN articles y ON y.id = e.b WHERE x.story_id = y.story_id")
    out: dict[int, dict] = {}
    wanted = set(ids) if ids is not None else None
    rows = []
    if wanted is None:
        rows = db.execute(sql).fetchall()
    else:
        for part in _chunks(sorted(wanted)):
            m = _marks(part)
            rows += db.execute(sql + f" AND (e.a IN ({m}) OR e.b IN ({m}))", part + part).fetchall()
    for a, b, score, signals in rows:
        for me, other in ((a, b), (b, a)):
            if wanted is not None and me not in wanted:
                continue
            if me not in out or score > out[me]["score"] or (score == out[me]["score"] and other < out[me]["article_id"]):
                out[me] = {"article_id": other, "score": score, "signals": json.loads(signals)}
    return out


# -- developments --------------------------------------------------------------------------------
def new_story(db: sqlite3.Connection, encoder: str) -> int:
    return db.execute("INSERT INTO stories(encoder) VALUES (?)", (encoder,)).lastrowid


def assign_articles(db: sqlite3.Connection, pairs: Iterable[tuple[int, int]]) -> None:
    """pairs: (story_id, article_id)."""
    db.executemany("UPDATE articles SET story_id=? WHERE id=?", list(pairs))


def move_story(db: sqlite3.Connection, from_id: int, to_id: int) -> None:
    db.execute("UPDATE articles SET story_id=? WHERE story_id=?", (to_id, from_id))
    db.execute("DELETE FROM stories WHERE id=?", (from_id,))
    db.execute("DELETE FROM storyline_edges WHERE a=? OR b=?", (from_id, from_id))


def log(db: sqlite3.Connection, level: str, kind: str, target: int | None, other: int | None, reason: dict) -> None:
    db.execute("INSERT INTO story_log(level, kind, target_id, other_id, reason) VALUES (?,?,?,?,?)",
               (level, kind, target, other, json.dumps(reason, ensure_ascii=False)))


def story_log(db: sqlite3.Connection, story_id: int | None = None, level: str | None = None) -> list[dict]:
    sql, args = "SELECT * FROM story_log WHERE 1=1", []
    if story_id is not None:
        sql += " AND (target_id=? OR other_id=?)"
        args += [story_id, story_id]
    if level:
        sql += " AND level=?"
        args.append(level)
    return [dict(r, reason=json.loads(r["reason"])) for r in db.execute(sql + " ORDER BY id", args)]


def story_log_count(db: sqlite3.Connection, level: str) -> int:
    """How many merges and splits of ``level`` are logged (without reading their reasons)."""
    return db.execute("SELECT count(*) FROM story_log WHERE level=?", (level,)).fetchone()[0]


def member_profiles(db: sqlite3.Connection, story_id: int):
    """(article_id, vector, topic blob, entities json, days json) of a development's articles with a profile."""
    return db.execute(
        "SELECT a.id, l.vector, p.topic, p.entities, p.days FROM articles a LEFT JOIN link_state l ON l.article_id = a.id "
        "LEFT JOIN link_profiles p ON p.article_id = a.id WHERE a.story_id=? ORDER BY a.id", (story_id,)).fetchall()


def members_profiles(db: sqlite3.Connection, story_ids: list[int]) -> dict[int, list[tuple]]:
    """:func:`member_profiles` of several developments in one query per 500: development id -> its rows."""
    out: dict[int, list[tuple]] = {}
    for part in _chunks(sorted(story_ids)):
        for row in db.execute(
                "SELECT a.story_id, a.id, l.vector, p.topic, p.entities, p.days FROM articles a "
                "LEFT JOIN link_state l ON l.article_id = a.id LEFT JOIN link_profiles p ON p.article_id = a.id "
                f"WHERE a.story_id IN ({_marks(part)}) ORDER BY a.story_id, a.id", part):
            out.setdefault(row[0], []).append(tuple(row[1:]))
    return out


def save_story_profile(db: sqlite3.Connection, story_id: int, centroid: bytes | None, n_vectors: int, n_articles: int,
                       topic: bytes | None, entities: dict, days: list[int], start_day, end_day, encoder: str) -> None:
    db.execute("UPDATE stories SET centroid=?, n_vectors=?, n_articles=?, topic=?, entities=?, days=?, start_day=?, "
               "end_day=?, encoder=?, updated_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=?",
               (centroid, n_vectors, n_articles, topic, json.dumps(entities, ensure_ascii=False), json.dumps(days),
                start_day, end_day, encoder, story_id))


def story_profiles(db: sqlite3.Connection, ids: list[int] | None = None, days: tuple[int, int] | None = None):
    """(id, centroid, n_vectors, n_articles, topic, entities, days, storyline_id, encoder) of developments."""
    sql = "SELECT id, centroid, n_vectors, n_articles, topic, entities, days, storyline_id, encoder FROM stories"
    if ids is not None:
        out = []
        for part in _chunks(sorted(set(ids))):
            out += db.execute(sql + f" WHERE id IN ({_marks(part)})", part).fetchall()
        return out
    if days is not None:
        return db.execute(sql + " WHERE end_day IS NULL OR (end_day >= ? AND start_day <= ?) ORDER BY id", days).fetchall()
    return db.execute(sql + " ORDER BY id").fetchall()


def country_entity_ids(db: sqlite3.Connection, ids: Iterable[str]) -> set[str]:
    """Those of entity ``ids`` that name a whole country (GPE at region-or-larger precision)."""
    out: set[str] = set()
    for part in _chunks(sorted(set(ids))):
        out.update(r[0] for r in db.execute(
            f"SELECT id FROM entities WHERE type='GPE' AND geo_precision=3 AND id IN ({_marks(part)})", part))
    return out


def story_members(db: sqlite3.Connection, story_id: int) -> list[int]:
    return [r[0] for r in db.execute("SELECT id FROM articles WHERE story_id=? ORDER BY id", (story_id,))]


def duplicate_roots(db: sqlite3.Connection, ids: list[int]) -> list[tuple[int, int]]:
    """(article id, the article it duplicates) for those of ``ids`` that are near duplicates."""
    out = []
    for part in _chunks(sorted(set(ids))):
        out += [tuple(r) for r in db.execute(
            f"SELECT id, duplicate_of FROM articles WHERE duplicate_of IS NOT NULL AND id IN ({_marks(part)})", part)]
    return out


def vectors(db: sqlite3.Connection, ids: list[int]) -> dict[int, bytes]:
    out = {}
    for part in _chunks(sorted(set(ids))):
        for aid, blob in db.execute(f"SELECT article_id, vector FROM link_state WHERE vector IS NOT NULL AND "
                                    f"article_id IN ({_marks(part)})", part):
            out[aid] = blob
    return out


def live_story_ids(db: sqlite3.Connection, ids: Iterable[int]) -> list[int]:
    ids = sorted(set(ids))
    out = []
    for part in _chunks(ids):
        out += [r[0] for r in db.execute(f"SELECT id FROM stories WHERE id IN ({_marks(part)})", part)]
    return out


def max_story_id(db: sqlite3.Connection) -> int:
    return db.execute("SELECT coalesce(max(id), 0) FROM stories").fetchone()[0]


# -- storylines ----------------------------------------------------------------------------------
def save_storyline_edges(db: sqlite3.Connection, story_id: int, edges: list[tuple[int, float]]) -> None:
    """Replace the storyline edges of development ``story_id`` with ``edges`` [(other story id, score)]."""
    db.execute("DELETE FROM storyline_edges WHERE a=? OR b=?", (story_id, story_id))
    db.executemany("INSERT OR REPLACE INTO storyline_edges(a, b, score) VALUES (?,?,?)",
                   [(min(story_id, o), max(story_id, o), round(s, 4)) for o, s in edges if o != story_id])


def storyline_neighbours(db: sqlite3.Connection, story_ids: list[int]) -> dict[int, list[tuple[int, float]]]:
    out: dict[int, list[tuple[int, float]]] = {}
    for part in _chunks(sorted(set(story_ids))):
        m = _marks(part)
        for a, b, s in db.execute(f"SELECT a, b, score FROM storyline_edges WHERE a IN ({m}) OR b IN ({m})", part + part):
            out.setdefault(a, []).append((b, s))
            out.setdefault(b, []).append((a, s))
    return out


def storyline_of(db: sqlite3.Connection, story_ids: list[int]) -> dict[int, int | None]:
    out = {}
    for part in _chunks(sorted(set(story_ids))):
        for sid, lid in db.execute(f"SELECT id, storyline_id FROM stories WHERE id IN ({_marks(part)})", part):
            out[sid] = lid
    return out


def story_sizes(db: sqlite3.Connection, story_ids: list[int]) -> dict[int, int]:
    """{development id: its number of articles}."""
    out = {}
    for part in _chunks(sorted(set(story_ids))):
        out.update(db.execute(f"SELECT id, n_articles FROM stories WHERE id IN ({_marks(part)})", part).fetchall())
    return out


def storyline_members(db: sqlite3.Connection, storyline_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for part in _chunks(sorted(set(storyline_ids))):
        for sid, lid in db.execute(f"SELECT id, storyline_id FROM stories WHERE storyline_id IN ({_marks(part)}) ORDER BY id", part):
            out.setdefault(lid, []).append(sid)
    return out


def new_storyline(db: sqlite3.Connection) -> int:
    return db.execute("INSERT INTO storylines DEFAULT VALUES").lastrowid


def set_storyline(db: sqlite3.Connection, pairs: list[tuple[int, int]]) -> None:
    """pairs: (storyline_id, story_id)."""
    db.executemany("UPDATE stories SET storyline_id=? WHERE id=?", pairs)


def drop_empty_storylines(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM storylines WHERE id NOT IN (SELECT storyline_id FROM stories WHERE storyline_id IS NOT NULL)")


def describe_storyline(db: sqlite3.Connection, storyline_id: int) -> None:
    """Title (of its largest development), span, counts and the developments in time order."""
    rows = db.execute("SELECT id, title, start, end, n_articles FROM stories WHERE storyline_id=? "
                      "ORDER BY coalesce(start, '9999'), id", (storyline_id,)).fetchall()
    if not rows:
        db.execute("DELETE FROM storylines WHERE id=?", (storyline_id,))
        return
    biggest = sorted(rows, key=lambda r: (-r["n_articles"], r["id"]))[0]
    starts = [r["start"] for r in rows if r["start"]]
    ends = [r["end"] for r in rows if r["end"]]
    summary = [{"story_id": r["id"], "title": r["title"], "start": r["start"], "end": r["end"],
                "n_articles": r["n_articles"]} for r in rows]
    db.execute("UPDATE storylines SET title=?, start=?, end=?, n_stories=?, n_articles=?, summary=?, "
               "updated_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=?",
               (biggest["title"], min(starts) if starts else None, max(ends) if ends else None, len(rows),
                sum(r["n_articles"] for r in rows), json.dumps(summary, ensure_ascii=False), storyline_id))


def storyline(db: sqlite3.Connection, storyline_id: int) -> dict | None:
    r = db.execute("SELECT * FROM storylines WHERE id=?", (storyline_id,)).fetchone()
    if r is None:
        return None
    ids = [x[0] for x in db.execute("SELECT id FROM stories WHERE storyline_id=? AND n_articles > 0 "
                                    "ORDER BY coalesce(start, '9999'), id", (storyline_id,))]
    return {"id": r["id"], "title": r["title"], "story_ids": ids, "start": r["start"], "end": r["end"],
            "summary": json.loads(r["summary"] or "[]"), "n_articles": r["n_articles"]}


def storylines(db: sqlite3.Connection) -> list[dict]:
    members: dict[int, list[int]] = {}
    for sid, lid in db.execute("SELECT id, storyline_id FROM stories WHERE storyline_id IS NOT NULL AND n_articles > 0 "
                               "ORDER BY coalesce(start, '9999'), id"):
        members.setdefault(lid, []).append(sid)
    out = []
    for r in db.execute("SELECT * FROM storylines ORDER BY id"):
        if r["id"] in members:
            out.append({"id": r["id"], "title": r["title"], "story_ids": members[r["id"]], "start": r["start"],
                        "end": r["end"], "summary": json.loads(r["summary"] or "[]"),
                        "n_articles": r["n_articles"]})
    out.sort(key=lambda s: (-s["n_articles"], -len(s["story_ids"]), s["id"]))
    return out


# -- reading developments --------------------------------------------------------------------------
def story_rows(db: sqlite3.Connection) -> tuple[list[sqlite3.Row], dict[int, list[int]]]:
    members: dict[int, list[int]] = {}
    for sid, aid in db.execute("SELECT story_id, id FROM articles WHERE story_id IS NOT NULL ORDER BY id"):
        members.setdefault(sid, []).append(aid)
    return db.execute("SELECT * FROM stories ORDER BY id").fetchall(), members


def story_rows_for(db: sqlite3.Connection, ids: list[int]) -> tuple[list[sqlite3.Row], dict[int, list[int]]]:
    rows, members = [], {}
    for part in _chunks(sorted(set(ids))):
        m = _marks(part)
        rows += db.execute(f"SELECT * FROM stories WHERE id IN ({m})", part).fetchall()
        for sid, aid in db.execute(f"SELECT story_id, id FROM articles WHERE story_id IN ({m}) ORDER BY id", part):
            members.setdefault(sid, []).append(aid)
    return rows, members


def story_row(db: sqlite3.Connection, story_id: int):
    r = db.execute("SELECT * FROM stories WHERE id=?", (story_id,)).fetchone()
    if r is None:
        return None, []
    arts = db.execute("SELECT id, title, outlet, published, source, url, duplicate_of, similarity FROM articles "
                      "WHERE story_id=? ORDER BY coalesce(published, '9999'), id", (story_id,)).fetchall()
    return r, arts


def copy_rows(db: sqlite3.Connection, article_id: int | None):
    where, args = "", ()
    if article_id is not None:
        where, args = " WHERE article_id=? OR source_article_id=?", (article_id, article_id)
    passages = db.execute("SELECT * FROM copy_passages" + where + " ORDER BY article_id, source_article_id, start", args).fetchall()
    return db.execute("SELECT * FROM copies" + where + " ORDER BY article_id, source_article_id", args).fetchall(), passages


def summary_inputs(db: sqlite3.Connection, story_id: int):
    """Members of a development with what its title and summary are chosen from."""
    return db.execute(
        "SELECT a.id, a.title, a.title_derived, a.outlet, a.published, a.duplicate_of, l.vector "
        "FROM articles a LEFT JOIN link_state l ON l.article_id = a.id WHERE a.story_id=? ORDER BY a.id",
        (story_id,)).fetchall()


def article_text_and_spans(db: sqlite3.Connection, article_id: int) -> tuple[str, list[tuple[int, int]]]:
    text = db.execute("SELECT text FROM articles WHERE id=?", (article_id,)).fetchone()[0]
    spans = [(s, e) for s, e in db.execute("SELECT start, end FROM sentences WHERE article_id=? ORDER BY idx", (article_id,))]
    return text, spans


def summary_inputs_of(db: sqlite3.Connection, story_ids: list[int]) -> dict[int, list[sqlite3.Row]]:
    """:func:`summary_inputs` of several developments, one query per 500: development id -> its rows."""
    out: dict[int, list[sqlite3.Row]] = {}
    for part in _chunks(sorted(story_ids)):
        for row in db.execute(
                "SELECT a.id, a.title, a.title_derived, a.outlet, a.published, a.duplicate_of, l.vector, a.story_id "
                "FROM articles a LEFT JOIN link_state l ON l.article_id = a.id "
                f"WHERE a.story_id IN ({_marks(part)}) ORDER BY a.story_id, a.id", part):
            out.setdefault(row["story_id"], []).append(row)
    return out


def texts_and_spans(db: sqlite3.Connection, ids: list[int]) -> dict[int, tuple[str, list[tuple[int, int]]]]:
    """:func:`article_text_and_spans` of several articles, two queries per 500."""
    out: dict[int, tuple[str, list[tuple[int, int]]]] = {}
    for part in _chunks(sorted(set(ids))):
        for aid, text in db.execute(f"SELECT id, text FROM articles WHERE id IN ({_marks(part)})", part):
            out[aid] = (text, [])
        for aid, start, end in db.execute(f"SELECT article_id, start, end FROM sentences WHERE article_id IN "
                                          f"({_marks(part)}) ORDER BY article_id, idx", part):
            if aid in out:
                out[aid][1].append((start, end))
    return out


def save_description(db: sqlite3.Connection, story_id: int, title, start, end, n: int, outlets: list, summary: list) -> None:
    db.execute("UPDATE stories SET title=?, start=?, end=?, n_articles=?, outlets=?, summary=? WHERE id=?",
               (title, start, end, n, json.dumps(outlets, ensure_ascii=False), json.dumps(summary, ensure_ascii=False), story_id))


def delete_story(db: sqlite3.Connection, story_id: int) -> None:
    db.execute("DELETE FROM stories WHERE id=?", (story_id,))
