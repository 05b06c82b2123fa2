"""Stance classifier (marsad.claims.stance): predictions on hand-written pairs and the CSV contract."""

from __future__ import annotations

import csv
import io

import pytest

from marsad.claims import stance as S

pytestmark = pytest.mark.skipif(not S.MODEL_PATH.exists(), reason="stance model not trained")

AGREE = ("الجيش السوري يسيطر على مدينة درعا", "سيطرة الجيش السوري على مدينة درعا")
DENIAL = ("روسيا تعلن خطة لإنقاذ الأسد", "روسيا تنفي وجود أي خطة لإنقاذ الأسد")
UNRELATED = ("ارتفاع أسعار الذهب في الأسواق العالمية", "منتخب المغرب يفوز على تونس في مباراة ودية")


@pytest.fixture(scope="module")
def clf():
    return S.StanceClassifier.load()


def test_load_is_cached(clf):
    assert S.StanceClassifier.load() is clf
    assert set(clf.labels) == {"agree", "disagree", "other"}


def test_denial_is_disagree(clf):
    assert clf.predict([DENIAL]) == ["disagree"]


def test_predictions_and_probabilities(clf):
    pairs = [AGREE, DENIAL, UNRELATED, ("", "نص")]
    labels = clf.predict(pairs)
    probs = clf.predict_proba(pairs)
    assert all(l in ("agree", "disagree", "other") for l in labels)
    assert labels[3] == "other"  # empty side
    for lab, p in zip(labels, probs):
        assert set(p) == {"agree", "disagree", "other"}
        assert abs(sum(p.values()) - 1.0) < 1e-4
        assert max(p, key=p.get) == lab
    assert probs[0]["agree"] > probs[1]["agree"]  # the paraphrase agrees more than the denial
    assert labels[2] != "agree"


def test_lexical_cues():
    f, o1, o2 = S.lexical("روسيا تعلن خطة لإنقاذ الأسد", "روسيا تنفي خطة لإنقاذ الأسد")
    assert f[6] == 1.0  # denial cue on one side only
    assert "تنفي" in o2 and "روسيا" not in o1
    g, _, _ = S.lexical("مقتل 5 أشخاص", "مقتل 7 أشخاص")
    assert g[10] == 1.0  # number mismatch


def test_csv_contract_keeps_columns_and_rows(clf):
    text = ("id,s1,s2,note\n"
            f"1,{AGREE[0]},{AGREE[1]},a\n"
            f"2,{DENIAL[0]},{DENIAL[1]},\"x, y\"\n"
            f"3,,{UNRELATED[1]},empty\n")
    out = io.StringIO()
    n = S.stance_csv(io.StringIO(text), out, clf)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert n == 3 and len(rows) == 3
    assert list(rows[0]) == ["id", "s1", "s2", "note", "predicted_stance"]
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert rows[1]["note"] == "x, y" and rows[1]["s1"] == DENIAL[0]
    assert rows[1]["predicted_stance"] == "disagree"
    assert rows[2]["predicted_stance"] == "other"


def test_csv_accepts_lines_and_empty_body(clf):
    out = io.StringIO()
    assert S.stance_csv(["s1,s2"], out, clf) == 0
    assert out.getvalue().strip() == "s1,s2,predicted_stance"


def test_csv_missing_column_is_named():
    with pytest.raises(ValueError, match="s2"):
        S.stance_csv(io.StringIO("s1,text\nا,ب\n"), io.StringIO())
    with pytest.raises(ValueError, match="s1, s2"):
        S.stance_csv(io.StringIO("a,b\n1,2\n"), io.StringIO())


def test_changed_words_without_a_look_alike_are_counted_per_side():
    from rapidfuzz import fuzz

    w1 = ["السيطره", "مدينه", "حلب", "امس", "الجيش"]
    w2 = ["سيطرت", "المدينه", "دمشق", "اليوم", "الجيوش"]
    expect = (sum(not any(fuzz.ratio(a, b) >= 70 for b in w2) for a in w1),
              sum(not any(fuzz.ratio(b, a) >= 70 for a in w1) for b in w2))
    assert S._without_look_alike(w1, w2) == expect == (3, 3)
    assert S._without_look_alike(w1, []) == (5, 0) and S._without_look_alike([], []) == (0, 0)
    f, only1, only2 = S.lexical("سيطر الجيش على مدينة حلب أمس", "سيطرت الجيوش على المدينة دمشق اليوم")
    assert f[16] == min(S._without_look_alike(only1.split(), only2.split())) and only1 and only2
