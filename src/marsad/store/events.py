"""SQL of events: what the events stage reads and writes (``event_mentions``, ``event_state``, ``events``).

In: the store (for the runner's :func:`load_state` / :func:`save_state`) or a ``sqlite3`` connection, and
plain values. Out: plain dicts, ids and rows. The events stage (:func:`marsad.events.stage.run_events`, a
:class:`~marsad.stages.CrossStage`) never sees the store: the runner loads its state here and saves its
updates here, so no SQL lives in ``marsad.events``:

- :func:`load_state`: for a batch of new articles, which are read or tagged already, their developments'
  first dates, the next mention id, the event index (:class:`MentionIndex`: stored mentions with their
  events, read through indexed queries where merging needs them), undated articles' development dates,
  articles whose sentences may now trace back to the new ones (but those whose events this run already
  wrote with the provenance as it is), and the provenance independent origins are counted on (outlets,
  duplicates, copied passages, copies; read for the articles of the events merging builds). Between the
  batches of one run (:class:`_Chain`, while nothing else writes to the store) the days of the index
  already read stay in memory, kept up to date with the batches' writes, so a run reads each once;
- :func:`save_state`: the new mentions under the ids the stage numbered them with (and each article's
  ``event_state`` row), re-dated mentions, dropped and changed events (evidence gets its sentences'
  text here), in the runner's transaction;
- merged events read back for the exports (:func:`event_rows`, :func:`story_of_articles`, through
  :attr:`SQLiteStore.event_tables`).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date

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


IRREGULAR_DATE = "(date IS NULL OR date NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*')"
# The indexes :class:`MentionIndex` reads by. Created when the stage first loads its state rather than by a
# schema migration, so that a store keeps its schema version and stays readable by earlier marsad versions.
INDEXES = ["CREATE INDEX IF NOT EXISTS event_mentions_type_date ON event_mentions(sub_event_type, date)",
           f"CREATE INDEX IF NOT EXISTS event_mentions_irregular ON event_mentions(sub_event_type) WHERE {IRREGULAR_DATE}"]


def ensure_indexes(db: sqlite3.Connection) -> None:
    """Create :data:`INDEXES` where missing (once per store; each is built from the stored mentions)."""
    have = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'event_mentions'")}
    for sql in INDEXES:
        if sql.split()[5] not in have:
            db.execute(sql)


class MentionIndex:
    """The event index (``event_mentions`` with each mention's ``event_id``) read where merging needs it,
    through indexed queries: a sub-event type's mentions by date range (``event_mentions_type_date``), an
    event's (``event_mentions_event``), an article's, the unmerged ones; the types holding a mention whose
    date is missing or not ``YYYY-MM-DD`` (``event_mentions_irregular``). The interface of
    :class:`marsad.events.merge.RowIndex`; rows are plain dicts with every column (not to be changed: the
    days read are kept in ``cache``, a :class:`_DayCache`, for the next batches of the run)."""

    def __init__(self, db: sqlite3.Connection, cache: "_DayCache | None" = None):
        self.db, self.cache = db, cache

    def _rows(self, sql: str, params=()) -> list[dict]:
        return [dict(r) for r in self.db.execute(sql, params)]

    def irregular_types(self) -> set[str]:
        return {r[0] for r in self.db.execute(f"SELECT DISTINCT sub_event_type FROM event_mentions INDEXED BY event_mentions_irregular WHERE {IRREGULAR_DATE}")}

    def between(self, sub_event_type: str, ranges: list[tuple[str, str]]) -> list[dict]:
        """Mentions of the type dated within any of ``ranges`` (``lo <= date < hi``, disjoint; day bounds
        ``YYYY-MM-DD``): the days the cache holds from it, the others read (and kept in the cache)."""
        if self.cache is None:
            return self._read_between(sub_event_type, ranges)
        days = self.cache.days.setdefault(sub_event_type, {})
        out, missing = [], []
        for lo, hi in ranges:
            for d in range(date.fromisoformat(lo).toordinal(), date.fromisoformat(hi).toordinal()):
                if d in days:
                    out += days[d]
                elif missing and missing[-1][1] == d:
                    missing[-1][1] = d + 1
                else:
                    missing.append([d, d + 1])
        if missing:
            iso = lambda d: date.fromordinal(d).isoformat()   # noqa: E731
            rows = self._read_between(sub_event_type, [(iso(a), iso(b)) for a, b in missing])
            out += rows
            read = {}
            for r in rows:
                d = _ordinal(r["date"])
                if d is None:           # not a day: nothing kept (merging takes the type whole)
                    return out
                read.setdefault(d, []).append(r)
            for a, b in missing:
                for d in range(a, b):
                    days[d] = read.get(d, [])
                    for r in days[d]:
                        self.cache.by_id[r["id"]] = r
        return out

    def _read_between(self, sub_event_type: str, ranges: list[tuple[str, str]]) -> list[dict]:
        return self._rows("SELECT m.* FROM json_each(?) r CROSS JOIN event_mentions m ON m.sub_event_type = ? "
                          "AND m.date >= json_extract(r.value, '$[0]') AND m.date < json_extract(r.value, '$[1]')",
                          (json.dumps(ranges), sub_event_type))

    def of_type(self, sub_event_type: str) -> list[dict]:
        return self._rows("SELECT * FROM event_mentions WHERE sub_event_type = ?", (sub_event_type,))

    def last_date(self, sub_event_type: str) -> str | None:
        return self.db.execute("SELECT max(date) FROM event_mentions WHERE sub_event_type = ?", (sub_event_type,)).fetchone()[0]

    def members(self, event_ids: list[int]) -> list[dict]:
        return self._rows("SELECT * FROM event_mentions WHERE event_id IN (SELECT value FROM json_each(?))",
                          (json.dumps(list(event_ids)),))

    def of_articles(self, article_ids: list[int]) -> list[dict]:
        return self._rows("SELECT * FROM event_mentions WHERE article_id IN (SELECT value FROM json_each(?))",
                          (json.dumps(list(article_ids)),))

    def unmerged(self) -> list[dict]:
        return self._rows("SELECT * FROM event_mentions WHERE event_id IS NULL")


def articles_reaching(db: sqlite3.Connection, article_ids: list[int]) -> set[int]:
    """Articles read by the events stage whose sentences may come from one of ``article_ids`` (through
    exact duplicates, copied passages and copies, transitively): their events' origins are counted again.
    Walked from ``article_ids`` along the indexed source columns, a step per query."""
    seen = set(article_ids)
    frontier = sorted(seen)
    while frontier:
        ids = json.dumps(frontier)
        nxt = {r[0] for r in db.execute("SELECT id FROM articles WHERE duplicate_of IN (SELECT value FROM json_each(?))", (ids,))}
        nxt |= {r[0] for r in db.execute("SELECT article_id FROM copy_passages WHERE source_article_id IN "
                                         "(SELECT value FROM json_each(?))", (ids,))}
        nxt |= {r[0] for r in db.execute("SELECT article_id FROM copies WHERE source_article_id IN "
                                         "(SELECT value FROM json_each(?)) AND coverage >= ?", (ids, COPY_COVERAGE))}
        frontier = sorted(nxt - seen)
        seen |= nxt
    return _ids_in(db, "SELECT article_id FROM event_state WHERE article_id IN (SELECT value FROM json_each(?))",
                   sorted(seen - set(article_ids)))


def _ordinal(d: str | None) -> int | None:
    try:
        return date.fromisoformat(d[:10]).toordinal() if d else None
    except ValueError:
        return None


class _DayCache:
    """Stored mentions read by (sub-event type, day), kept from batch to batch of one :class:`_Chain` and
    updated with the batches' own writes, so that a run reads each day of the index once."""

    def __init__(self):
        self.days: dict[str, dict[int, list[dict]]] = {}
        self.by_id: dict[int, dict] = {}

    def _place(self, r: dict) -> None:
        d = _ordinal(r["date"])
        held = self.days.get(r["sub_event_type"], {})
        if d is not None and d in held:
            held[d].append(r)
            self.by_id[r["id"]] = r

    def _remove(self, r: dict) -> None:
        d = _ordinal(r["date"])
        held = self.days.get(r["sub_event_type"], {})
        if d in held:
            held[d] = [x for x in held[d] if x["id"] != r["id"]]
        self.by_id.pop(r["id"], None)

    def saved(self, db: sqlite3.Connection, first_id: int, redated: list[tuple], assign: list[tuple]) -> None:
        """The batch's writes: mentions inserted from ``first_id`` on (read back as stored), re-dated and
        re-pointed ones."""
        for i, d, p in redated:
            r = self.by_id.get(i)
            if r is not None:
                self._remove(r)
                self._place(dict(r, date=d, time_precision=p))
        for i, e in assign:
            r = self.by_id.get(i)
            if r is not None:
                r["event_id"] = e
        for r in db.execute("SELECT * FROM event_mentions WHERE id >= ?", (first_id,)):
            self._place(dict(r))


class _Chain:
    """What one connection's consecutive events batches know between them: the articles whose events were
    all written by these batches (read by them, or rebuilt because their provenance may have moved), so
    with the provenance as it is. Valid while nothing else changed the store since the last batch saved
    (``mark``: the connection's change count after that batch's commit, and the other connections' data
    version); a rebuild of those articles' events gives the records stored, so it is skipped."""

    def __init__(self):
        self.mark: tuple[int, int, int | None] | None = None
        self.fresh: set[int] = set()
        self.moved: set[int] = set()
        self.cache: _DayCache | None = None

    @staticmethod
    def of(store) -> "_Chain":
        chain = getattr(store, "_events_chain", None)
        if chain is None:
            chain = store._events_chain = _Chain()
        return chain

    @staticmethod
    def _now(db: sqlite3.Connection) -> tuple[int, int, int | None]:
        row = db.execute("SELECT value FROM meta WHERE key = 'events.last_article_id'").fetchone()
        return db.total_changes, db.execute("PRAGMA data_version").fetchone()[0], int(row[0]) if row else None

    def check(self, db: sqlite3.Connection) -> set[int]:
        """At a batch's start: what the earlier batches knew, if the store is as the last one left it
        (else nothing); the day cache starts anew then."""
        if self.mark is None or self.mark != self._now(db):
            self.fresh, self.cache = set(), None
        if self.cache is None:
            self.cache = _DayCache()
        self.mark = None
        return self.fresh

    def saved(self, db: sqlite3.Connection, read: list[int], items: list) -> None:
        """After a batch's writes, in its transaction: ``mark_done`` then writes one row (when there are
        items: the last article id) before the commit."""
        self.fresh |= set(read) | self.moved
        total, version, last = self._now(db)
        if items:
            top = max(it.article.id for it in items)
            total, last = total + 1, top if last is None else max(last, top)
        self.mark = (total, version, last)


class _Lookup(dict):
    """A dict filled on demand: a key not held yet is read by ``fetch([key])`` (which fills it, or marks it
    absent) the first time it is asked for."""

    def __init__(self, fetch):
        super().__init__()
        self._fetch, self._absent = fetch, set()

    def __missing__(self, key):
        if key not in self._absent:
            self._fetch([key])
            if dict.__contains__(self, key):
                return dict.__getitem__(self, key)
        raise KeyError(key)

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default


def provenance(db: sqlite3.Connection) -> dict:
    """Articles' outlets, exact duplicates, copied passages (per article, in index order) and the article
    each copies almost whole: the fields of :class:`marsad.events.merge.Provenance`, read for the articles
    merging asks about (the events it builds are few next to the store): ``fetch(ids)`` reads those
    articles' ahead in a few queries (and, transitively, the articles they duplicate or copy whole; the
    sources of copied passages only when a sentence's origin is traced there); any other lookup reads one
    article."""
    arts: _Lookup
    dups: _Lookup
    passages: _Lookup
    main: _Lookup

    def fetch(article_ids) -> None:
        todo = sorted({a for a in article_ids if a not in arts and a not in arts._absent})
        while todo:
            ids = json.dumps(todo)
            found: dict[int, list] = {}
            for r in db.execute("SELECT id, outlet, url, source, cited_source, duplicate_of FROM articles "
                                "WHERE id IN (SELECT value FROM json_each(?))", (ids,)):
                arts[r["id"]] = {k: r[k] for k in ("id", "outlet", "url", "source", "cited_source")}
                if r["duplicate_of"]:
                    dups[r["id"]] = r["duplicate_of"]
            for r in db.execute("SELECT article_id, source_article_id, start, end, source_start, source_end "
                                "FROM copy_passages WHERE article_id IN (SELECT value FROM json_each(?)) "
                                "ORDER BY article_id, source_article_id, rowid", (ids,)):
                found.setdefault(r[0], []).append(tuple(r[1:]))
            for r in db.execute("SELECT article_id, source_article_id FROM copies WHERE coverage >= ? "
                                "AND article_id IN (SELECT value FROM json_each(?)) "
                                "ORDER BY article_id, coverage DESC, source_article_id", (COPY_COVERAGE, ids)):
                if r[0] not in main:
                    main[r[0]] = r[1]
            passages.update(found)
            for a in todo:
                for lookup in (arts, dups, passages, main):
                    if a not in lookup:
                        lookup._absent.add(a)
            nxt = {dups[a] for a in todo if a in dups} | {main[a] for a in todo if a in main}
            todo = sorted(a for a in nxt if a not in arts and a not in arts._absent)

    arts, dups, passages, main = (_Lookup(lambda ids: fetch(ids)) for _ in range(4))
    return {"articles": arts, "duplicate_of": dups, "passages": passages, "main_copy": main, "fetch": fetch}


def load_state(store, items: list) -> dict:
    """What the events stage needs for ``items`` (new :class:`~marsad.model.AnalysedArticle`), as described
    in :mod:`marsad.events.stage`: which are read or tagged already, their stories' first dates, the next
    mention id, the event index (read where merging needs it), undated articles' story dates, articles
    whose provenance may have moved and the provenance (read per article as merging asks)."""
    db = store.db
    ensure_indexes(db)
    chain = _Chain.of(store)
    fresh = chain.check(db)
    ids = [it.article.id for it in items]
    row = db.execute("SELECT value FROM meta WHERE key='entities.last_article_id'").fetchone()
    tagged_upto = int(row[0]) if row else 0
    return {
        "read": _ids_in(db, "SELECT article_id FROM event_state WHERE article_id IN (SELECT value FROM json_each(?))", ids),
        "tagged": {i for i in ids if i <= tagged_upto},
        "story_start": _story_starts(db, sorted({it.article.story_id for it in items if it.article.story_id is not None})),
        "next_id": db.execute("SELECT coalesce(max(id), 0) + 1 FROM event_mentions").fetchone()[0],
        "mentions": MentionIndex(db, chain.cache),
        "undated": undated_story_starts(db),
        "moved": _moved(store, chain, fresh, ids),
        "provenance": provenance(db),
    }


def _moved(store, chain: _Chain, fresh: set[int], ids: list[int]) -> set[int]:
    """:func:`articles_reaching` ``ids``, but for the articles whose events earlier batches of this run wrote
    with the provenance as it is (:class:`_Chain`): a first run over many batches walks nothing."""
    db = store.db
    stale = db.execute("SELECT count(*) FROM event_state").fetchone()[0] > len(fresh)
    chain.moved = articles_reaching(db, ids) - fresh if stale else set()
    return chain.moved


# -- saving the stage's updates ---------------------------------------------------------------------

def _sentence_text(db: sqlite3.Connection, article_id: int, start: int, end: int) -> str:
    row = db.execute("SELECT substr(text, ?, ?) FROM articles WHERE id=?", (start + 1, end - start, article_id)).fetchone()
    return row[0] if row else ""


def _stored_as_is(db: sqlite3.Connection, events: list[dict], dropped: set[int]) -> set[int]:
    """Ids of ``events`` (records to write over dropped ones) that the store already holds exactly so (an
    event rebuilt because an article's provenance may have moved, with the same origins): left in place."""
    ids = [ev["id"] for ev in events if ev["id"] in dropped]
    if not ids:
        return set()
    stored = {r["id"]: r for r in db.execute("SELECT * FROM events WHERE id IN (SELECT value FROM json_each(?))",
                                             (json.dumps(ids),))}
    same = set()
    for ev in events:
        r = stored.get(ev["id"])
        if r is None:
            continue
        for c in EVENT_COLUMNS:
            if c == "evidence":
                if [{k: v for k, v in e.items() if k != "text"} for e in json.loads(r[c])] != ev[c]:
                    break
            elif (json.dumps(ev[c], ensure_ascii=False) if isinstance(ev[c], list) else ev[c]) != r[c]:
                break
        else:
            same.add(ev["id"])
    return same


def save_state(store, updates: dict, items: list) -> None:
    """Write the events stage's updates (joins the runner's transaction): each read article's mentions
    under the ids the stage numbered them with, and its ``event_state`` row; re-dated mentions; dropped
    events deleted and changed ones written (evidence with its sentences' text), and the mentions whose
    event changed pointed at it."""
    db = store.db
    cols = ",".join(["id"] + MENTION_COLUMNS)
    marks = ",".join("?" * (len(MENTION_COLUMNS) + 1))
    next_id = updates["first_id"]
    chain = _Chain.of(store)
    for aid, ems in updates["read"]:
        if db.execute("DELETE FROM event_mentions WHERE article_id=?", (aid,)).rowcount:
            chain.cache = None          # an article read again: its former mentions may be in the cache
        rows = [(next_id + k,) + tuple(getattr(em, c) for c in MENTION_COLUMNS) for k, em in enumerate(ems)]
        db.executemany(f"INSERT INTO event_mentions({cols}) VALUES ({marks})", rows)
        next_id += len(ems)
        db.execute("INSERT OR REPLACE INTO event_state(article_id, n_mentions) VALUES (?,?)", (aid, len(ems)))
    db.executemany("UPDATE event_mentions SET date=?, time_precision=? WHERE id=?",
                   [(d, p, i) for i, d, p in updates["redated"]])
    changes = updates["changes"]
    unchanged = _stored_as_is(db, changes.events, set(changes.drop))
    db.executemany("DELETE FROM events WHERE id=?", [(i,) for i in changes.drop if i not in unchanged])
    written = [ev for ev in changes.events if ev["id"] not in unchanged]
    for ev in written:
        for e in ev["evidence"]:
            e["text"] = _sentence_text(db, e["article_id"], e["start"], e["end"])
    write_events(db, written)
    db.executemany("UPDATE event_mentions SET event_id=? WHERE id=?", [(e, i) for i, e in changes.assign])
    if chain.cache is not None:
        chain.cache.saved(db, updates["first_id"], updates["redated"], changes.assign)
    chain.saved(db, [aid for aid, _ in updates["read"]], items)


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
