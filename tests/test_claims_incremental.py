"""Claims stage across runs: a run that adds articles to a store ends where one run over all of them ends.

The articles are written here: a report, and a later article that copies its first sentence word for word,
stored before the report it copies arrives.
"""

from __future__ import annotations

import json

import pytest

from marsad.claims.grouping import refresh_origins
from marsad.pipeline import analyze
from marsad.store import Store

SOURCE = """قصف يستهدف محطة المياه الرئيسية في مدينة دير الزور

تاريخ النشر: 10 مارس 2025

قال مدير مؤسسة المياه في دير الزور إن قصفا مدفعيا استهدف محطة المياه الرئيسية في المدينة فجر الاثنين وأدى إلى توقفها عن العمل بالكامل وانقطاع المياه عن أكثر من مئتي ألف نسمة في الأحياء الشرقية والغربية.

وأضاف أن فرق الصيانة لن تتمكن من الوصول إلى المحطة قبل توقف القصف وتأمين الطريق المؤدي إليها.

وتشهد المحافظة توترا أمنيا متصاعدا منذ مطلع الشهر الجاري.
"""

COPY = """أزمة مياه خانقة تضرب دير الزور

تاريخ النشر: 12 مارس 2025

قال مدير مؤسسة المياه في دير الزور إن قصفا مدفعيا استهدف محطة المياه الرئيسية في المدينة فجر الاثنين وأدى إلى توقفها عن العمل بالكامل وانقطاع المياه عن أكثر من مئتي ألف نسمة في الأحياء الشرقية والغربية.

ويضطر السكان إلى شراء المياه من الصهاريج الخاصة بأسعار مرتفعة تفوق قدرة معظم العائلات على الدفع.

وناشدت منظمات محلية الجهات الدولية التدخل العاجل لإصلاح المحطة وتوفير مياه الشرب للأهالي.
"""


def _claim_state(store: Store) -> dict:
    """What the claims stage stored: each claim's group and origin, each group, each article's signals."""
    db = store.db
    return {
        "claims": sorted(tuple(r) for r in db.execute(
            "SELECT id, group_id, origin, provenance, copied_from FROM claims")),
        "groups": sorted(tuple(r) for r in db.execute(
            "SELECT id, text, claim_ids, article_ids, outlets, origins, n_origins, modality, polarity, contradicts "
            "FROM claim_groups")),
        "signals": sorted(tuple(r) for r in db.execute("SELECT * FROM article_signals")),
    }


def _water_claim(store: Store, article_id: int) -> dict:
    r = store.db.execute("SELECT * FROM claims WHERE article_id=? AND text LIKE '%محطة المياه الرئيسية%'",
                         (article_id,)).fetchone()
    return dict(r)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("incremental")
    (d / "copy.txt").write_text(COPY, encoding="utf-8")
    (d / "source.txt").write_text(SOURCE, encoding="utf-8")
    one, split = Store(d / "one.db"), Store(d / "split.db")
    analyze(one, [str(d / "copy.txt"), str(d / "source.txt")], workers=1)
    analyze(split, [str(d / "copy.txt")], workers=1)
    before = _water_claim(split, 1)
    analyze(split, [str(d / "source.txt")], workers=1)
    yield one, split, before
    one.close()
    split.close()


def test_a_copy_stored_before_its_source_ends_as_in_one_run(runs):
    one, split, before = runs
    copy, source = _water_claim(split, 1), _water_claim(split, 2)
    assert before["copied_from"] is None                            # its own origin first
    assert "(copied from)" not in " ".join(json.loads(before["provenance"]))
    assert copy["copied_from"] == source["id"]                      # then the source's, once that arrived
    assert json.loads(copy["origin"]) == json.loads(source["origin"])
    assert "(copied from)" in " ".join(json.loads(copy["provenance"]))
    assert _claim_state(split) == _claim_state(one)


def test_refreshing_origins_recounts_a_groups_origins_and_keeps_its_members(runs):
    _, split, _ = runs
    c = _water_claim(split, 1)
    group = dict(split.db.execute("SELECT * FROM claim_groups WHERE id=?", (c["group_id"],)).fetchone())
    assert group["n_origins"] == 1
    other = {"kind": "anonymous", "name": "unnamed sources", "key": "a:written-here", "description": "مصادر"}
    split.claim_tables.save_origins([(json.dumps(other), json.dumps(["x", "unnamed sources"]), None, c["id"])])
    assert refresh_origins(split, [c["id"]]) == 1
    after = dict(split.db.execute("SELECT * FROM claim_groups WHERE id=?", (c["group_id"],)).fetchone())
    assert after["claim_ids"] == group["claim_ids"]
    assert after["n_origins"] == 2
    assert "a:written-here" in {o["key"] for o in json.loads(after["origins"])}


def test_a_storyline_changed_by_the_link_stage_is_regrouped(tmp_path):
    """The link stage may move a development to another storyline, or a storyline may grow past the scope
    limits, with no article changing development: the claims stage still notices and regroups it."""
    from marsad.claims import extract_claims

    (tmp_path / "copy.txt").write_text(COPY, encoding="utf-8")
    (tmp_path / "source.txt").write_text(SOURCE, encoding="utf-8")
    s = Store(tmp_path / "s.db")
    analyze(s, [str(tmp_path)], workers=1)
    tables = s.claim_tables
    (story, line), = {tuple(r) for r in s.db.execute(
        "SELECT a.story_id, st.storyline_id FROM articles a JOIN stories st ON st.id = a.story_id")}
    assert tables.rescoped_articles(set()) == []
    assert sorted(a for a, _, _ in tables.rescoped_articles({line})) == [1, 2]    # grown past the limits
    with s.transaction():                                            # what the link stage would do
        s.db.execute("INSERT INTO storylines(id, title) VALUES (?, 'elsewhere')", (line + 1,))
        s.db.execute("UPDATE stories SET storyline_id = ? WHERE id = ?", (line + 1, story))
    assert tables.rescoped_articles(set()) == [(1, line, story), (2, line, story)]
    groups = _claim_state(s)["groups"]
    s.db.execute("UPDATE claims SET group_id = 'stale' WHERE article_id = 1")   # so a regroup shows
    extract_claims(s)
    assert tables.rescoped_articles(set()) == []
    assert _claim_state(s)["groups"] == groups
    assert s.db.execute("SELECT count(*) FROM claims WHERE group_id = 'stale'").fetchone()[0] == 0
    s.close()
