"""What the web app reads (and the ingest-job table it writes): indexed, paginated queries only.

In: a :class:`~marsad.store.Store` (reached as ``store.web``). Out: ``sqlite3.Row`` objects, plain
dicts and ``(total, rows)`` pages for the pages and the JSON API. Every query is answered from an
index or from the summary tables that triggers keep up to date on every write (``entity_stats``,
``outlet_stats``, ``day_stats``, see the schema's web migration), so no request scans all articles,
claims, mentions or entities. Shaping rows into the ``marsad/1`` export records is
:mod:`marsad.web.data`'s job.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any, Iterable

ARTICLE_COLUMNS = ("id", "source", "url", "outlet", "title", "title_derived", "published", "language", "text",
                   "duplicate_of", "story_id", "byline", "cited_source", "removed")
LIST_COLUMNS = ("id", "source", "url", "outlet", "title", "title_derived", "published", "language",
                "duplicate_of", "story_id", "byline", "cited_source")
EVENT_LIGHT = ("id", "event_type", "sub_event_type", "date", "location_id", "location_name", "lat", "lon", "actor1",
               "inter1", "article_ids")
CHUNK = 500


def day_end(until: str) -> str:
    """The upper bound of a date filter that keeps the whole day ``until`` (a ``published`` of
    ``2024-05-01T10:00`` is on or before ``2024-05-01``): ``~`` sorts after every time suffix."""
    return until + "~"


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _chunks(ids: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


class WebReads:
    def __init__(self, store):
        self.db: sqlite3.Connection = store.db

    def _tolerant(self, sql: str, args: Iterable = (), one: bool = False):
        """Rows of a query on a stage's table, or none when that stage has not created it yet."""
        try:
            cur = self.db.execute(sql, tuple(args))
            return cur.fetchone() if one else cur.fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return None if one else []
            raise

    # -- summaries ------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Articles, stories, entities, claims, events and outlets: index-only counts."""
        def n(sql: str) -> int:
            row = self._tolerant(sql, one=True)
            return int(row[0] or 0) if row else 0
        return {"articles": n("SELECT count(*) FROM articles"),
                "stories": n("SELECT count(*) FROM stories WHERE n_articles > 0"),
                "entities": n("SELECT count(*) FROM entity_stats"),
                "claims": n("SELECT count(*) FROM claims"),
                "events": n("SELECT count(*) FROM events"),
                "outlets": n("SELECT count(*) FROM outlet_stats WHERE n > 0")}

    def generation(self) -> tuple:
        """Changes whenever a stage writes: the largest row ids and the latest story update (all O(log n))."""
        row = self._tolerant(
            "SELECT (SELECT max(id) FROM articles), (SELECT max(id) FROM mentions), (SELECT max(id) FROM stories), "
            "(SELECT count(*) FROM stories), (SELECT max(rowid) FROM claims), (SELECT max(id) FROM events), "
            "(SELECT max(rowid) FROM claim_groups)", one=True)
        return tuple(row) if row else ()

    def outlet_counts(self, limit: int = 1000) -> list[tuple[str, int]]:
        return [(r[0], r[1]) for r in self._tolerant(
            "SELECT outlet, n FROM outlet_stats WHERE n > 0 ORDER BY n DESC, outlet LIMIT ?", (limit,))]

    def day_counts(self) -> list[tuple[str, int]]:
        return [(r[0], r[1]) for r in self._tolerant("SELECT day, n FROM day_stats WHERE n > 0 ORDER BY day")]

    # -- stories --------------------------------------------------------------------------------
    def stories_page(self, sort: str = "size", limit: int = 50, offset: int = 0, since: str | None = None,
                     until: str | None = None) -> tuple[int, list[sqlite3.Row]]:
        where, args = ["n_articles > 0"], []
        if since:
            where.append("end >= ?"); args.append(since)
        if until:
            where.append("start <= ?"); args.append(day_end(until))
        sql_where = " WHERE " + " AND ".join(where)
        order = "n_articles DESC, end DESC, id" if sort == "size" else "end DESC, n_articles DESC, id"
        total = self._tolerant("SELECT count(*) FROM stories" + sql_where, args, one=True)
        rows = self._tolerant(f"SELECT id, title, start, end, outlets, summary FROM stories{sql_where} "
                              f"ORDER BY {order} LIMIT ? OFFSET ?", [*args, limit, offset])
        return (total[0] if total else 0), rows

    def storylines_page(self, limit: int = 50, offset: int = 0,
                        min_stories: int = 1) -> tuple[int, list[dict]]:
        """Storylines of at least ``min_stories`` developments, largest first, one page: ``id``, ``title``,
        ``story_ids`` (developments in time order), ``start``, ``end``, ``summary``, ``n_articles``."""
        where = ("WHERE n_stories >= ? AND n_articles > 0", [min_stories])
        total = self._tolerant(f"SELECT count(*) FROM storylines {where[0]}", where[1], one=True)
        rows = self._tolerant(f"SELECT id, title, start, end, summary, n_articles FROM storylines {where[0]} "
                              "ORDER BY n_articles DESC, n_stories DESC, id LIMIT ? OFFSET ?",
                              [*where[1], limit, offset])
        members: dict[int, list[int]] = {r["id"]: [] for r in rows}
        for chunk in _chunks(list(members)):
            for lid, sid in self.db.execute(
                    f"SELECT storyline_id, id FROM stories WHERE storyline_id IN ({_marks(len(chunk))}) "
                    "AND n_articles > 0 ORDER BY coalesce(start, '9999'), id", chunk):
                members[lid].append(sid)
        return (total[0] if total else 0), [
            {"id": r["id"], "title": r["title"], "story_ids": members[r["id"]], "start": r["start"], "end": r["end"],
             "summary": json.loads(r["summary"] or "[]"), "n_articles": r["n_articles"]}
            for r in rows if members[r["id"]]]

    def story_version(self, story_id: int) -> tuple:
        """A fingerprint of what a story's page shows: its row and its storyline's, and the number and
        largest row ids of its articles, their claims and event mentions and its claim groups (the
        stages replace those rows rather than update them). Index reads of this story's rows only, so
        a kept page can stay valid while an ingest changes other stories."""
        def one(sql: str) -> tuple:
            row = self._tolerant(sql, (story_id,), one=True)
            return tuple(row) if row else ()
        return (one("SELECT s.n_articles, s.start, s.end, s.title, s.storyline_id, length(s.summary), s.outlets, "
                    "l.n_stories, l.n_articles, l.title FROM stories s LEFT JOIN storylines l ON l.id = s.storyline_id "
                    "WHERE s.id = ?"),
                one("SELECT count(*), max(id), total(id) FROM articles WHERE story_id = ?"),
                one("SELECT count(*), max(c.rowid), total(c.rowid) FROM articles a JOIN claims c ON c.article_id = a.id "
                    "WHERE a.story_id = ?"),
                one("SELECT count(*), max(rowid), total(rowid) FROM claim_groups WHERE story_id = ?"),
                one("SELECT count(*), max(m.id), total(m.event_id) FROM articles a JOIN event_mentions m "
                    "ON m.article_id = a.id WHERE a.story_id = ?"))

    def story_titles(self, ids: Iterable[int]) -> dict[int, str | None]:
        ids, out = list(set(ids)), {}
        for chunk in _chunks(ids):
            out.update((r[0], r[1]) for r in self._tolerant(f"SELECT id, title FROM stories WHERE id IN ({_marks(len(chunk))})", chunk))
        return out

    def story_members(self, story_ids: list[int]) -> dict[int, list[int]]:
        """Article ids of each story (through the ``articles_story`` index)."""
        out: dict[int, list[int]] = {sid: [] for sid in story_ids}
        for chunk in _chunks(story_ids):
            for sid, aid in self.db.execute(f"SELECT story_id, id FROM articles WHERE story_id IN ({_marks(len(chunk))}) "
                                            "ORDER BY id", chunk):
                out[sid].append(aid)
        return out

    def story_origins(self, story_ids: list[int]) -> dict[int, int]:
        """Per story, the largest number of independent origins of any of its claim groups."""
        out: dict[int, int] = {}
        for chunk in _chunks(story_ids):
            out.update((r[0], r[1]) for r in self._tolerant(
                f"SELECT story_id, max(n_origins) FROM claim_groups WHERE story_id IN ({_marks(len(chunk))}) "
                "GROUP BY story_id", chunk))
        return out

    def has_claims(self) -> bool:
        return self._tolerant("SELECT 1 FROM claim_groups LIMIT 1", one=True) is not None

    # -- claims ---------------------------------------------------------------------------------
    def claims_page(self, story_id: int | None = None, group_id: str | None = None, article_id: int | None = None,
                    limit: int | None = None, offset: int = 0) -> tuple[int, list[sqlite3.Row]]:
        """Claims with their story id, in article then sentence order (indexed filters, SQL paging)."""
        where, args = [], []
        if story_id is not None:
            where.append("a.story_id = ?"); args.append(story_id)
        if group_id is not None:
            where.append("c.group_id = ?"); args.append(group_id)
        if article_id is not None:
            where.append("c.article_id = ?"); args.append(article_id)
        sql_where = (" WHERE " + " AND ".join(where)) if where else ""
        total = self._tolerant("SELECT count(*) FROM claims c JOIN articles a ON a.id = c.article_id" + sql_where,
                               args, one=True)
        rows = self._tolerant("SELECT c.*, a.story_id FROM claims c JOIN articles a ON a.id = c.article_id"
                              + sql_where + " ORDER BY c.article_id, c.idx LIMIT ? OFFSET ?",
                              [*args, -1 if limit is None else limit, offset])
        return (total[0] if total else 0), rows

    def groups_by_id(self, ids: Iterable[str]) -> dict[str, sqlite3.Row]:
        ids, out = [i for i in set(ids) if i is not None], {}
        for chunk in _chunks(ids):
            out.update((r["id"], r) for r in self._tolerant(
                f"SELECT * FROM claim_groups WHERE id IN ({_marks(len(chunk))})", chunk))
        return out

    def claim_texts(self, ids: Iterable[str]) -> dict[str, tuple[str, int]]:
        ids, out = [i for i in set(ids) if i is not None], {}
        for chunk in _chunks(ids):
            out.update((r[0], (r[1], r[2])) for r in self._tolerant(
                f"SELECT id, text, article_id FROM claims WHERE id IN ({_marks(len(chunk))})", chunk))
        return out

    def claim_groups_page(self, story_id: int | None = None, limit: int | None = None,
                          offset: int = 0) -> tuple[int, list[sqlite3.Row]]:
        """Claim groups, most widely reported first (``claim_groups_rank`` index)."""
        where, args = ("WHERE story_id = ? ", [story_id]) if story_id is not None else ("", [])
        total = self._tolerant("SELECT count(*) FROM claim_groups " + where, args, one=True)
        rows = self._tolerant("SELECT * FROM claim_groups " + where + "ORDER BY n_articles DESC, "
                              "json_array_length(contradicts) DESC, id LIMIT ? OFFSET ?",
                              [*args, -1 if limit is None else limit, offset])
        return (total[0] if total else 0), rows

    # -- events ---------------------------------------------------------------------------------
    def story_of_articles(self, ids: Iterable[int]) -> dict[int, int | None]:
        ids, out = list(set(ids)), {}
        for chunk in _chunks(ids):
            out.update((r[0], r[1]) for r in self.db.execute(
                f"SELECT id, story_id FROM articles WHERE id IN ({_marks(len(chunk))})", chunk))
        return out

    def story_event_rows(self, story_id: int) -> list[sqlite3.Row]:
        """Events any article of the story reports (the caller keeps those whose main story it is)."""
        return self._tolerant(
            "SELECT * FROM events WHERE id IN (SELECT DISTINCT m.event_id FROM articles a "
            "JOIN event_mentions m ON m.article_id = a.id WHERE a.story_id = ?) ORDER BY date IS NULL, date, id",
            (story_id,))

    def events_page(self, event_type: str | None = None, since: str | None = None, until: str | None = None,
                    limit: int | None = None, offset: int = 0) -> tuple[int, list[sqlite3.Row]]:
        where, args = [], []
        if event_type is not None:
            where.append("event_type = ?"); args.append(event_type)
        if since:
            where.append("date >= ?"); args.append(since)
        if until:
            where.append("date <= ?"); args.append(day_end(until))
        sql_where = (" WHERE " + " AND ".join(where)) if where else ""
        total = self._tolerant("SELECT count(*) FROM events" + sql_where, args, one=True)
        rows = self._tolerant("SELECT * FROM events" + sql_where + " ORDER BY date IS NULL, date, id LIMIT ? OFFSET ?",
                              [*args, -1 if limit is None else limit, offset])
        return (total[0] if total else 0), rows

    def recent_events(self, limit: int = 12) -> list[sqlite3.Row]:
        return self._tolerant(f"SELECT {', '.join(EVENT_LIGHT)} FROM events ORDER BY date DESC, id DESC LIMIT ?",
                              (limit,))

    def event_places(self, limit: int = 400) -> list[sqlite3.Row]:
        """Events with coordinates, most reported first (light columns only)."""
        return self._tolerant(f"SELECT {', '.join(EVENT_LIGHT)} FROM events WHERE lat IS NOT NULL AND lon IS NOT NULL "
                              "ORDER BY json_array_length(article_ids) DESC, id LIMIT ?", (limit,))

    def event_day_counts(self) -> list[tuple[str, int]]:
        return [(r[0], r[1]) for r in self._tolerant(
            "SELECT substr(date, 1, 10) AS d, count(*) FROM events WHERE date IS NOT NULL GROUP BY d ORDER BY d")]

    # -- articles -------------------------------------------------------------------------------
    def articles_page(self, *, limit: int = 50, offset: int = 0, outlet: str | None = None,
                      story_id: int | None = None, since: str | None = None, until: str | None = None,
                      ids: Iterable[int] | None = None, with_text: bool = True) -> tuple[int, list[sqlite3.Row]]:
        where, args = [], []
        if outlet is not None:
            where.append("outlet = ?"); args.append(outlet)
        if story_id is not None:
            where.append("story_id = ?"); args.append(story_id)
        if since is not None:       # an undated article is outside every date range (as in search)
            where.append("coalesce(published, '0000') >= ?"); args.append(since)
        if until is not None:
            where.append("published IS NOT NULL AND coalesce(published, '0000') <= ?"); args.append(day_end(until))
        if ids is not None:
            ids = list(ids)[:CHUNK]
            where.append(f"id IN ({_marks(len(ids))})"); args.extend(ids)
        sql_where = (" WHERE " + " AND ".join(where)) if where else ""
        total = self.db.execute("SELECT count(*) FROM articles" + sql_where, args).fetchone()[0]
        cols = ARTICLE_COLUMNS if with_text else LIST_COLUMNS
        rows = self.db.execute(f"SELECT {', '.join(cols)} FROM articles{sql_where} "
                               "ORDER BY coalesce(published, '0000') DESC, id DESC LIMIT ? OFFSET ?",
                               [*args, limit, offset]).fetchall()
        return total, rows

    def article_titles(self, ids: Iterable[int]) -> dict[int, tuple[str | None, str | None]]:
        ids, out = list(set(ids)), {}
        for chunk in _chunks(ids):
            out.update((r[0], (r[1], r[2])) for r in self.db.execute(
                f"SELECT id, title, outlet FROM articles WHERE id IN ({_marks(len(chunk))})", chunk))
        return out

    def copy_links(self, article_id: int, limit: int) -> tuple[int, list[sqlite3.Row], list[sqlite3.Row]]:
        """An article's copy links, each direction capped at ``limit`` (widest coverage first), with the
        copied passages of those links; and the number of all its links."""
        total = self.db.execute("SELECT (SELECT count(*) FROM copies WHERE article_id = ?) + "
                                "(SELECT count(*) FROM copies WHERE source_article_id = ?)",
                                (article_id, article_id)).fetchone()[0]
        rows = []
        for col in ("article_id", "source_article_id"):
            rows += self.db.execute(f"SELECT article_id, source_article_id, similarity, coverage FROM copies "
                                    f"WHERE {col} = ? ORDER BY coverage DESC, similarity DESC, article_id, "
                                    "source_article_id LIMIT ?", (article_id, limit)).fetchall()
        sources = [r["source_article_id"] for r in rows if r["article_id"] == article_id]
        copiers = [r["article_id"] for r in rows if r["source_article_id"] == article_id]
        passages = self.db.execute(
            "SELECT * FROM copy_passages WHERE article_id = ? AND source_article_id IN "
            f"({_marks(len(sources))}) ORDER BY source_article_id, start", [article_id, *sources]).fetchall()
        passages += self.db.execute(
            "SELECT * FROM copy_passages WHERE source_article_id = ? AND article_id IN "
            f"({_marks(len(copiers))}) ORDER BY article_id, start", [article_id, *copiers]).fetchall()
        return total, rows, passages

    def duplicates_of(self, article_id: int) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM articles WHERE duplicate_of=? ORDER BY id", (article_id,))]

    def search_page(self, fts: str, *, outlet: str | None = None, story_id: int | None = None,
                    since: str | None = None, until: str | None = None, limit: int = 20, offset: int = 0,
                    pool: int = 2000) -> tuple[int, list[sqlite3.Row]]:
        """Full-text matches best first, filtered in SQL; the count stops at ``pool`` matches."""
        where, args = ["articles_fts MATCH ?"], [fts]
        if outlet is not None:
            where.append("a.outlet = ?"); args.append(outlet)
        if story_id is not None:
            where.append("a.story_id = ?"); args.append(story_id)
        if since is not None:
            where.append("a.published >= ?"); args.append(since)
        if until is not None:
            where.append("a.published <= ?"); args.append(day_end(until))
        if len(where) == 1:     # no filter: rank and count in the full-text index alone, then fetch one page
            total = self.db.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (fts,)).fetchone()[0]
            ids = [r[0] for r in self.db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? "
                                                 "ORDER BY rank LIMIT ? OFFSET ?", (fts, limit, offset))]
            by_id = {r["id"]: r for r in self.db.execute(f"SELECT * FROM articles WHERE id IN ({_marks(len(ids))})", ids)}
            return min(total, pool), [by_id[i] for i in ids if i in by_id]
        base = ("FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid WHERE " + " AND ".join(where))
        total = self.db.execute(f"SELECT count(*) FROM (SELECT 1 {base} LIMIT ?)", [*args, pool]).fetchone()[0]
        rows = self.db.execute(f"SELECT a.* {base} ORDER BY rank LIMIT ? OFFSET ?",
                               [*args, limit, offset]).fetchall()
        return total, rows

    def story_choices(self, limit: int = 200) -> list[tuple[int, str | None]]:
        """(id, title) of the largest stories, for a filter list."""
        return [(r[0], r[1]) for r in self._tolerant(
            "SELECT id, title FROM stories WHERE n_articles > 0 ORDER BY n_articles DESC, end DESC, id LIMIT ?", (limit,))]

    # -- entities -------------------------------------------------------------------------------
    def entities_page(self, type: str | None = None, limit: int = 50, offset: int = 0) -> tuple[int, list[sqlite3.Row]]:
        """Entities with their mention counts, most mentioned first (``entity_stats`` and its index)."""
        where, args = ("WHERE s.type = ? ", [type]) if type else ("", [])
        total = self.db.execute("SELECT count(*) FROM entity_stats s " + where, args).fetchone()[0]
        rows = self.db.execute("SELECT e.*, s.n AS n FROM entity_stats s JOIN entities e ON e.id = s.entity_id "
                               + where + "ORDER BY s.n DESC, s.name_ar LIMIT ? OFFSET ?", [*args, limit, offset]).fetchall()
        return total, rows

    def entity_mentions(self, entity_id: str, limit: int = 200, offset: int = 0) -> tuple[int, list[sqlite3.Row]]:
        total = self.db.execute("SELECT count(*) FROM mentions WHERE entity_id=?", (entity_id,)).fetchone()[0]
        rows = self.db.execute("SELECT article_id, start, end, text FROM mentions WHERE entity_id=? "
                               "ORDER BY article_id, start LIMIT ? OFFSET ?", (entity_id, limit, offset)).fetchall()
        return total, rows

    def entity_forms(self, entity_id: str, limit: int = 12) -> tuple[int, list[tuple[str, int]]]:
        rows = self.db.execute("SELECT text, count(*) AS n FROM mentions WHERE entity_id=? GROUP BY text "
                               "ORDER BY n DESC, text", (entity_id,)).fetchall()
        return sum(r[1] for r in rows), [(r[0], r[1]) for r in rows[:limit]]

    def entity_names(self, ids: Iterable[str]) -> dict[str, dict]:
        ids, out = [i for i in set(ids) if i], {}
        for chunk in _chunks(ids):
            for r in self.db.execute(f"SELECT id, type, name_ar, name_en, lat, lon FROM entities WHERE id IN "
                                     f"({_marks(len(chunk))})", chunk):
                out[r["id"]] = dict(r)
        return out

    def entity_names_ar(self, names_en: Iterable[str]) -> dict[str, str]:
        """Arabic names of the entities with these English names (actors named after an entity)."""
        names, out = [n for n in set(names_en) if n], {}
        for chunk in _chunks(names):
            out.update((r[0], r[1]) for r in self.db.execute(
                f"SELECT name_en, min(name_ar) FROM entities WHERE name_en IN ({_marks(len(chunk))}) GROUP BY name_en",
                chunk))
        return out

    def places(self, article_ids: list[int] | None = None, limit: int = 60) -> list[sqlite3.Row]:
        """Places (entities with coordinates) mentioned in the given articles, or the most mentioned overall."""
        if article_ids is None:
            return self.db.execute(
                "SELECT e.id, e.name_ar, e.name_en, e.lat, e.lon, s.n AS na FROM entity_stats s "
                "JOIN entities e ON e.id = s.entity_id WHERE e.lat IS NOT NULL AND e.lon IS NOT NULL "
                "ORDER BY s.n DESC, e.id LIMIT ?", (limit,)).fetchall()
        ids = list(article_ids)[:CHUNK]
        if not ids:
            return []
        return self.db.execute(
            "SELECT e.id, e.name_ar, e.name_en, e.lat, e.lon, count(*) AS n, count(DISTINCT m.article_id) AS na "
            "FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE e.lat IS NOT NULL AND e.lon IS NOT NULL "
            f"AND m.article_id IN ({_marks(len(ids))}) GROUP BY e.id ORDER BY n DESC, e.id LIMIT ?",
            [*ids, limit]).fetchall()

    def cooccurring(self, entity_id: str, limit: int = 20, articles: int = 500) -> list[dict]:
        """Entities named in the same articles (the entity's latest ``articles`` articles at most)."""
        rows = self.db.execute(
            "SELECT e.id, e.type, e.name_ar, e.name_en, count(DISTINCT m2.article_id) AS n FROM "
            "(SELECT DISTINCT article_id FROM mentions WHERE entity_id = ? ORDER BY article_id DESC LIMIT ?) m1 "
            "JOIN mentions m2 ON m2.article_id = m1.article_id AND m2.entity_id != ? "
            "JOIN entities e ON e.id = m2.entity_id GROUP BY e.id ORDER BY n DESC, e.name_ar LIMIT ?",
            (entity_id, articles, entity_id, limit)).fetchall()
        return [dict(r) for r in rows]

    def entity_articles(self, entity_id: str, limit: int = 300) -> list[sqlite3.Row]:
        """The articles naming an entity (latest first, at most ``limit``), with counts and the first form."""
        return self.db.execute(
            "SELECT a.id, a.title, a.outlet, a.published, a.story_id, m.n, m.first, "
            "(SELECT text FROM mentions WHERE article_id = a.id AND entity_id = ? ORDER BY start LIMIT 1) AS form "
            "FROM (SELECT article_id, count(*) AS n, min(start) AS first FROM mentions WHERE entity_id = ? "
            "GROUP BY article_id ORDER BY article_id DESC LIMIT ?) m JOIN articles a ON a.id = m.article_id "
            "ORDER BY a.story_id, a.published, a.id", (entity_id, entity_id, limit)).fetchall()

    # -- ingest jobs (written by the job process, read by every worker) --------------------------
    def job_create(self, job_id: str, inputs: int, folder: str | None) -> bool:
        """Record a queued job unless one is queued or running (one at a time); False when busy."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            busy = self.db.execute("SELECT 1 FROM web_jobs WHERE status IN ('queued', 'running')").fetchone()
            if busy is None:
                self.db.execute("INSERT INTO web_jobs(id, status, inputs, folder, started) VALUES (?, 'queued', ?, ?, ?)",
                                (job_id, inputs, folder, _now()))
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
        return busy is None

    def job_update(self, job_id: str, **fields: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in fields)
        vals = [json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v for v in fields.values()]
        self.db.execute(f"UPDATE web_jobs SET {sets} WHERE id = ?", [*vals, job_id])

    def job_progress(self, job_id: str, stage: str, done: int, total: int | None) -> None:
        self.db.execute("UPDATE web_jobs SET stage = ?, done = ?, total = ?, stages = CASE WHEN stage IS ? "
                        "THEN stages ELSE json_insert(stages, '$[#]', ?) END WHERE id = ?",
                        (stage, done, total, stage, stage, job_id))

    def job_finish(self, job_id: str, status: str, summary: dict | None = None, error: str | None = None) -> None:
        self.db.execute("UPDATE web_jobs SET status = ?, summary = ?, error = ?, finished = ? WHERE id = ?",
                        (status, json.dumps(summary, ensure_ascii=False) if summary is not None else None, error,
                         _now(), job_id))

    def jobs(self, job_id: str | None = None, active: bool = False, limit: int = 50) -> list[dict]:
        where, args = "", []
        if job_id is not None:
            where, args = " WHERE id = ?", [job_id]
        elif active:
            where = " WHERE status IN ('queued', 'running')"
        rows = self.db.execute("SELECT * FROM web_jobs" + where + " ORDER BY started DESC, rowid DESC LIMIT ?",
                               [*args, limit]).fetchall()
        out = []
        for r in rows:
            d = dict(r)
            d["stages"] = json.loads(d["stages"] or "[]")
            d["summary"] = json.loads(d["summary"]) if d["summary"] else None
            out.append(d)
        return out


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
