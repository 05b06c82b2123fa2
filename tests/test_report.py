"""The report escapes whatever the articles hold and lists removed furniture per article."""

from marsad.pipeline import analyze
from marsad.report import render_report

BODY = ("قالت مصادر محلية في مدينة إدلب إن الأسواق شهدت حركة نشطة اليوم مع تحسن الأحوال الجوية، "
        "وأضافت أن أسعار الخضار انخفضت بشكل ملحوظ مقارنة بالأسبوع الماضي.")


def test_hostile_article_renders_inert(tmp_path, store):
    (tmp_path / "x.txt").write_text(
        "<script>alert(1)</script> عنوان \u202eمعكوس\u202c للخبر\n" + BODY + " <img src=x onerror=alert(2)>\nنسخ الرابط\n",
        encoding="utf-8")
    analyze(store, [str(tmp_path)], workers=1)
    html = render_report(store)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
    article = html.split('id="a1"')[1]
    assert "عنوان" in article.split("</h3>")[0]  # the title survives, escaped
    assert "نسخ الرابط" in article.split("الحشو المُزال")[1]  # listed under removed furniture


def test_removed_furniture_kinds_are_named_in_arabic(tmp_path, store):
    from marsad import data

    labels = {r["kind"] for r in data.rows("furniture_kinds_ar.tsv")}
    assert {r["kind"] for r in data.rows("furniture.tsv")} <= labels   # every rule's kind has a label
    (tmp_path / "x.txt").write_text("عنوان الخبر عن الأسواق\nوكالات - بيروت:\n" + BODY + "\nنسخ الرابط\n", encoding="utf-8")
    analyze(store, [str(tmp_path)], workers=1)
    html = render_report(store)
    assert "مشاركة × 1" in html and "سطر المصدر" in html
    assert "share ×" not in html and ">share<" not in html and ">dateline<" not in html
