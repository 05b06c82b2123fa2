"""Ingest: formats, encodings and bad input. Every bad input is named with a reason; nothing stored is lost."""

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from marsad.ingest import Reject, expand_inputs, read_input
from marsad.ingest.decode import DecodeError, decode_bytes
from marsad.model import Document
from marsad.pipeline import analyze

BODY = ("أعلنت السلطات المحلية في مدينة درعا صباح اليوم إعادة فتح السوق المركزي بعد إغلاق دام أسبوعين، "
        "وقال مسؤول محلي إن الحركة التجارية عادت تدريجياً إلى طبيعتها.")
ARTICLE = "إعادة فتح السوق المركزي في درعا\n\n" + BODY + "\n\n" + BODY.replace("درعا", "بصرى الشام") + "\n"


def _read(path):
    inputs, rejects = expand_inputs([str(path)])
    items = [x for inp in inputs for x in read_input(inp)]
    return items + rejects


@pytest.mark.parametrize("enc", ["utf-8", "utf-8-sig", "cp1256", "iso-8859-6", "utf-16", "utf-16-le", "utf-16-be"])
def test_encodings_are_detected(tmp_path, enc):
    text = ARTICLE.replace("،", ",") if enc == "iso-8859-6" else ARTICLE  # ISO-8859-6 has the Arabic comma too; keep it simple
    p = tmp_path / "a.txt"
    p.write_bytes(text.encode(enc))
    (doc,) = _read(p)
    assert isinstance(doc, Document), doc
    assert doc.content.strip() == text.strip()


def test_declared_charset_in_html_is_honoured(tmp_path):
    html = f'<html><head><meta charset="windows-1256"><title>x</title></head><body><p>{BODY}</p></body></html>'
    p = tmp_path / "a.html"
    p.write_bytes(html.encode("cp1256"))
    (doc,) = _read(p)
    assert doc.is_html and BODY in doc.content and doc.encoding == "cp1256"


@pytest.mark.parametrize("content,reason", [
    (b"", "empty"),
    (b"   \n\n  ", "empty"),
    (bytes(range(256)) * 40, "binary"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 300, "binary"),
])
def test_bad_bytes_are_rejected_with_reason(tmp_path, content, reason):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    (rej,) = _read(p)
    assert isinstance(rej, Reject) and reason in rej.reason and rej.source == str(p)


def test_undecodable_text_raises_clear_error():
    with pytest.raises(DecodeError):
        decode_bytes(b"\x00\x01\x02\x03" * 100)


def test_huge_file_is_refused_not_loaded(tmp_path):
    p = tmp_path / "huge.txt"
    with p.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # 50 MB (sparse)
    (rej,) = _read(p)
    assert isinstance(rej, Reject) and "too large" in rej.reason


def test_missing_paths_and_empty_globs_are_named(tmp_path):
    inputs, rejects = expand_inputs([str(tmp_path / "nope.txt"), str(tmp_path / "*.none"), "ftp://x/y"])
    assert not inputs
    reasons = {r.source: r.reason for r in rejects}
    assert "no such file" in reasons[str(tmp_path / "nope.txt")]
    assert "no file matches" in reasons[str(tmp_path / "*.none")]
    assert "unsupported URL scheme" in reasons["ftp://x/y"]


def test_directories_recurse_and_list_files_of_other_types(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "a" / "y.htm").write_text(f"<html><body><p>{BODY}</p></body></html>", encoding="utf-8")
    (tmp_path / "a" / "no_extension").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "a" / "logo.png").write_bytes(b"\x89PNG")          # page assets and notes: skipped silently
    (tmp_path / "a" / "README.md").write_text("# notes", encoding="utf-8")
    (tmp_path / "a" / "report.pdf").write_bytes(b"%PDF-1.4")        # documents and archives: listed
    (tmp_path / "a" / "more.txt.gz").write_bytes(b"\x1f\x8b\x08")
    inputs, rejects = expand_inputs([str(tmp_path)])
    assert sorted(i.kind for i in inputs) == ["html", "txt", "txt"]   # no extension: sniffed as text
    reasons = {r.source: r.reason for r in rejects}
    assert set(reasons) == {str(tmp_path / "a" / "report.pdf"), str(tmp_path / "a" / "more.txt.gz")}
    assert "file type .pdf not read" in reasons[str(tmp_path / "a" / "report.pdf")]
    assert "decompress it first" in reasons[str(tmp_path / "a" / "more.txt.gz")]


def test_jsonl_bad_lines_are_reported_with_line_numbers_and_rest_ingests(tmp_path):
    good = {"url": "https://example.org/1", "title": "عنوان", "published": "2024-12-07", "outlet": "النموذج", "text": BODY}
    lines = [json.dumps(good, ensure_ascii=False), "{not json", json.dumps({"title": "بلا نص"}, ensure_ascii=False),
             "", json.dumps([1, 2]), json.dumps({**good, "text": None, "html": f"<p>{BODY}</p><p>{BODY}</p>"}, ensure_ascii=False)]
    p = tmp_path / "feed.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = _read(p)
    docs = [i for i in items if isinstance(i, Document)]
    rejects = {i.source: i.reason for i in items if isinstance(i, Reject)}
    assert len(docs) == 2 and docs[0].meta["outlet"] == "النموذج" and docs[1].is_html
    assert set(rejects) == {f"{p}#line=2", f"{p}#line=3", f"{p}#line=5"}
    assert "invalid JSON" in rejects[f"{p}#line=2"] and "no text" in rejects[f"{p}#line=3"]


def test_rss_and_atom_with_broken_items(tmp_path):
    rss = f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>موقع النموذج</title>
    <item><title>خبر أول</title><link>https://example.org/a</link><pubDate>Sat, 07 Dec 2024 10:00:00 +0300</pubDate>
    <description><![CDATA[<p>{BODY}</p>]]></description></item>
    <item><title>خبر بلا محتوى</title><link>https://example.org/b</link></item>
    </channel></rss>"""
    p = tmp_path / "f.rss"
    p.write_text(rss, encoding="utf-8")
    items = _read(p)
    docs = [i for i in items if isinstance(i, Document)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert len(docs) == 1 and docs[0].meta["published"] == "2024-12-07" and docs[0].meta["outlet"] == "موقع النموذج"
    assert len(rejects) == 1 and "no content" in rejects[0].reason
    atom = f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
    <entry><title>خبر</title><link href="https://example.org/c"/><updated>2024-12-08T10:00:00Z</updated>
    <content type="html">&lt;p&gt;{BODY}&lt;/p&gt;</content></entry></feed>"""
    p2 = tmp_path / "f.atom"
    p2.write_text(atom, encoding="utf-8")
    (doc,) = _read(p2)
    assert isinstance(doc, Document) and doc.meta["published"] == "2024-12-08"


def test_malformed_feed_is_rejected(tmp_path):
    p = tmp_path / "broken.rss"
    p.write_text("<rss><channel><item><title>x", encoding="utf-8")
    items = _read(p)
    assert all(isinstance(i, Reject) for i in items) and items


def _warc(path, records):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for uri, ctype, body in records:
            http = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http))


def test_warc_responses_become_documents(tmp_path):
    p = tmp_path / "crawl.warc.gz"
    _warc(p, [("https://example.org/a", "text/html; charset=utf-8", f"<html><body><p>{BODY}</p></body></html>".encode()),
              ("https://example.org/logo.png", "image/png", b"\x89PNG....")])
    (doc,) = _read(p)
    assert isinstance(doc, Document) and doc.source == "https://example.org/a" and doc.kind == "warc"


def test_truncated_warc_is_rejected(tmp_path):
    p = tmp_path / "crawl.warc.gz"
    _warc(p, [("https://example.org/a", "text/html", f"<p>{BODY}</p>".encode())] * 3)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    items = _read(p)
    assert any(isinstance(i, Reject) and ("truncated" in i.reason or "WARC" in i.reason) for i in items)


def test_deeply_nested_html_is_handled(tmp_path, store):
    html = "<html><body>" + "<div>" * 5000 + f"<p>{BODY}</p>" + "</div>" * 5000 + "</body></html>"
    p = tmp_path / "deep.html"
    p.write_text(html, encoding="utf-8")
    run = analyze(store, [str(p)], workers=1)
    assert run.articles == 1 or (len(run.rejects) == 1 and str(p) in run.rejects[0][0])


# ---- URLs, against a local server only ----------------------------------------------------------
class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.agents.append(self.headers.get("User-Agent"))
        routes = {
            "/ok": (200, "text/html; charset=utf-8", f"<html><body><h1>عنوان</h1><p>{BODY}</p><p>{BODY}</p></body></html>".encode()),
            "/missing": (404, "text/html", b"not found"),
            "/image": (200, "image/png", b"\x89PNG"),
            "/big": (200, "text/html", b"<p>" + b"x" * (6 * 1024 * 1024) + b"</p>"),
        }
        status, ctype, body = routes.get(self.path, (500, "text/plain", b"error"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.agents = []
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", srv
    srv.shutdown()


def test_urls_fetch_and_fail_clearly(server):
    from marsad.ingest.web import fetch_url

    base, srv = server
    (doc,) = list(fetch_url(base + "/ok"))
    assert isinstance(doc, Document) and BODY in doc.content
    assert srv.agents[0].startswith("marsad/")
    (r404,) = list(fetch_url(base + "/missing"))
    assert "HTTP 404" in r404.reason
    (rimg,) = list(fetch_url(base + "/image"))
    assert "unsupported content type" in rimg.reason
    (rbig,) = list(fetch_url(base + "/big"))
    assert "larger than" in rbig.reason


def test_unreachable_url_is_rejected():
    import socket

    from marsad.ingest.web import fetch_url

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens here now
    (rej,) = list(fetch_url(f"http://127.0.0.1:{port}/x", timeout=3))
    assert isinstance(rej, Reject) and "unreachable" in rej.reason


def _damaged_trials(raw: bytes, rng, n: int = 12):
    """(bytes, touched line numbers) with 1-3 bytes overwritten, or cut at a random byte."""
    for trial in range(n):
        data = bytearray(raw)
        if trial % 2:
            cut = rng.randrange(len(raw) // 2, len(raw))
            yield bytes(data[:cut]), {raw[:cut].count(b"\n")}
            continue
        touched = set()
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(data))
            while data[pos] == 0x0A:   # line breaks stay, so line numbers stay comparable
                pos = rng.randrange(len(data))
            data[pos] = rng.choice([0xFF, 0xFE, 0xC3, 0x80, 0xBF, 0xE0, 0xD8])
            touched.add(raw[:pos].count(b"\n"))
        yield bytes(data), touched


@pytest.mark.parametrize("where", ["examples", "seeds"])
def test_random_cuts_and_byte_damage_keep_the_valid_utf8(where, request):
    import random

    from marsad.ingest.decode import decode

    from .conftest import EXAMPLES

    root = EXAMPLES if where == "examples" else request.getfixturevalue("seeds_dir")
    rng = random.Random(14)
    checked = 0
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".txt", ".html")):
        raw = path.read_bytes()
        try:
            lines = raw.decode("utf-8").split("\n")
        except UnicodeDecodeError:   # the Windows-1256 example: damage must not make it fail or switch codec
            for data, _ in _damaged_trials(raw, rng, 4):
                assert decode(data).encoding == "cp1256"
            continue
        for data, touched in _damaged_trials(raw, rng):
            d = decode(data)
            assert d.encoding.startswith("utf-8"), (path.name, d.encoding)   # never cp1256 mojibake
            got = d.text.split("\n")
            complete = data.count(b"\n")
            for k in range(complete):
                if k not in touched:
                    assert got[k] == lines[k].lstrip("\ufeff") or k == 0, (path.name, k)
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:   # damage is never silent: the warning names it
                assert d.warnings and ("invalid UTF-8" in d.warnings[0] or "multi-byte" in d.warnings[0])
            checked += 1
    assert checked >= 20
