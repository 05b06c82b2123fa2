"""Versioned SQLite schema for the embedded store.

In: nothing. Out: ``MIGRATIONS``, a list of SQL scripts; migration *n* takes a store from schema
version *n* to *n+1* (recorded in ``PRAGMA user_version``). Later stages add migrations at the end;
existing ones never change.
"""

MIGRATIONS: list[str] = [
    # 1: documents, articles (+ FTS5 on normalised keys), sentences, rejects, entities, mentions.
    """
    CREATE TABLE inputs (
        sha256 TEXT PRIMARY KEY,           -- hash of the whole input file's bytes
        source TEXT NOT NULL,
        kind TEXT NOT NULL,
        n_documents INTEGER NOT NULL DEFAULT 0,
        finished_at TEXT
    );
    CREATE TABLE documents (
        sha256 TEXT PRIMARY KEY,           -- hash of this document's own bytes
        source TEXT NOT NULL,
        kind TEXT NOT NULL,
        encoding TEXT,
        is_html INTEGER NOT NULL DEFAULT 0,
        meta TEXT NOT NULL DEFAULT '{}',   -- JSON: title / published / outlet / url from the container
        content TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',   -- pending | processed | rejected
        n_articles INTEGER NOT NULL DEFAULT 0,
        ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
        processed_at TEXT
    );
    CREATE INDEX documents_status ON documents(status);
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        document_sha256 TEXT NOT NULL REFERENCES documents(sha256),
        part INTEGER NOT NULL DEFAULT 0,
        source TEXT NOT NULL,
        url TEXT,
        outlet TEXT,
        byline TEXT,
        title TEXT,
        title_derived INTEGER NOT NULL DEFAULT 0,
        published TEXT,
        published_raw TEXT,
        cited_source TEXT,
        language TEXT,
        text TEXT NOT NULL,                -- display text; never changes once stored
        text_sha256 TEXT NOT NULL,         -- hash of the normalised text, for exact duplicates
        removed TEXT NOT NULL DEFAULT '[]',-- JSON list of "kind: line" furniture dropped
        duplicate_of INTEGER REFERENCES articles(id),
        similarity REAL,
        story_id INTEGER,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
        UNIQUE (document_sha256, part)
    );
    CREATE INDEX articles_text_sha ON articles(text_sha256);
    CREATE INDEX articles_published ON articles(published);
    CREATE VIRTUAL TABLE articles_fts USING fts5(title_key, text_key, tokenize = 'unicode61 remove_diacritics 2');
    CREATE TABLE sentences (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        PRIMARY KEY (article_id, idx)
    ) WITHOUT ROWID;
    CREATE TABLE rejects (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        reason TEXT NOT NULL,
        sha256 TEXT,
        at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
        UNIQUE (source, reason)
    );
    CREATE TABLE entities (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        name_ar TEXT NOT NULL,
        name_en TEXT,
        aliases TEXT NOT NULL DEFAULT '[]',
        lat REAL, lon REAL, country TEXT, admin1 TEXT, geo_precision INTEGER,
        wikidata TEXT
    );
    CREATE TABLE mentions (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        type TEXT NOT NULL,
        entity_id TEXT REFERENCES entities(id),
        method TEXT,
        score REAL
    );
    CREATE INDEX mentions_article ON mentions(article_id);
    CREATE INDEX mentions_entity ON mentions(entity_id);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    """,
]
