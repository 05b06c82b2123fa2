"""Store and pipeline: idempotent ingest, resumable runs, normalisation-aware search, safe refusal."""

import sqlite3

import pytest

from marsad.errors import MarsadError
from marsad.pipeline import analyze, ingest, process
from marsad.store import Store
from marsad.store.schema import MIGRATIONS

BODY = ("أعلنت وزارة الصحة في لبنان اليوم عن افتتاح مستشفى ميداني جديد في مدينة صور الجنوبية، "
        "وقال الوزير إن المستشفى سيستقبل الجرحى والمرضى من القرى الحدودية.")


def _write_articles(folder, n):
    folder.mkdir(exist_ok=True)
    for i in range(n):
        (folder / f"a{i:03d}.txt").write_text(
            f"افتتاح مستشفى ميداني رقم {i} في صور\n\n{BODY}\n\nوأضاف الوزير أن العمل في المستشفى رقم {i} سيبدأ فوراً.\n",
            encoding="utf-8")


def test_schema_is_versioned_and_wal(store):
    assert store.version == len(MIGRATIONS)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_same_input_twice_stores_nothing_new(tmp_path, store):
    _write_articles(tmp_path / "in", 3)
    first = analyze(store, [str(tmp_path / "in")], workers=1)
    assert first.articles == 3
    second = analyze(store, [str(tmp_path / "in")], workers=1)
    assert second.articles == 0 and second.inputs_unchanged == 3
    # Same bytes under another name: the document hash catches it.
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "x.txt").write_bytes((tmp_path / "in" / "a000.txt").read_bytes())
    third = analyze(store, [str(tmp_path / "copy")], workers=1)
    assert third.inputs_unchanged == 1 and third.articles == 0
    assert store.stats()["articles"] == 3


def test_exact_duplicate_text_points_to_first(tmp_path, store):
    (tmp_path / "a.txt").write_text("عنوان أول للخبر هنا\n" + BODY, encoding="utf-8")
    (tmp_path / "b.txt").write_text("عنوان ثان مختلف للخبر\n" + BODY.replace("،", ","), encoding="utf-8")
    analyze(store, [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], workers=1)
    a, b = list(store.articles())
    assert a.duplicate_of is None and b.duplicate_of == a.id


def test_interrupted_process_keeps_committed_articles_and_resumes(tmp_path, monkeypatch):
    _write_articles(tmp_path / "in", 10)
    db = tmp_path / "t.db"
    store = Store(db)
    ingest(store, [str(tmp_path / "in")])
    import marsad.pipeline as pipeline

    real = pipeline.clean_document
    calls = {"n": 0}

    def flaky(doc):
        calls["n"] += 1
        if calls["n"] == 6:
            raise KeyboardInterrupt
        return real(doc)

    from marsad.settings import SETTINGS

    monkeypatch.setattr(pipeline, "clean_document", flaky)
    monkeypatch.setattr(SETTINGS.runner, "batch_articles", 2)   # one transaction per batch of two documents
    with pytest.raises(KeyboardInterrupt):
        process(store, workers=1)
    store.close()
    store = Store(db)  # a new process opens the same file
    assert store.stats()["articles"] == 4   # the two batches committed before the sixth document
    monkeypatch.setattr(pipeline, "clean_document", real)
    run = analyze(store, [str(tmp_path / "in")], workers=1)
    assert run.articles == 6 and store.stats()["articles"] == 10
    assert len({a.text for a in store.articles()}) == 10


def test_parallel_processing_gives_same_articles(tmp_path):
    _write_articles(tmp_path / "in", 70)
    s1, s2 = Store(tmp_path / "1.db"), Store(tmp_path / "2.db")
    analyze(s1, [str(tmp_path / "in")], workers=1)
    analyze(s2, [str(tmp_path / "in")], workers=2)
    key = lambda s: sorted((a.title, a.text) for a in s.articles())  # noqa: E731
    assert key(s1) == key(s2) and len(key(s1)) == 70


def test_search_matches_spelling_variants(tmp_path, store):
    (tmp_path / "a.txt").write_text("عنوان الخبر هنا اليوم\n" + BODY, encoding="utf-8")
    analyze(store, [str(tmp_path)], workers=1)
    for q in ("مستشفى", "مستشفي", "وزارة الصحة", "وزاره الصحه", "إفتتاح", "صحة", "الجنوبية", "القرى", "بالمستشفى"):
        hits = store.search(q)
        assert hits and hits[0][0].title == "عنوان الخبر هنا اليوم", q
    assert store.search("طائرة") == []
    with pytest.raises(MarsadError):
        store.search("  ")


def test_not_a_database_is_refused_and_left_untouched(tmp_path):
    p = tmp_path / "notes.db"
    p.write_text("my precious notes", encoding="utf-8")
    with pytest.raises(MarsadError, match="not a marsad database"):
        Store(p)
    assert p.read_text(encoding="utf-8") == "my precious notes"


def test_newer_schema_is_refused(tmp_path):
    p = tmp_path / "future.db"
    con = sqlite3.connect(p)
    con.execute(f"PRAGMA user_version={len(MIGRATIONS) + 5}")
    con.close()
    with pytest.raises(MarsadError, match="newer"):
        Store(p)


def test_rejects_are_stored_once_with_reasons(tmp_path, store):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "junk.txt").write_bytes(bytes(range(256)) * 10)
    for _ in range(2):
        analyze(store, [str(tmp_path)], workers=1)
    reasons = {r["source"].split("/")[-1]: r["reason"] for r in store.rejects()}
    assert reasons == {"empty.txt": "empty file", "junk.txt": "binary content (NUL byte at offset 0), not text"}


def test_search_finds_names_spelled_differently_in_other_articles(tmp_path, store):
    lead = "وقالت الوكالة في تقرير مطول نشرته مساء اليوم إن المحادثات بين الطرفين ستستأنف الأسبوع المقبل في العاصمة."
    (tmp_path / "a.txt").write_text("تقرير أول عن المحادثات\n" + "ذكرت وكالة بلومبيرغ أن الوفدين اجتمعا. " + lead, encoding="utf-8")
    (tmp_path / "b.txt").write_text("تقرير ثان عن الاجتماع\n" + "نقلت وكالة بلومبيرج عن مسؤولين أن الاجتماع انتهى. " + lead, encoding="utf-8")
    analyze(store, [str(tmp_path)], workers=1)  # the entity stage links both spellings to one entity
    for q in ("بلومبيرغ", "بلومبيرج"):
        titles = {a.title for a, _ in store.search(q)}
        assert titles == {"تقرير أول عن المحادثات", "تقرير ثان عن الاجتماع"}, q
    assert {a.title for a, _ in store.search("بلومبيرج الوفدين")} == {"تقرير أول عن المحادثات"}


def test_sqlite_store_implements_the_store_protocol(tmp_path):
    """Every method of the protocol the runner and readers use exists on the SQLite store, and a batch of
    analysed articles goes through it unchanged (save, then load back with sentences and mentions)."""
    import inspect

    from marsad.model import AnalysedArticle, Document, Entity, Mention
    from marsad.store import SQLiteStore, StoreProtocol

    wanted = {n for n, v in vars(StoreProtocol).items() if inspect.isfunction(v) and not n.startswith("_")}
    assert wanted <= set(dir(SQLiteStore)), wanted - set(dir(SQLiteStore))
    s = SQLiteStore(tmp_path / "t.db")
    assert isinstance(s, StoreProtocol)
    doc = Document(source="x.txt", sha256="x", kind="txt", content="…")
    s.add_document(doc)
    from marsad.model import Article

    text = "وصل الوفد إلى دمشق صباح اليوم. وقال مسؤول إن المحادثات ستستمر."
    item = AnalysedArticle(document=doc, article=Article(source="x.txt", text=text), done={"clean", "entities"})
    item.mentions = [Mention(None, 16, 20, "دمشق", "GPE", entity_id="Q3766")]
    item.entities = {"Q3766": Entity(id="Q3766", type="GPE", name_ar="دمشق", name_en="Damascus")}
    s.save_analysed([item], ["clean", "entities"])
    assert item.id is not None and s.count_pending() == 0 and s.articles_to_run("entities") == []
    (back,) = s.load_analysed([item.id])
    assert back.article.text == text and [(x.start, x.end) for x in back.sentences] == [(0, 30), (31, len(text))]
    assert [(m.text, m.entity_id, m.article_id) for m in back.mentions] == [("دمشق", "Q3766", item.id)]
    assert back.entities["Q3766"].name_en == "Damascus"


def test_opening_waits_while_the_store_answers_locked(tmp_path):
    store = Store(tmp_path / "w.db")
    try:
        tries = []

        def locked_twice():
            tries.append(1)
            if len(tries) < 3:
                raise sqlite3.OperationalError("database is locked")
            return "done"

        assert store._when_free(locked_twice, wait=5) == "done" and len(tries) == 3

        def always_locked():
            raise sqlite3.OperationalError("database is locked")

        with pytest.raises(MarsadError, match="stayed locked"):
            store._when_free(always_locked, wait=0.3)

        def other_error():
            raise sqlite3.OperationalError("no such table: x")

        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            store._when_free(other_error, wait=5)
    finally:
        store.close()
