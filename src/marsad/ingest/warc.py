"""WARC archives to documents.

In: a ``.warc`` / ``.warc.gz`` file. Out: one ``Document`` per HTTP response record with an HTML
or text body (source = the record's target URI), and ``Reject`` records for responses that are
too large or undecodable, or for an archive that is truncated or not a WARC at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..model import Document
from .sources import MAX_DOCUMENT_BYTES, Reject, document_from_bytes


def _response_document(record, n: int, source: str) -> Document | Reject | None:
    """The document a WARC record holds, a reject, or None for records that are not pages."""
    if record.rec_type not in ("response", "resource"):
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI") or f"{source}#record={n}"
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
    declared = ctype.split("charset=")[-1].split(";")[0].strip() or None if "charset=" in ctype else None
    doc = document_from_bytes(body, uri, "html" if "html" in ctype or not ctype else "txt",
                              meta={"url": uri}, declared=declared)
    if isinstance(doc, Document):
        doc.kind = "warc"
    return doc


def read_warc(path: Path, source: str, size: int) -> Iterator[Document | Reject]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    n = end = 0
    try:
        with path.open("rb") as fh:
            records = ArchiveIterator(fh)
            for record in records:
                item = _response_document(record, n, source)
                records.read_to_end(record)
                end = records.get_record_offset() + records.get_record_length()
                if item is not None:
                    n += 1
                    yield item
    except ArchiveLoadFailed as exc:
        yield Reject(source, f"not a readable WARC archive ({str(exc).splitlines()[0][:120]})")
        return
    except (EOFError, OSError, ValueError) as exc:
        yield Reject(source, f"WARC archive truncated or corrupt after {n} records ({exc.__class__.__name__})")
        return
    if end < size:
        yield Reject(source, f"WARC archive truncated or corrupt after {n} records (stopped at byte {end} of {size})")
    elif n == 0:
        yield Reject(source, "WARC archive holds no HTML or text responses")
