"""Shortcuts of claim extraction (the per-article ``attributions`` stage) that must give what the long way
gives: the main clause of a content taken from the content's words when it has no clause separator, the
mentions starting in a sentence found by bisection, the "، و" cut skipped when no "، و" is there, a
sentence's tokens and offsets from one regex pass."""

from __future__ import annotations

import re

from marsad.claims.attribution import _WORD as _ATT_WORD, _Sentence
from marsad.claims.extract import _WORD, _conjoined_clauses, _MentionWindow, main_clause
from marsad.model import Mention
from marsad.text import normalize, normalize_with_map

CONTENTS = [
    "وانتخب المجلس رئيسه بأغلبية 70 عضوا، ولم يصوت 20 عضوا لأي مرشح",
    "الحكومة، التي تشكلت أمس، لا تملك أغلبية",
    "قتل 12 شخصا بعدما لم تصل فرق الإنقاذ إلى المنطقة",
    "تم اغتياله في رفح في حين لم يصدر أي بيان",
    "لم تعلن الحكومة عن أي خطة جديدة للإصلاح الاقتصادي",
    "سقط 5 جرحى؛ وأصيب آخرون بجروح طفيفة",
    "",
]


def _long_way(content: str) -> list[str]:
    """main_clause as it read before the shortcut: every segment split and normalised on its own."""
    from marsad.claims.extract import _CLAUSE_ENDS, _RELATIVE, _SUBORDINATE, _bare, _opens_clause, _whereas

    out: list[str] = []
    for seg in re.split(r"[،,;؛]", content):
        words = _WORD.findall(normalize(seg))
        if not words:
            continue
        if out and _bare(words[0]) in _RELATIVE:
            continue
        if out and (_opens_clause(words[0]) or _whereas(words, 0)):
            break
        for i, w in enumerate(words if not _CLAUSE_ENDS.isdisjoint(words) else ()):
            if i > 0 and (_bare(w) in _SUBORDINATE or _whereas(words, i)):
                return out + words[:i]
        out.extend(words)
    return out


def test_main_clause_from_the_contents_words_is_the_main_clause_of_its_segments():
    for content in CONTENTS:
        words = _WORD.findall(normalize(content))
        expected = _long_way(content)
        assert main_clause(content) == expected
        assert main_clause(content, words) == expected
        assert words == _WORD.findall(normalize(content))      # the caller's words are left as they were
    # a subordinate word cuts the clause short on the shortcut too
    assert main_clause(CONTENTS[2], _WORD.findall(normalize(CONTENTS[2]))) == ["قتل", "12", "شخصا"]
    assert "لا" in main_clause(CONTENTS[1], _WORD.findall(normalize(CONTENTS[1])))


def _mention(start: int, end: int) -> Mention:
    return Mention(article_id=1, start=start, end=end, text="x" * (end - start), type="PER", entity_id=f"e{start}")


def test_mentions_starting_in_a_span_are_those_the_whole_list_gives_in_order():
    ordered = [_mention(a, a + n) for a, n in [(0, 3), (2, 9), (5, 2), (5, 4), (12, 3), (20, 1), (31, 6)]]
    shuffled = [ordered[k] for k in (3, 0, 6, 1, 5, 2, 4)]
    for mentions in (ordered, shuffled, []):
        w = _MentionWindow(mentions)
        for s in range(-1, 40, 3):
            for e in range(s, 42, 4):
                assert w.starting_in(s, e) == [m for m in mentions if s <= m.start < e]


def test_no_conjoined_cut_without_a_comma_and_waw():
    sent = "انتخب المجلس البلدي سمير خليل رئيسا للبلدية بعد جولة ثانية، وحصل خليل على 14 صوتا"
    i, j = sent.find("سمير خليل"), sent.rfind("خليل")
    ms = [Mention(article_id=1, start=i, end=i + 9, text="سمير خليل", type="PER", entity_id="P"),
          Mention(article_id=1, start=j, end=j + 4, text="خليل", type="PER", entity_id="P")]
    assert _conjoined_clauses(sent, 0, ms) == [sent.index("، و") + 2]
    no_waw = sent.replace("، وحصل", " وحصل")
    assert _conjoined_clauses(no_waw, 0, [Mention(article_id=1, start=i, end=i + 9, text="سمير خليل", type="PER",
                                                  entity_id="P")]) == []


def test_sentence_tokens_and_display_offsets_come_from_one_pass():
    text = "وقالَ المتحدثُ باسم الجيش، أمس، إنّ القوات   سيطرت على المدينة."
    s = _Sentence(text, 100, [], {})
    key, kmap = normalize_with_map(text)
    assert s.toks == _ATT_WORD.findall(key)
    assert s.kspan == [m.span() for m in _ATT_WORD.finditer(key)]
    # display offsets: from the word's first character to after its last letter (a final diacritic is left out)
    assert [text[a - 100:b - 100] for a, b in zip(s.dstart, s.dend)][:4] == ["وقال", "المتحدث", "باسم", "الجيش"]
    assert text[s.dstart[6] - 100:s.dend[6] - 100] == "القوات"
