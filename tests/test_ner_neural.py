"""Tests for the neural NER tagger run in numpy (marsad.entities.neural) and its use by Tagger.

All sentences here are written for these tests; none comes from the training corpora.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from marsad.entities.neural import DEFAULT_NEURAL_MODEL, NeuralInputs, NeuralTagger, char_ids, piece_ids
from marsad.entities.tagger import DEFAULT_MODEL, Tagger, bio_spans


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(DEFAULT_MODEL, neural=DEFAULT_NEURAL_MODEL)


def spans_text(text: str, spans) -> list[tuple[str, str]]:
    return [(text[s:e], t) for s, e, t in spans]


def valid_bio(tags: list[str]) -> bool:
    prev = "O"
    for t in tags:
        if t != "O" and (t[:2] not in ("B-", "I-") or t[2:] not in ("PER", "ORG", "LOC")):
            return False
        if t.startswith("I-") and prev[2:] != t[2:]:
            return False
        prev = t
    return True


def test_person_after_title(tagger):
    text = "وقال الرئيس كمال بن سعيد للصحفيين إن المحادثات كانت مثمرة ."
    assert ("كمال بن سعيد", "PER") in spans_text(text, tagger.tag_spans(text))


def test_city_after_place_noun(tagger):
    text = "وصل الوفد إلى مدينة تطوان صباح أمس قادما من العاصمة ."
    found = spans_text(text, tagger.tag_spans(text))
    assert ("تطوان", "LOC") in found
    assert all(t != "LOC" or "مدينة" not in s for s, t in found)  # the place noun stays outside


def test_organisation_after_trigger_noun(tagger):
    text = "وأعلنت منظمة الصحة العالمية أن الوباء انتشر في ثلاث دول ."
    found = spans_text(text, tagger.tag_spans(text))
    assert any(t == "ORG" and "الصحة العالمية" in s for s, t in found)


def test_tags_are_valid_bio_for_odd_input(tagger):
    sentences = [
        ["قال", "الرئيس", "فلان", "الفلاني", "في", "باريس"],
        ["«", "»", "(", ")", "،", "."],
        ["Reuters", "AFP", "2024", "%", "و"],
        ["كلمة"],
        ["من"] * 450,  # longer than a chunk: tagged in pieces
    ]
    out = list(tagger.tag_document(sentences))
    assert [len(t) for t in out] == [len(s) for s in sentences]
    assert all(valid_bio(t) for t in out)


def test_a_sentence_is_tagged_the_same_alone_and_in_a_batch(tagger):
    net = tagger.neural
    sents = [["أعلن", "وزير", "الخارجية", "سامي", "عودة", "من", "عمان", "."],
             ["زار", "الوفد", "بيروت", "."],
             ["وقالت", "وكالة", "الأنباء", "إن", "الاجتماع", "عقد", "في", "جنيف", "بحضور", "ممثلين",
              "عن", "الأمم", "المتحدة", "والاتحاد", "الأوروبي", "."]]
    batch = net.tag_batch(sents)
    assert batch == [net.tag_batch([s])[0] for s in sents]
    assert net.tag_batch([[], sents[1]]) == [[], batch[1]]


def test_viterbi_finds_the_best_path_of_padded_sentences(tagger):
    net = tagger.neural
    rnd = np.random.default_rng(3)
    L = len(net.labels)
    lens = np.array([3, 1, 2])
    em = rnd.normal(size=(3, 3, L)).astype(np.float32)
    trans, start, end = net.w["crf_trans"], net.w["crf_start"], net.w["crf_end"]
    paths = net._viterbi(em, lens)
    for b, n in enumerate(lens):
        def score(p):
            return (start[p[0]] + sum(em[b, t, p[t]] for t in range(n))
                    + sum(trans[p[t - 1], p[t]] for t in range(1, n)) + end[p[-1]])
        best = max(itertools.product(range(L), repeat=int(n)), key=score)
        assert tuple(paths[b, :n]) == best


def test_inputs_marks_gazetteer_and_trigger_words():
    inputs = NeuralInputs(use_orgs=False)
    marks = inputs.marks(["وصل", "إلى", "مدينة", "القاهرة", "2024"])
    assert "BOS" in marks[0] and all("BOS" not in m for m in marks[1:])
    assert any(m.startswith("gz=B-") for m in marks[3])
    assert any(m.startswith("k=") for m in marks[2])  # مدينة is a place trigger noun
    assert "sh=A" in marks[3] and "sh=D" in marks[4]


def test_char_ids_keep_both_ends_of_long_words():
    chars = {c: i + 2 for i, c in enumerate("abcdefghijklmnopqrstuvwxyz")}
    ids = char_ids("abcdefghijklmnopqrstuvwxyz", chars)
    assert len(ids) == 20 and ids[0] == chars["a"] and ids[-1] == chars["z"]
    assert char_ids("aé", chars) == [chars["a"], 1]  # unknown character -> UNK


def test_word_pieces_come_from_the_use_tokenizer():
    assert piece_ids("دمشق") and piece_ids("دمشق") == piece_ids("دمشق")
    assert piece_ids("دمشق") != piece_ids("بيروت")


def test_missing_model_file_fails_clearly(tmp_path):
    with pytest.raises(FileNotFoundError):
        NeuralTagger(tmp_path / "none.npz")


TEXTS = [
    "وقال الرئيس كمال بن سعيد للصحفيين في تطوان إن المحادثات كانت مثمرة. وأضاف بن سعيد أن الوفد سيزور الرباط.",
    "أعلنت منظمة الصحة العالمية أن الوباء انتشر في ثلاث دول .\nوقالت وكالة الأنباء إن الاجتماع عقد في جنيف.",
    "زار الوفد بيروت",
    "",
]


def test_articles_tagged_together_as_one_by_one(tagger):
    expected = [tagger.tag_spans(t) for t in TEXTS]
    assert expected[0] and expected[1]
    assert tagger.spans_many(TEXTS) == expected


def test_tags_do_not_depend_on_batch_size_or_word_cache(tagger):
    net = tagger.neural
    sents = [[t for t in s.split() if t] for text in TEXTS for s in text.replace("\n", " . ").split(" . ") if s.strip()]
    whole = net.tag_batch(sents)
    size, cache = net.batch_size, net.cache_size
    try:
        net.batch_size, net.cache_size = 2, 12  # length-sorted batches of two; the word cache refilled often
        net._rows.clear()
        assert net.tag_batch(sents) == whole
        assert [net.tag_batch([s])[0] for s in sents] == whole
    finally:
        net.batch_size, net.cache_size = size, cache
        net._rows.clear()


def test_word_vectors_batched_as_alone(tagger):
    net = tagger.neural
    words = ["دمشق", "والأمم", "Reuters", "2024", "،", "كوسكينن"]
    together = net.word_vectors(words)
    alone = np.concatenate([net.word_vectors([w]) for w in words])
    assert together.shape == (len(words), net._first_word.shape[0])
    assert np.allclose(together, alone, atol=1e-5)
    assert not np.allclose(together[0], together[5])
