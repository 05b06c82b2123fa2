"""The events stage on a store, batch by batch: the event index and the provenance are read where merging
needs them, and the events of articles that copy a new one are rebuilt only when they may differ from
what is stored (written by an earlier run, or before the store changed) — with the events a single batch
gives."""

from __future__ import annotations

import hashlib
import json

from marsad.events import events
from marsad.model import Article, Document
from marsad.runner import RunReport, run_cross_stage
from marsad.settings import SETTINGS
from marsad.stages import EVENTS
from marsad.store import Store
from marsad.store import events as store_events

TEXTS = [
    ("سيطرت هيئة تحرير الشام على مدينة حماة بعد معارك عنيفة. وقال مصدر إن المعارك استمرت.", "Outlet A", "2024-12-05"),
    ("أعلنت هيئة تحرير الشام أمس السيطرة الكاملة على مدينة حماة وسط سوريا.", "Outlet B", "2024-12-06"),
    ("قالت هيئة تحرير الشام إنها سيطرت على مدينة حماة بالكامل.", "Outlet C", "2024-12-06"),
    ("سيطرت هيئة تحرير الشام على مدينة حمص بعد معارك عنيفة.", "Outlet D", "2024-12-05"),
]


def _store(path, texts) -> tuple[Store, list[int]]:
    from marsad.entities.stage import tag_entities

    s = Store(path)
    ids = []
    for i, (text, outlet, day) in enumerate(texts):
        sha = hashlib.sha256(f"{i}{text}".encode()).hexdigest()
        s.add_document(Document(source=f"{i}.txt", sha256=sha, kind="txt", content=text))
        ids += s.save_articles(sha, [Article(source=f"{i}.txt", text=text, title=text[:20], outlet=outlet, published=day)])
    tag_entities(s, workers=1)
    return s, ids


def _copy(s: Store, article: int, source: int) -> None:
    """``article`` copies ``source`` whole (what the link stage records)."""
    with s.transaction():
        s.db.execute("INSERT INTO copies(article_id, source_article_id, similarity, coverage) VALUES (?, ?, 0.9, 0.95)",
                     (article, source))


def _strip(evs):
    return sorted(json.dumps(e, sort_keys=True, ensure_ascii=False) for e in evs)


def test_moved_articles_rebuilt_only_when_their_events_may_differ(tmp_path, monkeypatch):
    s, (a, b, c, d) = _store(tmp_path / "batches.db", TEXTS)
    _copy(s, a, c)                      # a (read first) copies c: reading c may move a's origins
    seen = []
    load = store_events.load_state

    def spy(store, items):
        state = load(store, items)
        seen.append(([it.article.id for it in items], set(state["moved"]),
                     store_events.articles_reaching(store.db, [it.article.id for it in items])))
        return state

    monkeypatch.setattr(store_events, "load_state", spy)
    monkeypatch.setattr(SETTINGS.events, "batch_articles", 1)
    assert run_cross_stage(s, EVENTS, RunReport()) == 4
    by_batch = {ids[0]: (moved, reach) for ids, moved, reach in seen}
    assert by_batch[c][1] == {a}        # a copies c ...
    assert by_batch[c][0] == set()      # ... but its events were written in this run, with c's copy already known

    one, _ = _store(tmp_path / "one.db", TEXTS)
    _copy(one, a, c)
    monkeypatch.setattr(SETTINGS.events, "batch_articles", 256)
    run_cross_stage(one, EVENTS, RunReport())
    assert _strip(events(s)) == _strip(events(one))
    hama = [e for e in events(s) if {a, c} <= set(e["article_ids"])]
    assert hama and all(e["independent_origins"] < len(e["article_ids"]) for e in hama)   # a counted as c's copy

    # a later run: the store changed since (another copy recorded), so what copies the new article is rebuilt
    from marsad.entities.stage import tag_entities

    sha = hashlib.sha256(b"e").hexdigest()
    s.add_document(Document(source="e.txt", sha256=sha, kind="txt", content=TEXTS[1][0]))
    (e_id,) = s.save_articles(sha, [Article(source="e.txt", text=TEXTS[1][0], title="e", outlet="Outlet E",
                                            published="2024-12-06")])
    tag_entities(s, workers=1)
    _copy(s, b, e_id)                   # b (read in the first run) copies the new article e
    seen.clear()
    assert run_cross_stage(s, EVENTS, RunReport()) == 1
    assert seen[0][1] == {b} == seen[0][2]
    s.close(), one.close()
