"""The hostile corpus through `marsad analyze`: the run completes, prints no traceback, stores the good
articles, names every bad input with a reason, and a re-run stores nothing new.

The corpus is tests/hostile (written by scripts/make_hostile_corpus.py; a test checks that the
checked-in files are exactly what the script writes) plus, made at test time, the multi-megabyte
pages and what git cannot hold (a file name that is not UTF-8, symlink loops, a FIFO).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli import app
from marsad.ingest.sources import display_name
from marsad.store import Store

from .conftest import ROOT

HOSTILE = ROOT / "tests" / "hostile"
runner = CliRunner()


def _script():
    spec = importlib.util.spec_from_file_location("make_hostile_corpus", ROOT / "scripts" / "make_hostile_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_checked_in_corpus_is_what_the_script_writes(tmp_path):
    manifest = _script().make(tmp_path / "fresh")
    assert manifest == json.loads((HOSTILE / ".manifest.json").read_text(encoding="utf-8"))
    for name in manifest:
        assert (tmp_path / "fresh" / name).read_bytes() == (HOSTILE / name).read_bytes(), name


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    folder = base / "in"
    shutil.copytree(HOSTILE, folder)
    script = _script()
    manifest = json.loads((folder / ".manifest.json").read_text(encoding="utf-8"))
    manifest.update(script.make(folder, large=True, special=True))
    db, report = base / "h.db", base / "report.html"
    args = ["analyze", str(folder), "--db", str(db), "--report", str(report), "--workers", "1"]
    first = runner.invoke(app, args)
    store = Store(db)
    counts = _counts(store)
    second = runner.invoke(app, args)
    yield folder, manifest, first, second, store, counts
    store.close()


def _counts(store):
    s = store.stats()
    return s["documents"], s["articles"], s["rejects"], len(store.ingest_warnings())


def test_analyze_completes_without_a_traceback(hostile_run):
    _, _, first, second, _, _ = hostile_run
    for res in (first, second):
        assert res.exit_code == 0, res.output
        assert res.exception is None or isinstance(res.exception, SystemExit)
        assert "Traceback" not in res.output


def _is(source: str, folder: Path, name: str) -> bool:
    path = display_name(str(folder / name))
    return source == path or source.startswith(path + "#")


def test_every_input_is_stored_or_named_with_a_reason(hostile_run):
    folder, manifest, _, _, store, _ = hostile_run
    rejects = [(r["source"], r["reason"]) for r in store.rejects()]
    warnings = [(w["source"], w["message"]) for w in store.ingest_warnings()]
    articles = [a.source for a in store.articles()]
    assert all(reason.strip() for _, reason in rejects)
    for name, expect in manifest.items():
        rejected = [r for s, r in rejects if _is(s, folder, name)]
        stored = [s for s in articles if _is(s, folder, name)]
        if name == "valid.warc.gz":   # a WARC's documents are named by their URLs
            stored = [s for s in articles if s.startswith("https://example.invalid/")]
        if expect.startswith("store"):
            assert stored and not rejected, (name, rejected)
        if expect == "store-warning":
            assert any(_is(s, folder, name) for s, _ in warnings), name
        if expect == "reject":
            assert rejected, name
            if not name.endswith((".warc", ".warc.gz", ".jsonl")):  # containers may keep their good records
                assert not stored, name
        if expect == "reject-or-store":
            assert rejected or stored, name


def test_damage_is_described_by_byte_and_place(hostile_run):
    folder, _, _, _, store, _ = hostile_run
    messages = {w["source"]: w["message"] for w in store.ingest_warnings()}
    damaged = messages[str(folder / "damaged_utf8.txt")]
    assert re.search(r"invalid UTF-8: [3-6] byte\(s\) replaced with U\+FFFD \(0x[0-9A-F]{2} at line \d+ column \d+", damaged)
    assert "ends inside a multi-byte UTF-8 character" in messages[str(folder / "cut_mid_character.txt")]
    text = next(a.text for a in store.articles() if a.source == str(folder / "damaged_utf8.txt"))
    assert "مسؤول" in text and "Ø" not in text and "Ù" not in text   # UTF-8 kept, no cp1256 mojibake


def test_reasons_name_the_problem(hostile_run):
    folder, _, _, _, store, _ = hostile_run
    reasons = {r["source"]: r["reason"] for r in store.rejects()}
    assert "decompression bomb" in reasons[str(folder / "zeros.warc.gz")]
    assert "truncated" in reasons[str(folder / "truncated.warc.gz")]
    assert "XML entities" in reasons[str(folder / "entity_bomb.rss")]
    assert "XML entities" in reasons[str(folder / "external_entity.rss")]
    assert "symbolic link loop" in reasons[str(folder / "self_loop.txt")]
    assert "FIFO" in reasons[str(folder / "fifo.txt")]
    assert "nested too deeply" in reasons[str(folder / "nested.jsonl") + "#line=1"]
    assert "too long" in reasons[str(folder / "sentences_4_9mb.txt")]
    assert "HTML elements" in reasons[str(folder / "list_items.html")]


def test_a_rerun_stores_nothing_new(hostile_run):
    _, _, _, second, store, counts = hostile_run
    assert _counts(store) == counts
    assert "0 new articles" in " ".join(second.output.split())
