"""Tests for the statistical NER tagger (marsad.entities.tagger).

All sentences here are written for these tests; none comes from the training corpora.
"""

from __future__ import annotations

import pytest

from marsad.entities.tagger import (
    DEFAULT_MODEL,
    Tagger,
    bio_spans,
    key_variants,
    strip_clitics,
    tag_conll,
    tokenize,
)

pytestmark = pytest.mark.skipif(not DEFAULT_MODEL.is_file(), reason="NER model not trained")


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    """The CRF tagger, whichever tagger the settings select (tests/test_ner_neural.py tests the other)."""
    return Tagger(DEFAULT_MODEL)


def spans_text(text: str, spans) -> list[tuple[str, str]]:
    return [(text[s:e], t) for s, e, t in spans]


# --- tokenisation and clitics (no model needed) ---------------------------------------------

def test_tokenize_offsets_and_punctuation():
    text = "قال الرئيس (بشار) في دمشق، اليوم: «نعم» 3.5% مرة."
    toks = tokenize(text)
    assert all(text[s:e] == t for t, s, e in toks)
    words = [t for t, _, _ in toks]
    assert words == ["قال", "الرئيس", "(", "بشار", ")", "في", "دمشق", "،", "اليوم", ":", "«",
                     "نعم", "»", "3.5%", "مرة", "."]


def test_tokenize_keeps_diacritics_and_tatweel_inside_words():
    text = "وَصَلَ الوفـــد إلى حَلَب"
    assert [t for t, _, _ in tokenize(text)] == ["وَصَلَ", "الوفـــد", "إلى", "حَلَب"]


def test_strip_clitics_definite_forms():
    assert strip_clitics("والرييس") == ("وال", "رييس")
    assert strip_clitics("للحكومه") == ("لل", "حكومه")
    assert strip_clitics("بالمدينه") == ("بال", "مدينه")
    # bare letters are ambiguous and stay attached; variants list the stripped forms
    assert strip_clitics("لبنان") == ("", "لبنان")
    assert "بيروت" in key_variants("وبيروت")
    assert "الرييس" in key_variants("للرييس")


def test_bio_spans_conlleval_rules():
    assert bio_spans(["B-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG"]) == [
        (0, 2, "PER"), (3, 4, "LOC"), (4, 5, "LOC"), (5, 6, "ORG")]


# --- the model ------------------------------------------------------------------------------

def test_person_after_title(tagger):
    text = "وقال الرئيس الفنلندي ماتي كوسكينن إن المحادثات كانت مثمرة."
    got = spans_text(text, tagger.tag_spans(text))
    assert ("ماتي كوسكينن", "PER") in got


def test_city_after_trigger(tagger):
    text = "وصل الوفد مساء أمس إلى مدينة حمص قادما من العاصمة دمشق."
    got = spans_text(text, tagger.tag_spans(text))
    # ANERcorp itself is not consistent about including مدينة in the span; the city must be LOC
    assert any(t == "LOC" and s.endswith("حمص") for s, t in got)
    assert ("دمشق", "LOC") in got


def test_cities_without_trigger_and_without_final_punctuation(tagger):
    # a headline-like line with no full stop: its last word must still be taggable
    text = "غادر الوفد دمشق متجها إلى حلب\nوصل الوفد إلى حمص"
    got = spans_text(text, tagger.tag_spans(text))
    assert ("دمشق", "LOC") in got
    assert ("حلب", "LOC") in got
    assert ("حمص", "LOC") in got


def test_organisation_after_trigger_noun(tagger):
    # ANERcorp (the convention the model follows) tags the name after وكالة / حركة, and whole
    # names such as منظمة العفو الدولية; it leaves ministries (وزارة الخارجية) untagged, which
    # the gazetteers of marsad.entities cover instead.
    text = "ونقلت وكالة رويترز عن متحدث باسم حركة حماس أن منظمة العفو الدولية أصدرت تقريرا."
    got = spans_text(text, tagger.tag_spans(text))
    assert ("رويترز", "ORG") in got
    assert ("حماس", "ORG") in got
    assert ("منظمة العفو الدولية", "ORG") in got


def test_tag_tokens_returns_one_valid_tag_per_token(tagger):
    tokens = ["التقى", "الشيخ", "سالم", "العبدالله", "بوفد", "من", "جامعة", "القاهرة", "."]
    tags = tagger.tag_tokens(tokens)
    assert len(tags) == len(tokens)
    prev = "O"
    for tag in tags:
        assert tag == "O" or tag[:2] in ("B-", "I-") and tag[2:] in ("PER", "ORG", "LOC")
        if tag.startswith("I-"):
            assert prev[2:] == tag[2:]
        prev = tag
    assert tagger.tag_tokens([]) == []


def test_tag_spans_offsets_map_to_text(tagger):
    text = ("  أكد المتحدث باسم شركة «نفط الشمال» في مدينة كركوك،\nأن وزير النفط عادل الكبيسي "
            "سيزور بغداد والبصرة الأسبوع المقبل.  ")
    spans = tagger.tag_spans(text)
    assert spans, "expected some entities"
    for s, e, t in spans:
        assert 0 <= s < e <= len(text)
        assert text[s:e] == text[s:e].strip() and text[s:e]
        assert t in ("PER", "ORG", "LOC")
    # spans are in order and do not overlap
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert tagger.tag_spans("") == []


def test_document_consistency_fills_later_mentions(tagger):
    keys = tagger._keys(["وقال", "ماتي", "كوسكينن", "."])
    raw = ["O", "B-PER", "I-PER", "O"]
    later = tagger._keys(["وأضاف", "كوسكينن", "في", "هلسنكي"])
    filled = tagger._propagate(later, ["O", "O", "O", "B-LOC"], [(keys, raw)])
    assert filled == ["O", "B-PER", "O", "B-LOC"]
    # function words and titles are never filled in
    ctx = [(tagger._keys(["في", "الرئيس"]), ["B-LOC", "B-PER"])]
    assert tagger._propagate(tagger._keys(["في", "الرئيس"]), ["O", "O"], ctx) == ["O", "O"]


def test_one_word_in_scare_quotes_is_no_organisation(tagger):
    # what the model said (raw tags) is overruled only for a lone quoted word no list or trigger backs
    toks = ["وقال", "إن", "الجيش", "السوداني", '"', "حسم", '"', "المعركة", "."]
    raw = ["O", "O", "O", "O", "O", "B-ORG", "O", "O", "O"]
    assert tagger._unquote(toks, raw) == ["O"] * len(toks)
    later = ["وأضاف", "أن", "حسم", "المعركة", "قريب"]     # nor is it lent to the next sentence
    tags = list(tagger._consistent([(toks, raw), (later, ["O"] * len(later))]))
    assert all(t == "O" for sent in tags for t in sent)
    kept = [
        (["وأعلنت", "شركة", "«", "زنبق", "»", "أرباحها"], 3),     # a trigger noun before the quotes
        (["ونقلت", "عنه", '"', "رويترز", '"', "أمس"], 3),           # a listed organisation
        (["وقالت", "قوات", "(", "قسد", ")", "أمس"], 3),             # brackets: often an acronym
        (["وقال", '"', "حسم", "الأمر", '"', "."], 2),               # two words in the quotes
    ]
    for toks, i in kept:
        raw = ["O"] * len(toks)
        raw[i] = "B-ORG"
        assert tagger._unquote(toks, raw) == raw, toks


def test_definite_noun_before_a_relational_adjective_is_no_person(tagger):
    toks = ["وأعلن", "الرئيس", "الحداد", "الوطني", "ثلاثة", "أيام", "."]
    raw = ["O", "O", "B-PER", "O", "O", "O", "O"]
    assert tagger._noun_phrases(toks, raw) == ["O"] * len(toks)
    kept = [
        (["وقال", "الحداد", "إن", "الاتفاق", "قريب"], [1]),              # no adjective after it
        (["والتقى", "الحكيم", "والجعفري", "أمس"], [1]),                 # a name joined by و
        (["وقال", "سامي", "الحداد", "الوطني", "."], [1, 2]),            # a longer name
    ]
    for toks, at in kept:
        raw = ["O"] * len(toks)
        for k, i in enumerate(at):
            raw[i] = "B-PER" if k == 0 else "I-PER"
        assert tagger._noun_phrases(toks, raw) == raw, toks


def test_family_name_alone_in_a_later_sentence(tagger):
    text = ("وقال الرئيس الفنلندي ماتي كوسكينن إن المحادثات كانت مثمرة.\n"
            "وأضاف كوسكينن أن بلاده ستواصل دعمها للمبادرة.")
    got = spans_text(text, tagger.tag_spans(text))
    assert ("كوسكينن", "PER") in got


DOCS = [
    "وقال الرئيس الفنلندي ماتي كوسكينن في هلسنكي إن المحادثات كانت مثمرة.\nوأضاف كوسكينن أن بلاده ستواصل دعمها.",
    "أعلنت منظمة الصحة العالمية أن وفدا وصل إلى مدينة كركوك. وقال وزير النفط عادل الكبيسي إنه سيزور البصرة.",
    "",
    "زار الوفد بيروت",
]


def test_documents_tagged_together_as_one_by_one(tagger):
    docs = [[[t for t, _, _ in tokenize(s)] for s in d.split(".") if s.strip()] for d in DOCS]
    assert tagger.tag_documents(docs) == [list(tagger.tag_document(d)) for d in docs]


def test_spans_many_and_prefetch_answer_as_tag_spans(tagger, monkeypatch):
    expected = [tagger.tag_spans(t) for t in DOCS]
    assert any(expected)
    assert tagger.spans_many(DOCS) == expected
    tagger.prefetch(DOCS[:2])

    def fail(texts):
        raise AssertionError("tagged again")

    monkeypatch.setattr(tagger, "spans_many", fail)
    assert [tagger.tag_spans(t) for t in DOCS[:2]] == expected[:2]  # answered from the prefetch
    with pytest.raises(AssertionError):
        tagger.tag_spans(DOCS[0])  # ... once


def test_load_is_cached():
    assert Tagger.load() is Tagger.load()


# --- tag_conll contract ---------------------------------------------------------------------

def test_tag_conll_keeps_breaks_ignores_columns(tagger):
    lines = [
        "وقال O extra columns here",
        "الرئيس\tO",
        "الفنلندي O",
        "ماتي B-PER",
        "كوسكينن I-PER",
        ".",
        "",
        "",
        "وزار O",
        "الوفد O",
        "مدينة O",
        "حمص B-LOC",
        "",
    ]
    out = list(tag_conll(lines, tagger))
    assert len(out) == len(lines)
    for src, dst in zip(lines, out):
        if not src.strip():
            assert dst == ""
            continue
        tok, tag = dst.split(" ")
        assert tok == src.split()[0]
        assert tag == "O" or tag[:2] in ("B-", "I-")


def test_tag_conll_without_blank_lines_is_chunked(tagger):
    sentence = ["وصل", "الوفد", "إلى", "مدينة", "حمص", "."]
    lines = sentence * 60 + ["كلمة"] * 250  # long stream, and a run with no full stop
    out = list(tag_conll(lines, tagger))
    assert len(out) == len(lines)
    assert [o.split(" ")[0] for o in out] == lines
    assert "" not in out


def test_tag_conll_accepts_line_endings(tagger):
    out = list(tag_conll(["حمص O\n", "\n", "دمشق\r\n"], tagger))
    assert [o.split(" ")[0] if o else "" for o in out] == ["حمص", "", "دمشق"]


# --- word clusters and organisation-name features (no model needed) ---------------------------

def test_word_clusters_table_and_dev_flag(tmp_path):
    import gzip

    from marsad.entities.tagger import Features, word_clusters

    path = tmp_path / "clusters.tsv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("# header\nدمشق\t3\t41\t-\t\nحلب\t3\t41\t7\td\n")
    table = word_clusters(str(path))
    assert table == {"دمشق": ("3", "41", "-"), "حلب": ("3", "41", "7")}
    assert word_clusters(str(path), drop_dev_only=True) == {"دمشق": ("3", "41", "-")}
    feats = Features(clusters=table, use_gazetteer=False, person_names=frozenset())
    seq = feats.sequence(["وصل", "الوفد", "إلى", "ودمشق"])
    # the cluster of the bare name is found for the word with a conjunction; '-' gives no feature
    assert "c1=3" in seq[3] and "c2=41" in seq[3]
    assert not any(f.startswith("c3=") for f in seq[3])
    assert "1:c1=3" in seq[2] and "c1=?" in seq[0]  # the next word's cluster
    assert word_clusters(str(tmp_path / "missing.tsv.gz")) == {}


def test_organisation_list_marks_names_and_their_neighbours():
    from marsad.entities.tagger import Features

    feats = Features(use_orgs=True, use_gazetteer=False, person_names=frozenset())
    seq = feats.sequence(["ونقلت", "وكالة", "رويترز", "عن", "مصدر"])
    assert "0:og=B-media" in seq[2] or "0:og=I-media" in seq[2]
    assert any(f.startswith("-1:og=") for f in seq[3])
    assert not any("og=" in f for f in seq[4])  # two words after the name


def test_model_meta_switches_on_the_features_it_was_trained_with(tagger):
    # the features at tagging time must be those of training: read from the model's meta file
    assert bool(tagger.features.orgs) == bool(tagger.meta.get("org_gazetteer"))
    assert bool(tagger.features.clusters) == bool(tagger.meta.get("clusters"))


def test_entities_stage_tags_a_batch_as_article_by_article():
    from marsad.entities.stage import tag_article, tag_batch
    from marsad.model import AnalysedArticle, Article

    def items():
        return [AnalysedArticle(article=Article(source="t", text=t, id=i)) for i, t in enumerate(DOCS)] + \
            [AnalysedArticle()]

    together, alone = tag_batch(items()), [tag_article(it) if it.article else it for it in items()]
    assert any(it.mentions for it in together)
    assert [[(m.start, m.end, m.type, m.entity_id) for m in it.mentions] for it in together] == \
        [[(m.start, m.end, m.type, m.entity_id) for m in it.mentions] for it in alone]
    assert all(m.article_id == it.article.id for it in together[:-1] for m in it.mentions)


def test_the_place_gazetteer_is_built_once_and_read_back_from_the_disk_cache(tmp_path, monkeypatch):
    """The tagger's place gazetteer comes from the disk cache once built there, equal to a fresh build."""
    from marsad.entities import tagger

    monkeypatch.setenv("MARSAD_CACHE_DIR", str(tmp_path))
    tagger.gazetteer.cache_clear()
    try:
        built = tagger.gazetteer(15000)
        (cached,) = tmp_path.glob("tagger-gazetteer-15000-*.pickle")
        assert ("دمشق",) in {(k,) + rest for k, v in built.items() for rest, _ in v}
        tagger.gazetteer.cache_clear()
        monkeypatch.setattr(tagger, "build_gazetteer", lambda n: pytest.fail("built again"))
        again = tagger.gazetteer(15000)
        assert again == built and list(again) == list(built)
    finally:
        tagger.gazetteer.cache_clear()
