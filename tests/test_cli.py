"""The CLI as a user runs it: the main job on the examples, exports, show, search, and one-line errors."""

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from marsad.cli import app

from .conftest import EXAMPLES

runner = CliRunner()


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    db, report = d / "m.db", d / "report.html"
    res = runner.invoke(app, ["analyze", str(EXAMPLES), "--db", str(db), "--report", str(report), "--workers", "1"])
    assert res.exit_code == 0, res.output
    return db, report


def test_analyze_examples_writes_store_and_report(analysed):
    db, report = analysed
    html = report.read_text(encoding="utf-8")
    assert 'dir="rtl"' in html and "السوداني في طهران" in html
    assert "http://" not in html.split("<body")[0] and "<script" not in html  # self-contained, offline


def test_export_json_follows_marsad_1(analysed):
    db, _ = analysed
    res = runner.invoke(app, ["export", "--format", "json", "--db", str(db)])
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert doc["schema"] == "marsad/1"
    for name in ("articles", "stories", "entities", "claims", "copies", "events"):
        assert isinstance(doc[name], list)
    a = doc["articles"][0]
    for field in ("id", "source", "outlet", "title", "published", "language", "text", "duplicate_of", "story_id"):
        assert field in a
    titles = {x["title"]: x for x in doc["articles"]}
    assert titles["السوداني في طهران لبحث العلاقات الثنائية والوضع في سوريا"]["published"] == "2025-01-08"


def test_export_jsonl_and_csv(analysed, tmp_path):
    db, _ = analysed
    res = runner.invoke(app, ["export", "--format", "jsonl", "--db", str(db)])
    lines = [json.loads(l) for l in res.stdout.splitlines()]
    assert lines[0] == {"type": "schema", "schema": "marsad/1"}
    assert sum(l["type"] == "article" for l in lines) >= 14
    out = tmp_path / "a.csv"
    res = runner.invoke(app, ["export", "--format", "csv", "--db", str(db), "-o", str(out)])
    assert res.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) >= 14 and {"id", "title", "published", "outlet"} <= set(rows[0])


def test_show_and_search(analysed):
    db, _ = analysed
    res = runner.invoke(app, ["show", "1", "--db", str(db)])
    assert res.exit_code == 0 and "outlet" in res.stdout
    res = runner.invoke(app, ["search", "الفرايه", "--db", str(db)])  # ta marbuta written as ha
    assert res.exit_code == 0 and "جابر" in res.stdout


@pytest.mark.parametrize("args,needle", [
    (["analyze", "/nonexistent/dir"], "/nonexistent/dir: no such file or directory"),
    (["export", "--format", "xml"], "--format xml: unknown format"),
    (["show", "999999"], "999999: no article"),
    (["export", "--db", "/nonexistent.db"], "/nonexistent.db: no such database"),
])
def test_user_errors_are_one_clear_line(analysed, args, needle, tmp_path):
    db, _ = analysed
    if "--db" not in args:
        args = args + ["--db", str(db)]
    if args[0] == "analyze":
        args = args + ["--report", str(tmp_path / "report.html")]  # never the user's report.html
    res = runner.invoke(app, args)
    text = res.output
    assert needle in " ".join(text.split()), text
    assert "Traceback" not in text


@pytest.mark.parametrize("args", [["stories"], ["show", "1"], ["entities"], ["search", "درعا"], ["export"],
                                  ["report", "-o", "REPORT"], ["process"]])
def test_reading_commands_refuse_a_store_that_does_not_exist(tmp_path, args):
    db = tmp_path / "typo.db"
    args = [str(tmp_path / "r.html") if a == "REPORT" else a for a in args]
    res = runner.invoke(app, args + ["--db", str(db)])
    assert res.exit_code == 2, res.output
    assert "no such database" in res.output and "Traceback" not in res.output
    assert not db.exists() and not (tmp_path / "r.html").exists()


def test_analyze_of_a_path_that_does_not_exist_is_an_error(tmp_path):
    db, report = tmp_path / "m.db", tmp_path / "r.html"
    res = runner.invoke(app, ["analyze", str(tmp_path / "exmaples"), "--db", str(db), "--report", str(report)])
    assert res.exit_code == 2 and "no such file or directory" in res.output
    assert not db.exists() and not report.exists()


def test_analyze_with_some_missing_paths_warns_and_counts_them(tmp_path):
    good = tmp_path / "a.txt"
    good.write_text("إعادة فتح السوق المركزي في درعا\n\n" + "أعلنت السلطات المحلية في مدينة درعا صباح اليوم إعادة فتح "
                    "السوق المركزي بعد إغلاق دام أسبوعين، وقال مسؤول محلي إن الحركة التجارية عادت تدريجياً.\n", encoding="utf-8")
    res = runner.invoke(app, ["analyze", str(good), str(tmp_path / "typo.txt"), "--db", str(tmp_path / "m.db"),
                              "--report", str(tmp_path / "r.html"), "--workers", "1"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "1 named path(s) do not exist" in text and "typo.txt: no such file or directory" in text
    assert "1 new articles" in text


def test_analyze_never_reads_its_own_report_store_or_exports(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    for f in (EXAMPLES / "scraped").iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    db, report = folder / "m.db", folder / "report.html"
    args = ["analyze", str(folder), "--db", str(db), "--report", str(report), "--workers", "1"]
    assert runner.invoke(app, args).exit_code == 0
    for fmt, name in (("json", "export.json"), ("jsonl", "export.jsonl")):
        assert runner.invoke(app, ["export", "--format", fmt, "--db", str(db), "-o", str(folder / name)]).exit_code == 0
    (folder / "renamed_report.html").write_bytes(report.read_bytes())
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "0 new articles" in text and "0 new," in text and "0 rejected" in text, text


def test_failed_export_leaves_no_partial_file(analysed, tmp_path, monkeypatch):
    db, _ = analysed
    out = tmp_path / "claims.csv"
    res = runner.invoke(app, ["export", "--format", "csv", "--table", "claims", "--db", str(db), "-o", str(out)])
    assert res.exit_code == 1 and "unknown table" in res.output
    assert list(tmp_path.iterdir()) == []
    from marsad import export as ex

    def broken(store, fh):
        fh.write('{"schema": "marsad/1", "articles": [')
        raise MemoryError("out of memory half way")

    monkeypatch.setattr(ex, "write_json", broken)
    res = runner.invoke(app, ["export", "--format", "json", "--db", str(db), "-o", str(tmp_path / "all.json")])
    assert res.exit_code != 0
    assert list(tmp_path.iterdir()) == []


def test_help_documents_exit_codes():
    res = runner.invoke(app, ["--help"])
    text = " ".join(res.output.split())
    assert "Exit status: 0" in text and "2 nothing to work on" in text and "130 interrupted" in text


def test_analyze_of_only_bad_inputs_still_writes_report(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    report = tmp_path / "r.html"
    res = runner.invoke(app, ["analyze", str(tmp_path), "--db", str(tmp_path / "x.db"), "--report", str(report)])
    assert res.exit_code == 0 and "empty file" in report.read_text(encoding="utf-8")


def test_not_a_database_is_refused(tmp_path):
    p = tmp_path / "notes.db"
    p.write_text("notes", encoding="utf-8")
    res = runner.invoke(app, ["analyze", str(EXAMPLES), "--db", str(p), "--report", str(tmp_path / "r.html")])
    assert res.exit_code == 1 and "not a marsad database" in res.output and p.read_text() == "notes"


@pytest.mark.parametrize("name", ["marsad.bd", "report.html", "marsad"])
def test_analyze_refuses_to_create_a_store_under_a_mistyped_name(tmp_path, name):
    good = tmp_path / "a.txt"
    good.write_text("عنوان الخبر\n\nقال مسؤول في وزارة الصحة اليوم إن عشرة أشخاص قتلوا في قصف على سوق شعبي.", encoding="utf-8")
    res = runner.invoke(app, ["analyze", str(good), "--db", str(tmp_path / name), "--report", str(tmp_path / "r.html")])
    assert res.exit_code == 2 and "nothing was created" in res.output and "Traceback" not in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_bench_runs_on_a_small_generated_corpus(tmp_path):
    out = tmp_path / "bench.json"
    res = runner.invoke(app, ["bench", "--n", "30", "--workers", "1", "--json", str(out)])
    assert res.exit_code == 0, res.output
    rows = json.loads(out.read_text())
    stages = {r["stage"] for r in rows}
    assert {"clean (documents)", "entities (articles)", "end-to-end (articles)"} <= stages
    assert all(r["items"] > 0 and r["peak_rss_mb"] > 0 for r in rows)
    assert next(r for r in rows if r["stage"] == "clean (documents)")["items"] == 30
    end = next(r for r in rows if r["stage"].startswith("end-to-end"))
    assert end["items"] == 30 and end["cpu_seconds"] > 0


def test_export_events_as_acled_csv_and_geojson(analysed):
    db, _ = analysed
    res = runner.invoke(app, ["export", "--format", "csv", "--table", "events", "--db", str(db)])
    assert res.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert rows and {"event_date", "event_type", "sub_event_type", "actor1", "inter1", "latitude", "longitude",
                     "geo_precision", "source", "notes"} <= set(rows[0])
    res = runner.invoke(app, ["export", "--format", "geojson", "--db", str(db)])
    geo = json.loads(res.stdout)
    assert geo["type"] == "FeatureCollection"
    points = [f for f in geo["features"] if f["geometry"]]
    assert points and all(len(f["geometry"]["coordinates"]) == 2 for f in points)


def test_stories_and_show_story(analysed):
    db, _ = analysed
    res = runner.invoke(app, ["stories", "--db", str(db)])
    assert res.exit_code == 0
    ids = [w for w in res.stdout.split() if w.startswith("story:")]
    assert ids
    res = runner.invoke(app, ["show", ids[0], "--db", str(db)])
    assert res.exit_code == 0 and "summary" in res.stdout and "articles" in res.stdout
    res = runner.invoke(app, ["show", "story:99999", "--db", str(db)])
    assert res.exit_code == 1 and "no story" in res.output


def test_stance_command_keeps_columns_and_names_missing_ones(tmp_path):
    src = tmp_path / "pairs.csv"
    src.write_text("id,s1,s2\n7,أعلن الجيش السيطرة على المدينة,نفى الجيش السيطرة على المدينة\n8,,\n", encoding="utf-8")
    res = runner.invoke(app, ["stance", str(src)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["id"] for r in rows] == ["7", "8"]
    assert rows[1]["predicted_stance"] == "other"
    assert all(r["predicted_stance"] in ("agree", "disagree", "other") for r in rows)
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    res = runner.invoke(app, ["stance", str(bad)])
    assert res.exit_code == 1 and "s1" in res.output and "Traceback" not in res.output


def test_entities_and_show_entity(analysed):
    db, _ = analysed
    res = runner.invoke(app, ["entities", "--type", "GPE", "--db", str(db), "--limit", "200"])
    assert res.exit_code == 0 and "Damascus" in res.stdout
    res = runner.invoke(app, ["entities", "--type", "XYZ", "--db", str(db)])
    assert res.exit_code == 1 and "unknown entity type" in res.output
    res = runner.invoke(app, ["export", "--db", str(db)])
    ents = json.loads(res.stdout)["entities"]
    damascus = next(e for e in ents if e["name_en"] == "Damascus")
    assert abs(damascus["lat"] - 33.51) < 0.1 and damascus["mentions"]
    texts = {a["id"]: a["text"] for a in json.loads(res.stdout)["articles"]}
    for e in ents:
        for m in e["mentions"]:
            assert texts[m["article_id"]][m["start"]:m["end"]] == m["text"]
    res = runner.invoke(app, ["show", damascus["id"], "--db", str(db)])
    assert res.exit_code == 0 and "Damascus" in res.stdout and "mentions" in res.stdout


def test_tag_command_keeps_tokens_and_sentence_breaks(tmp_path):
    conll = tmp_path / "in.conll"
    conll.write_text("وصل O x\nالرئيس O\nالسوري O\nإلى O\nدمشق O\n.\n\nقالت O\nوكالة O\nرويترز O\n", encoding="utf-8")
    res = runner.invoke(app, ["tag", str(conll)])
    assert res.exit_code == 0, res.output
    lines = res.stdout.split("\n")
    assert lines[6] == ""  # the sentence break is kept
    rows = [l.split() for l in lines if l.strip()]
    assert [r[0] for r in rows] == ["وصل", "الرئيس", "السوري", "إلى", "دمشق", ".", "قالت", "وكالة", "رويترز"]
    assert rows[4][1] == "B-LOC" and rows[8][1].endswith("ORG")
    assert all(r[1] == "O" or r[1][:2] in ("B-", "I-") for r in rows)


@pytest.fixture
def settings_restored(monkeypatch):
    """--config changes the process's settings in place: put them back after the test."""
    from marsad.settings import SETTINGS

    saved = {name: dict(vars(section)) for name, section in vars(SETTINGS).items()}
    monkeypatch.delenv("MARSAD_SETTINGS", raising=False)
    yield SETTINGS
    for name, values in saved.items():
        vars(getattr(SETTINGS, name)).clear()
        vars(getattr(SETTINGS, name)).update(values)


def test_config_file_overrides_settings_and_bad_ones_are_refused(analysed, tmp_path, settings_restored):
    db, _ = analysed
    mine = tmp_path / "mine.cfg"
    mine.write_text("[report]\nmax_storylines = 1\nmax_articles = 1\n", encoding="utf-8")
    res = runner.invoke(app, ["--config", str(mine), "report", "--db", str(db), "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 0, res.output
    assert settings_restored.report.max_storylines == 1
    assert "وما تبقى" in (tmp_path / "r.html").read_text(encoding="utf-8")     # the rest is counted, not shown
    for text, needle in (("[link]\njoin_scor = 0.5\n", "unknown settings: [link] join_scor"),
                         ("[link]\njoin_score = high\n", "[link] join_score = 'high' (expects float)"),
                         ("join_score = 0.5\n", "File contains no section headers")):
        bad = tmp_path / "bad.cfg"
        bad.write_text(text, encoding="utf-8")
        res = runner.invoke(app, ["--config", str(bad), "report", "--db", str(db), "-o", str(tmp_path / "x.html")])
        assert res.exit_code == 1 and str(bad) in res.output and needle in res.output, res.output
        assert not (tmp_path / "x.html").exists()


def test_run_re_runs_one_stage_and_says_what_it_did(analysed, tmp_path):
    import sqlite3

    db = tmp_path / "copy.db"
    with sqlite3.connect(analysed[0]) as src, sqlite3.connect(db) as dst:
        src.backup(dst)                          # the store's WAL included
    before = json.loads(runner.invoke(app, ["export", "--format", "json", "--db", str(db)]).stdout)
    res = runner.invoke(app, ["run", "attributions", "--db", str(db)])
    assert res.exit_code == 0, res.output
    n = len(before["articles"])
    assert f"attributions {n} in" in res.output and "claims " in res.output       # claims regrouped after it
    after = json.loads(runner.invoke(app, ["export", "--format", "json", "--db", str(db)]).stdout)
    assert after["claims"] == before["claims"]
    res = runner.invoke(app, ["run", "clean", "--db", str(db)])
    assert res.exit_code == 1 and "not a stage that can be re-run" in res.output
