"""Outlets: the registry (domain -> outlet) and what an article's URL, metadata and text say."""

from __future__ import annotations

from marsad.clean import clean_document
from marsad.clean.outlets import outlet_named, resolve_outlet, wire_credit
from marsad.model import Document


def test_url_site_resolves_through_the_registry_with_subdomains():
    o = resolve_outlet("https://amp.dw.com/ar/some-story/a-1", "amp.dw.com")
    assert (o.name_en, o.kind, o.country) == ("DW", "tv", "DE")
    assert resolve_outlet("https://www.aljazeera.net/news/2025/1/11/x").name_ar == "الجزيرة"


def test_aggregator_resolves_to_the_original_outlet_when_the_page_names_it():
    o = resolve_outlet("https://sahafati.com/frame/1/2", "sahafati.com", "نص الخبر", cited_source="الجزيرة نت")
    assert o.name_en == "Al Jazeera" and o.via == "صحافتي"
    o = resolve_outlet("https://example-mirror.net/p/1", None,
                       "نص الخبر\nThe post عنوان الخبر appeared first on صحيفة الراكوبة.")
    assert o.name_en == "Alrakoba" and o.via == "example-mirror.net"
    # an aggregator page that names nobody stays the aggregator
    assert resolve_outlet("https://sahafati.com/frame/1/2", None, "نص").kind == "aggregator"


def test_unknown_outlets_stay_unknown_never_a_file_name():
    assert resolve_outlet("https://news.example.org/a/1").name_ar == "news.example.org"
    assert resolve_outlet(None, None, "نص بلا مصدر") is None
    doc = Document(source="/data/inbox/000_af849182c08f66ee.txt", sha256="x", kind="txt",
                   content="خبر عن الحدود\n\nأغلقت السلطات المعبر الحدودي صباح اليوم بعد اشتباكات عنيفة في المنطقة الحدودية.\n")
    arts = clean_document(doc)
    assert arts and all(a.outlet is None for a in arts)


def test_wire_credits_and_written_names():
    assert wire_credit("القاهرة (رويترز) - قال مسؤولون إن المحادثات ستستأنف").name_en == "Reuters"
    assert wire_credit("الخرطوم - 23 - 11 (كونا) -- أعلن الجيش استعادة المدينة").name_en == "Kuwait News Agency"
    assert wire_credit("دمشق - وكالات\nقال مسؤولون إن المحادثات ستستأنف") is None   # agencies, unnamed
    assert outlet_named("صحيفة هآرتس").name_en == "Haaretz"
    assert outlet_named("القناة 12 الإسرائيلية").domain == "mako.co.il"
    assert outlet_named("موقع لا يعرفه أحد") is None
