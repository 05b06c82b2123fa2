"""SQLite store: WAL mode, versioned schema, one transaction per document or batch.

In: a database path. Out: :class:`SQLiteStore` (also exported as ``Store``), the SQLite
implementation of the :class:`marsad.store.base.Store` protocol, whose writes are each one
transaction, so an interrupted run keeps every committed batch and a re-run skips what is already there.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import MarsadError
from ..model import AnalysedArticle, Article, Document, Entity, Mention, Sentence
from ..text import normalize, normalize_with_map, split_sentences, strip_clitics
from .schema import MIGRATIONS


ENTITIES_MARKER = "entities.last_article_id"   # meta key: the last article id the entities stage tagged
NOT_SQLITE = "is not a marsad database (not SQLite); refusing to overwrite it"


class BoundTables:
    """A store module's public functions bound to one connection: ``store.link_tables.unlinked()`` calls
    ``marsad.store.link.unlinked(db)``."""

    def __init__(self, db: sqlite3.Connection, module):
        self.db = db
        self._module = module

    def __getattr__(self, name: str):
        fn = getattr(self._module, name, None)
        if name.startswith("_") or not callable(fn):
            raise AttributeError(name)
        return lambda *args, **kw: fn(self.db, *args, **kw)


def open_store(path: str | Path) -> "SQLiteStore":
    return SQLiteStore(path)


class SQLiteStore:
    def __init__(self, path: str | Path):
        self.path = str(path)
        p = Path(self.path)
        if p.exists() and p.is_dir():
            raise MarsadError(self.path, "is a directory, not a database file")
        if p.exists() and 0 < p.stat().st_size < 512:      # SQLite's smallest page: no database is shorter
            raise MarsadError(self.path, NOT_SQLITE)
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except sqlite3.OperationalError as exc:
            raise MarsadError(self.path, f"cannot open database ({exc})") from exc
        self.db.row_factory = sqlite3.Row
        self._depth = 0
        self._refuse_other_files()
        self._when_free(self._prepare)

    def _refuse_other_files(self) -> None:
        """SQLite reads the file's header (and writes nothing) before any step that could write: a file of
        another kind is refused untouched. Never read the header with Python's ``open``: closing any
        descriptor of the database file drops every POSIX lock this process holds on it, the shared lock
        of each open connection included; another process's last connection closing then checkpoints
        past this process's readers and deletes the WAL under them ("database disk image is
        malformed" while an ingest writes, store intact afterwards)."""
        try:
            self._when_free(lambda: self.db.execute("PRAGMA schema_version").fetchone())
        except sqlite3.DatabaseError as exc:
            self.db.close()
            if "not a database" in str(exc):
                raise MarsadError(self.path, NOT_SQLITE) from exc
            raise MarsadError(self.path, f"cannot open database ({exc})") from exc

    def _prepare(self) -> None:
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def _when_free(self, step, wait: float = 30.0) -> None:
        """Run ``step``, again while the store answers "locked": while another process creates the same
        store or recovers its write-ahead log, SQLite can refuse at once instead of waiting."""
        deadline = time.monotonic() + wait
        while True:
            try:
                return step()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise MarsadError(self.path, f"store stayed locked for {wait:.0f} s ({exc})") from exc
                time.sleep(0.1)

    # -- schema -------------------------------------------------------------------------------
    @property
    def version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        current = self.version
        if current > len(MIGRATIONS):
            raise MarsadError(self.path, f"database schema version {current} is newer than this marsad "
                                         f"({len(MIGRATIONS)}); upgrade marsad")
        n = current
        while n < len(MIGRATIONS):
            try:
                self.db.executescript("BEGIN IMMEDIATE;" + MIGRATIONS[n] + f";PRAGMA user_version={n + 1};COMMIT;")
            except sqlite3.Error:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                if self.version > n:  # another process opening the same new store applied it first
                    n = self.version
                    continue
                raise
            n += 1

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; nested uses join the outermost one, which alone commits."""
        if self._depth:
            self._depth += 1
            try:
                yield self.db
            finally:
                self._depth -= 1
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self.db
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            self._depth = 0

    def close(self) -> None:
        self.db.close()

    def integrity_check(self) -> str:
        """SQLite's own check of the whole file: ``"ok"`` or the first problem it found."""
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]

    # -- inputs and documents -----------------------------------------------------------------
    def input_finished(self, sha256: str) -> bool:
        row = self.db.execute("SELECT finished_at FROM inputs WHERE sha256=?", (sha256,)).fetchone()
        return bool(row and row[0])

    def finish_input(self, sha256: str, source: str, kind: str, n_documents: int) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT INTO inputs(sha256, source, kind, n_documents, finished_at) VALUES (?,?,?,?,strftime('%Y-%m-%dT%H:%M:%SZ','now')) "
                "ON CONFLICT(sha256) DO UPDATE SET finished_at=excluded.finished_at, n_documents=excluded.n_documents",
                (sha256, source, kind, n_documents))

    def has_document(self, sha256: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE sha256=?", (sha256,)).fetchone() is not None

    def add_document(self, doc: Document) -> bool:
        """Store a raw document (pending processing). False if these bytes were stored before."""
        with self.transaction():
            cur = self.db.execute(
                "INSERT OR IGNORE INTO documents(sha256, source, kind, encoding, is_html, meta, content) VALUES (?,?,?,?,?,?,?)",
                (doc.sha256, doc.source, doc.kind, doc.encoding, int(doc.is_html),
                 json.dumps(doc.meta, ensure_ascii=False), doc.content))
            return cur.rowcount == 1

    def pending_documents(self) -> Iterator[Document]:
        rows = self.db.execute("SELECT * FROM documents WHERE status='pending' ORDER BY rowid").fetchall()
        for r in rows:
            yield Document(source=r["source"], sha256=r["sha256"], kind=r["kind"], content=r["content"],
                           is_html=bool(r["is_html"]), encoding=r["encoding"], meta=json.loads(r["meta"]))

    def count_pending(self) -> int:
        return self.db.execute("SELECT count(*) FROM documents WHERE status='pending'").fetchone()[0]

    def add_reject(self, source: str, reason: str, sha256: str | None = None) -> None:
        with self.transaction():
            self.db.execute("INSERT OR IGNORE INTO rejects(source, reason, sha256) VALUES (?,?,?)", (source, reason, sha256))

    def add_warning(self, source: str, message: str, sha256: str | None = None) -> None:
        """Record that an input was stored with damage (which bytes, where)."""
        with self.transaction():
            self.db.execute("INSERT OR IGNORE INTO ingest_warnings(source, message, sha256) VALUES (?,?,?)",
                            (source, message, sha256))

    def ingest_warnings(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT source, message, sha256, at FROM ingest_warnings ORDER BY id").fetchall()

    def reject_document(self, sha256: str, source: str, reason: str) -> None:
        """Mark a stored document as unusable, with the reason, in one transaction."""
        with self.transaction():
            self.db.execute("UPDATE documents SET status='rejected', processed_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE sha256=?", (sha256,))
            self.db.execute("INSERT OR IGNORE INTO rejects(source, reason, sha256) VALUES (?,?,?)", (source, reason, sha256))

    # -- articles ----------------------------------------------------------------------------
    def save_articles(self, doc_sha256: str, articles: list[Article],
                      sentences: list[list[tuple[int, int]]] | None = None) -> list[int]:
        """Store a processed document's articles with their sentences, in one transaction
        (``sentences``: each article's spans when a stage split them already)."""
        ids: list[int] = []
        with self.transaction():
            for k, a in enumerate(articles):
                key = normalize(a.text)
                text_sha = hashlib.sha256(key.encode("utf-8")).hexdigest()
                dup = self.db.execute("SELECT id FROM articles WHERE text_sha256=? ORDER BY id LIMIT 1", (text_sha,)).fetchone()
                cur = self.db.execute(
                    """INSERT INTO articles(document_sha256, part, source, url, outlet, byline, title, title_derived,
                       published, published_raw, cited_source, language, text, text_sha256, removed, duplicate_of, similarity)
                       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                    (doc_sha256, a.part, a.source, a.url, a.outlet, a.byline, a.title, int(a.title_derived),
                     a.published, a.published_raw, a.cited_source, a.language, a.text, text_sha,
                     json.dumps(a.removed, ensure_ascii=False), dup[0] if dup else None, 1.0 if dup else None))
                aid = cur.lastrowid
                a.id = aid
                a.duplicate_of = dup[0] if dup else None
                ids.append(aid)
                self.db.execute("INSERT INTO articles_fts(rowid, title_key, text_key) VALUES (?,?,?)",
                                (aid, index_key(a.title or ""), index_key(a.text)))
                self.db.executemany("INSERT INTO sentences(article_id, idx, start, end) VALUES (?,?,?,?)",
                                    [(aid, i, s, e) for i, (s, e) in enumerate(
                                        sentences[k] if sentences is not None else split_sentences(a.text))])
            self.db.execute("UPDATE documents SET status='processed', n_articles=?, processed_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE sha256=?",
                            (len(articles), doc_sha256))
        return ids

    def article(self, article_id: int) -> Article | None:
        r = self.db.execute("SELECT * FROM articles WHERE id=?", (article_id,)).fetchone()
        return _article(r) if r else None

    def articles(self) -> Iterator[Article]:
        for r in self.db.execute("SELECT * FROM articles ORDER BY id"):
            yield _article(r)

    def sentences(self, article_id: int) -> list[tuple[int, int]]:
        return [(r[0], r[1]) for r in self.db.execute("SELECT start, end FROM sentences WHERE article_id=? ORDER BY idx", (article_id,))]

    def search(self, query: str, limit: int = 20) -> list[tuple[Article, str]]:
        """Articles matching ``query`` on normalised keys, best first, with a snippet.

        Spelling variants meet: alef / hamza / ya / ta marbuta forms, diacritics, attached clitics, and
        names written differently elsewhere in the corpus (بلومبيرج finds بلومبيرغ, البوكمال finds البو كمال)
        through the entity mentions the entity stage linked to one entity.
        """
        fts, shown = self.search_terms(query)
        rows = self.db.execute(
            "SELECT a.* FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
            "WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts) LIMIT ?", (fts, limit)).fetchall()
        return [(a, display_snippet(a.text, shown)) for a in map(_article, rows)]

    def search_terms(self, query: str) -> tuple[str, list[str]]:
        """The FTS5 expression for ``query`` and the normalised forms a snippet highlights. A query longer
        than ``SETTINGS.web.search_max_chars`` characters or ``search_max_words`` words is refused."""
        from ..settings import SETTINGS

        limits = getattr(SETTINGS, "web", None)
        max_chars, max_words = getattr(limits, "search_max_chars", 500), getattr(limits, "search_max_words", 24)
        if len(query) > max_chars:
            raise MarsadError(query[:40] + "…", f"search query too long: {len(query)} characters (at most {max_chars})")
        key = normalize(query)
        terms = _WORD.findall(key)
        if not terms:
            raise MarsadError(query or "(empty query)", "search query has no words")
        if len(terms) > max_words:
            raise MarsadError(query[:40] + "…", f"search query too long: {len(terms)} words (at most {max_words})")
        variants = self._name_variants()
        whole = variants.get(_name_key(key), set())
        if whole:  # the query is a name: any way the corpus writes that entity
            shown = sorted(whole | {key})
            return " OR ".join(_phrase(v) for v in shown), shown
        shown = list(terms)
        groups = []
        for t in terms:
            alts = sorted(variants.get(_name_key(t), set()) | {t})
            shown += alts
            groups.append("(" + " OR ".join(_phrase(v) for v in alts) + ")")
        return " AND ".join(groups), shown

    def _name_variants(self) -> dict[str, set[str]]:
        """Name key → the normalised forms the corpus writes the entities with that key in. One table per
        database file and process, shared by its connections (a server's threads) and kept up to date
        incrementally: each call reads only the mentions stored since the previous one."""
        top = self.db.execute("SELECT coalesce(max(id), 0) FROM mentions").fetchone()[0]
        try:
            key = (self.path, Path(self.path).stat().st_ino)
        except OSError:
            key = (self.path, 0)
        v = _VARIANTS.get(key)
        if v is not None and v["top"] == top:
            return v["table"]
        with _VARIANTS_LOCK:
            v = _VARIANTS.get(key)
            if v is None or top < v["top"]:         # first call, or mentions were deleted: start again
                v = {"top": 0, "forms": {}, "keys": {}, "key_of": {}, "table": {}}
            if top > v["top"]:
                self._add_variants(v)
                v["top"] = top
            _VARIANTS[key] = v
            return v["table"]

    def _add_variants(self, v: dict) -> None:
        touched: set[str] = set()
        for text, eid in self.db.execute("SELECT DISTINCT text, entity_id FROM mentions "
                                         "WHERE entity_id IS NOT NULL AND id > ?", (v["top"],)):
            v["forms"].setdefault(eid, set()).add(normalize(text))
            k = _name_key(text)
            v["keys"].setdefault(k, set()).add(eid)
            v["key_of"].setdefault(eid, set()).add(k)
            touched.add(eid)
        for k in set().union(*(v["key_of"][e] for e in touched)) if touched else ():
            forms = set().union(*(v["forms"][e] for e in v["keys"][k]))
            if len(forms) > 1:
                v["table"][k] = forms             # a new set: readers holding the old one are undisturbed

    @property
    def web(self):
        """The web app's indexed, paginated reads (:class:`marsad.store.web.WebReads`)."""
        from .web import WebReads

        return WebReads(self)

    @property
    def claim_tables(self):
        """SQL of claims, claim groups, the content-vector cache and signals (:mod:`marsad.store.claims`)."""
        from .claims import ClaimTables

        return ClaimTables(self)

    @property
    def event_tables(self):
        """SQL of event mentions and merged events (:mod:`marsad.store.events`), bound to this store."""
        from . import events

        return BoundTables(self.db, events)

    @property
    def story_tables(self):
        """SQL of developments and storylines (:mod:`marsad.store.stories`), bound to this store."""
        from . import stories

        return BoundTables(self.db, stories)

    @property
    def link_tables(self):
        """SQL of near duplicates, copied passages and the link stage's LSH state (:mod:`marsad.store.link`),
        bound to this store."""
        from . import link

        return BoundTables(self.db, link)

    # -- entities ------------------------------------------------------------------------------
    def save_mentions(self, article_id: int, mentions: list[Mention], entities: Iterable[Entity]) -> None:
        """Replace an article's mentions and upsert the entities they link to, in one transaction."""
        with self.transaction():
            for e in entities:
                self.db.execute(
                    """INSERT INTO entities(id, type, name_ar, name_en, aliases, lat, lon, country, admin1, geo_precision, wikidata, kind)
                       VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
                       ON CONFLICT(id) DO UPDATE SET name_en=coalesce(excluded.name_en, name_en),
                       lat=coalesce(excluded.lat, lat), lon=coalesce(excluded.lon, lon), kind=coalesce(excluded.kind, kind)""",
                    (e.id, e.type, e.name_ar, e.name_en, json.dumps(e.aliases, ensure_ascii=False), e.lat, e.lon,
                     e.country, e.admin1, e.geo_precision, getattr(e, "wikidata", None), getattr(e, "kind", None)))
            self.db.execute("DELETE FROM mentions WHERE article_id=?", (article_id,))
            self.db.executemany(
                "INSERT INTO mentions(article_id, start, end, text, type, entity_id, method, score, location_id) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
                [(article_id, m.start, m.end, m.text, m.type, m.entity_id, m.method, m.score, m.location_id) for m in mentions])

    def entities(self, type: str | None = None) -> list[tuple[Entity, int]]:
        """Entities with their mention counts, most mentioned first."""
        sql = ("SELECT e.*, count(m.id) AS n FROM entities e LEFT JOIN mentions m ON m.entity_id = e.id "
               + ("WHERE e.type = ? " if type else "") + "GROUP BY e.id ORDER BY n DESC, e.name_ar")
        return [(_entity(r), r["n"]) for r in self.db.execute(sql, (type,) if type else ())]

    def entity(self, entity_id: str) -> Entity | None:
        r = self.db.execute("SELECT * FROM entities WHERE id=?", (entity_id,)).fetchone()
        return _entity(r) if r else None

    def mentions(self, article_id: int | None = None, entity_id: str | None = None) -> list[Mention]:
        where, args = [], []
        if article_id is not None:
            where.append("article_id=?"); args.append(article_id)
        if entity_id is not None:
            where.append("entity_id=?"); args.append(entity_id)
        sql = "SELECT * FROM mentions" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY article_id, start"
        return [_mention(r) for r in self.db.execute(sql, args)]

    # -- the runner: batches of analysed articles ----------------------------------------------
    def articles_to_run(self, stage: str) -> list[int]:
        """Ids of articles ``stage`` has not run on, in id order (stages visit articles in id order and keep
        the last id they finished in ``meta`` as ``<stage>.last_article_id``)."""
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (f"{stage}.last_article_id",)).fetchone()
        last = int(row[0]) if row else 0
        return [r[0] for r in self.db.execute("SELECT id FROM articles WHERE id > ? ORDER BY id", (last,))]

    def mark_done(self, stage: str, last_article_id: int) -> None:
        """``stage`` has run on every article up to ``last_article_id`` (joins the caller's transaction)."""
        with self.transaction():
            self.db.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                            "SET value=max(CAST(value AS INTEGER), excluded.value)", (f"{stage}.last_article_id", str(last_article_id)))

    def forget_stage(self, stage: str) -> None:
        """Make every stored article due again for ``stage`` (re-run after a settings change)."""
        with self.transaction():
            self.db.execute("DELETE FROM meta WHERE key=?", (f"{stage}.last_article_id",))

    def load_state(self, name: str, items: list[AnalysedArticle]):
        """The state a cross-article stage needs for ``items``: ``marsad.store.<name>.load_state(store, items)``."""
        return _state_module(name).load_state(self, items)

    def save_state(self, name: str, stage: str, updates, items: list[AnalysedArticle]) -> None:
        """A cross-article stage's updates (``marsad.store.<name>.save_state``) and its progress, in one transaction."""
        with self.transaction():
            _state_module(name).save_state(self, updates, items)
            if items:
                self.mark_done(stage, max(it.article.id for it in items))

    def load_analysed(self, article_ids: list[int]) -> list[AnalysedArticle]:
        """Articles with their sentences, mentions and linked entities, in the order asked."""
        if not article_ids:
            return []
        marks = ",".join("?" * len(article_ids))
        arts = {r["id"]: _article(r) for r in self.db.execute(f"SELECT * FROM articles WHERE id IN ({marks})", article_ids)}
        items = {i: AnalysedArticle(article=arts[i], seq=k) for k, i in enumerate(article_ids) if i in arts}
        for r in self.db.execute(f"SELECT article_id, idx, start, end FROM sentences WHERE article_id IN ({marks}) "
                                 "ORDER BY article_id, idx", article_ids):
            items[r[0]].sentences.append(Sentence(article_id=r[0], index=r[1], start=r[2], end=r[3]))
        for r in self.db.execute(f"SELECT * FROM mentions WHERE article_id IN ({marks}) ORDER BY article_id, start", article_ids):
            items[r["article_id"]].mentions.append(_mention(r))
        for column in ("entity_id", "location_id"):   # the entities mentioned, and the areas place mentions locate
            for r in self.db.execute(f"SELECT DISTINCT e.*, m.article_id AS aid FROM entities e JOIN mentions m "
                                     f"ON m.{column} = e.id WHERE m.article_id IN ({marks})", article_ids):
                items[r["aid"]].entities.setdefault(r["id"], _entity(r))
        return [items[i] for i in article_ids if i in items]

    def save_analysed(self, items: list[AnalysedArticle], stages: Iterable[str]) -> None:
        """Save what ``stages`` assigned to ``items``, in one transaction: the clean stage's articles
        (or rejects) per document, in the items' order (ids follow it); the entities stage's mentions; the
        attributions stage's claims and their content vectors; the signatures stage's signatures."""
        stages = set(stages)
        with self.transaction():
            if "clean" in stages:
                self._save_cleaned(items)
            if "entities" in stages:
                self._save_entities([it for it in items if it.article is not None and "entities" in it.done])
            if "attributions" in stages:
                self._save_attributions([it for it in items if it.article is not None and "attributions" in it.done])
            if "signatures" in stages:
                self._save_signatures([it for it in items if it.article is not None and "signatures" in it.done])

    def _save_cleaned(self, items: list[AnalysedArticle]) -> None:
        groups: list[list[AnalysedArticle]] = []
        for it in items:
            if groups and groups[-1][0].document is it.document:
                groups[-1].append(it)
            else:
                groups.append([it])
        for group in groups:
            doc = group[0].document
            if group[0].reject is not None:
                self.reject_document(doc.sha256, doc.source, group[0].reject)
                continue
            arts = [it for it in group if it.article is not None]
            spans = [[(s.start, s.end) for s in it.sentences] if it.sentences else split_sentences(it.article.text)
                     for it in arts]
            ids = self.save_articles(doc.sha256, [it.article for it in arts], spans)
            for it, aid, sp in zip(arts, ids, spans):
                it.sentences = [Sentence(article_id=aid, index=i, start=s, end=e) for i, (s, e) in enumerate(sp)]

    def _save_entities(self, items: list[AnalysedArticle]) -> None:
        if not items:
            return
        for it in items:
            for m in it.mentions:
                m.article_id = it.article.id
            self.save_mentions(it.article.id, it.mentions, it.entities.values())
        self.mark_done("entities", max(it.article.id for it in items))

    def _save_attributions(self, items: list[AnalysedArticle]) -> None:
        if not items:
            return
        for it in items:
            for c in it.claims:
                c.stored_as(it.article.id)
        tables = self.claim_tables
        tables.save_extracted([(it.article, it.claims) for it in items])
        tables.save_vectors([row for it in items for row in it.extra.pop("claim_vectors", [])])
        self.mark_done("attributions", max(it.article.id for it in items))

    def _save_signatures(self, items: list[AnalysedArticle]) -> None:
        if not items:
            return
        self.link_tables.save_signatures([it.signature.row(it.article.id) for it in items if it.signature])
        self.mark_done("signatures", max(it.article.id for it in items))

    def record_stage_run(self, stage: str, items: int, seconds: float, warnings: list[str]) -> None:
        with self.transaction():
            self.db.execute("INSERT INTO stage_runs(stage, items, seconds, warnings) VALUES (?,?,?,?)",
                            (stage, items, round(seconds, 3), json.dumps(warnings, ensure_ascii=False)))

    def stage_runs(self) -> list[dict]:
        return [dict(r) | {"warnings": json.loads(r["warnings"])}
                for r in self.db.execute("SELECT stage, items, seconds, warnings, at FROM stage_runs ORDER BY id")]

    def counts(self) -> dict[str, int]:
        """Rows per table of every stage, for run summaries."""
        q = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        return {"stories": q("SELECT count(*) FROM stories"),
                "entities": q("SELECT count(DISTINCT entity_id) FROM mentions"),
                "claim_groups": q("SELECT count(*) FROM claim_groups"), "claims": q("SELECT count(*) FROM claims"),
                "events": q("SELECT count(*) FROM events"), "sentences": q("SELECT count(*) FROM sentences"),
                "articles": q("SELECT count(*) FROM articles")}

    def rejects(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT source, reason, at FROM rejects ORDER BY id").fetchall()

    def stats(self) -> dict[str, int]:
        q = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "inputs": q("SELECT count(*) FROM inputs"),
            "documents": q("SELECT count(*) FROM documents"),
            "documents_pending": q("SELECT count(*) FROM documents WHERE status='pending'"),
            "documents_rejected": q("SELECT count(*) FROM documents WHERE status='rejected'"),
            "articles": q("SELECT count(*) FROM articles"),
            "split_documents": q("SELECT count(*) FROM documents WHERE n_articles > 1"),
            "duplicates": q("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL"),
            "rejects": q("SELECT count(*) FROM rejects"),
            "sentences": q("SELECT count(*) FROM sentences"),
            "removed_lines": q("SELECT coalesce(sum(json_array_length(removed)),0) FROM articles"),
        }

    # -- the report: whole-store reads in a few queries -----------------------------------------
    def article_digests(self) -> list[tuple[int, int | None, int | None, list[str]]]:
        """Every article's (id, story_id, duplicate_of, removed lines), in id order (no text)."""
        return [(r[0], r[1], r[2], json.loads(r[3])) for r in self.db.execute(
            "SELECT id, story_id, duplicate_of, removed FROM articles ORDER BY id")]

    def articles_in_stories(self, story_ids: Iterable[int]) -> list[Article]:
        """The articles of the developments ``story_ids``, in id order."""
        ids, out = sorted(set(story_ids)), []
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            out += map(_article, self.db.execute(
                f"SELECT * FROM articles WHERE story_id IN ({','.join('?' * len(part))})", part))
        return sorted(out, key=lambda a: a.id)

    def entity_ids_of_articles(self, article_ids: Iterable[int]) -> dict[int, list[str]]:
        """Per article, the entity ids its linked mentions name, in text order (repeats kept)."""
        ids, out = sorted(set(article_ids)), {}
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            for aid, eid in self.db.execute(f"SELECT article_id, entity_id FROM mentions WHERE article_id IN "
                                            f"({','.join('?' * len(part))}) ORDER BY article_id, start", part):
                if eid:
                    out.setdefault(aid, []).append(eid)
        return out

    def copy_coverage(self) -> list[tuple[int, int, float | None]]:
        """Every copy link as (copying article, source article, coverage), without its passages."""
        return [tuple(r) for r in self.db.execute("SELECT article_id, source_article_id, coverage FROM copies")]


_WORD = re.compile(r"\w+")
_VARIANTS: dict[tuple, dict] = {}       # search's name-variant table per database file (this process)
_VARIANTS_LOCK = threading.Lock()
_FOREIGN_G = str.maketrans({"غ": "ج", "ك": "ج", "گ": "ج"})  # a foreign "g" is written ج, غ or ك


def _name_key(text: str) -> str:
    """Key on which spellings of one name meet: normalised, no spaces, one letter for a foreign g."""
    return normalize(text).replace(" ", "").translate(_FOREIGN_G)


def _phrase(text: str) -> str:
    """An FTS5 phrase for normalised words (a single word matches its clitic-free stem too)."""
    words = _WORD.findall(text)
    return '"' + (strip_clitics(words[0]) if len(words) == 1 else " ".join(words)) + '"'


def index_key(text: str) -> str:
    """Full-text index key: normalised words, each word's clitic-free stem added after it when it differs."""
    out = []
    for w in _WORD.findall(normalize(text)):
        stem = strip_clitics(w)
        out.append(w if stem == w else f"{w} {stem}")
    return " ".join(out)


def display_snippet(text: str, terms: list[str], width: int = 70) -> str:
    """A window of the display text around the first match of any normalised term, match in [brackets]."""
    key, offsets = normalize_with_map(text)
    hits = [(key.find(t), t) for t in terms if key.find(t) >= 0]
    hits = hits or [(key.find(strip_clitics(t)), strip_clitics(t)) for t in terms if key.find(strip_clitics(t)) >= 0]
    if not hits:
        return text[: 2 * width].replace("\n", " ")
    pos, term = min(hits)
    return snippet_window(text, offsets[pos], offsets[pos + len(term) - 1] + 1, width)


def snippet_window(text: str, start: int, end: int, width: int = 70) -> str:
    """``width`` characters of ``text`` each side of ``text[start:end]``, which is put in [brackets]."""
    left, right = max(0, start - width), min(len(text), end + width)
    snippet = ("…" if left else "") + text[left:start] + "[" + text[start:end] + "]" + text[end:right] + ("…" if right < len(text) else "")
    return " ".join(snippet.split())


Store = SQLiteStore   # the default implementation, under the name callers construct


def _state_module(name: str):
    """The store module keeping a cross-article stage's state (``marsad.store.<name>``)."""
    import importlib

    if not re.fullmatch(r"[a-z_]+", name):
        raise MarsadError(name, "not a state name")
    return importlib.import_module(f"{__package__}.{name}")


def _mention(r: sqlite3.Row) -> Mention:
    return Mention(article_id=r["article_id"], start=r["start"], end=r["end"], text=r["text"], type=r["type"],
                   entity_id=r["entity_id"], score=r["score"] if r["score"] is not None else 1.0, method=r["method"] or "",
                   location_id=r["location_id"])


def _entity(r: sqlite3.Row) -> Entity:
    return Entity(id=r["id"], type=r["type"], name_ar=r["name_ar"], name_en=r["name_en"], aliases=json.loads(r["aliases"]),
                  lat=r["lat"], lon=r["lon"], country=r["country"], admin1=r["admin1"], geo_precision=r["geo_precision"],
                  kind=r["kind"])


def _article(r: sqlite3.Row) -> Article:
    return Article(id=r["id"], source=r["source"], url=r["url"], outlet=r["outlet"], byline=r["byline"],
                   title=r["title"], title_derived=bool(r["title_derived"]), published=r["published"],
                   published_raw=r["published_raw"], cited_source=r["cited_source"], language=r["language"],
                   text=r["text"], removed=json.loads(r["removed"]), part=r["part"],
                   document_sha256=r["document_sha256"], duplicate_of=r["duplicate_of"], story_id=r["story_id"])
