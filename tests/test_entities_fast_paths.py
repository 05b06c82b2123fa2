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
