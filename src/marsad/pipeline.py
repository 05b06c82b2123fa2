"""The pipeline: inputs → documents in the store, then every stage through the runner.

In: a :class:`~marsad.store.Store` and what the user named (paths, globs, URLs). Out: a
:class:`RunSummary` of what was ingested, skipped, split, deduplicated and rejected (with reasons);
everything itself lands in the store. Ingesting commits one transaction per document; cleaning and
the later stages are run by :mod:`marsad.runner` (one transaction per batch), so an interrupted
run can be re-run and resumes where it stopped. :func:`clean_one` is the clean stage's error path.

Nothing one input does stops a run: any exception while reading, decoding or parsing an input, or
cleaning a document, becomes a stored rejection naming the input and the reason; reading one item
and cleaning one document each have a time budget (``[ingest]`` / ``[clean] time_limit_seconds``),
and an article longer than ``[clean] max_article_chars`` is refused. Decoding warnings (damaged bytes
kept as U+FFFD, and where) are stored with the document's source.

One writer at a time: :func:`ingest`, :func:`process`, :func:`run_later_stages` and :func:`analyze`
hold an exclusive lock on ``STORE.lock`` (``flock``) for their duration; a second run on the same
store (another ``analyze``, the web app's ingest job) says so on standard error and waits for it.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from .clean import CleanError, clean_document
from .errors import TimeLimit, time_limit
from .ingest import Reject, expand_inputs, read_input
from .model import Article, Document
from .settings import SETTINGS

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
    warnings: list[tuple[str, str]] = field(default_factory=list)   # (source, warning): stored, but damaged
    missing: list[str] = field(default_factory=list)                 # inputs named that do not exist
    stages: "RunReport | None" = None     # what every stage did (marsad.runner)


_HELD: dict[str, int] = {}   # store lock files this process holds, with their nesting depth


@contextmanager
def writer_lock(store):
    """Hold the store's writer lock (reentrant within one process); wait, saying so, if another run holds it."""
    path = getattr(store, "path", None)
    if not path or path == ":memory:" or str(path).startswith("file:"):
        yield
        return
    key = str(Path(path).resolve()) + ".lock"
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    with open(key, "a+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            sys.stderr.write(f"marsad: another marsad run is writing {path}; waiting for it to finish\n")
            sys.stderr.flush()
            fcntl.flock(fh, fcntl.LOCK_EX)
        _HELD[key] = 1
        try:
            yield
        finally:
            del _HELD[key]
            fcntl.flock(fh, fcntl.LOCK_UN)


def exclusive(fn):
    """Run ``fn(store, ...)`` holding the store's writer lock."""
    @functools.wraps(fn)
    def wrapper(store, *args, **kwargs):
        with writer_lock(store):
            return fn(store, *args, **kwargs)
    return wrapper


def _file_sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:160]
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


def _items(inp, fetch):
    """The input's documents and rejects; an exception or an item over its time budget ends the input
    with a reject (what was read before it is kept)."""
    it = iter(read_input(inp, fetch=fetch))
    seconds = SETTINGS.ingest.time_limit_seconds if inp.kind != "url" else 0   # URLs have their own time-out
    if seconds and inp.kind in ("warc", "rss", "jsonl"):   # a container is checked or parsed whole first
        try:
            seconds += inp.path.stat().st_size / (SETTINGS.ingest.container_mb_per_second * 1e6)
        except OSError:
            pass
    while True:
        try:
            with time_limit(seconds):
                item = next(it)
        except StopIteration:
            return
        except TimeLimit as exc:
            yield Reject(inp.source, f"reading took too long ({exc}); the rest of this input is skipped")
            return
        except Exception as exc:  # a bug or a library's surprise on hostile bytes: reject, never abort the run
            yield Reject(inp.source, f"cannot read ({_reason(exc)})")
            return
        yield item


def _reject(store, summary: RunSummary, source: str, reason: str, sha: str | None = None) -> None:
    store.add_reject(source, reason, sha)
    summary.rejects.append((source, reason))
    if reason == "no such file or directory":
        summary.missing.append(source)


def _store_document(store, summary: RunSummary, doc: Document) -> None:
    for w in doc.meta.pop("warnings", None) or []:
        store.add_warning(doc.source, w, doc.sha256)
        summary.warnings.append((doc.source, w))
    if store.add_document(doc):
        summary.documents_new += 1
    else:
        summary.documents_known += 1


@exclusive
def ingest(store: Store, names: Iterable[str], progress: Progress | None = None,
           summary: RunSummary | None = None, fetch=None, exclude: Iterable[str] = ()) -> RunSummary:
    """Read every input into stored (pending) documents; rejects are stored with their reasons.

    ``exclude``: paths never read besides the store's own files (the run's report)."""
    summary = summary or RunSummary()
    own = [store.path + suffix for suffix in ("", "-wal", "-shm", "-journal", ".lock")]   # the store's own files
    inputs, rejects = expand_inputs(list(names), exclude=_resolved([*own, *exclude]))
    for r in rejects:
        _reject(store, summary, r.source, r.reason, r.sha256)
    summary.inputs += len(inputs)
    for i, inp in enumerate(inputs):
        digest = None
        if inp.path is not None:
            try:
                digest = _file_sha256(inp.path)
            except OSError as exc:
                _reject(store, summary, inp.source, f"cannot read ({exc.strerror or exc})")
                continue
            if store.input_finished(digest):
                summary.inputs_unchanged += 1
                if progress:
                    progress("ingest", i + 1, len(inputs))
                continue
        n = 0
        for item in _items(inp, fetch):
            if isinstance(item, Reject):
                _reject(store, summary, item.source, item.reason, item.sha256)
            else:
                n += 1
                _store_document(store, summary, item)
        if digest is not None:
            store.finish_input(digest, inp.source, inp.kind, n)
        if progress:
            progress("ingest", i + 1, len(inputs))
    return summary


def _resolved(paths: Iterable[str]) -> set[str]:
    out = set()
    for p in paths:
        try:
            out.add(str(Path(p).resolve()))
        except (OSError, RuntimeError):
            pass
    return out


def clean_one(doc: Document) -> tuple[str, str, list[Article] | str]:
    """Clean one document within its time budget: ``(sha256, source, articles or the reason it was refused)``."""
    try:
        with time_limit(SETTINGS.clean.time_limit_seconds):
            articles = clean_document(doc)
    except CleanError as exc:
        return doc.sha256, doc.source, str(exc)
    except TimeLimit as exc:
        return doc.sha256, doc.source, f"cleaning took too long ({exc}); not one article's page?"
    except Exception as exc:  # pathological pages and library surprises: reject, never crash the run
        return doc.sha256, doc.source, f"cannot clean ({_reason(exc)})"
    limit = SETTINGS.clean.max_article_chars
    longest = max((len(a.text) for a in articles), default=0)
    if longest > limit:
        return doc.sha256, doc.source, (f"article text too long ({longest:,} characters > {limit:,}); "
                                        "not one article: split it or use JSON Lines")
    return doc.sha256, doc.source, articles


_clean_one = clean_one


@exclusive
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


@exclusive
def run_later_stages(store: Store, progress: Progress | None = None) -> None:
    """Every stage after cleaning on what the store holds that they have not seen."""
    from .runner import run_pipeline

    run_pipeline(store, progress=progress)


@exclusive
def analyze(store: Store, names: Iterable[str], progress: Progress | None = None,
            workers: int | None = None, fetch=None, stages: bool = True, engine: str = "local",
            address: str | None = None, exclude: Iterable[str] = ()) -> RunSummary:
    """Ingest, clean, then run the later stages (entities, linking, ...) on what is new.

    The report is written by the caller. ``stages=False`` stops after the per-article stages.
    ``exclude``: files never read as input (the caller's store and report).
    """
    summary = ingest(store, names, progress, fetch=fetch, exclude=exclude)
    return process(store, progress, workers, summary, engine=engine, address=address, stages=stages)
