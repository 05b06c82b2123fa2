"""Tests for the faster paths of the entities stage (marsad.entities): each gives what the plain
way gives. All texts here are written for these tests.
"""

from __future__ import annotations

import pytest

from marsad.entities.tagger import DEFAULT_MODEL, Tagger

needs_model = pytest.mark.skipif(not DEFAULT_MODEL.is_file(), reason="NER model not trained")

DOCS = [
    "وقال الرئيس الفنلندي ماتي كوسكينن في هلسنكي إن المحادثات كانت مثمرة.\nوأضاف كوسكينن أن بلاده ستواصل دعمها.",
    "أعلنت منظمة الصحة العالمية أن وفدا وصل إلى مدينة كركوك. وقال وزير النفط عادل الكبيسي إنه سيزور البصرة.",
]


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(DEFAULT_MODEL)


@needs_model
def test_prefetch_tags_a_copy_once_and_answers_each(tagger, monkeypatch):
    expected = [tagger.tag_spans(t) for t in DOCS]
    assert all(expected)
    calls = []
    real = tagger.spans_many

    def counting(texts):
        calls.append(list(texts))
        return real(texts)

    monkeypatch.setattr(tagger, "spans_many", counting)
    tagger.prefetch([DOCS[0], DOCS[1], DOCS[0]])
    assert calls == [[DOCS[0], DOCS[1]]]                # the copy is not tagged again
    assert [tagger.tag_spans(t) for t in (DOCS[0], DOCS[0], DOCS[1])] == [expected[0], expected[0], expected[1]]
    assert len(calls) == 1                              # both copies answered from the prefetch
    assert tagger.tag_spans(DOCS[0]) == expected[0]
    assert len(calls) == 2                              # a third time is tagged afresh


def _bounds_by_slicing(text, toks):
    """The sentence bounds as first written (a slice of the text between every two tokens)."""
    from marsad.entities.tagger import MAX_CHUNK, SENTENCE_END
    bounds, start = [], 0
    for i, (tok, s, e) in enumerate(toks):
        if tok in SENTENCE_END or i - start + 1 >= MAX_CHUNK or (i + 1 < len(toks) and "\n" in text[e:toks[i + 1][1]]):
            bounds.append((start, i + 1))
            start = i + 1
    if start < len(toks):
        bounds.append((start, len(toks)))
    return bounds


@pytest.mark.parametrize("text", [
    "", "\n\n", "سطر أول\nسطر ثان", "\nبداية بسطر فارغ\n\n\nوبعد أسطر\n", "جملة. أخرى\nثالثة؟ ورابعة",
    " ".join(["كلمة"] * 250) + "\n" + "، ".join(["كلمة"] * 120), "كلمة\n",
])
def test_sentence_bounds_as_by_slicing(text):
    from marsad.entities.tagger import _sentence_bounds, tokenize
    toks = tokenize(text)
    assert _sentence_bounds(text, toks) == _bounds_by_slicing(text, toks)


def test_longest_names_prefers_the_longest_and_does_not_overlap():
    from marsad.entities.tagger import longest_names
    keys = ["في", "الشرق", "الاوسط", "الكبير", "و", "الشرق"]
    entry = ((("الاوسط", "الكبير"), "country"), (("الاوسط",), "city"), ((), "city"))
    hits = [(), (entry,), (), (), (), (entry,)]
    assert longest_names(keys, hits) == [None, "B-country", "I-country", "I-country", None, "B-city"]
    assert longest_names(keys[:3], hits[:3]) == [None, "B-city", "I-city"]


@needs_model
def test_match_keys_cached_as_computed(tagger):
    f = tagger.features
    words = ["والأسد", "بالعراق", "للأسد", "وقال", "دمشق", "والأسد"]
    fresh = [f._word(w)[4] for w in words]
    assert tagger._keys(words) == tuple(v[1] if len(v) > 1 else v[0] for v in fresh)
    assert tagger._keys(words) == tuple(f.match_key(w) for w in words)
