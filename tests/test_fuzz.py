"""Property-based fuzzing (hypothesis) of the text primitives, the date parser, the sentence splitter,
the furniture remover, decoding and every ingest format.

The suite runs a few dozen examples per property (profile ``suite``); ``make fuzz`` runs thousands
(profile ``fuzz``, ``FUZZ_EXAMPLES=N`` to change). Properties say what must hold for any input:
no exception escapes (bad input becomes a Reject or a CleanError), offsets stay inside the text,
keys are stable, and damaged UTF-8 keeps its valid text.
"""

from __future__ import annotations

import io
import json
from datetime import date

from hypothesis import example, given
from hypothesis import strategies as st

from marsad.clean import CleanError, clean_document
from marsad.clean.dates import find_date, parse_date
from marsad.clean.furniture import (author_line, byline_outlet, byline_prefix, furniture_kind, is_section_label,
                                    source_line, split_marker)
from marsad.clean.scraped import clean_scraped
from marsad.ingest import Input, Reject, read_input
from marsad.ingest.decode import DecodeError, decode
from marsad.model import Document
from marsad.pipeline import clean_one
from marsad.text import normalize, normalize_with_map, split_sentences

ARABIC = [chr(c) for c in range(0x0621, 0x064B)] + ["ى", "ة", "ؤ", "ئ", "أ", "إ", "آ"]
MARKS = ["\u064b", "\u064e", "\u0650", "\u0651", "\u0652", "\u0640", "\u200f", "\u200c", "\ufeff", "\u00ad"]
PUNCT = list(".!?؟…،؛:\"'«»()[]-–—/|>•") + ["د.", "م.", "U.S.", "3.5"]
SPACE = [" ", " ", " ", "\n", "\n\n", "\t", "\u00a0", "\r\n"]
DIGITS = list("0123456789٠١٢٣٤٥٦٧٨٩")
WORDS = ["قال", "الرئيس", "السوري", "في", "دمشق", "اليوم", "كانون الأول", "ديسمبر", "يناير", "2024", "2025",
         "شارك", "اقرأ أيضا", "المصدر:", "بقلم", "الرئيسية > أخبار", "تويتر", "وكالات", "||", "/-"]

atoms = st.sampled_from(ARABIC + MARKS + PUNCT + SPACE + DIGITS + WORDS + list("abcXYZ") + ["ﻻ", "ﷲ", "Ａ"])
arabicish = st.lists(atoms, max_size=300).map("".join)
any_text = st.one_of(arabicish, st.text(max_size=300))


@given(any_text)
def test_normalize_is_a_stable_single_spaced_key(text):
    key = normalize(text)
    assert key == key.strip() and "  " not in key and "\n" not in key
    assert normalize(key) == key


@given(any_text)
def test_normalize_equals_one_translate_of_the_table(text):
    from marsad.text.normalize import _COMPAT, _TABLE
    if not _COMPAT.search(text):
        assert normalize(text) == " ".join(text.lower().translate(_TABLE).split())


@given(any_text)
def test_normalize_with_map_points_back_into_the_text(text):
    key, offsets = normalize_with_map(text)
    assert len(key) == len(offsets)
    assert all(0 <= o < len(text) for o in offsets)
    assert offsets == sorted(offsets)
    from tests.test_text import _map_char_by_char
    assert (key, offsets) == _map_char_by_char(text)


@given(any_text)
def test_sentence_spans_cover_every_visible_character_once(text):
    spans = split_sentences(text)
    prev = 0
    for start, end in spans:
        assert prev <= start < end <= len(text)
        seg = text[start:end]
        assert seg == seg.strip() and seg
        assert "\n" not in seg
        prev = end
    covered = set()
    for start, end in spans:
        covered.update(range(start, end))
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


dateish = st.lists(st.sampled_from(WORDS + DIGITS + ["/", "-", ".", ", ", " ", "th", "8", "31", "12", "1999", "2030",
                                                      "أكتوبر", "تشرين", "آب", "Dec", "March", "T10:00:00Z"]),
                   max_size=12).map("".join)


@given(st.one_of(dateish, st.text(max_size=80)))
def test_dates_are_valid_calendar_dates_or_none(text):
    found = find_date(text)
    if found is not None:
        iso, matched = found
        assert 1900 <= date.fromisoformat(iso).year <= 2099
        assert matched in normalize(text)
    parsed = parse_date(text)
    assert parsed is None or date.fromisoformat(parsed)


@given(any_text)
def test_line_classifiers_never_fail(line):
    assert furniture_kind(line) is None or isinstance(furniture_kind(line), str)
    assert split_marker(line) is None or isinstance(split_marker(line), str)
    assert isinstance(is_section_label(line), bool)
    for fn in (byline_outlet, author_line, source_line):
        assert fn(line) is None or isinstance(fn(line), str)
    pre = byline_prefix(line)
    assert pre is None or 0 < pre[1] <= len(line)


@given(st.lists(st.one_of(arabicish, st.sampled_from(WORDS)), max_size=25).map("\n".join))
def test_furniture_removal_keeps_only_lines_of_the_input(text):
    flat = normalize(text)
    for art in clean_scraped(text):
        for para in art.paragraphs:
            assert normalize(para) in flat
        assert all(isinstance(kind, str) and isinstance(line, str) for kind, line in art.removed)


@given(st.binary(max_size=2000))
def test_any_bytes_decode_to_storable_text_or_a_reason(raw):
    try:
        d = decode(raw)
    except DecodeError as exc:
        assert str(exc)
        return
    d.text.encode("utf-8")  # no lone surrogates: storable
    assert all(isinstance(w, str) for w in d.warnings)


arabic_word = st.lists(st.sampled_from(ARABIC), min_size=2, max_size=7).map("".join)
arabic_line = st.lists(st.one_of(arabic_word, st.sampled_from(DIGITS + ["،", ".", "«", "»"])),
                       min_size=12, max_size=40).map(" ".join)


@given(st.lists(arabic_line, min_size=3, max_size=6),
       st.lists(st.tuples(st.floats(0, 1), st.sampled_from([0xFF, 0xFE, 0xC0, 0x80, 0xBF, 0xE0])), min_size=1, max_size=3),
       st.floats(0.5, 1.0))
def test_damaged_utf8_keeps_its_valid_lines(lines, damage, keep):
    raw = bytearray("\n".join(lines).encode("utf-8"))
    hit = set()
    for where, byte in damage:
        pos = min(int(where * len(raw)), len(raw) - 1)
        if raw[pos] == 0x0A:   # damage inside lines only: a lost line break merges two lines
            continue
        raw[pos] = byte
        hit.add(raw[:pos].count(b"\n"))
    raw = bytes(raw[: max(1, int(len(raw) * keep))])  # and a random cut, possibly inside a character
    d = decode(raw)
    assert d.encoding == "utf-8"
    got = d.text.split("\n")
    last = raw.count(b"\n")
    for k, line in enumerate(lines[:last]):   # every complete line without damage is decoded exactly
        if k not in hit:
            assert got[k] == line


def _file(tmp_path_factory, name: str, raw: bytes):
    p = tmp_path_factory.mktemp("fuzz") / name
    p.write_bytes(raw)
    return p


def _read_and_clean(path, kind):
    items = list(read_input(Input(source=str(path), kind=kind, path=path)))
    for item in items:
        assert isinstance(item, (Document, Reject))
        if isinstance(item, Reject):
            assert item.reason and item.source.startswith(("http", str(path)))
        else:
            item.content.encode("utf-8")
            _sha, _src, out = clean_one(item)
            assert isinstance(out, (str, list))
    return items


html_tree = st.recursive(
    any_text.map(lambda t: t.replace("<", " ")),
    lambda inner: st.tuples(st.sampled_from(["p", "div", "span", "li", "ul", "h1", "a", "script", "table", "td", "b"]),
                            st.lists(inner, max_size=4)).map(lambda x: f"<{x[0]}>" + "".join(x[1]) + f"</{x[0]}>"),
    max_leaves=30)


@given(st.one_of(html_tree, st.text(max_size=500)), st.sampled_from(["", '<meta charset="undefined">',
                                                                     '<meta charset="windows-1256">', '<meta charset="x">']))
def test_html_files_never_raise(tmp_path_factory, body, head):
    raw = f"<html><head>{head}</head><body>{body}</body></html>".encode("utf-8")
    _read_and_clean(_file(tmp_path_factory, "a.html", raw), "html")


@given(st.binary(max_size=3000))
def test_text_files_of_any_bytes_never_raise(tmp_path_factory, raw):
    _read_and_clean(_file(tmp_path_factory, "a.txt", raw), "txt")


json_value = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), any_text),
                          lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                          max_leaves=20)
record = st.fixed_dictionaries({}, optional={"text": any_text, "html": html_tree, "title": any_text, "date": dateish,
                                             "published": any_text, "url": any_text, "extra": json_value})


@given(st.lists(st.one_of(record.map(lambda r: json.dumps(r, ensure_ascii=False).encode("utf-8")),
                          json_value.map(lambda v: json.dumps(v).encode()), st.binary(max_size=200)), max_size=6))
def test_jsonl_files_never_raise(tmp_path_factory, lines):
    _read_and_clean(_file(tmp_path_factory, "a.jsonl", b"\n".join(lines)), "jsonl")


def _escape(t: str) -> str:
    return t.replace("&", "&amp;").replace("<", "&lt;")


@given(st.lists(st.tuples(any_text, any_text, dateish), max_size=4), st.booleans(), st.integers(0, 400))
def test_feeds_never_raise(tmp_path_factory, items, escape, cut):
    esc = _escape if escape else (lambda t: t)
    body = "".join(f"<item><title>{esc(t)}</title><description>{esc(d)}</description><pubDate>{esc(p)}</pubDate></item>"
                   for t, d, p in items)
    raw = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'.encode("utf-8")
    raw = raw[: len(raw) - cut] if cut < len(raw) else raw
    _read_and_clean(_file(tmp_path_factory, "a.rss", raw), "rss")


@given(st.lists(html_tree, min_size=1, max_size=3), st.booleans(), st.integers(0, 3000),
       st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 255)), max_size=3))
@example(pages=[""], gz=False, cut=0, flips=[(112, 0)])   # a NUL byte inside the WARC-Target-URI (found in CI)
def test_warc_files_never_raise(tmp_path_factory, pages, gz, cut, flips):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gz)
    for k, page in enumerate(pages):
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(f"https://example.invalid/{k}", "response",
                                            payload=io.BytesIO(f"<html><body>{page}</body></html>".encode("utf-8")),
                                            http_headers=http))
    raw = bytearray(buf.getvalue())
    for pos, byte in flips:
        raw[pos % len(raw)] = byte
    raw = bytes(raw[: max(1, len(raw) - cut)])
    items = _read_and_clean(_file(tmp_path_factory, "a.warc.gz" if gz else "a.warc", raw), "warc")
    if cut or flips:
        return
    assert sum(isinstance(i, Document) for i in items) + sum(isinstance(i, Reject) for i in items) >= 1


@given(st.one_of(html_tree, any_text), st.booleans())
def test_cleaning_raises_only_clean_errors(html, is_html):
    doc = Document(source="x", sha256="0" * 64, kind="html" if is_html else "txt", content=html, is_html=is_html,
                   encoding="utf-8", meta={})
    try:
        articles = clean_document(doc)
    except CleanError as exc:
        assert str(exc)
        return
    for a in articles:
        assert a.text.strip()
        for start, end in split_sentences(a.text):
            assert 0 <= start < end <= len(a.text)
