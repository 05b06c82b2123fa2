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


def test_counts_agree_with_their_number_in_arabic():
    from marsad.text.phrases import count_ar, date_span_ar

    assert [count_ar(n, "مقالة") for n in (1, 2, 3, 10, 11, 99, 100, 103, 111)] == [
        "مقالة واحدة", "مقالتان", "3 مقالات", "10 مقالات", "11 مقالة", "99 مقالة", "100 مقالة", "103 مقالات",
        "111 مقالة"]
    assert [count_ar(n, "منبر") for n in (2, 5, 26)] == ["منبران", "5 منابر", "26 منبراً"]
    assert count_ar(12, "مصدر مستقل") == "12 مصدراً مستقلاً"
    assert count_ar(4, "كلمة غير مدرجة") == "4 كلمة غير مدرجة"      # an unlisted noun is never an error
    assert date_span_ar("2025-01-08", "2025-01-21") == "من 2025-01-08 إلى 2025-01-21"
    assert date_span_ar("2025-01-08", "2025-01-08") == "2025-01-08"
    assert date_span_ar(None, None) == "تاريخ غير معروف"


def test_report_counts_and_undated_ranges_read_as_arabic(tmp_path, store):
    (tmp_path / "x.txt").write_text("عنوان الخبر عن الأسواق\n" + BODY + "\n", encoding="utf-8")
    analyze(store, [str(tmp_path)], workers=1)
    html = render_report(store)
    assert "مقالة واحدة" in html and "1 مقالات" not in html and "1 مقالة" not in html
    assert "؟ → ؟" not in html and "من ؟" not in html


def test_a_storyline_of_single_reports_lists_them_on_its_timeline(tmp_path, store):
    """A storyline made only of one-article developments (the examples' offensive on Hama and Homs) lists them
    on its timeline instead of folding every one away under 'تقارير منفردة'."""
    from pathlib import Path

    analyze(store, [str(Path(__file__).resolve().parents[1] / "examples")], workers=1)
    html = render_report(store)
    section = html.split('id="storylines"')[1].split("</section>")[0]
    for line in section.split('class="doc line"')[1:]:
        assert "<li>" in line.split("</ol>")[0]      # every storyline card shows its developments


def test_a_large_store_report_shows_its_largest_storylines_and_counts_the_rest(tmp_path, store, monkeypatch):
    from marsad.link import storylines
    from marsad.settings import SETTINGS

    (tmp_path / "a.txt").write_text("أسواق إدلب تنشط\n" + BODY + "\nنسخ الرابط\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("زلزال بقوة خمس درجات يضرب ولاية ملاطية التركية\nضرب زلزال بقوة خمس درجات ولاية "
                                    "ملاطية شرق تركيا فجر الأحد، وقالت هيئة إدارة الكوارث إن فرق الإنقاذ انتشرت في "
                                    "القرى القريبة من مركز الزلزال ولم تسجل إصابات حتى الآن.\nنسخ الرابط\n", encoding="utf-8")
    analyze(store, [str(tmp_path)], workers=1)
    lines = storylines(store)
    assert len(lines) == 2
    assert "وما تبقى" not in render_report(store)                        # under the cap: everything, no note
    monkeypatch.setattr(SETTINGS.report, "max_storylines", 1)
    html = render_report(store)
    shown, hidden = lines[0], lines[1]
    assert f'id="l{shown["id"]}"' in html or f'id="s{shown["story_ids"][0]}"' in html
    assert f'id="s{hidden["story_ids"][0]}"' not in html
    assert "وما تبقى (خط إخباري واحد، مقالة واحدة)" in html and "marsad serve" in html
    assert html.count('<article class="doc" id="a') == 1                   # the other storyline's article is left out
    assert "مشاركة × 2" in html                     # the summary's furniture counts are the whole store's
    monkeypatch.setattr(SETTINGS.report, "max_storylines", 60)
    monkeypatch.setattr(SETTINGS.report, "max_articles", 1)               # the first storyline fills the page
    assert render_report(store).count('<article class="doc" id="a') == 1


def test_a_storyline_larger_than_the_page_shows_its_largest_developments(store, monkeypatch):
    """A first storyline holding more than ``max_articles`` articles is shown with its largest developments only
    (at least one), and the note counts the developments and articles left out."""
    from pathlib import Path

    from marsad.link import storylines
    from marsad.settings import SETTINGS
    from marsad.text.phrases import count_ar

    analyze(store, [str(Path(__file__).resolve().parents[1] / "examples")], workers=1)
    first = storylines(store)[0]
    assert len(first["story_ids"]) >= 2
    monkeypatch.setattr(SETTINGS.report, "max_articles", 1)
    html = render_report(store)
    shown = [sid for sid in first["story_ids"] if f'id="s{sid}"' in html]
    assert len(shown) == 1
    assert f"{count_ar(len(first['story_ids']), 'تطور')} (تُعرض أكبرها: 1)" in html
    assert f"{count_ar(len(first['story_ids']) - 1, 'تطور')} من الخطوط المعروضة" in html
    monkeypatch.setattr(SETTINGS.report, "max_articles", 500)
    assert all(f'id="s{sid}"' in render_report(store) for sid in first["story_ids"])


def test_report_environment_reads_dict_keys_as_jinja_does():
    """The report's cheaper ``x.name`` on a dict gives what Jinja's own lookup gives: dict methods first,
    then the key, else undefined."""
    from jinja2 import Environment

    from marsad.report import ENV

    src = "{{ d.x }}|{{ d.items is callable }}|{{ d.missing is undefined }}|{{ d.get('x') }}|{{ n.x is undefined }}"
    data = {"d": {"x": "<1>", "items": 2}, "n": None}
    assert ENV.from_string(src).render(**data) == Environment(autoescape=True).from_string(src).render(**data)
    assert ENV.from_string(src).render(**data) == "&lt;1&gt;|True|True|&lt;1&gt;|True"


def test_compiled_report_template_is_cached_and_a_damaged_cache_is_ignored(tmp_path, store, monkeypatch):
    import gc

    from marsad.report import ENV

    monkeypatch.setenv("MARSAD_CACHE_DIR", str(tmp_path / "cache"))
    ENV.cache.clear()
    first = render_report(store).split("</header>")[1]
    cached = list((tmp_path / "cache" / "templates").glob("*.jinja"))
    assert len(cached) == 1 and cached[0].stat().st_size > 0
    cached[0].write_bytes(b"not a compiled template")
    ENV.cache.clear()
    assert render_report(store).split("</header>")[1] == first        # compiled again
    assert gc.isenabled()                                              # resumed after the report


def test_map_outlines_equal_the_plain_clip_of_every_ring():
    """Outlines skip rings outside the view, draw rings inside it from a cache and skip box edges a ring is
    well inside of: the paths are those of clipping every ring against all four edges."""
    import pytest

    from marsad.web import maps

    if not maps._countries():
        pytest.skip("country outlines not built (scripts/build_web_assets.sh)")
    views = [(30.0, -40.0, 12.0, 7.5), (35.9, -34.1, 9.0, 5.625), (-20.0, -60.0, 90.0, 56.25), (-180.0, -90.0, 360.0, 180.0),
             (44.25, -33.6, 0.5, 0.3)]
    for view in views:
        for digits in (0, 1, 2):
            x0, y0, w, h = view
            box = (x0 - 0.5, -(y0 + h) - 0.5, x0 + w + 0.5, -y0 + 0.5)
            plain = []
            for _, poly in maps._countries():
                d = "".join(p for p in (maps._path(maps._clip(ring, box), digits) for ring in poly) if p)
                if d:
                    plain.append(d)
            assert list(maps._outline(view, digits)) == plain
