from marsad.text import normalize, strip_clitics, normalize_with_map, split_sentences, strip_diacritics, to_western_digits


def test_normalize_folds_spelling_variants():
    assert normalize("أحمد") == normalize("احمد") == normalize("إحمد") == normalize("آحمد")
    assert normalize("مستشفى") == normalize("مستشفي")
    assert normalize("مدرسة") == normalize("مدرسه")
    assert normalize("مسؤول") == normalize("مسوول")
    assert normalize("رئيس") == normalize("رييس")
    assert normalize("مُحَمَّدٌ") == normalize("محمد")
    assert normalize("الســـلام") == normalize("السلام")
    assert normalize("٢٠٢٤") == "2024" and normalize("۲۰۲۴") == "2024"
    assert normalize("قال، ثم؟") == "قال, ثم?"
    assert normalize("«بيان»") == normalize("“بيان”") == '"بيان"'
    assert normalize("  Reuters   NEWS ") == "reuters news"


def test_display_helpers_keep_length_or_only_drop_marks():
    assert to_western_digits("في ١٢ كانون") == "في 12 كانون"
    assert to_western_digits("عام ۱۴۰۳ و2024") == "عام 1403 و2024" and to_western_digits("بلا أرقام") == "بلا أرقام"
    assert strip_diacritics("كَتَبَ") == "كتب"


def test_normalize_with_map_points_back_to_display_text():
    text = "قالَ  الرئيسُ: «لا خطة»"
    key, offsets = normalize_with_map(text)
    assert key == normalize(text)
    i = key.index("الرييس")
    start, end = offsets[i], offsets[i + len("الرييس") - 1] + 1
    assert text[start:end].startswith("الرئيس")



def _map_char_by_char(text):
    """normalize_with_map as first written: one character at a time (the reference of the fast one)."""
    from marsad.text.normalize import _fold
    out, offsets = [], []
    for i, ch in enumerate(text):
        for f in _fold(ch):
            if f == " " and (not out or out[-1] == " "):
                continue
            out.append(f)
            offsets.append(i)
    while out and out[-1] == " ":
        out.pop()
        offsets.pop()
    return "".join(out), offsets


def test_normalize_with_map_equals_the_character_by_character_reading():
    texts = ["", " ", "  \n ", "قالَ  الرئيسُ: «لا خطة» ", "\u064b \u064b", " أيضاً ـ  \u200fقال\n\n",
             "\ufdfa صلى", "ﻻ  ﻷ x ", "a\u0640 \u0640 b", "\u00ad", "Reuters\t\tNEWS  ٢٠٢٤", "ة ى\u064b\u064c"]
    for t in texts:
        assert normalize_with_map(t) == _map_char_by_char(t), t



def test_normalize_with_map_learns_new_characters_safely_from_several_threads():
    from concurrent.futures import ThreadPoolExecutor

    def run(k):      # each thread meets characters no other text has (a block of its own), with Arabic around them
        texts = [f"قالَ {chr(0x4E00 + 400 * k + i)}{chr(0x1D400 + 50 * k + i % 50)} الرئيسُ  «{i}»" for i in range(400)]
        return all(normalize_with_map(t) == _map_char_by_char(t) for t in texts)

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(run, range(8)))


def _sents(text):
    return [text[a:b] for a, b in split_sentences(text)]


def test_sentences_do_not_split_on_comma_abbreviation_or_decimal():
    text = "قال د. سامي إن النمو بلغ 3.5 بالمئة، وأضاف أنه متفائل. ثم غادر القاعة! هل يعود؟ لا أحد يعرف"
    assert _sents(text) == ["قال د. سامي إن النمو بلغ 3.5 بالمئة، وأضاف أنه متفائل.", "ثم غادر القاعة!",
                            "هل يعود؟", "لا أحد يعرف"]


def test_sentences_keep_closing_quotes_and_split_lines():
    text = "قال المتحدث: «انتهى الأمر.» وأضاف شيئاً آخر.\nعنوان فرعي بلا نقطة\nفي عام 2011 م. بدأت الاحتجاجات."
    assert _sents(text) == ["قال المتحدث: «انتهى الأمر.»", "وأضاف شيئاً آخر.", "عنوان فرعي بلا نقطة",
                            "في عام 2011 م. بدأت الاحتجاجات."]


def test_sentences_handle_latin_abbreviations_and_initials():
    text = "The U.S. envoy J. Jeffrey said so. Then he left."
    assert _sents(text) == ["The U.S. envoy J. Jeffrey said so.", "Then he left."]


def test_sentence_offsets_index_the_text():
    text = "  جملة أولى.   جملة ثانية؟  "
    for a, b in split_sentences(text):
        assert text[a:b] == text[a:b].strip() and text[a:b]


def test_strip_clitics_keeps_short_stems():
    assert strip_clitics(normalize("بدمشق")) == "دمشق"
    assert strip_clitics(normalize("والسوري")) == "سوري"
    assert strip_clitics(normalize("للأمم")) == "امم"
    assert strip_clitics("بلد") == "بلد" and strip_clitics("ولد") == "ولد"


# -- linear time: cost ratios between 10 KB, 100 KB and 1 MB inputs (never absolute timings) -----------
_SENTENCE = "وقال مسؤول في البلدية إن فرق الصيانة أنهت إصلاح الجسر خلال 3.5 ساعات، بحسب د. أحمد. "


def _cpu(fn, arg, repeat: int = 3) -> float:
    import time

    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn(arg)
        best = min(best, time.process_time() - t)
    return max(best, 1e-4)


def _ratios(fn, make) -> tuple[float, float]:
    small, mid, large = (_cpu(fn, make(n)) for n in (10_000, 100_000, 1_000_000))
    return mid / small, large / mid


def test_sentence_splitting_is_linear_in_the_text():
    one_paragraph = lambda n: (_SENTENCE * (n // len(_SENTENCE) + 1))[:n]  # noqa: E731
    spans = split_sentences(one_paragraph(100_000))
    assert len(spans) > 900 and all(e - s < 200 for s, e in spans)
    r1, r2 = _ratios(split_sentences, one_paragraph)
    assert r2 < 30, (r1, r2)   # 10 times the text: linear is about 10, the old splitter was about 100


def test_furniture_removal_is_linear_in_the_text():
    from marsad.clean.scraped import clean_scraped

    one_paragraph = lambda n: "عنوان الخبر في سطر واحد\n" + (_SENTENCE * (n // len(_SENTENCE) + 1))[:n]  # noqa: E731
    markers = lambda n: "عنوان\n" + "\n".join(f"اقرأ أيضا: خبر رقم {i}\n{_SENTENCE * 2}\nشارك\nتويتر"  # noqa: E731
                                              for i in range(n // 200))
    for make in (one_paragraph, markers):
        assert clean_scraped(make(10_000))
        r1, r2 = _ratios(clean_scraped, make)
        assert r2 < 30, (make, r1, r2)


def test_normalize_folds_the_same_before_and_after_lower_case_on_every_code_point():
    """normalize() folds once, after lower(); that equals folding before and after it for every character."""
    from marsad.text.normalize import _TABLE, normalize

    def reference(s: str) -> str:
        return " ".join(s.translate(_TABLE).lower().translate(_TABLE).split())

    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and not 0xFB50 <= c <= 0xFEFF
             and not 0xFF00 <= c <= 0xFFEF]
    assert [normalize("Aب" + c) for c in chars] == [reference("Aب" + c) for c in chars]
    assert normalize("إنّ الـقـوات «السورية» ٣") == 'ان القوات "السوريه" 3'
