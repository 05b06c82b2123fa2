"""Claims stage: attribution chains, claim groups, independent origins, contradictions, signals."""

from __future__ import annotations

from pathlib import Path

import pytest

from marsad.claims import article_signals, claim_groups, claims, extract_claims
from marsad.claims.extract import article_claims
from marsad.model import Article
from marsad.text import split_sentences


def _claims_of(text: str, outlet: str | None = "موقع الاختبار", cited: str | None = None):
    """Claims of a text written here, with mentions from the entity linker (no store)."""
    from marsad.entities import extract_entities, get_entity

    mentions, ents = extract_entities(text)
    names = {}
    for m in mentions:
        e = ents.get(m.entity_id) or (get_entity(m.entity_id) if m.entity_id else None)
        if e is not None:
            names[e.id] = {"name_ar": e.name_ar, "name_en": e.name_en, "type": e.type}
    a = Article(source="t.txt", text=text, outlet=outlet, cited_source=cited, id=1)
    return article_claims(a, split_sentences(text), mentions, names, "t")


def _names(c):
    return [x["name"] for x in c.chain]


# ------------------------------------------------------------------ attribution on text written here
def test_agency_citing_anonymous_source_close_to_entity():
    (c,) = _claims_of("نقلت وكالة بلومبيرج عن مصدر مقرب من الكرملين أن روسيا لا تملك خطة لإنقاذ الرئيس السوري.")
    assert [x["kind"] for x in c.chain] == ["outlet", "channel", "anonymous"]
    assert c.chain[1]["entity_id"] == "marsad:bloomberg"
    assert c.chain[2]["close_to"] == "marsad:kremlin"
    assert "Kremlin" in c.chain[2]["name"]
    assert c.modality == "reported" and c.polarity == -1
    assert c.content.startswith("روسيا")


def test_spelling_variants_are_one_source():
    (a,) = _claims_of("نقلت وكالة بلومبيرغ عن مسؤولين أتراك أن أنقرة لن ترسل قوات إضافية إلى الحدود.")
    (b,) = _claims_of("نقلت وكالة بلومبرج عن مسؤولين أتراك أن أنقرة لن ترسل قوات إضافية إلى الحدود.")
    assert a.chain[1]["entity_id"] == b.chain[1]["entity_id"] == "marsad:bloomberg"


def test_prepositional_cues_and_unnamed_sources():
    (c,) = _claims_of("وفقاً لمصادر إعلامية غربية رفيعة، قامت روسيا بتأمين ممر آمن لنقل المسؤولين إلى موسكو.")
    assert c.chain[-1]["kind"] == "anonymous"
    assert c.chain[-1]["description"].startswith("مصادر إعلامية غربية")
    (d,) = _claims_of("بحسب رويترز، أغلقت السلطات الأردنية معبر جابر الحدودي مع سوريا صباح اليوم.")
    assert _names(d)[1:] == ["Reuters"]


def test_speaker_talking_to_an_agency_is_the_source_and_the_agency_the_channel():
    (c,) = _claims_of("وصرّح مسؤول أمريكي رفيع المستوى لـ\"رويترز\" بأن نهاية الحكومة قد تكون وشيكة في الأيام المقبلة.")
    kinds = [x["kind"] for x in c.chain]
    assert kinds == ["outlet", "channel", "anonymous"]
    assert c.chain[1]["name"] == "Reuters"


def test_newspaper_and_spokesperson():
    (c,) = _claims_of("أفادت صحيفة نيويورك تايمز بأن إيران بدأت إجلاء دبلوماسييها من العاصمة السورية.")
    assert _names(c)[1] == "The New York Times"
    (d,) = _claims_of("وقال المتحدث باسم الكرملين إن موسكو تتابع الوضع في سوريا عن كثب ولن تتدخل عسكريا.")
    assert d.chain[-1]["name"].startswith("spokesperson for")


def test_continuation_inherits_and_unattributed_is_the_outlets_own():
    text = ("نقلت وكالة رويترز عن مصادر أمنية أن الجيش أرسل تعزيزات كبيرة إلى مدينة حمص خلال الليل.\n\n"
            "وأضافت المصادر أن التعزيزات شملت دبابات وعربات مدرعة وصلت من العاصمة.\n\n"
            "وتشهد المنطقة توترا متصاعدا منذ أسابيع بين الأطراف المتنازعة على الأرض.")
    a, b, c = _claims_of(text, outlet="كوردستريت")
    assert _names(b) == _names(a) and len(a.chain) == 3
    assert [x["kind"] for x in c.chain] == ["outlet"] and c.modality == "asserted"


def test_cited_source_line_is_the_outermost_source():
    (c,) = _claims_of("أعلنت السلطات التركية إغلاق المعبر الحدودي مع سوريا حتى إشعار آخر.", outlet="موقع ما",
                      cited="بوابة الفجر")
    assert c.chain[0]["entity_id"] == "marsad:al-fajr"      # the cited outlet, resolved by the registry
    assert all(x["name_ar"] != "موقع ما" for x in c.chain)


def test_denial_and_questions():
    (c,) = _claims_of("نفت وزارة الدفاع الروسية أن تكون قواتها قد انسحبت من قاعدة حميميم الجوية.")
    assert c.modality == "denied"
    assert _claims_of("هل تنسحب روسيا من قاعدة حميميم الجوية في الأيام المقبلة؟") == []


# ---------------------------------------------------------------------------------- on the seeds
@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory, seeds_dir):
    from marsad.pipeline import analyze
    from marsad.store import Store

    s = Store(tmp_path_factory.mktemp("claims") / "seeds.db")
    analyze(s, [str(seeds_dir)], workers=1)  # runs every stage, claims included
    assert s.db.execute("SELECT count(*) FROM claims").fetchone()[0] > 50
    assert extract_claims(s) == 0  # nothing new the second time
    yield s
    s.close()


def _source_file(store, article_id):
    return Path(store.article(article_id).source).name[:3]


def test_seed_claim_no_plan_to_save_assad_is_one_origin(seeds_store):
    groups = [g for g in claim_groups(seeds_store)
              if "خطة" in g["text"] and "الأسد" in g["text"] and g["polarity"] == -1 and g["n_articles"] >= 3]
    assert groups, "the 'Russia has no plan to save Assad' claim is not grouped across articles"
    g = groups[0]
    assert sorted({_source_file(seeds_store, a) for a in g["article_ids"]}) == ["000", "002", "004"]
    assert g["independent_origins"] == 1
    (origin,) = g["origins"]
    assert origin["kind"] == "anonymous" and origin["close_to"] == "marsad:kremlin" and origin["via"] == "Bloomberg"
    assert origin["name"] == "source close to the Kremlin (via Bloomberg)"


def test_seed_claims_export_shape(seeds_store):
    cs = claims(seeds_store)
    keys = {"id", "story_id", "text", "group_id", "article_id", "attribution", "origin", "independent_origins",
            "contradicts", "modality", "polarity", "outlet", "provenance"}
    assert all(keys <= set(c) for c in cs)
    bloomberg = [c for c in cs if any(a.startswith("Bloomberg") for a in c["attribution"]) and "الكرملين" in c["text"]]
    assert bloomberg and all(c["independent_origins"] == 1 for c in bloomberg)
    ids = {c["group_id"] for c in cs}
    assert all(set(c["contradicts"]) <= ids for c in cs)


def test_seed_family_departure_contradiction(seeds_store):
    pairs = [(g["text"], c["other_sentence"]) for g in claim_groups(seeds_store) for c in g["contradicts"]]
    assert any("الأسبوع الماضي" in a and "قبل ساعات" in b for a, b in pairs)


def test_seed_signals(seeds_store):
    sig = article_signals(seeds_store)
    assert len(sig) == len(list(seeds_store.articles()))
    assert all(0 <= (s["anonymous_share"] or 0) <= 1 for s in sig)


def test_incremental_rerun_is_a_noop(seeds_store):
    n = seeds_store.db.execute("SELECT count(*) FROM claims").fetchone()[0]
    assert extract_claims(seeds_store) == 0
    assert seeds_store.db.execute("SELECT count(*) FROM claims").fetchone()[0] == n


# ------------------------------------------------------------- a corpus written here (store level)
ARTICLES = {
    "a_reuters.txt": """روسيا ترسل طائرات حربية إلى قاعدة حميميم

تاريخ النشر: 3 ديسمبر 2024

نقلت وكالة رويترز عن مصادر أمنية أن القوات الروسية أرسلت 20 طائرة حربية إلى قاعدة حميميم في سوريا خلال الأيام الماضية.

وأضافت المصادر أن الطائرات وصلت على دفعات من قواعد في جنوب روسيا.

ويأتي ذلك بعد تقدم فصائل المعارضة السورية في ريف حماة الشمالي.
""",
    "b_denial.txt": """موسكو تنفي إرسال طائرات إلى سوريا

تاريخ النشر: 4 ديسمبر 2024

نفت وزارة الدفاع الروسية أن تكون القوات الروسية أرسلت طائرات حربية إلى قاعدة حميميم في سوريا خلال الأيام الماضية.

وقال المتحدث باسم وزارة الدفاع الروسية إن الوضع في القاعدة مستقر ولا يستدعي أي تعزيزات.

وتستمر المعارك بين فصائل المعارضة والقوات الحكومية في ريف حماة الشمالي.
""",
    "c_numbers.txt": """تعزيزات روسية كبيرة تصل إلى سوريا

تاريخ النشر: 4 ديسمبر 2024

قالت مصادر محلية إن القوات الروسية أرسلت 45 طائرة حربية إلى قاعدة حميميم في سوريا خلال الأيام الماضية.

وذكرت المصادر أن الطائرات هبطت ليلا وسط إجراءات أمنية مشددة.

وتواصل فصائل المعارضة السورية تقدمها في ريف حماة الشمالي وسط معارك عنيفة.
""",
    "d_origin.txt": """قصف جوي يستهدف بلدة كفرنبل في ريف إدلب

تاريخ النشر: 5 ديسمبر 2024

قتل اثنا عشر مدنيا وأصيب عشرات آخرون في قصف جوي استهدف سوقا شعبية في بلدة كفرنبل بريف إدلب الجنوبي صباح الخميس بحسب فرق الدفاع المدني العاملة في المنطقة والتي وصلت إلى المكان بعد دقائق من الغارة.

وقال شهود عيان إن الطائرات حلقت فوق البلدة لأكثر من ساعة قبل أن تستهدف السوق المكتظة بالمتسوقين في وقت الذروة الصباحية.

وتشهد محافظة إدلب تصعيدا عسكريا منذ أسابيع مع تقدم فصائل المعارضة نحو مدينة حماة.
""",
    "e_copy.txt": """مجزرة جديدة في إدلب وسط صمت دولي

تاريخ النشر: 6 ديسمبر 2024

قتل اثنا عشر مدنيا وأصيب عشرات آخرون في قصف جوي استهدف سوقا شعبية في بلدة كفرنبل بريف إدلب الجنوبي صباح الخميس بحسب فرق الدفاع المدني العاملة في المنطقة والتي وصلت إلى المكان بعد دقائق من الغارة.

وطالبت منظمات إنسانية دولية بفتح تحقيق عاجل في الهجوم ومحاسبة المسؤولين عنه أمام المحاكم الدولية المختصة.

ويعيش سكان المنطقة أوضاعا إنسانية صعبة بسبب نقص الغذاء والدواء وارتفاع الأسعار منذ بداية فصل الشتاء.

وتعمل فرق الإغاثة المحلية على توزيع المساعدات في المخيمات المنتشرة قرب الحدود التركية رغم شح الموارد.
""",
}


@pytest.fixture(scope="module")
def own_store(tmp_path_factory):
    from marsad.pipeline import analyze
    from marsad.store import Store

    d = tmp_path_factory.mktemp("own")
    for name, text in ARTICLES.items():
        (d / name).write_text(text, encoding="utf-8")
    s = Store(d / "own.db")
    analyze(s, [str(d)], workers=1)  # every stage, claims included
    _OWN[:] = [s]
    yield s
    s.close()


def _claim(cs, file_prefix, needle, store=None):
    store = store or _OWN[0]
    return next(c for c in cs if Path(store.article(c["article_id"]).source).name.startswith(file_prefix)
                and needle in c["text"])


_OWN: list = []


def test_denial_contradicts_the_original_claim(own_store):
    cs = claims(own_store)
    orig = _claim(cs, "a_reuters", "20 طائرة")
    denial = _claim(cs, "b_denial", "نفت")
    assert denial["modality"] == "denied"
    assert denial["group_id"] != orig["group_id"]
    assert denial["group_id"] in orig["contradicts"] and orig["group_id"] in denial["contradicts"]
    reasons = {r for g in claim_groups(own_store) if g["id"] == orig["group_id"] for c in g["contradicts"]
               if c["group_id"] == denial["group_id"] for r in c["reasons"]}
    assert "denial" in reasons


def test_numbers_mismatch_is_not_the_same_claim(own_store):
    cs = claims(own_store)
    a = _claim(cs, "a_reuters", "20 طائرة")
    c = _claim(cs, "c_numbers", "45 طائرة")
    assert a["group_id"] != c["group_id"]
    assert c["group_id"] in a["contradicts"]
    # an unrelated copy of the sentence with another number keeps its own origin
    assert "Reuters" not in c["origin"]


def test_copied_passage_collapses_to_one_origin(own_store):
    cs = claims(own_store)
    d = _claim(cs, "d_origin", "اثنا عشر")
    e = _claim(cs, "e_copy", "اثنا عشر")
    assert d["group_id"] == e["group_id"]
    assert e["copied_from"] == d["id"]
    assert e["origin"] == d["origin"]
    assert e["independent_origins"] == 1
    assert any("copied from" in p for p in e["provenance"])


# ------------------------------------------------------------- real-news forms (text written here)
def test_one_sentence_two_sources_gives_two_claims():
    cs = _claims_of("أعلن الجيش السوداني أن قواته دخلت المدينة صباح اليوم بعد معارك عنيفة، "
                    "فيما قالت صحيفة هآرتس إن الضربات استهدفت المدرج الرئيسي للمطار.")
    assert len(cs) == 2
    assert cs[0].chain[-1]["entity_id"] != cs[1].chain[-1]["entity_id"]
    assert cs[1].chain[-1]["name"] == "Haaretz" and cs[1].content.startswith("الضربات")


def test_trailing_cue_adds_the_relaying_medium():
    (c,) = _claims_of("وقالت وزارة الصحة في بيان إن عدد القتلى ارتفع إلى 22 بينهم ست نساء، بحسب ما نقلت سكاي نيوز.")
    names = _names(c)
    assert names[1] == "Sky News Arabia" and "Ministry" in names[-1] or "Health" in names[-1]
    assert "سكاي" not in c.content


def test_media_named_by_the_registry_and_by_number():
    (c,) = _claims_of("نقلت القناة 12 الإسرائيلية عن مسؤول رفيع أن الحكومة تدرس الرد على الهجوم خلال الأيام المقبلة.")
    assert c.chain[1]["kind"] == "channel" and c.chain[1]["name"].startswith("Channel 12")
    assert c.chain[2]["kind"] == "anonymous"
    (d,) = _claims_of("وقالت القناة 7 الإسرائيلية إن الجيش دخل المدينة صباح اليوم بعد معارك عنيفة.")
    assert d.chain[1]["name_ar"] == "القناة 7"


def test_definite_noun_refers_back_to_the_organisation_named_before():
    a, b = _claims_of("أعلن الجيش السوداني السيطرة على مدينة ود مدني بعد معارك عنيفة مع قوات الدعم السريع. "
                      "وقال الجيش إن قواته تعمل على تطهير جيوب المتمردين داخل المدينة.")
    assert b.chain[-1]["entity_id"] == a.chain[-1]["entity_id"] is not None


def test_negation_in_a_subordinate_clause_does_not_negate_the_claim():
    (a,) = _claims_of("فاز قائد الجيش برئاسة الجمهورية بعدما لم يحصل على الأغلبية المطلوبة في الدورة الأولى.")
    assert a.polarity == 1
    (b,) = _claims_of("نقلت وكالة رويترز أن روسيا، التي كانت الحليف الأبرز للنظام، لا تملك أي خطة لإنقاذ الرئيس.")
    assert b.polarity == -1


def test_counts_are_numbers_with_what_they_count():
    from marsad.claims.extract import counted_numbers
    from marsad.text import normalize

    got = counted_numbers(normalize("قتل 3 أشخاص وأصيب 16 آخرون في 2024 وأصبح الرئيس الـ47 بـ99 صوتا").split())
    assert [(v, u) for v, u, _ in got] == [(3, "killed"), (16, "injured"), (99, "votes")]
    more = counted_numbers(normalize("سقوط 22 قتيلا وأكثر من 100 جريح من أصل 128 مصابا").split())
    assert more == [[22, "killed", "="], [100, "injured", ">"]]


def _row(text_terms, **kw):
    base = {"entities": ["E"], "places": [], "numbers": [], "times": [], "terms": text_terms, "modality": "reported",
            "polarity": 1, "eff_polarity": 1, "flags": {}, "_pubday": None}
    base.update(kw)
    return base


def test_agreeing_negative_statements_are_not_a_contradiction():
    from marsad.claims.grouping import contradiction

    a = _row(["~kill", "يعلن"], polarity=-1, eff_polarity=-1, flags={"neg_terms": ["يعلن"], "main_terms": ["يعلن"]})
    b = _row(["~kill", "يعلن"], polarity=-1, eff_polarity=-1, flags={"neg_terms": ["يعلن"], "main_terms": ["يعلن"]})
    assert contradiction(a, b, 0.9) == ([], False)


def test_counts_times_and_opposed_predicates_contradict():
    from marsad.claims.grouping import contradiction, count_conflicts, times_differ

    a = _row(["~kill", "مطار"], flags={"counts": [[3, "killed", "="], [16, "injured", "="]]}, story_id=1)
    b = _row(["~kill", "مطار"], flags={"counts": [[3, "killed", "="], [30, "injured", "="]]}, story_id=1)
    assert count_conflicts(a, b) == [("injured", [16], [30])]
    c = _row(["~kill", "مطار"], flags={"counts": [[100, "injured", ">"]]})
    d = _row(["~kill", "مطار"], flags={"counts": [[124, "injured", "="]]})
    assert count_conflicts(d, c) == [] and count_conflicts(a, c) != []     # "more than 100" holds 124, not 16
    r1 = _row(["صوت"], flags={"counts": [[71, "votes", "="]], "ordinals": ["الاولي"]})
    r2 = _row(["صوت"], flags={"counts": [[99, "votes", "="]], "ordinals": ["الثانيه"]})
    assert count_conflicts(r1, r2) == []                                  # two rounds, two counts
    assert "numbers" in contradiction(a, b, 0.8)[0]
    # the same day written as "today" and "yesterday" by papers a day apart is no conflict
    d1 = _row(["~strike"], flags={"days": [0, 0]}, _pubday=739000)
    d2 = _row(["~strike"], flags={"days": [-1, -1]}, _pubday=739001)
    assert not times_differ(d1, d2)
    # "last week" against "hours before" (no dates) is
    w = _row(["~leave"], flags={"days": [-13, -2]})
    h = _row(["~leave"], flags={"days": [-1, 0]})
    assert times_differ(w, h)
    cap = _row(["~control", "مدينه"], entities=["E", "F"])
    tac = _row(["~tactical", "مدينه"], entities=["E", "F"])
    assert "opposed" in contradiction(cap, tac, 0.7)[0]


def _claim_row(text: str, story_id=1, **kw):
    """A grouping row for a content written here, with the extraction's own counts and cues."""
    from marsad.claims.extract import _WORD, count_cue_forms, counted_numbers, main_clause, unnumbered_casualties
    from marsad.text import normalize

    words = _WORD.findall(normalize(text))
    flags = {"counts": counted_numbers(words) + unnumbered_casualties(main_clause(text)),
             "weekdays": count_cue_forms(words, "weekday"), "toll_update": bool(count_cue_forms(words, "update"))}
    return _row([], entities=[], story_id=story_id, flags=flags, **kw)


def test_casualty_tolls_of_one_development_contradict_without_a_shared_entity():
    from marsad.claims.grouping import contradiction

    a = _claim_row("أصيب 40 شخصا برصاص الجنود قرب الحدود")
    b = _claim_row("وقالت الوزارة إن عدد الجرحى بلغ 75 بينهم نساء")
    assert contradiction(a, b, 0.1)[0] == ["numbers"]
    assert contradiction(a, _claim_row("وقالت الوزارة إن عدد الجرحى بلغ 75", story_id=2), 0.1)[0] == []   # another development
    assert contradiction(a, _claim_row("أصيب 40 شخصا في الهجوم"), 0.1)[0] == []                       # the same toll
    # Saturday's toll and Sunday's are two counts; a toll that "rose to" N updates the earlier one
    assert contradiction(_claim_row("أصيب 12 شخصا السبت"), _claim_row("أصيب 30 شخصا الأحد"), 0.1)[0] == []
    assert contradiction(a, _claim_row("ارتفعت حصيلة الجرحى إلى 75 مصابا"), 0.1)[0] == []
    # votes are not casualties: without shared wording they are not compared
    assert contradiction(_claim_row("حصل المرشح على 60 صوتا"), _claim_row("نال 45 صوتا في الجلسة"), 0.1)[0] == []


def test_no_injuries_against_injuries_is_a_count_conflict():
    from marsad.claims.extract import _WORD, unnumbered_casualties
    from marsad.claims.grouping import contradiction
    from marsad.text import normalize

    def counts(t):
        return unnumbered_casualties(_WORD.findall(normalize(t)))

    assert counts("سقط صاروخ في ساحة مفتوحة دون وقوع إصابات") == [[0, "injured", "="]]
    assert counts("ولم ترد أنباء عن وقوع إصابات في صفوف المدنيين") == [[0, "injured", "="]]
    assert counts("ونفى الجيش وقوع إصابات") == [[0, "injured", "="]]
    assert counts("الغارة أسفرت عن سقوط قتلى وجرحى") == [[1, "killed", ">"], [1, "injured", ">"]]
    assert counts("حققت القذيفة إصابة مباشرة في المبنى") == []          # a hit, not an injury
    none = _claim_row("سقط صاروخ في ساحة مفتوحة دون وقوع إصابات")
    some = _claim_row("وأدى سقوط الصاروخ إلى وقوع إصابات بين السكان")
    assert contradiction(none, some, 0.2)[0] == ["numbers"]
    assert contradiction(none, _claim_row("أصيب 7 أشخاص جراء سقوط الصاروخ"), 0.2)[0] == ["numbers"]


def test_a_count_given_under_another_noun_or_a_passed_threshold_is_no_conflict():
    from marsad.claims.extract import _WORD, counted_numbers
    from marsad.claims.grouping import count_conflicts
    from marsad.text import normalize

    assert counted_numbers(_WORD.findall(normalize("تجاوز عدد مؤيديه عتبة الـ65 صوتا"))) == [[65, "votes", ">"]]
    a = _row([], flags={"counts": [[90, "votes", "="]]})
    b = _row([], flags={"counts": [[90, "نايب", "="], [60, "votes", "="]]})     # "نال تأييد 90 نائبا ... 60 صوتا في الأولى"
    assert count_conflicts(a, b) == []


def test_a_negation_in_a_conjoined_clause_leaves_the_main_clause_positive():
    from marsad.claims.extract import main_clause

    words = main_clause("وانتخب المجلس رئيسه بأغلبية 70 عضوا، ولم يصوت 20 عضوا لأي مرشح")
    assert "لم" not in words and "انتخب" in " ".join(words)
    assert "لا" in main_clause("الحكومة، التي تشكلت أمس، لا تملك أغلبية")


def test_a_country_named_like_a_newspaper_is_not_that_newspaper():
    (c,) = _claims_of("أعلنت رئاسة الجمهورية اللبنانية، مساء اليوم، تكليف القاضي نواف سلام تشكيل الحكومة الجديدة.")
    assert all("Joumhouria" not in x["name"] for x in c.chain)
    (d,) = _claims_of("وذكرت صحيفة الجمهورية اللبنانية أن المفاوضات توقفت بشكل كامل.")
    assert any("Joumhouria" in x["name"] for x in d.chain)


def _mention(text: str, word: str, entity_id: str, type_: str = "GPE"):
    from marsad.model import Mention

    i = text.index(word)
    return Mention(article_id=1, start=i, end=i + len(word), text=word, type=type_, entity_id=entity_id)


def test_a_denied_involvement_contradicts_the_report_that_names_the_actor(monkeypatch):
    from marsad.claims import grouping
    from marsad.claims.extract import not_involved

    deny = "وأكد البيان أن الهجوم على الميناء نفذته جماعة محلية، مؤكدا عدم تورط موسكو في الهجوم."
    ms = [_mention(deny, "الميناء", "P"), _mention(deny, "موسكو", "MOW")]
    assert not_involved(deny, 0, len(deny), ms) == ["MOW"]
    other = "نفت الحكومة أي دور للجيش في الهجوم على الميناء."
    assert not_involved(other, 0, len(other), [_mention(other, "للجيش", "ARMY", "ORG")]) == ["ARMY"]
    for said in ("وأكد تورط موسكو في الهجوم", "لا يزال دور موسكو في الهجوم غامضا"):
        assert not_involved(said, 0, len(said), [_mention(said, "موسكو", "MOW")]) == []
    monkeypatch.setitem(grouping._PLACE_COUNTRY, "MOW", ("RU", 1))
    monkeypatch.setitem(grouping._PLACE_COUNTRY, "RUS", ("RU", 3))
    neg = _row([], entities=["P", "MOW", "G"], flags={"not_involved": ["MOW"]})
    pos = _row(["~strike"], entities=["RUS", "P"])                     # "روسيا نفذت الهجوم على الميناء"
    assert "denial" in grouping.contradiction(neg, pos, 0.3)[0]
    assert grouping.contradiction(neg, _row(["~strike"], entities=["RUS", "Q"]), 0.3)[0] == []   # another target
    assert grouping.contradiction(neg, _row([], entities=["G", "P"]), 0.3)[0] == []            # not named as actor


def test_times_far_apart_are_different_happenings_not_a_conflict():
    from marsad.claims.grouping import times_differ

    last_year = _row(["~control"], flags={"days": [-730, -180]})
    yesterday = _row(["~control"], flags={"days": [-1, -1]})
    assert not times_differ(last_year, yesterday)


def test_export_names_sources_in_english_with_the_arabic_as_written():
    from marsad.claims.read import source_label, source_label_ar

    src = {"kind": "speaker", "name": "Israel Defense Forces", "name_ar": "جيش الدفاع الإسرائيلي", "as_written": "الجيش الإسرائيلي"}
    assert source_label(src) == "Israel Defense Forces (الجيش الإسرائيلي)"
    assert source_label_ar(src) == "جيش الدفاع الإسرائيلي"


def test_new_articles_regroup_only_their_stories_and_reuse_cached_vectors(tmp_path):
    from marsad.claims.grouping import group_claims
    from marsad.pipeline import analyze
    from marsad.store import Store

    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text(ARTICLES["a_reuters.txt"], encoding="utf-8")
    (d / "d.txt").write_text(ARTICLES["d_origin.txt"], encoding="utf-8")
    s = Store(tmp_path / "inc.db")
    analyze(s, [str(d)], workers=1)
    groups = {r["id"]: r["story_id"] for r in s.claim_tables.groups()}
    assert groups
    d2 = tmp_path / "more"
    d2.mkdir()
    (d2 / "e.txt").write_text(ARTICLES["e_copy.txt"], encoding="utf-8")   # repeats a sentence of d.txt
    analyze(s, [str(d2)], workers=1)
    n_claims = s.db.execute("SELECT count(DISTINCT content) FROM claims").fetchone()[0]
    vectors = s.db.execute("SELECT count(*) FROM claim_vectors").fetchone()[0]
    assert vectors == n_claims             # each distinct content encoded once, by the per-article stage
    e_story = s.db.execute("SELECT story_id FROM articles WHERE id = (SELECT max(id) FROM articles)").fetchone()[0]
    after = {r["id"]: r["story_id"] for r in s.claim_tables.groups()}
    untouched = {g: st for g, st in groups.items() if st != e_story}
    assert all(after.get(g) == st for g, st in untouched.items())
    group_claims(s)                        # regrouping everything encodes nothing again: the cache is kept
    assert s.db.execute("SELECT count(*) FROM claim_vectors").fetchone()[0] == vectors
    s.close()


class _CountingEncoder:
    name, dim = "fake-3", 3

    def __init__(self):
        self.seen: list[str] = []

    def encode(self, texts):
        import numpy as np

        self.seen.extend(texts)
        return np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)


def test_vector_cache_encodes_each_normalised_text_once_and_serves_the_stance_classifier():
    from marsad.claims.vectors import VectorCache

    enc = _CountingEncoder()
    cache = VectorCache(None, enc)
    v1 = cache.encode(["قالت إسرائيل إن الجيش انسحب", "قالت اسرائيل ان الجيش انسحب"])   # one text, two spellings
    v2 = cache.encode(["قالت إسرائيل إن الجيش انسحب", "نفى الجيش ذلك"])
    assert len(enc.seen) == 2 and v1.shape == (2, 3) and (v1[0] == v1[1]).all() and (v2[0] == v1[0]).all()
    assert len(cache.take_new_rows()) == 2 and cache.take_new_rows() == []


# ------------------------------------------- cited sources and independent origins (issue 11)
def test_a_medium_named_with_its_adjective_or_in_quotes_relays_the_unnamed_source():
    (c,) = _claims_of("نقلت “القناة 12” الإسرائيلية عن مسؤول حكومي قوله إن الحكومة ستجتمع مساء اليوم لبحث الرد.")
    assert [x["kind"] for x in c.chain] == ["outlet", "channel", "anonymous"]
    assert c.chain[2]["description"] == "مسؤول حكومي"          # "قوله" is not part of who the source is
    (d,) = _claims_of("وذكرت القناة 12 العبرية عن مصدر في مكتب نتنياهو أن رئيس الوزراء لم يكن في منزله وقت الهجوم.")
    assert d.chain[-1]["kind"] == "anonymous" and d.chain[-1]["close_to"] == "marsad:benjamin-netanyahu"


def test_unnamed_sources_of_a_quoted_outlet_are_relayed_by_that_outlet():
    (c,) = _claims_of("وأفادت مصادر \"العربية\" بأن المفاوضات توقفت بشكل كامل بعد الهجوم الأخير على المدينة.")
    assert [x["kind"] for x in c.chain] == ["outlet", "channel", "anonymous"]
    assert c.chain[1]["name"] == "Al Arabiya"
    (d,) = _claims_of("وقالت \"العربية\" إن المفاوضات توقفت بشكل كامل بعد الهجوم الأخير على المدينة.")
    assert _names(d)[1:] == ["Al Arabiya"]
    (e,) = _claims_of("وقالت مصادر عربية إن المفاوضات توقفت بشكل كامل بعد الهجوم الأخير على المدينة.")
    assert all(x["kind"] != "channel" for x in e.chain)       # the adjective is not the outlet


def test_a_title_then_the_name_between_commas_is_the_speaker():
    (c,) = _claims_of("أعلن وزير الخارجية الإسرائيلي، يسرائيل كاتس، اليوم الخميس، عن نجاح عملية عسكرية في جنوب القطاع.")
    assert c.chain[-1]["entity_id"] == "marsad:israel-katz"
    (d,) = _claims_of("قال الرئيس، في خطاب متلفز، إن البلاد تمر بأزمة حكم حقيقية.")
    assert len(d.chain) == 1


def test_presidency_of_the_republic_with_a_country_adjective():
    (c,) = _claims_of("وقالت رئاسة الجمهورية السورية في بيان إن الرئيس سيلقي كلمة مساء اليوم أمام البرلمان.")
    assert c.chain[-1]["entity_id"] == "marsad:org:presidency:SY"


def test_new_reporting_verbs():
    (c,) = _claims_of("ونوهت وزارة الخارجية الروسية إلى أن الوزير سيزور العاصمة الأسبوع المقبل لبحث الملف.")
    assert c.modality == "reported" and "Foreign Affairs" in c.chain[-1]["name"]
    assert c.content.startswith("الوزير")


def test_an_office_of_a_person_is_that_persons_origin_but_stays_the_cited_source():
    from marsad.claims.origins import group_origins, origin_of

    a, b = _claims_of("قال رئيس الوزراء الإسرائيلي بنيامين نتنياهو إن الحرب لم تنته بعد في القطاع. "
                      "وقال ديوان نتنياهو إن رئيس الوزراء لم يكن في منزله وقت الهجوم على قيساريا.")
    (c,) = _claims_of("وقال مكتب نتنياهو إن رئيس الوزراء لم يكن في منزله وقت الهجوم على قيساريا.")
    assert b.chain[-1]["name"] == "ديوان نتنياهو"               # the chain keeps who was cited
    assert origin_of(b.chain)["key"] == origin_of(c.chain)["key"] == origin_of(a.chain)["key"]
    members = [{"claim_id": i, "article_id": i, "outlet": "x", "provenance": [], "origin": o} for i, o in enumerate([
        {"kind": "speaker", "name": "ديوان فلان", "key": "e:per:1", "type": "PER", "name_ar": "ديوان فلان", "speaks_for": "فلان"},
        {"kind": "speaker", "name": "Someone", "key": "e:per:2", "type": "PER", "name_ar": "علان فلان"},
        {"kind": "speaker", "name": "Other", "key": "e:per:3", "type": "PER", "name_ar": "علان فستان"}])]
    assert len(group_origins(members)) == 2


def test_media_affiliated_with_a_side_voice_that_side():
    from marsad.claims.origins import origin_of

    (c,) = _claims_of("وذكرت وسائل إعلام تابعة للحوثيين أن الغارات استهدفت مطار صنعاء وميناء الحديدة صباح اليوم.")
    (d,) = _claims_of("وقال الحوثيون إن الغارات استهدفت مطار صنعاء وميناء الحديدة صباح اليوم.")
    assert origin_of(c.chain)["key"] == origin_of(d.chain)["key"] == "e:marsad:houthis"
    (e,) = _claims_of("نقلت وكالة بلومبيرج عن مصدر مقرب من الكرملين أن روسيا لا تملك خطة لإنقاذ الرئيس السوري.")
    assert origin_of(e.chain)["key"].startswith("a:")         # an unnamed source close to X is not X


def test_an_office_or_spokesman_named_by_a_pronoun_speaks_for_who_was_named_before():
    a, b = _claims_of("أعلن الجيش الإسرائيلي بدء عملية برية واسعة في الجنوب. "
                      "وقال المتحدث باسمه إن القوات دخلت المدينة صباح اليوم بعد معارك.")
    assert b.chain[-1]["entity_id"] == a.chain[-1]["entity_id"] == "marsad:idf"
    assert b.chain[-1]["name"].startswith("spokesperson for")
    _, d = _claims_of("زار الوزير المدينة القديمة أمس مع وفد كبير. وأعلنت مكتبة الجامعة أن المبنى سيغلق أسبوعا للصيانة.")
    assert len(d.chain) == 1                                   # مكتبة is a library, not "his office"


def test_a_speaker_fronted_before_a_comma_phrase_and_a_surname_after_the_full_name():
    _, b = _claims_of("انتخب البرلمان جوزيف عون رئيسا للبلاد بعد حصوله على 99 صوتا. "
                      "عون في خطابه الأول، عقب أداء اليمين الدستورية، قال إن لبنان يمر الآن بأزمة حكم حقيقية.")
    assert b.chain[-1]["entity_id"] == "marsad:joseph-aoun" and b.content.startswith("لبنان")


def test_a_quotation_running_into_the_next_sentence_keeps_its_speaker():
    a, b, c = _claims_of("وقال نتنياهو في رسالة مصورة إن “قائد الحركة مات. لقد قتل في رفح على أيدي جنودنا”. "
                         "وتشهد المنطقة توترا متصاعدا منذ أسابيع بين الأطراف المتنازعة.")
    assert _names(b) == _names(a) and a.chain[-1]["entity_id"] == "marsad:benjamin-netanyahu"
    assert len(c.chain) == 1


def test_one_mediums_unnamed_officials_are_one_origin_other_channels_others():
    from marsad.claims.origins import origin_of

    (a,) = _claims_of("نقلت القناة 12 الإسرائيلية عن مسؤول رفيع بالحكومة الإسرائيلية قوله إن الهجوم فشل.")
    (b,) = _claims_of("نقلت القناة 12 الإسرائيلية عن مسؤول حكومي قوله إن الهجوم فشل.")
    (c,) = _claims_of("نقلت صحيفة هآرتس عن مسؤول حكومي قوله إن الهجوم فشل.")
    (d,) = _claims_of("وقال مسؤول حكومي إن الهجوم فشل.")
    keys = [origin_of(x.chain)["key"] for x in (a, b, c, d)]
    assert keys[0] == keys[1] and len(set(keys)) == 3


def test_a_qualified_title_without_a_name_is_its_own_source_not_the_previous_speaker():
    a, b = _claims_of("وذكرت إذاعة الجيش الإسرائيلي أن الطائرة المسيرة انفجرت قرب المنزل. "
                      "وقال مكتب رئيس الوزراء الإسرائيلي، إن طائرة مسيرة أطلقت على مقر إقامته في قيساريا.")
    assert b.chain[-1]["name_ar"] == "مكتب رئيس الوزراء الإسرائيلي"
    assert a.chain[-1]["kind"] == "channel" and all(x["kind"] != "channel" for x in b.chain)


def test_a_named_medium_affiliated_with_a_side_voices_that_side():
    from marsad.claims.origins import origin_of

    (c,) = _claims_of("وذكرت قناة المسيرة التابعة للحوثيين أن الغارة على مطار صنعاء أسفرت عن مقتل ثلاثة أشخاص.")
    assert [x["kind"] for x in c.chain] == ["outlet", "channel"]     # the side is no source it cites
    assert origin_of(c.chain)["key"] == "e:marsad:houthis"
    (d,) = _claims_of("وذكرت قناة المسيرة أن الغارة على مطار صنعاء أسفرت عن مقتل ثلاثة أشخاص.")
    assert origin_of(d.chain)["key"] != "e:marsad:houthis"


def test_a_reporting_verb_joined_by_wa_has_the_first_verbs_subject():
    (c,) = _claims_of("وصل وزير الخارجية الأمريكي أنتوني بلينكن إلى القاهرة اليوم، وقال إن المفاوضات تحرز تقدما.")
    assert c.chain[-1]["entity_id"] == "marsad:antony-blinken" and c.content.startswith("المفاوضات")
    (d,) = _claims_of("التقى الرئيس المصري مع أنتوني بلينكن في القاهرة، وقال إن المفاوضات تحرز تقدما.")
    assert len(d.chain) == 1                                   # بلينكن is who he met, not who spoke


def test_a_medium_is_one_source_whichever_way_it_is_recognised():
    (a,) = _claims_of("كشفت القناة «12 الاسرائيلية» أن الضربات تسببت بأضرار في محطة كهرباء رئيسية في المدينة.")
    (b,) = _claims_of("وقالت القناة 12 الإسرائيلية إن الضربات تسببت بأضرار في محطة كهرباء رئيسية في المدينة.")
    assert a.chain[1]["entity_id"] == b.chain[1]["entity_id"]


def test_claims_of_a_storyline_too_large_are_compared_within_each_development(seeds_store):
    from marsad.claims.grouping import _scopes
    from marsad.link import storylines

    rows = [{"storyline_id": 7, "story_id": 1}, {"storyline_id": 7, "story_id": 2},
            {"storyline_id": 8, "story_id": 3}, {"storyline_id": 8, "story_id": 4}, {"storyline_id": None, "story_id": 5}]
    scopes = _scopes(rows, large={8})
    assert sorted(scopes) == [("story", 3), ("story", 4), ("story", 5), ("storyline", 7)]
    assert len(scopes[("storyline", 7)]) == 2
    tables = seeds_store.claim_tables
    lines = tables.large_storylines(0, 10_000)  # every storyline of the seeds has at least one development
    assert lines and tables.large_storylines(10_000, 10_000) == set()
    assert tables.large_storylines(10_000, 0) == lines                    # ... and at least one article
    five = next(l for l in storylines(seeds_store) if len(l["story_ids"]) >= 2)   # the Syrian storyline: 5 articles
    assert five["id"] in tables.large_storylines(10_000, 4) and five["id"] not in tables.large_storylines(10_000, 5)
    story = next(iter(tables.stories_of(tables.processed_articles()) - {None}))
    assert tables.with_storyline_mates({story}, skip=lines) == {story}


def _counted_row(text: str, **kw):
    """A grouping row with the counts and round ordinals extraction finds in ``text``."""
    from marsad.claims.extract import _WORD, counted_numbers, cue_forms
    from marsad.text import normalize

    words = _WORD.findall(normalize(text))
    return _row([], flags={"counts": counted_numbers(words), "ordinals": sorted(set(cue_forms(words, "ordinal")))}, **kw)


def test_counts_of_different_rounds_are_neither_one_claim_nor_a_conflict():
    from marsad.claims.extract import _WORD, counted_numbers
    from marsad.claims.grouping import contradiction, count_conflicts, mismatch
    from marsad.text import normalize

    both = "نال المرشح 120 صوتا في الدورة الثانية بعدما لم يحصل على الأغلبية في الدورة الأولى"
    assert counted_numbers(_WORD.findall(normalize(both))) == [[120, "votes", "=", "الثانيه"]]
    first = _counted_row("وكان قد حصل في جولة أولى لم يبلغ فيها النصاب على 80 صوتا")
    assert first["flags"]["counts"] == [[80, "votes", "=", "اولي"]]
    second = _counted_row("حصل المرشح على 120 صوتا في الجولة الثانية")
    both = _counted_row(both)
    # 80 in the first round and 120 in the second: two happenings, no conflict, never one claim
    for a, b in ((first, second), (both, first)):
        assert count_conflicts(a, b) == [] and "numbers" not in contradiction(a, b, 0.9)[0]
        assert "rounds" in mismatch(a, b)
    assert mismatch(both, second) == []
    # another number for the same round's count is a conflict
    assert "numbers" in mismatch(second, _counted_row("حصل المرشح على 110 أصوات في الجولة الثانية"))


def test_a_sentence_stating_two_propositions_with_their_own_subjects_gives_two_claims():
    from marsad.claims.extract import clause_spans
    from marsad.model import Mention

    def names(text, *words):
        out, at = [], 0
        for w, t in words:
            i = text.find(w, at)
            if i < 0:
                continue
            out.append(Mention(article_id=1, start=i, end=i + len(w), text=w, type=t, entity_id=w))
            at = i + len(w)
        return out

    t = "انتخب المجلس البلدي سمير خليل رئيسا للبلدية بعد جولة ثانية، وحصل خليل على 14 صوتا من أصل 21 عضوا."
    spans = clause_spans(t, 0, len(t), names(t, ("سمير خليل", "PER"), ("خليل", "PER")))
    assert [t[a:b].split()[0] for a, b in spans] == ["انتخب", "وحصل"]
    # without a named subject after the verb, after an article noun, or when the sentence cites a source: one
    for one in ("انتخب المجلس البلدي سمير خليل رئيسا للبلدية بعد جولة ثانية، وحصل على 14 صوتا من أصل 21 عضوا.",
                "استقبل الوزير سمير خليل رئيس البلدية في مكتبه صباح اليوم، والوفد المرافق له من المحافظة.",
                "قال المتحدث إن المجلس انتخب سمير خليل رئيسا للبلدية، وحصل خليل على 14 صوتا من أصل 21 عضوا."):
        assert len(clause_spans(one, 0, len(one), names(one, ("سمير خليل", "PER"), ("خليل", "PER")))) == 1


def test_a_claim_that_also_denies_an_actors_involvement_is_not_the_plain_claim():
    from marsad.claims.grouping import mismatch

    # "جماعة محلية نفذت الهجوم على الميناء، مؤكدا عدم تورط موسكو" against "الجماعة أعلنت مسؤوليتها عن الهجوم على الميناء"
    both = _row(["هجوم", "مسووليه"], entities=["G", "P", "MOW"], flags={"not_involved": ["MOW"]})
    plain = _row(["هجوم", "مسووليه"], entities=["G", "P"])
    assert "denial" in mismatch(both, plain)
    assert mismatch(both, _row(["هجوم"], entities=["G", "P", "MOW"], flags={"not_involved": ["MOW"]})) == []


def _worded_row(text: str, entities=(), **kw):
    """A grouping row for ``text`` with the extraction's content words, main-clause words and counts."""
    from marsad.claims.extract import _WORD, counted_numbers, main_clause, stopwords
    from marsad.text import normalize, strip_clitics

    words = _WORD.findall(normalize(text))
    terms = sorted({strip_clitics(w) for w in words if w not in stopwords() and len(w) > 2 and not w.isdigit()})
    main = {strip_clitics(w) for w in main_clause(text)} & set(terms)
    return _row(terms, entities=list(entities), flags={"counts": counted_numbers(words), "main_terms": sorted(main)}, **kw)


def test_a_shared_count_anchors_two_claims_and_shared_main_clause_wording_makes_them_one():
    from marsad.claims.grouping import _lexical_pairs, _related, lexical_overlap, mismatch

    a = _worded_row("حصل المرشح المستقل على 64 صوتا في جلسة المجلس المنعقدة اليوم")
    b = _worded_row("نال مرشح المعارضة تأييد 64 صوتا من أعضاء المجلس")
    c = _worded_row("نال مرشح المعارضة تأييد 51 صوتا من أعضاء المجلس")
    assert _related(a, b, 0.65)[0]                 # no shared entity, but the same count of the same thing
    assert not _related(a, c, 0.65)[0]             # another count: nothing anchors them
    assert "numbers" in mismatch(b, c)
    assert (0, 1) in _lexical_pairs([a, b, _worded_row("انتهت الجلسة دون نتيجة تذكر بعد ساعات")])
    # most of the main clause's words shared: one claim at a cosine that alone would not do
    x = _worded_row("وافق مجلس الوزراء على مشروع قانون الموازنة العامة للدولة", entities=["GOV"])
    y = _worded_row("مجلس الوزراء وافق اليوم على مشروع قانون الموازنة", entities=["GOV"])
    assert lexical_overlap(x, y) and _related(x, y, 0.5)[0] and not _related(x, y, 0.3)[0]
    # words of a subordinate clause do not make two acts one claim
    p = _worded_row("أطلقت القوات النار على المحتجين قرب المعبر بعد انتهاء مهلة الانسحاب المحددة في الاتفاق")
    q = _worded_row("انتهت مهلة الانسحاب المحددة في الاتفاق فجر اليوم")
    assert not lexical_overlap(p, q)


def test_a_negation_after_whereas_leaves_the_main_clause_positive():
    from marsad.claims.extract import main_clause

    for text in ("أعلن الجيش مقتل قائد الكتيبة في اشتباك قرب الحدود، في حين لم يصدر أي تعليق من الحركة",
                 "قتل قائد الكتيبة في اشتباك قرب الحدود في حين لم تعلق الحركة على الخبر"):
        words = main_clause(text)
        assert "لم" not in words and "الكتيبه" in words
    assert "لم" in main_clause("لم يصدر أي تعليق من الحركة حتى الآن")


def test_the_same_act_on_the_same_participants_in_one_development_is_one_claim():
    from marsad.claims.grouping import _related

    a = _worded_row("أعلن الجيش اغتيال قائد الجماعة في المدينة", entities=["CMD", "GRP"], story_id=7)
    b = _worded_row("قائد الجماعة قتل خلال اشتباكات مسلحة في حي بالمدينة فجر اليوم", entities=["CMD", "GRP", "Q"], story_id=7)
    assert _related(a, b, 0.45)[0]                                  # ~kill in both main clauses, two participants shared
    assert not _related(a, dict(b, story_id=8), 0.45)[0]            # another development of the storyline
    assert not _related(a, b, 0.2)[0]
    # the act named only in a subordinate clause of the other claim is not its act
    c = _worded_row("وصل قائد الجماعة إلى المدينة بعد مقتل مرافقه", entities=["CMD", "GRP"], story_id=7)
    assert not _related(a, c, 0.45)[0]


def test_claims_naming_different_facilities_are_not_one_claim(monkeypatch):
    from marsad.claims import grouping

    monkeypatch.setattr(grouping, "_FACILITIES", {"PLANT-A", "PLANT-B", "PORT"})
    a = _worded_row("استهدفت غارة جوية محطة كهرباء الشمال قرب العاصمة", entities=["CAP", "PLANT-A"])
    b = _worded_row("استهدفت غارة جوية محطة كهرباء الجنوب قرب العاصمة", entities=["CAP", "PLANT-B"])
    assert "places" in grouping.mismatch(a, b)
    both = _worded_row("استهدفت الغارات محطة كهرباء الشمال والميناء", entities=["CAP", "PLANT-A", "PORT"])
    assert grouping.mismatch(a, both) == []
    assert grouping.mismatch(a, _worded_row("استهدفت غارة جوية العاصمة فجرا", entities=["CAP"])) == []


def test_the_same_exact_toll_in_one_development_is_one_claim_at_a_lower_cosine():
    from marsad.claims.grouping import _related

    a = _worded_row("أعلنت الوزارة سقوط 17 قتيلا وأكثر من 40 جريحا في القصف", story_id=3)
    b = _worded_row("قتلت القوات 17 شخصا في البلدة مع بدء الهجوم", story_id=3)
    assert _related(a, b, 0.45)[0]
    assert not _related(a, dict(b, story_id=4), 0.45)[0]
    assert not _related(a, _worded_row("قتلت القوات 12 شخصا في البلدة مع بدء الهجوم", story_id=3), 0.45)[0]


def test_groups_merge_when_most_pairs_across_them_are_one_claim_though_their_mean_cosine_is_low():
    import numpy as np

    from marsad.claims.grouping import _mostly_same

    far = np.array([0.45, (1 - 0.45 ** 2) ** 0.5], dtype=np.float32)
    rows = []
    for k, (text, vec) in enumerate((("أعلنت الوزارة سقوط 17 قتيلا في القصف", [1.0, 0.0]),
                                     ("ذكرت الوزارة أن 17 قتيلا سقطوا في القصف", [1.0, 0.0]),
                                     ("قتلت القوات 17 شخصا في البلدة", far),
                                     ("قتلت القوات 12 شخصا في البلدة", far))):
        r = _worded_row(text, story_id=3, article_id=k, key=str(k))
        r["vec"] = np.asarray(vec, dtype=np.float32)
        rows.append(r)
    assert _mostly_same(rows, [0, 1], [2])          # 17 killed, worded apart: both pairs are one claim
    assert not _mostly_same(rows, [0, 1], [3])      # another toll


def test_an_outlets_own_claims_have_its_arabic_name_as_origin():
    """An outlet that is the origin of its own sentence is named in Arabic on pages, not by its English name."""
    from marsad.claims.origins import group_origins, origin_of
    from marsad.web.data import origin_label_ar

    chain = [{"kind": "outlet", "name": "Sahafati", "name_ar": "صحافتي", "entity_id": None}]
    o = origin_of(chain)
    (g,) = group_origins([{"claim_id": 1, "article_id": 1, "outlet": "Sahafati", "origin": o, "provenance": []}])
    assert g["name_ar"] == "صحافتي" and origin_label_ar(g, {}) == "صحافتي"


def test_a_person_named_by_family_name_alone_is_the_full_names_origin():
    from marsad.claims.origins import group_origins

    def members(*names):
        return [{"claim_id": i, "article_id": i, "outlet": "x", "provenance": [],
                 "origin": {"kind": "speaker", "name": n, "key": f"e:per:{n}", "type": "PER", "name_ar": n}}
                for i, n in enumerate(names)]

    assert len(group_origins(members("تيدروس أدهانوم غيبريسوس", "غيبريسوس"))) == 1
    assert len(group_origins(members("بشار الأسد", "ماهر الأسد", "الأسد"))) == 3   # which of the two: unknown
    assert len(group_origins(members("بشار الأسد", "ماهر الأسد"))) == 2


def test_regrouping_chunks_hold_whole_scopes(monkeypatch):
    from marsad.claims import grouping

    monkeypatch.setattr(grouping._CFG, "regroup_stories", 2)
    line_of = {1: 10, 2: 10, 3: 10, 4: None, 5: 20, 6: 20, None: None, 7: 30, 8: 30}
    chunks = list(grouping._scope_chunks(line_of, large={30}))
    assert sorted(s for c in chunks for s in c if s is not None) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [1, 2, 3] in chunks                                     # a storyline's developments are never split
    assert chunks == [[1, 2, 3], [4, 5, 6], [7, 8], [None]]
    monkeypatch.setattr(grouping._CFG, "regroup_stories", 1)
    # a large storyline's developments are scopes of their own; articles in no story are one scope
    assert list(grouping._scope_chunks(line_of, large={30})) == [[1, 2, 3], [4], [5, 6], [7], [8], [None]]


def test_cue_counts_in_one_pass_equal_the_counts_per_kind():
    from marsad.claims.extract import count_cues, cue_counts
    from marsad.text import normalize

    words = normalize("قال المسؤول إنه ربما لن تعقد الجلسة اليوم، وقد يبدو من الواضح أن الوضع صادم ولا صحة للأنباء").split()
    kinds = ("negation", "denial", "hedge", "opinion", "sensational", "expected", "no-such-kind")
    got = cue_counts(words, kinds)
    assert got == {k: count_cues(words, k) for k in kinds}
    assert got["hedge"] == 3 and got["negation"] == 2 and got["denial"] == 1 and got["opinion"] == 1
    assert got["sensational"] == 1 and got["no-such-kind"] == 0


def test_mentions_of_a_clause_are_those_overlapping_it_in_any_order():
    from marsad.claims.extract import _MentionWindow

    text = "قال وزير خارجية روسيا في موسكو إن الحكومة اللبنانية ستجتمع في بيروت غدا."
    ms = [_mention(text, w, w) for w in ("وزير خارجية روسيا", "روسيا", "موسكو", "الحكومة اللبنانية", "بيروت")]
    for order in (sorted(ms, key=lambda m: m.start), ms[::-1]):
        window = _MentionWindow(order)
        for s in range(0, len(text), 7):
            for e in range(s + 1, len(text) + 1, 11):
                assert window.overlapping(s, e) == [m for m in order if m.start < e and m.end > s]
    assert [m.text for m in _MentionWindow(ms).overlapping(text.index("روسيا") + 2, text.index("موسكو") + 1)] == \
        ["وزير خارجية روسيا", "روسيا", "موسكو"]


def test_reporting_verbs_with_proclitics_are_all_cue_candidates():
    from marsad.claims.attribution import _cue_words, _forms, _prep_firsts, lexicon, verb_of
    from marsad.claims.extract import _has_verb
    from marsad.text import normalize

    text = "وقال المتحدث، فأكد الوزير ولفت إلى أن البيان وبحسب مصادر وفقا لما نقلته وكالة وأوضح وللتأكيد أعلنت"
    words = normalize(text).split()
    for w in words:
        assert (verb_of(w) is None and _prep_firsts().isdisjoint(_forms(w))) or w in _cue_words(), w
    assert [w for w in words if verb_of(w)] == ["وقال", "فاكد", "ولفت", "واوضح", "اعلنت"]
    assert _has_verb(words) and not _has_verb(normalize("المتحدث والبيان والوكالة").split())


def test_single_cue_words_are_the_words_counted_as_cues_on_their_own():
    from marsad.claims.extract import count_cues, cues, is_cue_word
    from marsad.text import normalize

    words = normalize("ولم يقل إنه لن يأتي، فلا أحد ولا شيء وقد يبدو أنه لا صحة ونفى وسوف يكون لم ولن فلم").split()
    words += [w for forms in cues().values() for f in forms for w in (f[0], "و" + f[0], "ف" + f[0], "ب" + f[0])]
    for kind in ("negation", "hedge", "denial", "expected", "time"):
        for w in words:
            assert is_cue_word(w, kind) == (count_cues([w], kind) > 0), (kind, w)
    assert is_cue_word("ولم", "negation") and is_cue_word("فلن", "negation") and not is_cue_word("لما", "negation")


def test_a_title_standing_alone_is_the_one_person_the_article_named_with_it():
    from marsad.claims.origins import origin_of

    a, b = _claims_of("استقبل رئيس الوزراء البريطاني كير ستارمر وفدا من رجال الأعمال في لندن صباح اليوم. "
                      "وقال مكتب رئيس الوزراء البريطاني إن اللقاء تناول فرص الاستثمار في قطاع الطاقة.")
    assert b.chain[-1]["office"] and b.chain[-1]["as_written"] == "مكتب رئيس الوزراء البريطاني"
    assert origin_of(b.chain)["key"] == "e:" + b.chain[-1]["entity_id"] and "office of" in b.chain[-1]["name"]
    _, c, d = _claims_of("أدى الرئيس البرازيلي لولا دا سيلفا اليمين الدستورية أمام البرلمان في العاصمة. "
                         "وقال الرئيس إن حكومته ستبدأ إصلاحات اقتصادية واسعة خلال الشهر المقبل. "
                         "وقال الرئيس الأرجنتيني إن بلاده ترحب بالتعاون مع الحكومة الجديدة.")
    assert c.chain[-1]["as_written"] == "الرئيس" and c.chain[-1]["type"] == "PER" and c.content.startswith("حكومته")
    assert d.chain[-1]["name_ar"] == "الرئيس الأرجنتيني"            # another president: his own source
    _, e = _claims_of("التقى الرئيس الفرنسي إيمانويل ماكرون الرئيس الأمريكي جو بايدن في باريس لبحث الحرب. "
                      "وقال الرئيس إن المحادثات كانت صريحة ومثمرة للغاية.")
    assert len(e.chain) == 1                                       # two presidents named: which one?


def test_saying_after_another_verb_is_that_verbs_subjects_words():
    _, b = _claims_of("وصل وزير الخارجية التركي هاكان فيدان إلى دمشق للقاء المسؤولين، "
                      "وخاطب فيدان الصحفيين قائلا إن بلاده ستدعم إعادة الإعمار.")
    assert b.chain[-1]["entity_id"] == "marsad:hakan-fidan" and b.content.startswith("بلاده")
    (c,) = _claims_of("رد المتظاهرون على الوزير قائلين إن مطالبهم لم تتحقق بعد رغم الوعود الكثيرة.")
    assert len(c.chain) == 1


def test_according_to_his_words_is_the_subjects_or_the_previous_speakers_claim():
    a, b = _claims_of("وقال وزير الصحة اللبناني فراس الأبيض إن المستشفيات تعمل بكامل طاقتها. "
                      "وتستقبل المستشفيات مئات الجرحى يوميا منذ بدء التصعيد، حسب تعبيره.")
    assert _names(b) == _names(a) and b.flags["inherited"]
    assert b.modality == "reported" and not b.content.endswith("تعبيره.")
    _, d = _claims_of("وقع الرئيس الكيني وليام روتو اتفاقا للتجارة مع الصين. "
                      "ومن بين الاتفاقات التي يعتزم الرئيس الكيني توقيعها، اتفاق للطاقة، على حد قوله.")
    assert d.chain[-1]["as_written"] == "الرئيس الكيني" and d.chain[-1]["type"] == "PER"
    (e,) = _claims_of("وتضررت المنازل والمدارس على حد سواء جراء القصف العنيف على البلدة أمس.")
    assert len(e.chain) == 1


def test_a_mission_or_envoy_to_a_host_speaks_for_its_country_not_the_host():
    from marsad.claims.origins import origin_of

    (a,) = _claims_of("أعلنت بعثة إيران لدى الأمم المتحدة أن طهران لم تشارك في الهجوم على القاعدة العسكرية.")
    (b,) = _claims_of("وقال مندوب فرنسا الدائم لدى الأمم المتحدة إن بلاده تدعم وقف إطلاق النار فورا.")
    assert [origin_of(x.chain)["entity_id"] for x in (a, b)] == ["Q794", "Q142"]
    assert a.chain[-1]["office"] and a.chain[-1]["name"].startswith("mission of")
    (c,) = _claims_of("وقال مصدر لدى الجيش السوداني إن المعارك مستمرة في المدينة منذ الصباح.")
    assert c.chain[-1]["kind"] == "anonymous" and c.chain[-1]["close_to"] == "marsad:sudanese-armed-forces"


def test_as_a_source_reported_closing_a_sentence_is_its_source():
    (c,) = _claims_of("سيطرت القوات على المعبر الحدودي صباح اليوم، على ما أفاد مصدر عسكري سوري.")
    assert c.chain[-1]["kind"] == "anonymous" and c.chain[-1]["description"] == "مصدر عسكري سوري"
    (d,) = _claims_of("قتل ثلاثة أشخاص في القصف، على ما يبدو، وأصيب آخرون بجروح خطيرة في البلدة.")
    assert len(d.chain) == 1


def test_an_unnamed_sources_description_ends_before_a_time_word():
    (a,) = _claims_of("تداولت وسائل الإعلام المحلية اليوم صورا قالت إنها للمبنى المدمر في وسط المدينة.")
    (b,) = _claims_of("وقال مسؤولون أمريكيون الثلاثاء إن المفاوضات ستستأنف الأسبوع المقبل في القاهرة.")
    assert a.chain[-1]["description"] == "وسائل الإعلام المحلية" and b.chain[-1]["description"] == "مسؤولون أمريكيون"
