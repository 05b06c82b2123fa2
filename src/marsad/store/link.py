"""SQL of the link stage's own tables: near duplicates, copied passages and what the next run compares on.

In: a ``sqlite3`` connection (``Store.db``) and plain values. Out: ids, rows and plain tuples. The link
stage reaches these through :attr:`SQLiteStore.link_tables` (this module bound to the store's
connection), so no SQL lives in ``marsad.link``; its developments and storylines are in
:mod:`marsad.store.stories`:

- what to link: articles without a ``link_state`` row, their order keys, texts and sentence spans;
- near duplicates: candidate pairs from the persistent LSH index (``lsh_bands``), the stored
  ``articles.duplicate_of`` of old articles, and writing it (with ``articles.similarity``) back;
- copied passages: postings of the sentence LSH index (``sentence_keys``), and replacing ``copies``
  with their ``copy_passages``;
- what the next run needs: ``link_state`` (MinHash, day, vector), LSH band keys and sentence keys;
- signatures the ``signatures`` stage computed per article, read and dropped once the articles are linked.

Every write joins the caller's transaction (the link stage commits one per chunk of articles).
"""

from __future__ import annotations

import sqlite3
from typing import Iterable

CHUNK = 500     # ids per ``IN (...)`` list


def _marks(ids) -> str:
    return ",".join("?" * len(ids))


def _chunks(ids: list, size: int = CHUNK):
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


# -- what to link ----------------------------------------------------------------------------------
def unlinked(db: sqlite3.Connection, article_ids: Iterable[int] | None = None) -> list[int]:
    """Ids of stored articles without a ``link_state`` row: all of them (in the database's order), or
    those among ``article_ids`` (in id order; ids of articles not stored are dropped)."""
    if article_ids is None:
        return [r[0] for r in db.execute(
            "SELECT a.id FROM articles a LEFT JOIN link_state l ON l.article_id = a.id WHERE l.article_id IS NULL")]
    wanted = sorted(set(int(i) for i in article_ids))
    done, exists = set(), set()
    for part in _chunks(wanted):
        done.update(r[0] for r in db.execute(f"SELECT article_id FROM link_state WHERE article_id IN ({_marks(part)})", part))
    for part in _chunks(wanted):
        exists.update(r[0] for r in db.execute(f"SELECT id FROM articles WHERE id IN ({_marks(part)})", part))
    return [i for i in wanted if i in exists and i not in done]


def order_info(db: sqlite3.Connection, ids: list[int]) -> dict[int, tuple[str | None, str]]:
    """Article id → ``(published, text_sha256)``, what the canonical linking order is built from."""
    out = {}
    for part in _chunks(ids):
        for r in db.execute(f"SELECT id, published, text_sha256 FROM articles WHERE id IN ({_marks(part)})", part):
            out[r[0]] = (r[1], r[2])
    return out


def published(db: sqlite3.Connection, article_id: int) -> str | None:
    """The article's publication date (``None`` when unknown or when no such article is stored)."""
    row = db.execute("SELECT published FROM articles WHERE id=?", (article_id,)).fetchone()
    return row[0] if row else None


def text_and_spans(db: sqlite3.Connection, article_id: int) -> tuple[str, list[tuple[int, int]]]:
    """The article's display text (``""`` if not stored) and its sentence spans in order."""
    row = db.execute("SELECT text FROM articles WHERE id=?", (article_id,)).fetchone()
    return (row[0] if row else ""), sentence_spans(db, article_id)


def chunk_articles(db: sqlite3.Connection, ids: list[int]) -> tuple[dict[int, sqlite3.Row], dict[int, list[tuple[int, int]]]]:
    """For a chunk of articles to link: id → row (``id, title, title_derived, published, text,
    duplicate_of``) and id → sentence spans in order (an empty list for every id asked)."""
    rows: dict[int, sqlite3.Row] = {}
    spans: dict[int, list[tuple[int, int]]] = {aid: [] for aid in ids}
    for part in _chunks(ids):
        m = _marks(part)
        for r in db.execute(f"SELECT id, title, title_derived, published, text, duplicate_of FROM articles "
                            f"WHERE id IN ({m})", part):
            rows[r["id"]] = r
        for aid, s, e in db.execute(f"SELECT article_id, start, end FROM sentences WHERE article_id IN ({m}) "
                                    "ORDER BY article_id, idx", part):
            spans[aid].append((s, e))
    return rows, spans


def text_length(db: sqlite3.Connection, article_id: int) -> int:
    """Characters in the article's display text."""
    return db.execute("SELECT length(text) FROM articles WHERE id=?", (article_id,)).fetchone()[0]


# -- near duplicates -------------------------------------------------------------------------------
def lsh_matches(db: sqlite3.Connection, band_keys: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``band_keys``: (LSH band key, new article id). Out: distinct (new article id, stored article id)
    pairs sharing a band key in ``lsh_bands`` (through a temporary table, emptied again)."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS _link_q (key INTEGER NOT NULL, article_id INTEGER NOT NULL)")
    db.execute("DELETE FROM _link_q")
    db.executemany("INSERT INTO _link_q(key, article_id) VALUES (?,?)", band_keys)
    out = [(r[0], r[1]) for r in db.execute(
        "SELECT DISTINCT q.article_id, b.article_id FROM _link_q q JOIN lsh_bands b ON b.key = q.key")]
    db.execute("DELETE FROM _link_q")
    return out


def duplicate_of(db: sqlite3.Connection, article_id: int) -> int | None:
    """The stored original the article duplicates (``None``: it is an original, or is not stored)."""
    row = db.execute("SELECT duplicate_of FROM articles WHERE id=?", (article_id,)).fetchone()
    return row[0] if row else None


def duplicates_of(db: sqlite3.Connection, original_id: int) -> list[int]:
    """Ids of the stored articles marked as near duplicates of ``original_id``."""
    return [r[0] for r in db.execute("SELECT id FROM articles WHERE duplicate_of=?", (original_id,))]


def story_of(db: sqlite3.Connection, article_id: int) -> int | None:
    """The development the stored article is in (``None``: none yet, or not stored)."""
    row = db.execute("SELECT story_id FROM articles WHERE id=?", (article_id,)).fetchone()
    return row[0] if row else None


def stored_groups(db: sqlite3.Connection, ids: list[int]) -> dict[int, int]:
    """Stored article id → the original of its near-duplicate group (its ``duplicate_of``, or itself when
    it is an original); two articles are the same original or copies of one when these are equal. Ids of
    articles not stored are left out."""
    out = {}
    for part in _chunks(ids):
        for r in db.execute(f"SELECT id, coalesce(duplicate_of, id) FROM articles WHERE id IN ({_marks(part)})", part):
            out[r[0]] = r[1]
    return out


def set_duplicates(db: sqlite3.Connection, rows: Iterable[tuple[int, int | None, float | None]]) -> None:
    """rows: (article id, original it duplicates or ``None``, Jaccard with it or ``None``), written in order
    to ``articles.duplicate_of`` and ``articles.similarity``."""
    db.executemany("UPDATE articles SET duplicate_of=?, similarity=? WHERE id=?",
                   [(root, sim, aid) for aid, root, sim in rows])


# -- copied passages -------------------------------------------------------------------------------
def sentence_postings(db: sqlite3.Connection, sentence_keys: list[tuple[int, int, int]],
                      max_stored: int) -> tuple[list[tuple[int, int, int]], set[int]]:
    """``sentence_keys``: (sentence LSH key, new article id, sentence index). Out: every stored
    (key, article id, sentence index) with one of those keys stored at most ``max_stored`` times, and the
    keys stored more often (their postings are not read), through a temporary table emptied again."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS _link_sq (key INTEGER NOT NULL, article_id INTEGER NOT NULL, idx INTEGER NOT NULL)")
    db.execute("DELETE FROM _link_sq")
    db.executemany("INSERT INTO _link_sq VALUES (?,?,?)", sentence_keys)
    counts = db.execute("SELECT key, count(*) FROM sentence_keys WHERE key IN (SELECT DISTINCT key FROM _link_sq) "
                        "GROUP BY key").fetchall()
    full = {k for k, n in counts if n > max_stored}
    db.execute("DELETE FROM _link_sq")
    db.executemany("INSERT INTO _link_sq VALUES (?,0,0)", [(k,) for k, n in counts if n <= max_stored])
    out = [(r[0], r[1], r[2]) for r in db.execute(
        "SELECT k.key, k.article_id, k.idx FROM sentence_keys k WHERE k.key IN (SELECT key FROM _link_sq)")]
    db.execute("DELETE FROM _link_sq")
    return out, full


def replace_copies(db: sqlite3.Connection, copies: list[tuple[int, int, float, float, list[tuple]]]) -> None:
    """copies: (copying article id, source article id, similarity, coverage, passages), each passage
    ``(start, end, source_start, source_end, similarity)``. Each pair's earlier record and passages
    (deleted with it) are replaced."""
    db.executemany("DELETE FROM copies WHERE article_id=? AND source_article_id=?", [(c[0], c[1]) for c in copies])
    db.executemany("INSERT INTO copies(article_id, source_article_id, similarity, coverage) VALUES (?,?,?,?)",
                   [c[:4] for c in copies])
    db.executemany("INSERT INTO copy_passages(article_id, source_article_id, start, end, source_start, source_end, "
                   "similarity) VALUES (?,?,?,?,?,?,?)", [(c[0], c[1]) + tuple(p) for c in copies for p in c[4]])


# -- what the next run needs -----------------------------------------------------------------------
def save_link_state(db: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """rows: (article id, MinHash bytes, shingle count, ordinal day, vector bytes, encoder name, terms json,
    entities json, packed tokens, shingle bytes); marks each article linked."""
    db.executemany("INSERT OR REPLACE INTO link_state(article_id, minhash, n_shingles, day, vector, encoder, terms, "
                   "entities, tokens, shingles) VALUES (?,?,?,?,?,?,?,?,?,?)", list(rows))


def save_signatures(db: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """rows: ``marsad.link.signatures.Signature.row`` tuples of articles not linked yet."""
    db.executemany("INSERT OR REPLACE INTO link_signatures(article_id, encoder, tokens, shingles, minhash, sentence_keys, "
                   "vector, lead, topic, weekdays, days) VALUES (?,?,?,?,?,?,?,?,?,?,?)", list(rows))


def signatures(db: sqlite3.Connection, ids: list[int]) -> dict[int, sqlite3.Row]:
    """Article id → its stored signature row, for those of ``ids`` that have one."""
    out = {}
    for part in _chunks(ids):
        for r in db.execute(f"SELECT * FROM link_signatures WHERE article_id IN ({_marks(part)})", part):
            out[r["article_id"]] = r
    return out


def drop_signatures(db: sqlite3.Connection) -> None:
    """Forget the signatures of linked articles (the link stage keeps what later runs need in ``link_state``)."""
    db.execute("DELETE FROM link_signatures WHERE article_id IN (SELECT article_id FROM link_state)")


def stored_tokens(db: sqlite3.Connection, article_id: int) -> tuple[str, bytes] | None:
    """The matching tokens and shingles the link stage stored for an article; None when it stored none (an
    article linked by an earlier version, or not linked)."""
    row = db.execute("SELECT tokens, shingles FROM link_state WHERE article_id=?", (article_id,)).fetchone()
    return None if row is None or row[0] is None else (row[0], row[1])


def stored_shingles(db: sqlite3.Connection, ids: list[int]) -> dict[int, bytes]:
    """Article id → the shingles the link stage stored for it (sorted uint32 bytes), for those that have them."""
    out: dict[int, bytes] = {}
    for part in _chunks(ids):
        out.update(db.execute(f"SELECT article_id, shingles FROM link_state WHERE article_id IN ({_marks(part)}) "
                              "AND tokens IS NOT NULL", part))
    return out


def sentence_spans(db: sqlite3.Connection, article_id: int) -> list[tuple[int, int]]:
    """The article's sentence spans in order."""
    return [(s, e) for s, e in db.execute("SELECT start, end FROM sentences WHERE article_id=? ORDER BY idx", (article_id,))]


def save_band_keys(db: sqlite3.Connection, rows: Iterable[tuple[int, int]]) -> None:
    """rows: (LSH band key, article id), added to the persistent index ``lsh_bands``."""
    db.executemany("INSERT OR IGNORE INTO lsh_bands(key, article_id) VALUES (?,?)", list(rows))


def save_sentence_keys(db: sqlite3.Connection, rows: Iterable[tuple[int, int, int]]) -> None:
    """rows: (sentence LSH key, article id, sentence index), added to ``sentence_keys``."""
    db.executemany("INSERT OR IGNORE INTO sentence_keys(key, article_id, idx) VALUES (?,?,?)", list(rows))
