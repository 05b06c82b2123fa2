"""Ingest: inputs to raw documents.

In: paths, directories (recursive), globs, ``http(s)`` URLs. Out: a stream of
:class:`~marsad.model.Document` (one per article-bearing unit: a text or HTML file, a JSON Lines
record, a feed item, a WARC response) and :class:`Reject` records that name the input and the
reason it was refused. Each document carries the SHA-256 of its own bytes, so re-ingesting the
same bytes is a no-op at the store.
"""

from .sources import Input, Reject, expand_inputs, read_input

__all__ = ["Input", "Reject", "expand_inputs", "read_input"]
