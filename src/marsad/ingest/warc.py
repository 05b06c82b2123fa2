"""WARC archives to documents.

In: a ``.warc`` / ``.warc.gz`` file. Out: one ``Document`` per complete HTTP response record with
an HTML or text body (source = the record's target URI), and ``Reject`` records for responses
that are too large or undecodable, for a record cut short (fewer bytes than its Content-Length),
and for an archive that is truncated, corrupt, not a WARC at all, or a decompression bomb.

How: a gzip file is first streamed through zlib member by member without keeping the output
(:func:`gzip_problem`): it must expand to at most ``max_decompressed_bytes`` and, past 10 MB, to
at most ``max_compression_ratio`` times what it has read, and its last member must end (otherwise
the file was cut). Records are then read with warcio's own ``ArchiveIterator``; its errors
(``ArchiveLoadFailed``) and its count of records not followed by the blank line the format requires
are turned into rejects, every record's block must be read to its declared length, a record whose
stated block or payload digest does not match its bytes is refused (``check_digests``), and bytes
after the last complete record that are not blank mark the archive as cut.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Iterator

from ..model import Document
from ..settings import SETTINGS
from .sources import MAX_DOCUMENT_BYTES, Reject, document_from_bytes

RATIO_FLOOR_BYTES = 10 * 1024 * 1024   # below this much output, any compression ratio is allowed


def gzip_problem(path: Path, max_out: int | None = None, max_ratio: float | None = None) -> str | None:
    """Why a gzip file cannot be read safely (bomb, truncated, corrupt), or None; nothing is kept in memory."""
    max_out = max_out or SETTINGS.ingest.max_decompressed_bytes
    max_ratio = max_ratio or SETTINGS.ingest.max_compression_ratio
    d, total, consumed, started = zlib.decompressobj(31), 0, 0, False
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(1 << 16)
            if not chunk:
                break
            consumed += len(chunk)
            data = chunk
            while data:
                started = True
                try:
                    out = d.decompress(data, 1 << 20)
                except zlib.error as exc:
                    return f"corrupt gzip data near byte {consumed} ({exc})"
                total += len(out)
                if total > max_out:
                    return f"expands to more than {max_out / 1e9:.1f} GB; refused as a decompression bomb"
                if total > RATIO_FLOOR_BYTES and total > max_ratio * consumed:
                    return (f"expands more than {max_ratio:.0f} times ({consumed / 1e3:.0f} KB read gave "
                            f"{total / 1e6:.0f} MB); refused as a decompression bomb")
                if d.eof:
                    data, d, started = d.unused_data, zlib.decompressobj(31), False
                else:
                    data = d.unconsumed_tail
    if started and not d.eof:
        return f"gzip stream truncated (cut at byte {consumed}, inside a member)"
    return None


def _record_name(record, source: str, n: int) -> str:
    """The record's target URI when it is a clean web address, else the archive and record number
    (a damaged header can hold control bytes or half a URI, which must not name an article)."""
    uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip()
    if re.fullmatch(r"https?://[^\s\x00-\x1f\x7f]+", uri):
        return uri
    return f"{source}#record={n}"


def _response_document(record, n: int, source: str) -> Document | Reject | None:
    """The document a WARC record holds, a reject, or None for records that are not pages."""
    if record.rec_type not in ("response", "resource"):
        return None
    uri = _record_name(record, source, n)
    headers = record.http_headers if record.http_headers is not None else record.rec_headers
    if record.http_headers is not None:
        status = record.http_headers.get_statuscode()
        if status and not status.startswith("2"):
            return None
    ctype = (headers.get_header("Content-Type") or "").lower()
    if ctype and not any(t in ctype for t in ("html", "text/plain", "xml")):
        return None
    body = record.content_stream().read(MAX_DOCUMENT_BYTES + 1)
    if len(body) > MAX_DOCUMENT_BYTES:
        return Reject(uri, "WARC response too large for one article")
    if record.raw_stream.limit > 0:  # the block ended before its Content-Length: the archive was cut
        return None                  # (reported for the whole archive by read_warc)
    declared = ctype.split("charset=")[-1].split(";")[0].strip() or None if "charset=" in ctype else None
    doc = document_from_bytes(body, uri, "html" if "html" in ctype or not ctype else "txt",
                              meta={"url": uri}, declared=declared)
    if isinstance(doc, Document):
        doc.kind = "warc"
    return doc


def _iterator(fh):
    from warcio.archiveiterator import ArchiveIterator

    class QuietIterator(ArchiveIterator):
        INC_RECORD = ""   # counted in err_count and reported as a reject instead of printed

    return QuietIterator(fh, check_digests=True)


def _stray_bytes(path: Path, end: int) -> int:
    """How many bytes after the last complete record are not blank (a cut or corrupt record)."""
    with path.open("rb") as fh:
        fh.seek(end)
        tail = fh.read(1 << 20)
    return len(tail.strip(b"\r\n\x00 "))


def read_warc(path: Path, source: str, size: int) -> Iterator[Document | Reject]:
    from warcio.exceptions import ArchiveLoadFailed

    with path.open("rb") as fh:
        head = fh.read(64)
    if head[:2] == b"\x1f\x8b":
        problem = gzip_problem(path)
        if problem:
            yield Reject(source, problem)
            return
        import gzip

        with gzip.open(path, "rb") as fh:
            head = fh.read(64)
    if not head.lstrip(b"\r\n").startswith((b"WARC/", b"filedesc://")):   # WARC or ARC
        yield Reject(source, f"not a WARC archive (it starts with {head[:16]!r}, not WARC/)")
        return
    n = records = end = 0
    try:
        with path.open("rb") as fh:
            it = _iterator(fh)
            for record in it:
                records += 1
                item = _response_document(record, n, source)
                it.read_to_end(record)
                if record.raw_stream.limit > 0 or record.rec_headers.get_header("WARC-Record-ID") is None:
                    yield Reject(source, f"WARC record {records} at byte {it.get_record_offset()} is incomplete: the archive is cut, or not a WARC")
                    return
                end = it.get_record_offset() + it.get_record_length()
                if record.digest_checker.passed is False:  # a digest the record states does not match its bytes
                    yield Reject(_record_name(record, source, records), f"WARC record damaged or cut: {'; '.join(record.digest_checker.problems)[:200]}")
                    continue
                if item is not None:
                    n += 1
                    yield item
            damaged = it.err_count
    except ArchiveLoadFailed as exc:
        yield Reject(source, f"not a readable WARC archive ({str(exc).splitlines()[0][:120]})")
        return
    except Exception as exc:  # warcio raises assorted errors (AttributeError, ValueError, ...) on cut headers
        yield Reject(source, f"WARC archive truncated or corrupt after {records} records ({exc.__class__.__name__})")
        return
    stray = _stray_bytes(path, end) if records else 0
    if damaged:
        yield Reject(source, f"WARC archive corrupt: {damaged} record(s) not followed by the blank line the "
                             "format requires (a wrong Content-Length, or the file was cut)")
    elif stray:
        yield Reject(source, f"WARC archive truncated or corrupt after record {records} "
                             f"({stray} bytes at byte {end} are not a complete record)")
    elif records == 0:
        yield Reject(source, "not a WARC archive, or cut inside its first record header")
    elif n == 0:
        yield Reject(source, "WARC archive holds no HTML or text responses")
