"""Generate the hostile-input corpus that the test suite runs through ``marsad analyze``.

In: a destination folder (default ``tests/hostile``). Out: one good article plus files that are
broken on purpose (bad and undeclared encodings, charsets that do not exist, nested markup and JSON,
XML entity bombs, NUL bytes, huge lines, broken feeds and WARCs, decompression bombs) and
``.manifest.json`` (hidden, so ``analyze`` does not read it) saying what ``analyze`` must do with each: ``store`` (an article is stored),
``store-warning`` (stored, with a decoding warning) or ``reject`` (listed with a reason).

Every file is written by this script from text it composes itself; nothing is copied. The output
is deterministic (fixed seed), so the checked-in corpus can be compared with a fresh run.
``--large`` adds the multi-megabyte cases (100,000 list items or spans, 4.9 MB of sentences);
``--special`` adds what git cannot hold (a file name that is not UTF-8, symlink loops, a FIFO,
an unreadable file when not running as root). The tests create those two groups in a temporary
folder at run time.

    python scripts/make_hostile_corpus.py [DEST] [--large] [--special]
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import sys
import zlib
from pathlib import Path

SENTENCES = [
    "أعلنت السلطات المحلية في مدينة الساحل صباح اليوم إعادة فتح الطريق الرئيسي بعد إغلاق دام ثلاثة أيام.",
    "وقال مسؤول في البلدية إن فرق الصيانة أنهت إصلاح الجسر المتضرر من السيول الأخيرة.",
    "وأضاف أن حركة المرور عادت تدريجيا إلى طبيعتها مع انتشار عناصر الشرطة عند التقاطعات.",
    "وذكر سكان من الأحياء المجاورة أن انقطاع الطريق أثر على وصول البضائع إلى الأسواق.",
    "ومن المتوقع أن تعلن البلدية الأسبوع المقبل خطة لتحسين شبكة تصريف مياه الأمطار.",
]
TITLE = "إعادة فتح الطريق الرئيسي في مدينة الساحل بعد إصلاح الجسر"


def article_text(variant: int = 0) -> str:
    """A short article composed here; ``variant`` changes its wording so copies are not duplicates."""
    body = [s.replace("ثلاثة", ["ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية"][variant % 6]) for s in SENTENCES]
    return TITLE + f" ({variant})\n\n" + " ".join(body[:3]) + "\n\n" + " ".join(body[3:]) + "\n"


def html_page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>{TITLE}</title></head><body>{body}</body></html>"


def _warc_bytes(records: list[tuple[str, bytes]], gz: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gz)
    for k, (uri, body) in enumerate(records):
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        fixed = {"WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-{k:012d}>", "WARC-Date": "2025-01-08T10:00:00Z"}
        w.write_record(w.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http,
                                            warc_headers_dict=fixed))
    return buf.getvalue()


def _zero_bomb(size: int) -> bytes:
    """A gzip member holding ``size`` zero bytes, compressed in a stream (never held whole)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\x00" * (1 << 20)
    out = [comp.compress(chunk) for _ in range(size >> 20)]
    return b"".join(out) + comp.flush()


def _damage(raw: bytes, rng: random.Random, n: int) -> bytes:
    b = bytearray(raw)
    for pos in sorted(rng.sample(range(len(b)), n)):
        b[pos] = rng.choice([0xFF, 0xFE, 0xC0, 0x80, 0xBF])
    return bytes(b)


def small_cases(rng: random.Random) -> dict[str, tuple[bytes, str]]:
    """name → (bytes, expectation) for the files that are checked in."""
    good = article_text(0).encode("utf-8")
    cut = article_text(2).encode("utf-8")
    html_ok = lambda v, head="": html_page("".join(f"<p>{p}</p>" for p in article_text(v).split("\n\n")[1:]), head)  # noqa: E731
    nested_json = '{"title": "x", "text": "نص", "deep": ' + "[" * 50000 + "]" * 50000 + "}"
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a0 "ههههههههههههههههههههه">\n'
            + "".join(f'<!ENTITY a{i} "{("&a%d;" % (i - 1)) * 10}">\n' for i in range(1, 10))
            + ']>\n<rss version="2.0"><channel><title>t</title><item><title>&a9;</title>'
              '<description>&a9;</description></item></channel></rss>\n')
    xxe = ('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
           '<rss version="2.0"><channel><title>t</title><item><title>&x;</title>'
           f'<description>{SENTENCES[0]} &x;</description></item></channel></rss>\n')
    warc_ok = _warc_bytes([(f"https://example.invalid/{i}", html_ok(10 + i).encode()) for i in range(3)], gz=True)
    warc_plain = _warc_bytes([(f"https://example.invalid/p{i}", html_ok(20 + i).encode()) for i in range(3)], gz=False)
    cases: dict[str, tuple[bytes, str]] = {
        "good.txt": (good, "store"),
        "damaged_utf8.txt": (_damage(article_text(1).encode("utf-8"), rng, 3), "store-warning"),
        "cut_mid_character.txt": (cut[: cut.rindex(b"\xd8") + 1], "store-warning"),   # ends on a lead byte
        "charset_undefined.html": (html_ok(3, '<meta charset="undefined">').encode("utf-8"), "store"),
        "charset_bogus_quoted.html": (html_ok(4, "<meta http-equiv=\"Content-Type\" content=\"text/html; charset='x-no-such-1'\">").encode("utf-8"), "store"),
        "charset_lies_latin1.html": (html_ok(5, '<meta charset="iso-8859-1">').encode("utf-8"), "store"),
        "empty.txt": (b"", "reject"),
        "only_spaces.txt": (b" \n\t\n   \n", "reject"),
        "nul_bytes.txt": (b"\x00".join(article_text(6).encode("utf-8")[i:i + 7] for i in range(0, 400, 7)), "reject"),
        "png_named.html": (b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(3000)), "reject"),
        "random_bytes.txt": (bytes(rng.randrange(256) for _ in range(5000)), "reject"),
        "utf16_odd_length.txt": (article_text(7).encode("utf-16-le")[:-1], "store-warning"),
        "huge_line.txt": (("كلمة" * 75000).encode("utf-8"), "reject"),
        "only_furniture.txt": ("شارك\nتويتر\nفيسبوك\nواتساب\n".encode("utf-8"), "reject"),
        "script_only.html": (html_page("<script>" + "var x = 1;" * 500 + "</script>").encode(), "reject"),
        "nested_divs.html": (html_page("<div>" * 30000 + f"<p>{SENTENCES[0]}</p>" + "</div>" * 30000).encode("utf-8"), "reject-or-store"),
        "unclosed_tags.html": ((("<p>" + SENTENCES[1]) * 3000 + "<b><i><u>" * 5000).encode("utf-8"), "reject-or-store"),
        "nested.jsonl": (nested_json.encode("utf-8") + b"\n", "reject"),
        "nested_array.json": (b"[" * 100000, "reject"),
        "bad_lines.jsonl": (b"{not json}\n[1, 2]\n" + b'{"text": ' + b"1" * 5000 + b"}\n" + b'{"title": "no text"}\n'
                            + b'{"text": "\\ud800 \\udfff lone surrogates"}\n', "reject"),
        "latin1_line.jsonl": ('{"text": "caf\xe9"}\n'.encode("latin-1"), "reject"),
        "entity_bomb.rss": (bomb.encode("utf-8"), "reject"),
        "external_entity.rss": (xxe.encode("utf-8"), "reject"),
        "broken_feed.rss": (f'<?xml version="1.0"?><rss><channel><item><title>{SENTENCES[0]}'.encode("utf-8"), "reject"),
        "bogus_encoding_feed.xml": (('<?xml version="1.0" encoding="x-no-such"?><rss version="2.0"><channel><title>t</title>'
                                    f'<item><title>{TITLE}</title><description>{" ".join(SENTENCES)}</description></item>'
                                    '</channel></rss>').encode("utf-8"), "store"),
        "truncated.warc.gz": (warc_ok[: len(warc_ok) * 2 // 3], "reject"),
        "truncated_plain.warc": (warc_plain[: len(warc_plain) - 200], "reject"),
        "zeros.warc.gz": (_zero_bomb(200 << 20), "reject"),
        "garbage.warc.gz": (gzip.compress(bytes(rng.randrange(256) for _ in range(4000)), mtime=0), "reject"),
        "html_named.warc": (html_ok(8).encode("utf-8"), "reject"),
        "valid.warc.gz": (warc_ok, "store"),
    }
    return cases


def large_cases() -> dict[str, tuple[bytes, str]]:
    """The multi-megabyte pathological pages (generated at test time, not checked in)."""
    sentences = " ".join(SENTENCES[i % len(SENTENCES)] for i in range(30000))
    return {
        "list_items.html": (html_page("<ul>" + "<li>بند من القائمة</li>" * 100000 + "</ul>").encode("utf-8"), "reject-or-store"),
        "spans.html": (html_page("<p>" + "<span>كلمة</span> " * 100000 + "</p>").encode("utf-8"), "reject-or-store"),
        "sentences_4_9mb.txt": ((TITLE + "\n\n" + sentences)[: 2_700_000].encode("utf-8"), "reject-or-store"),
    }


def special_cases(dest: Path) -> dict[str, str]:
    """Files git cannot hold; made in place. Returns name → expectation."""
    made: dict[str, str] = {}
    bad_name = os.fsdecode(b"bad_name_\xff\xfe.txt")
    (dest / bad_name).write_bytes(article_text(30).encode("utf-8"))
    made[bad_name] = "store"
    loop = dest / "loop_dir"
    loop.mkdir(exist_ok=True)
    if not (loop / "again").is_symlink():
        (loop / "again").symlink_to("..", target_is_directory=True)
    for name, target in (("self_loop.txt", "self_loop.txt"), ("ping.txt", "pong.txt"), ("pong.txt", "ping.txt"),
                         ("dangling.txt", "no_such_target.txt")):
        if not (dest / name).is_symlink():
            (dest / name).symlink_to(target)
    made.update({"self_loop.txt": "reject", "ping.txt": "reject", "pong.txt": "reject", "dangling.txt": "reject"})
    if hasattr(os, "mkfifo") and not (dest / "fifo.txt").exists():
        os.mkfifo(dest / "fifo.txt")
        made["fifo.txt"] = "reject"
    if os.geteuid() != 0:  # root reads any file, so an unreadable file can only be made as another user
        p = dest / "unreadable.txt"
        p.write_bytes(article_text(31).encode("utf-8"))
        p.chmod(0)
        made["unreadable.txt"] = "reject"
    return made


def make(dest: Path, large: bool = False, special: bool = False, seed: int = 13) -> dict[str, str]:
    """Write the corpus into ``dest``; returns (and writes as .manifest.json) name → expectation."""
    dest.mkdir(parents=True, exist_ok=True)
    cases = small_cases(random.Random(seed))
    if large:
        cases.update(large_cases())
    manifest = {}
    for name, (raw, expect) in cases.items():
        (dest / name).write_bytes(raw)
        manifest[name] = expect
    if special:
        manifest.update(special_cases(dest))
    if not large and not special:
        (dest / ".manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    target = Path(args[0]) if args else Path(__file__).resolve().parents[1] / "tests" / "hostile"
    m = make(target, large="--large" in sys.argv, special="--special" in sys.argv)
    print(f"{len(m)} files in {target}")
