"""Benchmarks: generated corpora, throughput and peak memory per pipeline stage.

In: corpus sizes N. Out: one record per (N, stage) with items, seconds, items/second, items/second
per core and peak resident memory (MB) during the stage. Corpora are generated from the example
articles in ``examples/`` (or the package's built-in sample when the examples are not around):
each generated article is an example with its paragraphs reordered, its numbers changed, a unique
title and a random selection of page furniture, written as plain-text scrapes (9 in 10) and HTML
pages (1 in 10).
"""

from __future__ import annotations

import os
import random
import re
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

FURNITURE_HEAD = ["الرئيسية > أخبار عربية > سوريا", "أخبار عاجلة", "+ = -", "شبكة النموذج || متابعات", "عاجل"]
FURNITURE_TAIL = ["نسخ الرابط تم نسخ الرابط", "اشترك في النشرة البريدية لتصلك آخر الأخبار", "تابعنا على مواقع التواصل الاجتماعي",
                  "كلمات دلالية: سوريا دمشق حلب", "0 تعليق", "السابق عنوان خبر سابق عن الاقتصاد", "زر الذهاب إلى الأعلى"]
MONTHS = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]


def _peak_reset() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _peak_mb() -> float:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _templates() -> list[tuple[str, list[str]]]:
    """(title, paragraphs) pairs from the example corpus."""
    from ..clean import clean_document
    from ..ingest import expand_inputs, read_input
    from ..model import Document

    root = Path(__file__).resolve().parents[3] / "examples"
    out = []
    if root.is_dir():
        inputs, _ = expand_inputs([str(root)])
        for inp in inputs:
            for doc in read_input(inp):
                if isinstance(doc, Document):
                    for a in clean_document(doc):
                        out.append((a.title or "", a.text.split("\n\n")))
    if not out:
        raise RuntimeError("bench needs the examples/ folder of a marsad checkout")
    return out


def generate_corpus(n: int, folder: Path, seed: int = 13) -> int:
    """Write ``n`` generated articles into ``folder``; returns the number written."""
    rng = random.Random(seed)
    templates = _templates()
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        title, paras = rng.choice(templates)
        paras = paras[:]
        if len(paras) > 2:
            head, rest = paras[0], paras[1:]
            rng.shuffle(rest)
            paras = [head] + rest
        paras = [re.sub(r"\d+", lambda m: str(rng.randint(2, 999)), p) for p in paras]
        day, month = rng.randint(1, 28), rng.choice(MONTHS)
        t = f"{title} ({i})"
        if i % 10 == 9:
            body = "".join(f"<p>{p}</p>" for p in paras)
            html = (f'<html dir="rtl"><head><meta charset="utf-8"><title>{t}</title></head><body><nav><a href="/">الرئيسية</a>'
                    f'<a href="/s">سياسة</a></nav><article><h1>{t}</h1><time>{day} {month} 2024</time>{body}</article>'
                    f"<footer>جميع الحقوق محفوظة</footer></body></html>")
            (folder / f"{i:06d}.html").write_text(html, encoding="utf-8")
        else:
            lines = rng.sample(FURNITURE_HEAD, 2) + [t, f"{day} {month} 2024"] + paras + rng.sample(FURNITURE_TAIL, 3)
            (folder / f"{i:06d}.txt").write_text("\n\n".join(lines), encoding="utf-8")
    return n


STAGE_UNITS = {"entities": ("articles", "SELECT count(*) FROM articles"),
               "link": ("articles", "SELECT count(*) FROM articles"),
               "claims": ("claims", "SELECT count(*) FROM claims"),
               "events": ("sentences", "SELECT count(*) FROM sentences")}


def run_bench(sizes: list[int], workers: int | None = None, progress: Callable[[str], None] | None = None,
              later_stages: bool = False) -> list[dict]:
    from ..clean import clean_document
    from ..ingest import expand_inputs, read_input
    from ..model import Document
    from ..pipeline import ingest, process
    from ..store import Store

    say = progress or (lambda msg: None)
    results: list[dict] = []
    cores = workers or os.cpu_count() or 1

    def record(n, stage, items, seconds, peak, ncores=1):
        rate = items / seconds if seconds else 0.0
        results.append({"n": n, "stage": stage, "items": items, "seconds": seconds, "rate": rate,
                        "rate_per_core": rate / ncores, "peak_rss_mb": peak, "cores": ncores})

    for n in sizes:
        tmp = Path(tempfile.mkdtemp(prefix=f"marsad-bench-{n}-"))
        try:
            say(f"generating {n} articles in {tmp}")
            generate_corpus(n, tmp / "corpus")
            inputs, _ = expand_inputs([str(tmp / "corpus")])
            docs = [d for inp in inputs for d in read_input(inp) if isinstance(d, Document)]
            text_docs = [d for d in docs if not d.is_html]
            html_docs = [d for d in docs if d.is_html]

            for name, subset in (("clean text (1 core)", text_docs), ("clean html (1 core)", html_docs)):
                say(f"{name}: {len(subset)} documents")
                _peak_reset()
                t0 = time.perf_counter()
                for d in subset:
                    clean_document(d)
                record(n, name, len(subset), time.perf_counter() - t0, _peak_mb())

            store = Store(tmp / "bench.db")
            say("ingest into the store")
            _peak_reset()
            t0 = time.perf_counter()
            ingest(store, [str(tmp / "corpus")])
            record(n, "ingest (read+hash+store)", len(docs), time.perf_counter() - t0, _peak_mb())
            say(f"process with {cores} worker(s)")
            _peak_reset()
            t0 = time.perf_counter()
            run = process(store, workers=cores)
            record(n, f"process (clean+store, {cores} workers)", run.articles, time.perf_counter() - t0, _peak_mb(), cores)
            if later_stages:
                _bench_later_stages(store, n, record, say, cores)
            store.close()
            del docs, text_docs, html_docs
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return results


def _bench_later_stages(store, n: int, record, say, cores: int) -> None:
    """Time each stage after cleaning on the benchmark store (entities use ``cores`` processes, the rest one)."""
    from ..claims import extract_claims
    from ..entities.stage import tag_entities
    from ..events import extract_events
    from ..link import link_articles

    stages = [("entities", lambda: tag_entities(store, workers=cores), cores), ("link", lambda: link_articles(store), 1),
              ("claims", lambda: extract_claims(store), 1), ("events", lambda: extract_events(store), 1)]
    for name, run, ncores in stages:
        say(f"stage {name}")
        _peak_reset()
        t0 = time.perf_counter()
        run()
        seconds = time.perf_counter() - t0
        unit, sql = STAGE_UNITS[name]
        items = store.db.execute(sql).fetchone()[0]
        record(n, f"{name} ({unit})", items, seconds, _peak_mb(), ncores)
