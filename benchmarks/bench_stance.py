"""Benchmark of the stance classifier: sentence pairs per second per core.

In: a number of pairs (``--n``, default 2000). Pairs are taken from the ANS dev split in
``../shared/data/stance/ans/stance/dev.csv`` when present (repeated as needed), else generated from
a few hand-written headline pairs with numbered variants. The model is loaded and warmed first.

Out: one line (and with ``--json`` a JSON object): pairs, wall and CPU seconds of
``StanceClassifier.predict``, pairs per second, and pairs per second per core (pairs / CPU seconds).
Speed is reported, never asserted.

Usage: ``python benchmarks/bench_stance.py [--n 2000] [--json]``
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from marsad.claims.stance import StanceClassifier  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "stance" / "ans" / "stance" / "dev.csv"
FALLBACK = [
    ("الجيش السوري يسيطر على مدينة درعا", "سيطرة الجيش السوري على مدينة درعا"),
    ("روسيا تعلن خطة لإنقاذ الأسد", "روسيا تنفي وجود أي خطة لإنقاذ الأسد"),
    ("ارتفاع أسعار الذهب في الأسواق العالمية", "منتخب المغرب يفوز على تونس في مباراة ودية"),
]


def pairs(n: int) -> list[tuple[str, str]]:
    if DEV.exists():
        with DEV.open(encoding="utf-8", newline="") as fh:
            base = [(r["s1"], r["s2"]) for r in csv.DictReader(fh)]
    else:
        base = FALLBACK
    out = []
    i = 0
    while len(out) < n:
        a, b = base[i % len(base)]
        k = i // len(base)
        out.append((a if k == 0 else f"{a} {k}", b if k == 0 else f"{b} {k}"))
        i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    clf = StanceClassifier.load()
    clf.predict(FALLBACK)  # warm the encoder
    data = pairs(args.n)
    w0, c0 = time.perf_counter(), time.process_time()
    clf.predict(data)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    res = {"pairs": len(data), "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
           "pairs_per_s": round(len(data) / wall, 1), "pairs_per_s_per_core": round(len(data) / cpu, 1)}
    if args.json:
        print(json.dumps(res))
    else:
        print(f"{res['pairs']} pairs: {res['wall_s']} s wall, {res['cpu_s']} s CPU, "
              f"{res['pairs_per_s']} pairs/s, {res['pairs_per_s_per_core']} pairs/s per core")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
