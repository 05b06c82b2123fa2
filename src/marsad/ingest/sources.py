"""Expand user inputs and read each into documents.

In: strings naming files, directories, globs or URLs. Out: :class:`Input` records (with the
input's bytes and hash) and, from :func:`read_input`, ``Document`` / ``Reject`` items.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..model import Document
from .decode import DecodeError, decode_bytes

TEXT_EXT = {".txt", ".text"}
HTML_EXT = {".html", ".htm", ".xhtml", ".shtml"}
JSONL_EXT = {".jsonl", ".ndjson", ".json"}
FEED_EXT = {".rss", ".atom", ".xml"}
WARC_EXT = {".warc", ".warc.gz", ".arc", ".arc.gz"}

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024       # one article's page or text
MAX_CONTAINER_BYTES = 2 * 1024 ** 3        # JSONL / WARC, read as a stream
MAX_FEED_BYTES = 50 * 1024 * 1024


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


def expand_inputs(names: list[str]) -> tuple[list[Input], list[Reject]]:
    """Turn what the user typed into inputs: URLs, files, directories (recursive) and globs."""
    inputs: list[Input] = []
    rejects: list[Reject] = []
    seen: set[str] = set()

    def add_file(p: Path, explicit: bool) -> None:
        key = str(p.resolve())
        if key in seen:
            return
        kind = _kind_of(p)
        if kind is None:
            if not explicit:
                return  # directories: skip files of unknown type silently (images, css, ...)
            kind = _sniff(p)
        seen.add(key)
        inputs.append(Input(source=str(p), kind=kind, path=p))

    for name in names:
        if name.startswith(("http://", "https://")):
            if name not in seen:
                seen.add(name)
                inputs.append(Input(source=name, kind="url"))
            continue
        if "://" in name:
            rejects.append(Reject(name, "unsupported URL scheme (only http and https)"))
            continue
        p = Path(name)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not files:
                rejects.append(Reject(name, "directory holds no files"))
            for f in files:
                add_file(f, explicit=False)
        elif p.is_file():
            add_file(p, explicit=True)
        elif any(ch in name for ch in "*?["):
            matches = sorted(glob.glob(name, recursive=True))
            files = [Path(m) for m in matches if Path(m).is_file()]
            if not files:
                rejects.append(Reject(name, "no file matches this pattern"))
            for f in files:
                add_file(f, explicit=True)
        elif p.exists():
            rejects.append(Reject(name, "not a regular file"))
        else:
            rejects.append(Reject(name, "no such file or directory"))
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
    """Decode a text or HTML payload into a Document (or a Reject naming the reason)."""
    digest = sha256(raw)
    try:
        text, enc = decode_bytes(raw, declared)
    except DecodeError as exc:
        return Reject(source, str(exc), digest)
    is_html = kind == "html" or looks_like_html(text)
    return Document(source=source, sha256=digest, kind=kind, content=text, is_html=is_html,
                    encoding=enc, meta=meta or {})


def looks_like_html(text: str) -> bool:
    head = text[:3000].lower()
    return ("<html" in head or "<body" in head or "<!doctype html" in head
            or head.count("<p") + head.count("<div") + head.count("<br") >= 2)


_JSON_TEXT = ("text", "content", "body", "article", "maintext", "description")
_JSON_HTML = ("html", "raw_html", "content_html")


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
                records = json.loads(fh.read().decode("utf-8-sig"))
            except (ValueError, UnicodeDecodeError) as exc:
                yield Reject(source, f"invalid JSON ({exc})")
                return
            for i, rec in enumerate(records, 1):
                yield _json_record(rec, f"{source}#item={i}", json.dumps(rec, ensure_ascii=False).encode())
            return
        for lineno, line in enumerate(io.BufferedReader(fh), 1):  # type: ignore[arg-type]
            if not line.strip():
                continue
            where = f"{source}#line={lineno}"
            if len(line) > MAX_DOCUMENT_BYTES:
                yield Reject(where, f"line too large ({len(line) / 1e6:.1f} MB)")
                continue
            try:
                rec = json.loads(line.decode("utf-8-sig"))
            except UnicodeDecodeError:
                yield Reject(where, "line is not UTF-8 (JSON Lines must be UTF-8)", sha256(line))
                continue
            except ValueError as exc:
                yield Reject(where, f"invalid JSON ({exc.args[0] if exc.args else exc})", sha256(line))
                continue
            yield _json_record(rec, where, line.strip())


def _json_record(rec, where: str, raw: bytes) -> Document | Reject:
    if not isinstance(rec, dict):
        return Reject(where, "record is not a JSON object", sha256(raw))
    meta = {k: rec.get(k) for k in ("title", "url", "outlet", "published", "author", "source_name")
            if isinstance(rec.get(k), str) and rec.get(k).strip()}
    if "date" in rec and "published" not in meta and isinstance(rec["date"], str):
        meta["published"] = rec["date"]
    if "site" in rec and "outlet" not in meta and isinstance(rec["site"], str):
        meta["outlet"] = rec["site"]
    for key in _JSON_HTML:
        if isinstance(rec.get(key), str) and rec[key].strip():
            return Document(source=where, sha256=sha256(raw),
                            kind="jsonl", content=rec[key], is_html=True, encoding="utf-8", meta=meta)
    for key in _JSON_TEXT:
        if isinstance(rec.get(key), str) and rec[key].strip():
            return Document(source=where, sha256=sha256(raw), kind="jsonl", content=rec[key],
                            is_html=looks_like_html(rec[key]), encoding="utf-8", meta=meta)
    return Reject(where, "record has no text or html field (expected one of: text, content, body, html)", sha256(raw))
