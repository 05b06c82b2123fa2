"""Cleaning scraped text: seeds (the judged expectations) and text written here for every rule."""

import re

import pytest

from marsad.clean import CleanError, clean_document
from marsad.clean.furniture import author_line, furniture_kind, is_section_label, reads_as_prose
from marsad.clean.scraped import clean_scraped
from marsad.model import Document

FURNITURE_WORDS = ["نسخ الرابط", "اشترك فى", "تابعنا", "السابق ارتفاع", "التالى سوريا", "كلمات دلالية", "زر الذهاب",
                   "المزيد", "+ = -", "شارك هذا", "آخر التحديثات", "أخبار عاجلة", "المصدر:", "إقرأ أيضاً"]

# Body paragraph of the kind every written test needs (invented text, not from any seed).
P1 = ("أعلنت السلطات المحلية في مدينة حمص صباح اليوم افتتاح جسر جديد فوق نهر العاصي بعد أشهر من أعمال "
      "البناء المتواصلة، وقال المحافظ إن الجسر سيخفف الازدحام في وسط المدينة.")
P2 = ("وأضاف المحافظ في مؤتمر صحفي أن كلفة المشروع بلغت نحو مليوني دولار، وأن أعمال الصيانة ستبدأ "
      "العام المقبل بالتعاون مع شركات محلية متخصصة في هذا المجال.")
P3 = ("وفي سياق منفصل، أعلنت وزارة الزراعة عن خطة لدعم مزارعي القمح في ريف حماة الشمالي عبر توزيع "
      "البذور والأسمدة بأسعار مخفضة قبل بدء الموسم الزراعي الجديد في الخريف.")


def _doc(text, **meta):
    return Document(source="test.txt", sha256="x", kind="txt", content=text, meta=meta)


# ---- the five seed files --------------------------------------------------------------------
def test_seeds_give_six_articles_with_titles(seed_articles):
    counts = {name: len(arts) for name, arts in seed_articles.items()}
    assert sum(counts.values()) == 6
    assert counts["003_bca77f06d303c98a.txt"] == 2
    titles = [a.title for arts in seed_articles.values() for a in arts]
    assert all(titles) and len(set(titles)) == 6


def test_seed_titles_and_dates(seed_articles):
    s = seed_articles
    assert s["000_af849182c08f66ee.txt"][0].title.startswith("روسيا تتخلى عن الأسد")
    assert s["001_fefdbf1fb70b8d83.txt"][0].title.startswith("روسيا تخطط لهروب بشار الأسد")
    a2 = s["002_eb7556d38df37801.txt"][0]
    assert a2.title == "انهيارات متسارعة للنظام السوري وتقدّم ملحوظ للفصائل"
    assert a2.published == "2024-12-06" and a2.outlet == "كوردستريت"
    first, second = s["003_bca77f06d303c98a.txt"]
    assert first.title.startswith("نهاية التحالف") and first.published == "2024-12-10"
    assert first.cited_source == "بوابة الفجر"
    assert second.title.startswith("السوداني في طهران") and second.published == "2025-01-08"
    assert second.outlet == "المستقلة"
    a4 = s["004_095a32e18cd772dc.txt"][0]
    assert a4.title_derived and a4.title.startswith("نقلت وكالة بلومبيرغ")
    assert all(a.published is None for a in s["000_af849182c08f66ee.txt"] + s["001_fefdbf1fb70b8d83.txt"] + [a4])


def test_seed_bodies_hold_no_furniture_and_start_and_end_at_sentences(seed_articles):
    for name, arts in seed_articles.items():
        for a in arts:
            for word in FURNITURE_WORDS:
                assert word not in a.text, (name, word)
            assert a.text.split("\n\n")[0].split()[0] not in ("تقاريرصحافة", "أخبار", "حول")
            assert re.search(r"[.!؟?»”\"]$", a.text.rstrip()), (name, a.text[-60:])
    second = seed_articles["003_bca77f06d303c98a.txt"][1]
    assert second.text.startswith("في خطوة تثير العديد من التساؤلات")
    assert "التفاصيل الكاملة لتخلّي إيران عن الأسد" in seed_articles["003_bca77f06d303c98a.txt"][0].text
    first = seed_articles["003_bca77f06d303c98a.txt"][0]
    assert "السوداني" not in first.text  # the appended article does not leak into the first


def test_seed_removed_furniture_is_kept_per_article(seed_articles):
    removed = [r for arts in seed_articles.values() for a in arts for r in a.removed]
    kinds = {r.split(":", 1)[0] for r in removed}
    assert {"share", "subscribe", "follow", "prevnext", "tags", "font", "top", "breaking", "byline", "date",
            "source", "repeated-title", "section", "read-also"} <= kinds


# ---- rules on text written here --------------------------------------------------------------
def test_furniture_lines_written_here():
    assert furniture_kind("شارك الخبر على فيسبوك") == "share"
    assert furniture_kind("فيسبوك | تويتر | واتساب") == "share"
    assert furniture_kind("اشتركوا في قناتنا على يوتيوب") == "subscribe"
    assert furniture_kind("تابعونا عبر تلغرام") == "follow"
    assert furniture_kind("المقال التالي: أسعار الخضار ترتفع في دمشق") == "prevnext"
    assert furniture_kind("الوسوم: سوريا، لبنان، الأردن") == "tags"
    assert furniture_kind("12 تعليقات") == "comments"
    assert furniture_kind("A A A") == "font"
    assert furniture_kind("العودة إلى الأعلى") == "top"
    assert furniture_kind("عاجل") == "breaking"
    assert furniture_kind("© 2024 جميع الحقوق محفوظة لموقع النموذج") == "copyright"
    assert furniture_kind("صورة أرشيفية") == "caption"


def test_sentences_that_resemble_furniture_are_kept():
    assert furniture_kind("شارك آلاف المتظاهرين في مسيرة وسط العاصمة للمطالبة بالإصلاح.") is None
    assert furniture_kind("تابع الوزير جولته في المحافظات الشمالية أمس الأحد.") is None
    assert furniture_kind("السابق لأوانه الحديث عن نتائج المفاوضات بين الطرفين.") is None
    assert furniture_kind(P1) is None


def test_section_labels_and_breadcrumbs():
    assert is_section_label("الرئيسية > أخبار عربية > العراق")
    assert is_section_label("الرئيسية » اقتصاد")
    assert is_section_label("عربي ودولي")
    assert not is_section_label("وزير الخارجية يلتقي نظيره التركي في أنقرة")


def test_header_zone_title_date_byline_and_trailing_furniture():
    text = "\n".join(["محليات", "عاجل", "افتتاح جسر جديد فوق نهر العاصي في حمص", "سياسة 3 آذار 2023 5",
                      "افتتاح جسر جديد فوق نهر العاصي في حمص", "A A", "شبكة النموذج || خاص", "", P1, "", P2, "",
                      "الوسوم: حمص، جسور", "0 تعليق", "المقال السابق عنوان آخر عن الطقس", "أضف تعليقاً"])
    (a,) = clean_scraped(text)
    assert a.title == "افتتاح جسر جديد فوق نهر العاصي في حمص" and not a.title_derived
    assert a.published == "2023-03-03" and a.outlet == "شبكة النموذج"
    assert a.paragraphs == [P1, P2]
    kinds = [k for k, _ in a.removed]
    assert {"section", "breaking", "date", "repeated-title", "font", "byline", "tags", "comments", "prevnext"} <= set(kinds)


def test_read_also_with_full_article_splits():
    text = "\n".join(["افتتاح جسر جديد في حمص", "تاريخ النشر: 2 حزيران 2022", P1, P2, "المصدر: وكالة النموذج",
                      "اقرأ أيضا:", "خطة لدعم مزارعي القمح في حماة", "نشر في 5 حزيران 2022", "موقع السهل/- " + P3, P2])
    first, second = clean_scraped(text)
    assert first.paragraphs == [P1, P2] and first.cited_source == "وكالة النموذج"
    assert first.published == "2022-06-02"
    assert second.title == "خطة لدعم مزارعي القمح في حماة" and second.published == "2022-06-05"
    assert second.outlet == "موقع السهل" and second.paragraphs[0] == P3


def test_read_also_link_list_is_dropped_not_split():
    text = "\n".join(["افتتاح جسر جديد في حمص", P1, "اقرأ أيضا: أسعار الذهب ترتفع مجددا في الأسواق", P2,
                      "مواضيع ذات صلة", "الطقس بارد في العاصمة", "مباراة الكأس تنتهي بالتعادل"])
    (a,) = clean_scraped(text)
    assert a.paragraphs == [P1, P2]
    kinds = [k for k, _ in a.removed]
    assert kinds.count("read-also") == 2 and "related" in kinds


@pytest.mark.parametrize("url,expected", [
    ("https://example.org/ar/Articles/2025/01/09/a3", "2025-01-09"),
    ("https://example.org/news/2024-12-07/5", "2024-12-07"),
    ("https://example.org/2025/01/post-18.html", None),      # a year and month alone: no date
    ("https://example.org/archives/170158", None),
])
def test_undated_text_takes_the_full_date_its_address_states(url, expected):
    (a,) = clean_document(_doc(f"افتتاح الجسر\n{P1}\n{P2}", url=url))
    assert a.published == expected


def test_a_date_the_text_states_wins_over_the_address():
    (a,) = clean_document(_doc(f"افتتاح الجسر\n3 آذار 2023\n{P1}\n{P2}", url="https://example.org/2025/01/09/a3"))
    assert a.published == "2023-03-03"


@pytest.mark.parametrize("header", ["09:49 م", "صنعاء", "رئيس مجلس الإدارة", "مساحة إعلانية", "[ad_1]",
                                    "وكالات - بيروت:", "جار التحميل...\nالشارقة 24 – أ ف ب:", "موقع كل يوم -جنوبية",
                                    "متابعات _ عزة برس", "بوابة النموذج"])
def test_short_header_lines_never_become_the_title(header):
    (a,) = clean_document(_doc(f"{header}\n{P1}\n{P2}"))
    assert a.title_derived and a.title.startswith("أعلنت السلطات المحلية في مدينة حمص")
    assert a.text.startswith(P1)


def test_a_short_title_that_starts_like_a_site_name_stays_the_title():
    (a,) = clean_document(_doc(f"شبكة الكهرباء تنهار في عدن\n{P1}\n{P2}"))
    assert a.title == "شبكة الكهرباء تنهار في عدن" and not a.title_derived


def test_html_tags_left_in_scraped_text_are_dropped():
    (a,) = clean_document(_doc(f"<strong>افتتاح جسر جديد فوق نهر العاصي</strong><br/>\n<p>{P1}</p>\n{P2}"))
    assert a.title == "افتتاح جسر جديد فوق نهر العاصي" and a.text.startswith(P1) and "<" not in a.text


def test_article_without_title_line_gets_lead_sentence_as_title():
    (a,) = clean_scraped(P1 + "\n" + P2)
    assert a.title_derived and a.title.startswith("أعلنت السلطات المحلية في مدينة حمص")
    assert a.paragraphs[0] == P1


def test_meta_title_given_by_container_wins_and_its_repeat_is_dropped():
    (a,) = clean_document(_doc("افتتاح الجسر\n" + P1, title="افتتاح الجسر", published="2022-01-05", outlet="النموذج"))
    assert a.title == "افتتاح الجسر" and a.text == P1 and a.published == "2022-01-05" and a.outlet == "النموذج"
    assert a.language == "ar"


def test_document_of_only_furniture_is_an_error():
    with pytest.raises(CleanError):
        clean_document(_doc("نسخ الرابط\nتابعنا على فيسبوك\nالمزيد"))


def test_html_nested_deeper_than_the_parser_reads_keeps_its_text():
    depth = 3000   # libxml2 stops building the tree at 256 levels
    html = (f"<html><head><title>افتتاح الجسر</title></head><body>" + "<div>" * depth
            + f"<script>var hidden = 1;</script><p>{P1}</p><p>{P2}</p>" + "</div>" * depth + "</body></html>")
    (a,) = clean_document(Document(source="deep.html", sha256="d", kind="html", content=html, is_html=True))
    assert P1 in a.text and P2 in a.text and "hidden" not in a.text


def test_html_main_text_title_date_and_dropped_blocks():
    html = f"""<html dir="rtl"><head><title>افتتاح الجسر | موقع النموذج</title>
    <meta property="og:site_name" content="موقع النموذج"></head><body>
    <nav><a href="/">الرئيسية</a> <a href="/s">سياسة</a> <a href="/e">اقتصاد</a></nav>
    <article><h1>افتتاح جسر جديد فوق نهر العاصي</h1><time datetime="2023-03-03">3 آذار 2023</time>
    <p>{P1}</p><p>{P2}</p></article>
    <aside><h3>الأكثر قراءة</h3><ul><li><a href="/x">خبر جانبي عن الطقس في الساحل</a></li></ul></aside>
    <footer>جميع الحقوق محفوظة 2024</footer></body></html>"""
    (a,) = clean_document(Document(source="p.html", sha256="y", kind="html", content=html, is_html=True))
    assert a.title == "افتتاح جسر جديد فوق نهر العاصي"
    assert a.published == "2023-03-03"
    assert P1 in a.text and P2 in a.text and "الأكثر قراءة" not in a.text and "الرئيسية" not in a.text
    assert any("الأكثر قراءة" in r for r in a.removed)


# ---- clutter above the lead: other stories' headlines, date stamps, captions, false credits ------------
OTHER_HEADLINES = ["ارتفاع أسعار الذهب في الأسواق المحلية", "منتخب الشباب يتأهل إلى نهائي البطولة القارية",
                   "توقعات الطقس: أمطار غزيرة على المرتفعات الغربية", "وزارة التربية تعلن مواعيد امتحانات الثانوية",
                   "مهرجان السينما يكرم الفنانين الرواد في دورته الجديدة"]


def test_a_list_of_other_stories_headlines_above_the_lead_is_dropped():
    (a,) = clean_scraped("\n".join(OTHER_HEADLINES + [P1, P2]))
    assert a.paragraphs == [P1, P2]
    assert a.title_derived and a.title.startswith("أعلنت السلطات المحلية في مدينة حمص")
    assert [l for k, l in a.removed if k == "related"] == OTHER_HEADLINES


def test_the_article_title_after_a_headline_list_stays_the_title():
    title = "افتتاح جسر جديد فوق نهر العاصي في حمص"
    (a,) = clean_scraped("\n".join(OTHER_HEADLINES[:4] + [title, P1, P2]))
    assert a.title == title and not a.title_derived and a.paragraphs == [P1, P2]


def test_two_unrelated_header_lines_are_not_a_headline_list():
    title, sub = "افتتاح جسر جديد فوق نهر العاصي في حمص", "المحافظ يتحدث عن كلفة المشروع وموعد الصيانة"
    lines = [title, sub] + OTHER_HEADLINES[:2] + [P1, P2]
    (a,) = clean_scraped("\n".join(lines))
    assert a.title == title and "related" not in {k for k, _ in a.removed}


def test_subtitles_that_share_words_with_the_lead_are_kept():
    title = "افتتاح جسر جديد فوق نهر العاصي في حمص"
    subs = ["المحافظ: الجسر يخفف الازدحام في وسط المدينة", "كلفة المشروع بلغت نحو مليوني دولار",
            "أعمال الصيانة تبدأ العام المقبل مع شركات محلية"]
    (a,) = clean_scraped("\n".join([title] + subs + [P1, P2]))
    assert a.title == title and a.paragraphs == subs + [P1, P2]


@pytest.mark.parametrize("stamp", ["date 2023-03-03", "2023-03-03T09:15:00+03:00", "تاريخ النشر: 2023-03-03"])
def test_a_machine_date_stamp_glued_to_the_lead_becomes_the_date(stamp):
    (a,) = clean_scraped(f"{stamp} {P1}\n{P2}")
    assert a.published == "2023-03-03" and a.paragraphs == [P1, P2]
    assert a.title.startswith("أعلنت السلطات المحلية")
    assert ("date", stamp) in a.removed


def test_a_lead_that_opens_with_a_year_is_not_a_date_stamp():
    lead = "2023 كان عاما صعبا على مزارعي القمح في ريف حماة بعد موجة جفاف طويلة أتلفت معظم المحاصيل في المنطقة."
    (a,) = clean_scraped(f"{lead}\n{P2}")
    assert a.paragraphs[0] == lead and a.published is None


def test_a_caption_doubled_below_the_title_is_dropped_but_a_doubled_title_stays():
    title = "افتتاح جسر جديد فوق نهر العاصي في حمص"
    (a,) = clean_scraped("\n".join([title, "جسر العاصي الجديد", "جسر العاصي الجديد", P1, P2]))
    assert a.title == title and a.paragraphs == [P1, P2]
    assert [k for k, _ in a.removed].count("caption") == 2
    (b,) = clean_scraped("\n".join([title, title, P1, P2]))
    assert b.title == title and b.paragraphs == [P1, P2]


def test_a_headline_that_starts_with_a_credit_word_is_no_byline():
    assert author_line("تحرير المدينة القديمة: خطوة نحو عودة السكان") is None
    assert author_line("تحرير: سامي الحمصي") == "سامي الحمصي"
    assert author_line("كتب سامي الحمصي") == "سامي الحمصي"
    (a,) = clean_scraped("\n".join(["تحرير المدينة القديمة: خطوة نحو عودة السكان", P1, P2]))
    assert a.title == "تحرير المدينة القديمة: خطوة نحو عودة السكان" and a.byline is None


@pytest.mark.parametrize("line,kind", [("النموذج أون لاين", "site"), ("شبكة السهل الإخبارية .. وكالات", "site"),
                                       ("الساحل 24 – اللاذقية", "site"), ("بوابة النموذج نيوز", "site"),
                                       ("وكالات - حمص", "dateline"), ("+ الخط -", "font"),
                                       ("استمع إلى الملخص", "listen"), ("اظهر الملخص", "listen")])
def test_site_names_credits_and_page_controls_above_the_lead(line, kind):
    assert furniture_kind(line) == kind
    (a,) = clean_scraped("\n".join(["افتتاح جسر جديد فوق نهر العاصي في حمص", line, P1, P2]))
    assert a.title == "افتتاح جسر جديد فوق نهر العاصي في حمص" and a.paragraphs == [P1, P2]


def test_a_site_name_is_not_the_title_and_a_question_headline_is():
    question = "كيف سيغير الجسر الجديد حركة المرور في حمص؟"
    (a,) = clean_scraped("\n".join(["النموذج أون لاين", question, P1, P2]))
    assert a.title == question and a.paragraphs == [P1, P2]


def test_headlines_and_sentences_that_end_like_site_names_are_kept():
    for line in ["شبكة الكهرباء تنهار في عدن", "وارتفع عدد القتلى إلى 24", "الإنترنت يعود إلى المدينة بعد انقطاع طويل"]:
        assert furniture_kind(line) is None


@pytest.mark.parametrize("caption", ["من حمص - (مواقع التواصل)", "عمال على الجسر الجديد (رويترز)", "صورة من الموقع (أ ف ب)"])
def test_a_photo_caption_with_its_credit_above_the_lead_is_no_title(caption):
    assert furniture_kind(caption) == "caption"
    (a,) = clean_scraped(f"{caption}\n{P1}\n{P2}")
    assert a.title_derived and a.paragraphs == [P1, P2]


def test_headlines_and_sentences_with_a_bracketed_word_are_kept():
    assert furniture_kind("الجيش يعلن السيطرة على المدينة (فيديو)") is None
    assert furniture_kind("وقال المتحدث إن القوات انسحبت من المدينة صباح اليوم (رويترز).") is None


def test_a_two_word_caption_ending_with_a_table_bar_is_not_content():
    title = "افتتاح جسر جديد فوق نهر العاصي في حمص"
    (a,) = clean_scraped("\n".join([title, "![]() |", "جسر العاصي |", P1, P2]))
    assert a.title == title and a.paragraphs == [P1, P2]


# ---- a text cut off mid-sentence at its end (a scrape cut at a size limit) -----------------------------
CUT = "وقال مسؤول في الوزارة إن الأعمال ستنتهي قبل نها"          # cut inside its last word
TITLE = "افتتاح جسر جديد فوق نهر العاصي في حمص"


def test_a_last_prose_line_cut_mid_sentence_is_kept():
    (a,) = clean_scraped("\n".join([TITLE, P1, P2, CUT]))
    assert a.paragraphs == [P1, P2, CUT]
    assert not [k for k, _ in a.removed if k == "trailing"]


def test_a_cut_line_below_a_subheading_keeps_the_subheading_and_a_hard_wrapped_one_keeps_both_lines():
    (a,) = clean_scraped("\n".join([TITLE, P1, P2, "خطة لدعم مزارعي القمح", CUT]))
    assert a.paragraphs == [P1, P2, "خطة لدعم مزارعي القمح", CUT]
    wrapped = ["وأضاف المحافظ أن الأعمال في الجسر القديم،", "ستنتهي في ربيع العام المقب"]
    (b,) = clean_scraped("\n".join([TITLE, P1, P2] + wrapped))
    assert b.paragraphs == [P1, P2] + wrapped


@pytest.mark.parametrize("tail", [
    ["اقرأ أيضا: أسعار الذهب ترتفع مجددا في الأسواق"],
    ["الوسوم: حمص، جسور، العاصي"],
    ["شارك الخبر على فيسبوك"],
    ["اقرأ المزيد المشتركون فقط الحكومة تواجه أزمة بعد ارتفاع الأسعار"],
    ["المصدر شبكة النموذج + وكا"],
    ["وقال مسؤ"],                                      # a fragment too short to be worth keeping
    ["أسعار الذهب ترتفع مجددا"],                      # a headline: no sign of running prose
    ["#حمص_اليوم"],
    ["شارك الخبر على فيسبوك", CUT],                   # prose below the share buttons: another story's teaser
    ["مواد إضافية", "آخر الأخبار", "حدث اليوم - الثلاث"],
])
def test_trailing_furniture_and_short_or_headline_like_lines_are_still_removed(tail):
    (a,) = clean_scraped("\n".join([TITLE, P1, P2] + tail))
    assert a.paragraphs == [P1, P2]


def test_only_the_text_end_can_be_cut_off():
    # before a read-also block and an appended article the part is not cut: its short last line goes
    text = "\n".join([TITLE, P1, P2, CUT, "اقرأ أيضا:", "خطة لدعم مزارعي القمح في حماة",
                      "نشر في 5 حزيران 2022", P3, P2])
    first, second = clean_scraped(text)
    assert first.paragraphs == [P1, P2] and second.paragraphs == [P3, P2]


def test_what_reads_as_prose():
    assert reads_as_prose(CUT) and reads_as_prose("وأعلن الجيش استشهاد عنصرين م")
    assert reads_as_prose("وفي 4 أكتوبر الجاري، باتت المدينة")
    assert not reads_as_prose("أسعار الذهب ترتفع مجددا") and not reads_as_prose("وقال جيش")
    assert not reads_as_prose("تابع آخر الأخبار على قناتنا في تلغرام")
    assert not reads_as_prose("Exit mobile version") and not reads_as_prose("المصدر: وكالة النموذج للأنباء")
