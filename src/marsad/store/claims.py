"""The claims stage's SQL: claims, claim groups, the content-vector cache, origins and signals.

In: a :class:`~marsad.store.Store` (reached as ``store.claim_tables``) and what the claims stage
computed (claims of an article, vectors, origins, groups of a story, article signals). Out: the rows
the stage needs back: articles still to process and articles whose story changed, cached content
vectors by normalised-text key, the claims of a set of stories, copied passages of an article, place
facts, and the per-article rows signals are computed from. Nothing here decides anything.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Iterable

# json.dumps(x, ensure_ascii=False) builds an encoder on every call: this one is built once (same text)
_dumps_ar = json.JSONEncoder(ensure_ascii=False).encode

CHUNK = 500

# json.dumps of a flat list of str (ensure_ascii True or False) or of int, without building an encoder per
# list: the same text (items joined by ", " in brackets, each string quoted by json's own function)
_ascii = json.encoder.encode_basestring_ascii
_unicode = json.encoder.encode_basestring


def _str_list(items: list, quote) -> str:
    if not all(type(x) is str for x in items):
        return json.dumps(items, ensure_ascii=quote is _ascii)
    return "[" + ", ".join(map(quote, items)) + "]"


def _int_list(items: list) -> str:
    if not all(type(x) is int for x in items):
        return json.dumps(items)
    return "[" + ", ".join(map(int.__repr__, items)) + "]"


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _article_and_start(row) -> tuple:
    return row[0], row[1]


def _chunks(items: list, n: int = CHUNK):
    for k in range(0, len(items), n):
        yield items[k:k + n]


class ClaimTables:
    def __init__(self, store):
        self.store = store
        self.db: sqlite3.Connection = store.db

    # -- what to do ---------------------------------------------------------------------------------
    def articles_to_process(self) -> list[int]:
        return [r[0] for r in self.db.execute(
            "SELECT a.id FROM articles a LEFT JOIN claim_state s ON s.article_id = a.id "
            "WHERE s.article_id IS NULL ORDER BY a.id")]

    def moved_articles(self) -> list[tuple[int, int | None, int | None]]:
        """(article, story its claims were grouped in, story it is in now) for articles that moved."""
        return [(r[0], r[1], r[2]) for r in self.db.execute(
            "SELECT s.article_id, s.story_id, a.story_id FROM claim_state s JOIN articles a ON a.id = s.article_id "
            "WHERE s.story_id IS NOT a.story_id")]

    def rescoped_articles(self, large: set | frozenset) -> list[tuple[int, int | None, int | None]]:
        """(article, storyline its claims were last grouped in, story it is in now) for processed articles
        whose scope changed since: their story's storyline is another one now (the link stage split or
        joined storylines), or it grew into one of ``large`` (whose developments are grouped apart), or
        shrank out of one. A storyline id of None: grouped within the development."""
        marks = _marks(len(large))
        rows = self.db.execute(
            "SELECT s.article_id, s.scope_line, a.story_id, st.storyline_id FROM claim_state s "
            "JOIN articles a ON a.id = s.article_id LEFT JOIN stories st ON st.id = a.story_id "
            "WHERE s.scope_line IS NOT st.storyline_id"
            + (f" OR st.storyline_id IN ({marks})" if large else ""), sorted(large)).fetchall()
        return [(r[0], r[1], r[2]) for r in rows if r[1] != (None if r[3] in large else r[3])]

    def stories_in_storylines(self, storyline_ids: Iterable) -> set:
        """The developments now in the storylines ``storyline_ids``."""
        out: set = set()
        for chunk in _chunks(sorted({i for i in storyline_ids if i is not None})):
            out |= {r[0] for r in self.db.execute(
                f"SELECT id FROM stories WHERE storyline_id IN ({_marks(len(chunk))})", chunk)}
        return out

    def record_scopes(self, line_of: dict, large: set | frozenset) -> None:
        """Record, for the articles of the stories of ``line_of`` (story -> its storyline, just grouped), the
        storyline their claims were grouped in: None when it is one of ``large`` or there is none. Call
        inside a transaction."""
        rows = [(None if line in large else line, sid) for sid, line in line_of.items() if sid is not None]
        self.db.executemany("UPDATE claim_state SET scope_line = ? "
                            "WHERE article_id IN (SELECT id FROM articles WHERE story_id = ?)", rows)
        if None in line_of:
            self.db.execute("UPDATE claim_state SET scope_line = NULL "
                            "WHERE article_id IN (SELECT id FROM articles WHERE story_id IS NULL)")

    def ungrouped_stories(self) -> set:
        return {r[0] for r in self.db.execute(
            "SELECT DISTINCT a.story_id FROM claims c JOIN articles a ON a.id = c.article_id WHERE c.group_id IS NULL")}

    def stories_of(self, article_ids: list[int]) -> set:
        out = set()
        for chunk in _chunks(article_ids):
            out |= {r[0] for r in self.db.execute(
                f"SELECT DISTINCT story_id FROM articles WHERE id IN ({_marks(len(chunk))})", chunk)}
        return out

    def storylines_of(self, story_ids: Iterable) -> dict:
        """{story id: its storyline id or None} for ``story_ids`` (None, articles in no story, included)."""
        ids = set(story_ids)
        out = dict.fromkeys(ids)
        for chunk in _chunks(sorted(i for i in ids if i is not None)):
            out.update({r[0]: r[1] for r in self.db.execute(
                f"SELECT id, storyline_id FROM stories WHERE id IN ({_marks(len(chunk))})", chunk)})
        return out

    def with_storyline_mates(self, story_ids: set, skip: set | frozenset = frozenset()) -> set:
        """``story_ids`` and every development in the same storyline as one of them, except in the
        storylines of ``skip``."""
        real = sorted(i for i in story_ids if i is not None)
        out = set(story_ids)
        lines: set = set()      # each storyline once (a self-join read a storyline's n stories n times)
        for chunk in _chunks(real):
            lines |= {r[0] for r in self.db.execute(
                f"SELECT DISTINCT storyline_id FROM stories WHERE storyline_id IS NOT NULL AND id IN ({_marks(len(chunk))})",
                chunk)}
        for chunk in _chunks(sorted(lines - set(skip))):
            out |= {r[0] for r in self.db.execute(
                f"SELECT id FROM stories WHERE storyline_id IN ({_marks(len(chunk))})", chunk)}
        return out

    def large_storylines(self, max_stories: int, max_articles: int) -> set[int]:
        """Storylines of more than ``max_stories`` developments or ``max_articles`` articles."""
        return {r[0] for r in self.db.execute(
            "SELECT storyline_id FROM stories WHERE storyline_id IS NOT NULL "
            "GROUP BY storyline_id HAVING COUNT(*) > ? OR SUM(n_articles) > ?", (max_stories, max_articles))}

    def article_stories(self) -> dict[int, int | None]:
        return {r[0]: r[1] for r in self.db.execute("SELECT id, story_id FROM articles")}

    def mark_moved(self, article_ids: list[int]) -> None:
        with self.store.transaction():
            for chunk in _chunks(article_ids):
                self.db.execute(
                    "UPDATE claim_state SET story_id = (SELECT story_id FROM articles WHERE id = claim_state.article_id) "
                    f"WHERE article_id IN ({_marks(len(chunk))})", chunk)

    # -- inputs of extraction -------------------------------------------------------------------------
    def entity_names(self, ids: Iterable[str]) -> dict:
        out = {}
        ids = sorted({i for i in ids if i})
        for chunk in _chunks(ids):
            for r in self.db.execute(f"SELECT id, type, name_ar, name_en FROM entities WHERE id IN ({_marks(len(chunk))})",
                                     chunk):
                out[r["id"]] = {"name_ar": r["name_ar"], "name_en": r["name_en"], "type": r["type"]}
        return out

    # -- the content-vector cache -----------------------------------------------------------------------
    def cached_vectors(self, keys: list[str], encoder: str) -> dict[str, bytes]:
        out = {}
        for chunk in _chunks(sorted(set(keys))):
            for r in self.db.execute(f"SELECT key, vector FROM claim_vectors WHERE encoder = ? AND key IN ({_marks(len(chunk))})",
                                     [encoder, *chunk]):
                out[r[0]] = r[1]
        return out

    def save_vectors(self, rows: list[tuple[str, str, bytes]]) -> None:
        """(key, encoder, vector bytes) rows; call inside the batch's transaction."""
        self.db.executemany("INSERT OR REPLACE INTO claim_vectors(key, encoder, vector) VALUES (?,?,?)", rows)

    # -- claims -------------------------------------------------------------------------------------------
    def save_claims(self, batch: list[tuple]) -> None:
        """Replace the claims of each (article, claims) in ``batch`` and record the articles as done
        (their claims grouped from now on, with the article's current story). Call inside a transaction."""
        self.save_extracted(batch)
        self.db.executemany(
            "INSERT OR REPLACE INTO claim_state(article_id, n_claims, story_id) VALUES (?,?,?)",
            [(a.id, len(cs), a.story_id) for a, cs in batch])

    def save_extracted(self, batch: list[tuple]) -> None:
        """Replace the claims of each (article, claims) in ``batch`` (the per-article ``attributions``
        stage): the articles are due again for the claims stage (origins, groups), which records them
        done (:meth:`mark_extracted_done`). Call inside a transaction."""
        claims = [c for _, cs in batch for c in cs]
        for a, _ in batch:
            self.db.execute("DELETE FROM claims WHERE article_id=?", (a.id,))
            self.db.execute("DELETE FROM claim_state WHERE article_id=?", (a.id,))
        self.db.executemany(
            """INSERT INTO claims(id, article_id, idx, start, end, content_start, content_end, text, content, chain,
               modality, polarity, entities, places, numbers, times, terms, flags)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            [(c.id, c.article_id, c.idx, c.start, c.end, c.content_start, c.content_end, c.text, c.content,
              _dumps_ar(c.chain), c.modality, c.polarity, json.dumps(c.entities),
              json.dumps(c.places), json.dumps(c.numbers), _dumps_ar(c.times),
              _dumps_ar(c.terms), _dumps_ar(c.flags)) for c in claims])

    def count_claims(self, article_ids: list[int]) -> int:
        return sum(self.db.execute(f"SELECT count(*) FROM claims WHERE article_id IN ({_marks(len(chunk))})",
                                   chunk).fetchone()[0] for chunk in _chunks(sorted(article_ids)))

    def mark_extracted_done(self, article_ids: list[int]) -> None:
        """Articles whose claims the ``attributions`` stage stored: done, with their current story."""
        for chunk in _chunks(sorted(article_ids)):
            self.db.execute(
                "INSERT OR REPLACE INTO claim_state(article_id, n_claims, story_id) "
                "SELECT a.id, (SELECT count(*) FROM claims c WHERE c.article_id = a.id), a.story_id "
                f"FROM articles a WHERE a.id IN ({_marks(len(chunk))})", chunk)

    def claim_rows(self, story_ids: Iterable) -> list[dict]:
        """The claims of the articles in ``story_ids`` (None = articles in no story) as grouping reads them
        (not their sentence index, end, content span or vector), with the article's story, date and
        storyline, in article and sentence order: one dict per claim, JSON columns as stored."""
        ids = list(story_ids)
        sql = ("SELECT c.article_id, c.start, c.id, c.text, c.content, c.chain, c.modality, c.polarity, c.entities, "
               "c.places, c.numbers, c.times, c.terms, c.flags, c.origin, c.provenance, c.copied_from, c.group_id, "
               "a.story_id, a.published, st.storyline_id FROM claims c "
               "JOIN articles a ON a.id = c.article_id LEFT JOIN stories st ON st.id = a.story_id WHERE ")
        cur = self.db.cursor()
        cur.row_factory = None      # plain tuples, made dicts below (faster than dicts of sqlite3.Row)
        rows: list[tuple] = []
        real = [i for i in ids if i is not None]
        for chunk in _chunks(real):
            rows.extend(cur.execute(sql + f"a.story_id IN ({_marks(len(chunk))})", chunk))
        if None in ids:
            rows.extend(cur.execute(sql + "a.story_id IS NULL"))
        if not rows:
            return []
        names = [d[0] for d in cur.description]
        rows.sort(key=_article_and_start)
        return [dict(zip(names, r)) for r in rows]

    def places(self) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT id, type, country, geo_precision, name_ar FROM entities WHERE type IN ('GPE','LOC','FAC')").fetchall()

    # -- origins ----------------------------------------------------------------------------------------
    def origin_rows(self, article_ids: list[int]) -> list[sqlite3.Row]:
        """Claims of ``article_ids`` for origin resolution, earliest articles first."""
        out: list[sqlite3.Row] = []
        for chunk in _chunks(article_ids):
            out.extend(self.db.execute(
                "SELECT c.id, c.article_id, c.start, c.end, c.chain, c.text, c.numbers, c.polarity, c.modality, "
                "c.origin, c.provenance, c.copied_from, a.duplicate_of, a.published FROM claims c "
                "JOIN articles a ON a.id = c.article_id "
                f"WHERE c.article_id IN ({_marks(len(chunk))})", chunk))
        out.sort(key=lambda r: (r["published"] or "", r["article_id"], r["start"]))
        return out

    def copy_passages(self, article_id: int, start: int, end: int) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM copy_passages WHERE article_id=? AND start < ? AND end > ?",
                               (article_id, end, start)).fetchall()

    def passages_by_article(self, article_ids: Iterable[int]) -> dict[int, list[sqlite3.Row]]:
        """{article: its copied passages} for ``article_ids``, each article's in the order the
        ``copy_passages_pair`` index gives them (source article, then insertion), as :meth:`copy_passages`
        reads them one article at a time."""
        out: dict[int, list[sqlite3.Row]] = {}
        for chunk in _chunks(sorted(set(article_ids))):
            for r in self.db.execute(f"SELECT * FROM copy_passages WHERE article_id IN ({_marks(len(chunk))}) "
                                     "ORDER BY article_id, source_article_id, rowid", chunk):
                out.setdefault(r["article_id"], []).append(r)
        return out

    def copy_sources(self, article_ids: list[int]) -> set[int]:
        out = set()
        for chunk in _chunks(article_ids):
            out |= {r[0] for r in self.db.execute(
                f"SELECT DISTINCT source_article_id FROM copy_passages WHERE article_id IN ({_marks(len(chunk))})", chunk)}
            out |= {r[0] for r in self.db.execute(
                f"SELECT duplicate_of FROM articles WHERE duplicate_of IS NOT NULL AND id IN ({_marks(len(chunk))})", chunk)}
        return out

    def copiers_of(self, article_ids: list[int]) -> set[int]:
        """Processed articles (not in ``article_ids``) with a copied passage from, or a duplicate of,
        one of ``article_ids``: an article stored later may be the earlier source of one read before."""
        return self.copying_articles(article_ids, processed=True) - set(article_ids)

    def copying_articles(self, article_ids: list[int], processed: bool = False) -> set[int]:
        """Articles with a copied passage from, or a duplicate of, one of ``article_ids`` (with ``processed``,
        only those whose claims this stage has read)."""
        read_p = " JOIN claim_state s ON s.article_id = p.article_id" if processed else ""
        read_a = " JOIN claim_state s ON s.article_id = a.id" if processed else ""
        out: set[int] = set()
        for chunk in _chunks(article_ids):
            marks = _marks(len(chunk))
            out |= {r[0] for r in self.db.execute(
                f"SELECT DISTINCT p.article_id FROM copy_passages p{read_p} WHERE p.source_article_id IN ({marks})", chunk)}
            out |= {r[0] for r in self.db.execute(
                f"SELECT a.id FROM articles a{read_a} WHERE a.duplicate_of IN ({marks})", chunk)}
        return out

    def save_origins(self, updates: list[tuple[str, str, str | None, str]]) -> None:
        """(origin JSON, provenance JSON, copied_from, claim id) rows."""
        with self.store.transaction():
            self.db.executemany("UPDATE claims SET origin=?, provenance=?, copied_from=? WHERE id=?", updates)

    # -- groups ------------------------------------------------------------------------------------------
    def groups_of_claims(self, claim_ids: Iterable[str]) -> set[str]:
        """The groups the claims ``claim_ids`` belong to."""
        out: set[str] = set()
        for chunk in _chunks(sorted(set(claim_ids))):
            out |= {r[0] for r in self.db.execute(
                f"SELECT DISTINCT group_id FROM claims WHERE group_id IS NOT NULL AND id IN ({_marks(len(chunk))})", chunk)}
        return out

    def group_member_rows(self, group_ids: Iterable[str]) -> list[sqlite3.Row]:
        """The claims of the groups ``group_ids`` (what a group's origins are computed from), in group,
        article and sentence order."""
        out: list[sqlite3.Row] = []
        for chunk in _chunks(sorted(set(group_ids))):
            out.extend(self.db.execute(
                "SELECT id, group_id, article_id, start, chain, origin, provenance, copied_from FROM claims "
                f"WHERE group_id IN ({_marks(len(chunk))})", chunk))
        out.sort(key=lambda r: (r["group_id"], r["article_id"], r["start"]))
        return out

    def save_group_origins(self, rows: list[tuple[str, int, str]]) -> None:
        """(origins JSON, number of origins, group id) rows."""
        with self.store.transaction():
            self.db.executemany("UPDATE claim_groups SET origins=?, n_origins=? WHERE id=?", rows)

    def replace_groups(self, story_ids: Iterable, groups: list[dict]) -> None:
        """Replace the claim groups of ``story_ids`` with ``groups`` and point their claims at them (a claim
        dict with a ``group_id``, as read, is updated only when that changed). A group whose row is already
        stored as is stays (most of a regrouped story's groups come out the same), unless it names in its
        contradictions a group that changed or went (a story page shows those groups' texts, and a kept
        page is checked against the row ids of its story's groups: every changed row gets a new one). When
        groups only went, every group is written again (the store's generation is its largest row ids)."""
        ids = list(story_ids)
        rows = [(g["id"], g["story_id"], g["text"], _str_list([c["id"] for c in g["claims"]], _ascii),
                 _int_list(g["article_ids"]), _str_list(g["outlets"], _unicode), len(g["article_ids"]),
                 len(g["outlets"]), _dumps_ar(g["origins"]), len(g["origins"]),
                 g["modality"], g["polarity"], _dumps_ar(g["contradicts"]) if g["contradicts"] else "[]")
                for g in groups]
        with self.store.transaction():
            old = self._group_rows(ids)
            new_ids = {r[0] for r in rows}
            gone = sorted(old.keys() - new_ids)
            touched = {r[0] for r in rows if old.get(r[0]) != r} | set(gone)
            write = [r for r, g in zip(rows, groups)
                     if r[0] in touched or any(c["group_id"] in touched for c in g["contradicts"])]
            if gone and not write:
                write = rows
            for chunk in _chunks(gone):
                self.db.execute(f"DELETE FROM claim_groups WHERE id IN ({_marks(len(chunk))})", chunk)
            self.db.executemany(
                """INSERT OR REPLACE INTO claim_groups(id, story_id, text, claim_ids, article_ids, outlets, n_articles,
                   n_outlets, origins, n_origins, modality, polarity, contradicts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                write)
            self.db.executemany("UPDATE claims SET group_id=? WHERE id=?",    # claims read with their group
                                [(g["id"], c["id"]) for g in groups for c in g["claims"]   # id: only the moved ones
                                 if "group_id" not in c or c["group_id"] != g["id"]])

    def _group_rows(self, story_ids: list) -> dict[str, tuple]:
        """{group id: its row, columns in the order :meth:`replace_groups` writes them} of ``story_ids``."""
        sql = ("SELECT id, story_id, text, claim_ids, article_ids, outlets, n_articles, n_outlets, origins, n_origins, "
               "modality, polarity, contradicts FROM claim_groups WHERE ")
        out: dict[str, tuple] = {}
        for chunk in _chunks([i for i in story_ids if i is not None]):
            out.update((r[0], tuple(r)) for r in self.db.execute(sql + f"story_id IN ({_marks(len(chunk))})", chunk))
        if None in story_ids:
            out.update((r[0], tuple(r)) for r in self.db.execute(sql + "story_id IS NULL"))
        return out

    # -- signals -----------------------------------------------------------------------------------------
    def processed_articles(self) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT article_id FROM claim_state")]

    def signal_inputs(self, article_ids: list[int]) -> tuple[dict[int, str], dict[int, list[sqlite3.Row]]]:
        """({article: its text}, {article: the chain, origin and flags of its claims}) of ``article_ids``
        (those stored), in two statements per chunk of articles."""
        texts: dict[int, str] = {}
        claims: dict[int, list[sqlite3.Row]] = {}
        for chunk in _chunks(sorted(set(article_ids))):
            marks = _marks(len(chunk))
            texts.update(self.db.execute(f"SELECT id, text FROM articles WHERE id IN ({marks})", chunk).fetchall())
            for r in self.db.execute(f"SELECT article_id, chain, origin, flags FROM claims WHERE article_id IN ({marks})",
                                     chunk):
                claims.setdefault(r["article_id"], []).append(r)
        return texts, claims

    def save_signals(self, rows: list[tuple]) -> None:
        with self.store.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO article_signals(article_id, n_claims, n_attributed, n_anonymous, anonymous_share, "
                "opinion, sensational, hedging, n_words) VALUES (?,?,?,?,?,?,?,?,?)", rows)

    # -- benchmarks -----------------------------------------------------------------------------------------
    def vector_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM claim_vectors").fetchone()[0]

    def contradiction_count(self) -> int:
        return sum(len(json.loads(r[0])) for r in self.db.execute("SELECT contradicts FROM claim_groups")) // 2

    def forget_all(self, hold_back: list[int]) -> None:
        """Drop every claim, group, signal and cached vector, and mark ``hold_back`` as done (so a run skips
        them until :meth:`release` makes them new)."""
        with self.store.transaction():
            for table in ("claims", "claim_state", "claim_groups", "claim_vectors", "article_signals"):
                self.db.execute(f"DELETE FROM {table}")
            self.db.executemany("INSERT INTO claim_state(article_id, n_claims, story_id) "
                                "VALUES (?, 0, (SELECT story_id FROM articles WHERE id=?))", [(a, a) for a in hold_back])

    def release(self, article_ids: list[int]) -> None:
        with self.store.transaction():
            self.db.executemany("DELETE FROM claim_state WHERE article_id=?", [(a,) for a in article_ids])

    # -- reads for the report, export and web -------------------------------------------------------------
    def groups(self, story_ids: Iterable[int] | None = None) -> list[sqlite3.Row]:
        """Every claim group, or those of the developments ``story_ids``."""
        if story_ids is None:
            return self.db.execute("SELECT * FROM claim_groups").fetchall()
        ids = sorted(set(story_ids))
        return [r for chunk in _chunks(ids) for r in self.db.execute(
            f"SELECT * FROM claim_groups WHERE story_id IN ({_marks(len(chunk))})", chunk)]

    def claims_with_story(self, story_id: int | None = None) -> list[sqlite3.Row]:
        sql = ("SELECT c.*, a.story_id FROM claims c JOIN articles a ON a.id = c.article_id"
               + (" WHERE a.story_id = ?" if story_id is not None else "") + " ORDER BY c.article_id, c.start")
        return self.db.execute(sql, (story_id,) if story_id is not None else ()).fetchall()

    def claim_chains(self, claim_ids: list[str]) -> dict[str, sqlite3.Row]:
        out = {}
        for chunk in _chunks(sorted(set(claim_ids))):
            for r in self.db.execute(f"SELECT id, chain, origin, copied_from FROM claims WHERE id IN ({_marks(len(chunk))})", chunk):
                out[r["id"]] = r
        return out

    def signals(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM article_signals ORDER BY article_id").fetchall()
