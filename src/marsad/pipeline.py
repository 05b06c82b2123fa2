"""The pipeline: inputs → documents in the store, then every stage through the runner.

In: a :class:`~marsad.store.Store` and what the user named (paths, globs, URLs). Out: a
:class:`RunSummary` of what was ingested, skipped, split, deduplicated and rejected (with reasons);
everything itself lands in the store. Ingesting commits one transaction per document; cleaning and
the later stages are run by :mod:`marsad.runner` (one transaction per batch), so an interrupted
run can be re-run and resumes where it stopped. :func:`clean_one` is the clean stage's error path.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable

from .clean import CleanError, clean_document
from .ingest import Reject, expand_inputs, read_input
from .model import Article, Document

if TYPE_CHECKING:
    from .runner import RunReport
    from .store import Store

Progress = Callable[[str, int, int | None], None]   # (stage, done, total)


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
    stages: "RunReport | None" = None     # what every stage did (marsad.runner)


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


def clean_one(doc: Document) -> tuple[str, str, list[Article] | str]:
    try:
        return doc.sha256, doc.source, clean_document(doc)
    except CleanError as exc:
        return doc.sha256, doc.source, str(exc)
    except (RecursionError, MemoryError, ValueError) as exc:  # pathological pages: reject, never crash the run
        return doc.sha256, doc.source, f"cannot clean ({exc.__class__.__name__}: {str(exc)[:100]})"


_clean_one = clean_one


def process(store: Store, progress: Progress | None = None, workers: int | None = None,
            summary: RunSummary | None = None, engine: str = "local", address: str | None = None,
            stages: bool = False) -> RunSummary:
    """Clean every pending document into articles (and, with ``stages``, run every later stage)."""
    from .runner import run_pipeline

    summary = summary or RunSummary()
    before = store.stats()
    summary.stages = run_pipeline(store, engine=engine, workers=workers, address=address, progress=progress,
                                  cross=stages)
    after = store.stats()
    summary.documents_processed += after["documents"] - after["documents_pending"] - (
        before["documents"] - before["documents_pending"])
    summary.articles += after["articles"] - before["articles"]
    summary.split_documents += after["split_documents"] - before["split_documents"]
    summary.duplicates += after["duplicates"] - before["duplicates"]
    summary.rejects += [(r["source"], r["reason"]) for r in store.rejects()[before["rejects"]:]]
    return summary


def run_later_stages(store: Store, progress: Progress | None = None) -> None:
    """Every stage after cleaning on what the store holds that they have not seen."""
    from .runner import run_pipeline

    run_pipeline(store, progress=progress)


def analyze(store: Store, names: Iterable[str], progress: Progress | None = None,
            workers: int | None = None, fetch=None, stages: bool = True, engine: str = "local",
            address: str | None = None) -> RunSummary:
    """Ingest, clean, then run the later stages (entities, linking, ...) on what is new.

    The report is written by the caller. ``stages=False`` stops after the per-article stages.
    """
    summary = ingest(store, names, progress, fetch=fetch)
    return process(store, progress, workers, summary, engine=engine, address=address, stages=stages)
