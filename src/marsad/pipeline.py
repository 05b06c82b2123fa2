"""The pipeline: inputs → documents → clean articles in the store.

In: a :class:`~marsad.store.Store` and what the user named (paths, globs, URLs). Out: a
:class:`RunSummary` of what was ingested, skipped, split, deduplicated and rejected (with reasons);
everything itself lands in the store, one transaction per document, so an interrupted run can be
re-run and resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterable

from .clean import CleanError, clean_document
from .ingest import Reject, expand_inputs, read_input
from .model import Article, Document
from .store import Store

Progress = Callable[[str, int, int | None], None]   # (stage, done, total)
PARALLEL_MIN_DOCUMENTS = 64


@dataclass
class RunSummary:
    inputs: int = 0
    inputs_unchanged: int = 0
    documents_new: int = 0
    documents_known: int = 0
    documents_processed: int = 0
    articles: int = 0
    split_documents: int = 0
    duplicates: int = 0
    rejects: list[tuple[str, str]] = field(default_factory=list)


def _file_sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ingest(store: Store, names: Iterable[str], progress: Progress | None = None,
           summary: RunSummary | None = None, fetch=None) -> RunSummary:
    """Read every input into stored (pending) documents; rejects are stored with their reasons."""
    summary = summary or RunSummary()
    inputs, rejects = expand_inputs(list(names))
    for r in rejects:
        store.add_reject(r.source, r.reason, r.sha256)
        summary.rejects.append((r.source, r.reason))
    summary.inputs += len(inputs)
    for i, inp in enumerate(inputs):
        digest = None
        if inp.path is not None:
            try:
                digest = _file_sha256(inp.path)
            except OSError as exc:
                store.add_reject(inp.source, f"cannot read ({exc.strerror or exc})")
                summary.rejects.append((inp.source, f"cannot read ({exc.strerror or exc})"))
                continue
            if store.input_finished(digest):
                summary.inputs_unchanged += 1
                if progress:
                    progress("ingest", i + 1, len(inputs))
                continue
        n = 0
        for item in read_input(inp, fetch=fetch):
            if isinstance(item, Reject):
                store.add_reject(item.source, item.reason, item.sha256)
                summary.rejects.append((item.source, item.reason))
                continue
            n += 1
            if store.add_document(item):
                summary.documents_new += 1
            else:
                summary.documents_known += 1
        if digest is not None:
            store.finish_input(digest, inp.source, inp.kind, n)
        if progress:
            progress("ingest", i + 1, len(inputs))
    return summary


def _clean_one(doc: Document) -> tuple[str, str, list[Article] | str]:
    try:
        return doc.sha256, doc.source, clean_document(doc)
    except CleanError as exc:
        return doc.sha256, doc.source, str(exc)
    except (RecursionError, MemoryError, ValueError) as exc:  # pathological pages: reject, never crash the run
        return doc.sha256, doc.source, f"cannot clean ({exc.__class__.__name__}: {str(exc)[:100]})"


def process(store: Store, progress: Progress | None = None, workers: int | None = None,
            summary: RunSummary | None = None) -> RunSummary:
    """Clean every pending document into articles; each document is committed on its own."""
    summary = summary or RunSummary()
    total = store.count_pending()
    if total == 0:
        return summary
    docs = store.pending_documents()
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers > 1 and total >= PARALLEL_MIN_DOCUMENTS:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = pool.map(_clean_one, docs, chunksize=16)
            _store_results(store, results, total, progress, summary)
    else:
        _store_results(store, map(_clean_one, docs), total, progress, summary)
    return summary


def _store_results(store, results, total, progress, summary) -> None:
    for i, (sha, source, out) in enumerate(results):
        if isinstance(out, str):
            store.reject_document(sha, source, out)
            summary.rejects.append((source, out))
        else:
            store.save_articles(sha, out)
            summary.articles += len(out)
            summary.split_documents += len(out) > 1
            summary.duplicates += sum(a.duplicate_of is not None for a in out)
        summary.documents_processed += 1
        if progress:
            progress("clean", i + 1, total)


def later_stages() -> list[Callable]:
    """The stages after cleaning, in order; each is ``stage(store, progress)`` and works incrementally
    (it only visits articles it has not seen, so re-running costs nothing)."""
    from .claims import extract_claims
    from .entities.stage import tag_entities
    from .events import extract_events
    from .link import link_articles

    return [tag_entities, lambda store, progress=None: link_articles(store, progress=progress),
            extract_claims, extract_events]


def run_later_stages(store: Store, progress: Progress | None = None) -> None:
    for stage in later_stages():
        stage(store, progress)


def analyze(store: Store, names: Iterable[str], progress: Progress | None = None,
            workers: int | None = None, fetch=None, stages: bool = True) -> RunSummary:
    """Ingest, clean, then run the later stages (entities, linking, ...) on what is new.

    The report is written by the caller. ``stages=False`` stops after cleaning.
    """
    summary = ingest(store, names, progress, fetch=fetch)
    summary = process(store, progress, workers, summary)
    if stages:
        run_later_stages(store, progress)
    return summary
