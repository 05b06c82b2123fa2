"""Versioned SQLite schema for the embedded store.

In: nothing. Out: ``MIGRATIONS``, a list of SQL scripts; migration *n* takes a store from schema
version *n* to *n+1* (recorded in ``PRAGMA user_version``). Later stages add migrations at the end;
existing ones never change.
"""

from .stories import MIGRATION as _STORIES_MIGRATION

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
    # 2: link stage (near duplicates, copied passages, stories) and what the next run needs.
    """
    CREATE TABLE link_state (              -- one row per article the link stage has processed
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        minhash BLOB,                      -- MinHash of normalised word 3-shingles (datasketch affine32, 126 x uint32)
        n_shingles INTEGER NOT NULL DEFAULT 0,
        day INTEGER,                       -- publication date as a proleptic ordinal day, NULL if unknown
        vector BLOB,                       -- unit float32 embedding of title + lead (NULL for duplicates)
        encoder TEXT,                      -- which encoder made the vector
        terms TEXT NOT NULL DEFAULT '[]',  -- JSON list: content words of title + lead
        entities TEXT NOT NULL DEFAULT '[]', -- JSON list: entity ids mentioned (from mentions)
        linked_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
    );
    CREATE TABLE lsh_bands (               -- persistent LSH index over link_state.minhash
        key INTEGER NOT NULL,              -- hash of (band number, band values)
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (key, article_id)
    ) WITHOUT ROWID;
    CREATE TABLE sentence_keys (           -- LSH index of sentences, for copied passages
        key INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,              -- sentence index (sentences.idx)
        PRIMARY KEY (key, article_id, idx)
    ) WITHOUT ROWID;
    CREATE TABLE copies (                  -- article_id reuses text of the earlier source_article_id
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        source_article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        similarity REAL NOT NULL,          -- Jaccard of the two articles' word 3-shingles
        coverage REAL NOT NULL,            -- share of article_id's characters inside copied passages
        PRIMARY KEY (article_id, source_article_id)
    );
    CREATE INDEX copies_source ON copies(source_article_id);
    CREATE TABLE copy_passages (
        article_id INTEGER NOT NULL,
        source_article_id INTEGER NOT NULL,
        start INTEGER NOT NULL, end INTEGER NOT NULL,                  -- span in article_id's text
        source_start INTEGER NOT NULL, source_end INTEGER NOT NULL,    -- span in source_article_id's text
        similarity REAL NOT NULL,          -- token-level similarity of the passage (1.0 = same words)
        FOREIGN KEY (article_id, source_article_id) REFERENCES copies(article_id, source_article_id) ON DELETE CASCADE
    );
    CREATE INDEX copy_passages_pair ON copy_passages(article_id, source_article_id);
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused: a merged-away story's id stays retired
        title TEXT,
        start TEXT, end TEXT,              -- ISO dates of the earliest and latest dated article
        start_day INTEGER, end_day INTEGER,
        n_articles INTEGER NOT NULL DEFAULT 0,
        outlets TEXT NOT NULL DEFAULT '[]',  -- JSON list
        summary TEXT NOT NULL DEFAULT '[]',  -- JSON list of {article_id, start, end, text}
        centroid BLOB,                     -- float32 sum of member vectors (unit-normalise to compare)
        n_vectors INTEGER NOT NULL DEFAULT 0,
        encoder TEXT,
        terms TEXT NOT NULL DEFAULT '{}',    -- JSON {term: number of member articles}
        entities TEXT NOT NULL DEFAULT '{}', -- JSON {entity id: number of member articles}
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
    );
    CREATE INDEX stories_end_day ON stories(end_day);
    CREATE INDEX articles_story ON articles(story_id);
    CREATE INDEX articles_duplicate_of ON articles(duplicate_of);
    """,
    # claims stage: claims with attribution chains, claim groups with independent origins and
    # contradictions, per-article sourcing / wording signals.
    """
    CREATE TABLE claims (
        id TEXT PRIMARY KEY,               -- "c<article id>.<sentence idx>"
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,              -- sentence index (sentences.idx)
        start INTEGER NOT NULL, end INTEGER NOT NULL,                 -- sentence span in the article text
        content_start INTEGER NOT NULL, content_end INTEGER NOT NULL, -- reported content (after "... أن")
        text TEXT NOT NULL,                -- the sentence
        content TEXT NOT NULL,
        chain TEXT NOT NULL DEFAULT '[]',  -- JSON list of sources, outermost (the outlet) first
        modality TEXT NOT NULL,            -- asserted | reported | confirmed | denied | expected
        polarity INTEGER NOT NULL,         -- 1, or -1 when the content is negated
        entities TEXT NOT NULL DEFAULT '[]', places TEXT NOT NULL DEFAULT '[]',
        numbers TEXT NOT NULL DEFAULT '[]', times TEXT NOT NULL DEFAULT '[]',
        terms TEXT NOT NULL DEFAULT '[]',  -- content words (the predicate), light-stemmed keys
        flags TEXT NOT NULL DEFAULT '{}',  -- hedge / opinion / sensational cue counts, cue, inherited
        vector BLOB, encoder TEXT,         -- unit float32 embedding of the content
        origin TEXT,                       -- JSON: deepest source after following copied passages
        provenance TEXT,                   -- JSON list of names: outlet -> (copied from) -> cited -> origin
        copied_from TEXT,                  -- claim id this claim's sentence was copied from
        group_id TEXT
    );
    CREATE INDEX claims_article ON claims(article_id);
    CREATE INDEX claims_group ON claims(group_id);
    CREATE TABLE claim_state (             -- one row per article the claims stage has processed
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        n_claims INTEGER NOT NULL DEFAULT 0,
        story_id INTEGER,
        processed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
    );
    CREATE TABLE claim_groups (
        id TEXT PRIMARY KEY,               -- "g" + the id of the group's earliest claim
        story_id INTEGER,
        text TEXT NOT NULL,                -- a representative sentence
        claim_ids TEXT NOT NULL DEFAULT '[]',
        article_ids TEXT NOT NULL DEFAULT '[]',
        outlets TEXT NOT NULL DEFAULT '[]',
        n_articles INTEGER NOT NULL DEFAULT 0,
        n_outlets INTEGER NOT NULL DEFAULT 0,
        origins TEXT NOT NULL DEFAULT '[]',  -- JSON list of {name, key, kind, via, claims: [{claim_id, article_id, outlet, provenance}]}
        n_origins INTEGER NOT NULL DEFAULT 0,
        modality TEXT, polarity INTEGER,
        contradicts TEXT NOT NULL DEFAULT '[]'  -- JSON list of {group_id, reasons, claim_id, other_claim_id}
    );
    CREATE INDEX claim_groups_story ON claim_groups(story_id);
    CREATE TABLE article_signals (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        n_claims INTEGER NOT NULL DEFAULT 0,
        n_attributed INTEGER NOT NULL DEFAULT 0,   -- claims citing a source beyond the outlet
        n_anonymous INTEGER NOT NULL DEFAULT 0,    -- claims whose deepest source is unnamed
        anonymous_share REAL,                      -- n_anonymous / n_attributed (NULL when none attributed)
        opinion REAL NOT NULL DEFAULT 0,           -- opinion cues per 100 words
        sensational REAL NOT NULL DEFAULT 0,       -- sensational cues per 100 words
        hedging REAL NOT NULL DEFAULT 0,           -- share of claims with a hedge cue
        n_words INTEGER NOT NULL DEFAULT 0
    );
    """,
    # events stage (marsad.events): per-article event mentions and the merged events.
    """
    CREATE TABLE event_state (             -- one row per article the events stage has read
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        n_mentions INTEGER NOT NULL DEFAULT 0,
        done_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
    );
    CREATE TABLE event_mentions (          -- one trigger + arguments in one sentence of one article
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        sentence_start INTEGER NOT NULL, sentence_end INTEGER NOT NULL,
        trigger_start INTEGER NOT NULL, trigger_end INTEGER NOT NULL,
        trigger TEXT NOT NULL, gloss TEXT,
        event_type TEXT NOT NULL, sub_event_type TEXT NOT NULL,
        date TEXT, time_precision INTEGER,
        actor1 TEXT, inter1 INTEGER, assoc_actor_1 TEXT, actor2 TEXT, inter2 INTEGER,
        location_id TEXT, location_name TEXT, lat REAL, lon REAL, geo_precision INTEGER,
        admin1 TEXT, country TEXT,         -- ISO2
        fatalities INTEGER,
        event_id INTEGER                   -- the merged event (events.id)
    );
    CREATE INDEX event_mentions_article ON event_mentions(article_id);
    CREATE INDEX event_mentions_event ON event_mentions(event_id);
    CREATE TABLE events (                  -- the same event reported by one or more articles, merged
        id INTEGER PRIMARY KEY,            -- = the smallest event_mentions.id of the event (stable as it grows)
        event_type TEXT NOT NULL, sub_event_type TEXT NOT NULL,
        date TEXT, time_precision INTEGER,
        actor1 TEXT, inter1 INTEGER, assoc_actor_1 TEXT, actor2 TEXT, inter2 INTEGER,
        location_id TEXT, location_name TEXT, lat REAL, lon REAL, geo_precision INTEGER,
        admin1 TEXT, country TEXT,
        fatalities INTEGER,
        article_ids TEXT NOT NULL DEFAULT '[]',   -- JSON list
        sources TEXT NOT NULL DEFAULT '[]',       -- JSON list of outlet names
        independent_origins INTEGER NOT NULL DEFAULT 0,
        origins TEXT NOT NULL DEFAULT '[]',       -- JSON list of origin keys counted
        evidence TEXT NOT NULL DEFAULT '[]',      -- JSON list of {article_id, start, end, text}
        notes TEXT
    );
    CREATE INDEX events_date ON events(date);
    """,
    # runner: what every stage did on every run (marsad.runner).
    """
    CREATE TABLE stage_runs (
        id INTEGER PRIMARY KEY,
        stage TEXT NOT NULL,
        items INTEGER NOT NULL DEFAULT 0,   -- articles (or documents, for clean) the stage handled
        seconds REAL NOT NULL DEFAULT 0,    -- wall time of the stage in this run
        warnings TEXT NOT NULL DEFAULT '[]', -- JSON list, e.g. a fallback encoder
        at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
    );
    """,
    # ingest warnings (marsad.ingest): inputs stored with damage, e.g. invalid UTF-8 bytes replaced
    # with U+FFFD, and which bytes where.
    """
    CREATE TABLE ingest_warnings (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        message TEXT NOT NULL,
        sha256 TEXT,                       -- the stored document the warning is about
        at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
        UNIQUE (source, message)
    );
    """,
    # developments and storylines (marsad.link, SQL in marsad.store.stories): article profiles, the
    # scored article pairs that explain each join, storylines, and the log of merges and splits.
    _STORIES_MIGRATION,
    # web app (marsad.store.web): summary tables kept by triggers on every write, so pages count and
    # rank without scanning; indexes for the paginated lists; the ingest jobs of a running server.
    """
    CREATE TABLE entity_stats (            -- mentions per entity (trigger-maintained)
        entity_id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        name_ar TEXT NOT NULL,
        n INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    INSERT INTO entity_stats(entity_id, type, name_ar, n)
        SELECT e.id, e.type, e.name_ar, (SELECT count(*) FROM mentions m WHERE m.entity_id = e.id) FROM entities e;
    CREATE INDEX entity_stats_rank ON entity_stats(n DESC, name_ar);
    CREATE INDEX entity_stats_type_rank ON entity_stats(type, n DESC, name_ar);
    CREATE TRIGGER entity_stats_new AFTER INSERT ON entities BEGIN
        INSERT OR IGNORE INTO entity_stats(entity_id, type, name_ar, n) VALUES (NEW.id, NEW.type, NEW.name_ar, 0);
    END;
    CREATE TRIGGER entity_stats_gone AFTER DELETE ON entities BEGIN
        DELETE FROM entity_stats WHERE entity_id = OLD.id;
    END;
    CREATE TRIGGER entity_stats_mention_in AFTER INSERT ON mentions WHEN NEW.entity_id IS NOT NULL BEGIN
        UPDATE entity_stats SET n = n + 1 WHERE entity_id = NEW.entity_id;
    END;
    CREATE TRIGGER entity_stats_mention_out AFTER DELETE ON mentions WHEN OLD.entity_id IS NOT NULL BEGIN
        UPDATE entity_stats SET n = n - 1 WHERE entity_id = OLD.entity_id;
    END;
    CREATE TRIGGER entity_stats_mention_moved AFTER UPDATE OF entity_id ON mentions BEGIN
        UPDATE entity_stats SET n = n - 1 WHERE entity_id = OLD.entity_id;
        UPDATE entity_stats SET n = n + 1 WHERE entity_id = NEW.entity_id;
    END;
    CREATE TABLE outlet_stats (            -- articles per outlet (trigger-maintained)
        outlet TEXT PRIMARY KEY,
        n INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    INSERT INTO outlet_stats(outlet, n) SELECT outlet, count(*) FROM articles WHERE outlet IS NOT NULL GROUP BY outlet;
    CREATE TABLE day_stats (               -- articles per publication day (trigger-maintained)
        day TEXT PRIMARY KEY,
        n INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    INSERT INTO day_stats(day, n) SELECT substr(published, 1, 10), count(*) FROM articles
        WHERE published IS NOT NULL GROUP BY substr(published, 1, 10);
    CREATE TRIGGER article_stats_in AFTER INSERT ON articles BEGIN
        INSERT INTO outlet_stats(outlet, n) SELECT NEW.outlet, 1 WHERE NEW.outlet IS NOT NULL
            ON CONFLICT(outlet) DO UPDATE SET n = n + 1;
        INSERT INTO day_stats(day, n) SELECT substr(NEW.published, 1, 10), 1 WHERE NEW.published IS NOT NULL
            ON CONFLICT(day) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER article_stats_out AFTER DELETE ON articles BEGIN
        UPDATE outlet_stats SET n = n - 1 WHERE outlet = OLD.outlet;
        UPDATE day_stats SET n = n - 1 WHERE day = substr(OLD.published, 1, 10);
    END;
    CREATE TRIGGER article_stats_outlet AFTER UPDATE OF outlet ON articles WHEN OLD.outlet IS NOT NEW.outlet BEGIN
        UPDATE outlet_stats SET n = n - 1 WHERE outlet = OLD.outlet;
        INSERT INTO outlet_stats(outlet, n) SELECT NEW.outlet, 1 WHERE NEW.outlet IS NOT NULL
            ON CONFLICT(outlet) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER article_stats_day AFTER UPDATE OF published ON articles
        WHEN substr(OLD.published, 1, 10) IS NOT substr(NEW.published, 1, 10) BEGIN
        UPDATE day_stats SET n = n - 1 WHERE day = substr(OLD.published, 1, 10);
        INSERT INTO day_stats(day, n) SELECT substr(NEW.published, 1, 10), 1 WHERE NEW.published IS NOT NULL
            ON CONFLICT(day) DO UPDATE SET n = n + 1;
    END;
    CREATE INDEX articles_listing ON articles(coalesce(published, '0000') DESC, id DESC);
    CREATE INDEX articles_outlet ON articles(outlet, published);
    CREATE INDEX stories_rank ON stories(n_articles DESC, end DESC, id);
    CREATE INDEX stories_recent ON stories(end DESC, n_articles DESC, id);
    CREATE INDEX claims_order ON claims(article_id, idx);
    CREATE INDEX claim_groups_rank ON claim_groups(n_articles DESC, json_array_length(contradicts) DESC, id);
    CREATE INDEX events_type ON events(event_type, date);
    CREATE INDEX events_placed ON events(json_array_length(article_ids) DESC, id) WHERE lat IS NOT NULL AND lon IS NOT NULL;
    CREATE INDEX mentions_entity_article ON mentions(entity_id, article_id, start);
    CREATE INDEX copy_passages_source ON copy_passages(source_article_id);
    CREATE TABLE web_jobs (                -- ingest jobs of marsad serve, run in a separate process
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,              -- queued | running | done | error
        stage TEXT, done INTEGER NOT NULL DEFAULT 0, total INTEGER,
        stages TEXT NOT NULL DEFAULT '[]', -- JSON list of the stages seen, in order
        inputs INTEGER NOT NULL DEFAULT 0,
        folder TEXT,                       -- the uploads' folder, removed when the job ends
        pid INTEGER,                       -- the job process
        started TEXT, finished TEXT,
        summary TEXT,                      -- JSON: what the run stored
        error TEXT
    );
    CREATE INDEX web_jobs_status ON web_jobs(status);
    """,
    # claims (marsad.claims, SQL in marsad.store.claims): content vectors cached by normalised text, so
    # each distinct claim text is encoded once across runs.
    """
    CREATE TABLE claim_vectors (
        key TEXT PRIMARY KEY,              -- sha1 of the normalised claim content
        encoder TEXT NOT NULL,             -- encoder name the vector comes from
        vector BLOB NOT NULL               -- unit float32 embedding
    );
    """,
    # entities (marsad.entities): what the data model holds and the store used to drop: the area a place
    # mention locates ("ريف حلب" → a derived area entity) and an entity's finer kind (border crossing ...).
    """
    ALTER TABLE mentions ADD COLUMN location_id TEXT;
    ALTER TABLE entities ADD COLUMN kind TEXT;
    """,
    # the per-article attributions stage (marsad.stages) now finds claims: the articles whose claims the
    # claims stage of an earlier version found count as done for it.
    """
    INSERT OR IGNORE INTO meta(key, value)
        SELECT 'attributions.last_article_id', CAST(max(article_id) AS TEXT) FROM claim_state HAVING count(*) > 0;
    """,
    # claims (marsad.store.claims): the storyline an article's claims were last grouped in (NULL: grouped
    # within its development), so that a storyline the link stage later splits, joins or lets grow past the
    # scope limits is regrouped. Existing rows take their story's storyline as it is now.
    """
    ALTER TABLE claim_state ADD COLUMN scope_line INTEGER;
    UPDATE claim_state SET scope_line = (SELECT st.storyline_id FROM articles a JOIN stories st ON st.id = a.story_id
                                         WHERE a.id = claim_state.article_id);
    """,
    # link (marsad.link): an article's matching tokens and shingles as the link stage computed them, so that a
    # later run compares new articles with stored ones without normalising and tokenising their texts again.
    # NULL for articles linked before (their features are computed from the text, as before).
    """
    ALTER TABLE link_state ADD COLUMN tokens TEXT;       -- its sentences' matching tokens: one line per sentence, tokens split by spaces
    ALTER TABLE link_state ADD COLUMN shingles BLOB;     -- the hashed word 3-shingles, sorted uint32
    """,
    # signatures (marsad.link.signatures): what the link stage matches an article by, computed per article in
    # the workers and kept until the link stage has linked it. Articles stored before count as done for the
    # stage (the link stage computes what it needs for any article without a signature).
    """
    CREATE TABLE link_signatures (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        encoder TEXT NOT NULL,             -- which encoder made the vector
        tokens TEXT NOT NULL,              -- matching tokens: one line per sentence, tokens split by spaces
        shingles BLOB NOT NULL,            -- hashed word 3-shingles, sorted uint32
        minhash BLOB NOT NULL,             -- MinHash, uint32 values
        sentence_keys BLOB NOT NULL,       -- (LSH key, sentence index) pairs, int64
        vector BLOB NOT NULL,              -- unit float32 embedding of title + lead
        lead BLOB NOT NULL,                -- lead character n-gram TF-IDF: int32 buckets then float64 weights
        topic BLOB NOT NULL,               -- whole-text TF-IDF, chargrams.pack
        weekdays TEXT NOT NULL,            -- JSON list
        days TEXT NOT NULL                 -- JSON list of ordinal days
    );
    INSERT INTO meta(key, value) SELECT 'signatures.last_article_id', CAST(max(id) AS TEXT) FROM articles
        HAVING count(*) > 0;
    """,
]
