"""Expand user inputs and read each into documents.

In: strings naming files, directories, globs or URLs. Out: :class:`Input` records (with the
input's bytes and hash) and, from :func:`read_input`, ``Document`` / ``Reject`` items. Nothing
here raises for bad content: symbolic-link loops, broken links, FIFOs and devices, unreadable
files, JSON nested past ``max_json_depth``, lone surrogates and oversized inputs each become a
``Reject`` naming the input and the reason. File names that are not valid UTF-8 are shown with
their bad bytes escaped (``bad_\\xff.txt``). marsad's own outputs (its report, its exports) are
never read back as news.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..model import Document
from ..settings import SETTINGS
from .decode import DecodeError, decode

TEXT_EXT = {".txt", ".text"}
HTML_EXT = {".html", ".htm", ".xhtml", ".shtml"}
JSONL_EXT = {".jsonl", ".ndjson", ".json"}
FEED_EXT = {".rss", ".atom", ".xml"}
WARC_EXT = {".warc", ".warc.gz", ".arc", ".arc.gz"}

MAX_DOCUMENT_BYTES = SETTINGS.ingest.max_document_bytes     # one article's page or text
MAX_CONTAINER_BYTES = SETTINGS.ingest.max_container_bytes   # JSONL / WARC, read as a stream
MAX_FEED_BYTES = SETTINGS.ingest.max_feed_bytes
# Markers of what marsad itself writes: the report's generator tag and the export schema.
_OWN_OUTPUT = (b'<meta name="generator" content="marsad', b'"schema": "marsad/1"', b'"schema":"marsad/1"')
_SURROGATE = re.compile("[\ud800-\udfff]")


def display_name(name: str) -> str:
    """A path as text that can be printed and stored: bytes that are not UTF-8 shown as ``\\xNN``."""
    if not _SURROGATE.search(name):
        return name
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def scrub(text: str) -> tuple[str, int]:
    """``text`` with lone surrogates (from JSON ``\\ud800`` escapes) replaced by U+FFFD, and how many."""
    if not _SURROGATE.search(text):
        return text, 0
    return _SURROGATE.subn("\ufffd", text)


@dataclass
class Reject:
    """An input (or a record inside one) that could not be used, and why."""

    source: str
    reason: str
    sha256: str | None = None


@dataclass
class Input:
    """One thing the user named: a local file or a URL."""

    source: str
    kind: str                       # txt | html | jsonl | rss | warc | url
    path: Path | None = None
    meta: dict = field(default_factory=dict)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _kind_of(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith((".warc.gz", ".arc.gz", ".warc", ".arc")):
        return "warc"
    ext = path.suffix.lower()
    if ext in TEXT_EXT:
        return "txt"
    if ext in HTML_EXT:
        return "html"
    if ext in JSONL_EXT:
        return "jsonl"
    if ext in FEED_EXT:
        return "rss"
    return None


COMPRESSED_EXT = {".gz", ".bz2", ".xz", ".zip", ".7z", ".tar", ".tgz"}
DOCUMENT_EXT = {".pdf", ".doc", ".docx", ".odt", ".rtf", ".epub", ".mht", ".mhtml"}


def _unread_type(path: Path) -> str | None:
    """Why a file found in a directory is not read, for archives and document formats that may hold
    news marsad cannot read; None for the rest (images, styles, scripts, notes such as README.md),
    which a folder of articles carries beside them and which are skipped without a word."""
    ext = path.suffix.lower()
    if ext in COMPRESSED_EXT:
        return f"compressed file ({ext}) not read: only .warc.gz archives are; decompress it first"
    if ext in DOCUMENT_EXT:
        return (f"file type {ext} not read (marsad reads .txt, .html, .json/.jsonl, .xml/.rss/.atom feeds "
                "and .warc/.warc.gz; convert it to text first)")
    return None


def _sniff(path: Path) -> str:
    """Kind of a file without a known extension, from its first bytes."""
    try:
        with path.open("rb") as fh:
            head = fh.read(2048)
    except OSError:
        return "txt"
    low = head.lower().lstrip()
    if low.startswith(b"warc/"):
        return "warc"
    if b"<rss" in low or b"<feed" in low or b"<rdf:rdf" in low:
        return "rss"
    if low.startswith((b"<!doctype html", b"<html")) or b"<body" in low:
        return "html"
    if low.startswith(b"{"):
        return "jsonl"
    return "txt"


def _own_output(path: Path) -> bool:
    """True for a report or export marsad wrote (never read back as news)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(2048)
    except OSError:
        return False
    return any(m in head for m in _OWN_OUTPUT)


def _link_problem(p: Path) -> str | None:
    """Why a symbolic link cannot be read (a loop, a missing target), or None."""
    if not p.is_symlink():
        return None
    try:
        p.resolve(strict=True)
    except RuntimeError:
        return "symbolic link loop"
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            return "symbolic link loop"
        return "broken symbolic link (its target does not exist)"
    return None


def _not_regular(p: Path) -> str:
    problem = _link_problem(p)
    if problem:
        return problem
    return "not a regular file (a FIFO, socket or device)"


def expand_inputs(names: list[str], exclude: set[str] | None = None) -> tuple[list[Input], list[Reject]]:
    """Turn what the user typed into inputs: URLs, files, directories (recursive) and globs.

    ``exclude`` holds resolved paths never to read (the store and the report the run writes).
    """
    inputs: list[Input] = []
    rejects: list[Reject] = []
    seen: set[str] = set(exclude or ())

    def add_file(p: Path, explicit: bool) -> None:
        try:
            key = str(p.resolve())
        except (OSError, RuntimeError):
            rejects.append(Reject(display_name(str(p)), _not_regular(p)))
            return
        if key in seen:
            return
        kind = _kind_of(p)
        if kind is None:
            if not explicit and p.suffix:   # in a directory: a file of another type is not read
                reason = _unread_type(p)
                if reason:
                    rejects.append(Reject(display_name(str(p)), reason))
                return
            kind = _sniff(p)   # named on the command line, or no extension at all: its first bytes decide
        if kind in ("html", "jsonl") and _own_output(p):
            if explicit:
                rejects.append(Reject(display_name(str(p)), "a report or export written by marsad, not news; skipped"))
            return
        seen.add(key)
        inputs.append(Input(source=display_name(str(p)), kind=kind, path=p))

    def walk(root: Path) -> list[Path]:
        files: list[Path] = []

        def onerror(exc: OSError) -> None:
            rejects.append(Reject(display_name(exc.filename or str(root)), f"cannot list directory ({exc.strerror or exc})"))

        for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for f in sorted(filenames):
                if f.startswith("."):
                    continue
                fp = Path(dirpath) / f
                if fp.is_file():
                    files.append(fp)
                elif fp.is_symlink() or _kind_of(fp) is not None:
                    rejects.append(Reject(display_name(str(fp)), _not_regular(fp)))
        return files

    for name in names:
        if name.startswith(("http://", "https://")):
            if name not in seen:
                seen.add(name)
                inputs.append(Input(source=display_name(name), kind="url"))
            continue
        if "://" in name:
            rejects.append(Reject(display_name(name), "unsupported URL scheme (only http and https)"))
            continue
        p = Path(name)
        if p.is_dir():
            before = len(rejects)
            files = walk(p)
            if not files and len(rejects) == before:
                rejects.append(Reject(display_name(name), "directory holds no files"))
            for f in files:
                add_file(f, explicit=False)
        elif p.is_file():
            add_file(p, explicit=True)
        elif any(ch in name for ch in "*?["):
            matches = sorted(glob.glob(name, recursive=True))
            files = [Path(m) for m in matches if Path(m).is_file()]
            if not files:
                rejects.append(Reject(display_name(name), "no file matches this pattern"))
            for f in files:
                add_file(f, explicit=True)
        elif p.exists() or p.is_symlink():
            rejects.append(Reject(display_name(name), _not_regular(p)))
        else:
            rejects.append(Reject(display_name(name), "no such file or directory"))
    return inputs, rejects


def read_input(inp: Input, fetch=None) -> Iterator[Document | Reject]:
    """Read one input into documents and rejects. Never raises for bad content."""
    try:
        if inp.kind == "url":
            from .web import fetch_url

            yield from (fetch or fetch_url)(inp.source)
            return
        assert inp.path is not None
        size = inp.path.stat().st_size
        if size == 0:
            yield Reject(inp.source, "empty file")
            return
        if inp.kind == "jsonl":
            yield from read_jsonl(inp.path, inp.source, size)
        elif inp.kind == "warc":
            from .warc import read_warc

            yield from read_warc(inp.path, inp.source, size)
        elif inp.kind == "rss":
            if size > MAX_FEED_BYTES:
                yield Reject(inp.source, f"feed too large ({size / 1e6:.1f} MB > {MAX_FEED_BYTES / 1e6:.0f} MB)")
                return
            from .feeds import read_feed

            yield from read_feed(inp.path.read_bytes(), inp.source)
        else:
            if size > MAX_DOCUMENT_BYTES:
                yield Reject(inp.source, f"file too large for one article ({size / 1e6:.1f} MB > "
                                         f"{MAX_DOCUMENT_BYTES / 1e6:.0f} MB); split it or use JSON Lines")
                return
            raw = inp.path.read_bytes()
            yield document_from_bytes(raw, inp.source, inp.kind)
    except PermissionError:
        yield Reject(inp.source, "permission denied")
    except OSError as exc:
        yield Reject(inp.source, f"cannot read ({exc.strerror or exc})")


def document_from_bytes(raw: bytes, source: str, kind: str, meta: dict | None = None,
                        declared: str | None = None) -> Document | Reject:
    """Decode a text or HTML payload into a Document (or a Reject naming the reason).

    Decoding warnings (damaged bytes, where) travel in ``meta["warnings"]``; the pipeline stores them.
    """
    digest = sha256(raw)
    try:
        d = decode(raw, declared)
    except DecodeError as exc:
        return Reject(source, str(exc), digest)
    meta = dict(meta or {})
    if d.warnings:
        meta["warnings"] = d.warnings
    is_html = kind == "html" or looks_like_html(d.text)
    return Document(source=source, sha256=digest, kind=kind, content=d.text, is_html=is_html,
                    encoding=d.encoding, meta=meta)


def looks_like_html(text: str) -> bool:
    head = text[:3000].lower()
    return ("<html" in head or "<body" in head or "<!doctype html" in head
            or head.count("<p") + head.count("<div") + head.count("<br") >= 2)


_JSON_TEXT = ("text", "content", "body", "article", "maintext", "description")
_JSON_HTML = ("html", "raw_html", "content_html")


def _depth(value, limit: int) -> int:
    """Nesting depth of a parsed JSON value, counted without recursion (stops past ``limit``)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (dict, list)):
            deepest = max(deepest, d)
            if deepest > limit:
                return deepest
            stack.extend((c, d + 1) for c in (v.values() if isinstance(v, dict) else v))
    return deepest


def parse_json(data: str) -> object:
    """``json.loads`` with a depth limit; raises ValueError with a reason for invalid or too deep JSON."""
    limit = SETTINGS.ingest.max_json_depth
    try:
        value = json.loads(data)
    except RecursionError:
        raise ValueError(f"JSON nested too deeply (more than {limit} levels)") from None
    if _depth(value, limit) > limit:
        raise ValueError(f"JSON nested too deeply (more than {limit} levels)")
    return value


def read_jsonl(path: Path, source: str, size: int) -> Iterator[Document | Reject]:
    """One document per JSON object; bad lines are rejected with their line numbers."""
    if size > MAX_CONTAINER_BYTES:
        yield Reject(source, f"file too large ({size / 1e9:.1f} GB)")
        return
    with path.open("rb") as fh:
        head = fh.read(64).lstrip()
        fh.seek(0)
        if head.startswith(b"["):  # a JSON array file (.json)
            if size > MAX_FEED_BYTES:
                yield Reject(source, "JSON array too large to load; use JSON Lines")
                return
            try:
                records = parse_json(fh.read().decode("utf-8-sig"))
            except UnicodeDecodeError as exc:
                yield Reject(source, f"JSON file is not UTF-8 (byte 0x{exc.object[exc.start]:02X} at offset {exc.start})")
                return
            except ValueError as exc:
                yield Reject(source, f"invalid JSON ({exc.args[0] if exc.args else exc})")
                return
            for i, rec in enumerate(records if isinstance(records, list) else [records], 1):
                yield _json_record(rec, f"{source}#item={i}", json.dumps(rec, ensure_ascii=False).encode("utf-8", "replace"))
            return
        for lineno, line in enumerate(_lines(fh, MAX_DOCUMENT_BYTES), 1):
            where = f"{source}#line={lineno}"
            if line is None:
                yield Reject(where, f"line too large (over {MAX_DOCUMENT_BYTES / 1e6:.0f} MB)")
                continue
            if not line.strip():
                continue
            try:
                rec = parse_json(line.decode("utf-8-sig"))
            except UnicodeDecodeError as exc:
                yield Reject(where, f"line is not UTF-8 (byte 0x{line[exc.start]:02X} at column {exc.start + 1}; "
                                    "JSON Lines must be UTF-8)", sha256(line))
                continue
            except ValueError as exc:
                yield Reject(where, f"invalid JSON ({str(exc.args[0] if exc.args else exc)[:200]})", sha256(line))
                continue
            yield _json_record(rec, where, line.strip())


def _lines(fh, limit: int) -> Iterator[bytes | None]:
    """The file's lines; a line longer than ``limit`` is skipped without being held whole (None)."""
    reader = io.BufferedReader(fh, buffer_size=1 << 16)  # type: ignore[arg-type]
    while True:
        line = reader.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the long line
                line = reader.readline(1 << 20)
            yield None
            continue
        yield line


def _json_record(rec, where: str, raw: bytes) -> Document | Reject:
    if not isinstance(rec, dict):
        return Reject(where, "record is not a JSON object", sha256(raw))
    fixed = 0
    clean: dict[str, str] = {}
    for k, v in rec.items():
        if isinstance(v, str):
            clean[k], n = scrub(v)
            fixed += n
    meta: dict = {k: clean[k] for k in ("title", "url", "outlet", "published", "author", "source_name")
                  if k in clean and clean[k].strip()}
    if "date" in clean and "published" not in meta:
        meta["published"] = clean["date"]
    if "site" in clean and "outlet" not in meta:
        meta["outlet"] = clean["site"]
    if fixed:
        meta["warnings"] = [f"{fixed} lone surrogate escape(s) (\\ud800-\\udfff) replaced with U+FFFD"]
    for key in _JSON_HTML:
        if clean.get(key, "").strip():
            return Document(source=where, sha256=sha256(raw),
                            kind="jsonl", content=clean[key], is_html=True, encoding="utf-8", meta=meta)
    for key in _JSON_TEXT:
        if clean.get(key, "").strip():
            return Document(source=where, sha256=sha256(raw), kind="jsonl", content=clean[key],
                            is_html=looks_like_html(clean[key]), encoding="utf-8", meta=meta)
    return Reject(where, "record has no text or html field (expected one of: text, content, body, html)", sha256(raw))
