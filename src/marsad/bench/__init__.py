"""Benchmarks: generated corpora, throughput, CPU time and peak memory per pipeline stage.

In: corpus sizes N, a number of workers and an engine. Out: one record per (N, stage) with items,
wall seconds, items/second, items/second per core and peak resident memory (MB), plus an
``end-to-end`` record (ingest through the last stage) with CPU seconds and the workers' peak. The
corpora are varied generated articles (:mod:`marsad.bench.generate`: templates × places, actors,
people, outlets, numbers and dates from the project's gazetteers and lexicons, in stories, with a
few wire copies), written as JSON Lines (one in ten an HTML page). The stages run through the
runner exactly as ``marsad analyze`` runs them.
"""

from __future__ import annotations

import os
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

from .generate import generate, write_corpus

__all__ = ["run_bench", "generate", "write_corpus", "cpu_seconds", "peak_mb", "children_peak_mb"]

STAGE_UNITS = {"clean": "documents", "entities": "articles", "attributions": "articles", "signatures": "articles",
               "link": "articles", "claims": "claims", "events": "sentences"}


def _peak_reset() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def peak_mb() -> float:
    """This process's peak resident memory (since the last reset), MB."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_mb() -> float:
    """The largest peak resident memory of any finished child process (pool workers, subprocesses), MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def _units(store, name: str, report_items: int) -> int:
    c = store.counts()
    return {"link": c["articles"], "claims": c["claims"], "events": c["sentences"]}.get(name, report_items)


def run_bench(sizes: list[int], workers: int | None = None, progress: Callable[[str], None] | None = None,
              later_stages: bool = False, engine: str = "local") -> list[dict]:
    from ..pipeline import ingest
    from ..runner import run_pipeline
    from ..stages import per_article_stages
    from ..store import Store

    say = progress or (lambda msg: None)
    results: list[dict] = []
    cores = workers or os.cpu_count() or 1

    def record(n, stage, items, seconds, peak, ncores=1, **extra):
        rate = items / seconds if seconds else 0.0
        results.append({"n": n, "stage": stage, "items": items, "seconds": seconds, "rate": rate,
                        "rate_per_core": rate / ncores, "peak_rss_mb": peak, "cores": ncores, **extra})

    for n in sizes:
        tmp = Path(tempfile.mkdtemp(prefix=f"marsad-bench-{n}-"))
        try:
            say(f"generating {n} articles in {tmp}")
            corpus = write_corpus(n, tmp / "corpus.jsonl")
            store = Store(tmp / "bench.db")
            _peak_reset()
            wall0, cpu0 = time.perf_counter(), cpu_seconds()
            say("ingest into the store")
            ingest(store, [str(corpus)])
            record(n, "ingest (read+hash+store)", n, time.perf_counter() - wall0, peak_mb())
            say(f"stages with {cores} worker(s) ({engine})" + ("" if later_stages else ": the per-article stages only"))
            report = run_pipeline(store, engine=engine, workers=cores, cross=later_stages)
            for rep in report.stages.values():
                per_article = rep.name in {s.name for s in per_article_stages()}
                record(n, f"{rep.name} ({STAGE_UNITS.get(rep.name, 'items')})", _units(store, rep.name, rep.items),
                       rep.seconds, peak_mb(), cores if per_article else 1)
            articles = store.stats()["articles"]
            wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
            record(n, "end-to-end (articles)", articles, wall, peak_mb(), cores, cpu_seconds=cpu,
                   workers_peak_mb=children_peak_mb())
            store.close()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return results
