"""End-to-end benchmark of ``marsad analyze`` on generated articles, and the cost of adding a few.

In: corpus sizes (default 1000 2000 4000 8000), workers, engine. Out: a table (and ``--json FILE``)
with, per size, wall seconds, CPU seconds (marsad and every process it started), articles/second,
peak resident memory of the largest process, the per-stage seconds the runner stored
(``stage_runs``), and the growth exponent fitted over the sizes (wall time ∝ N^k). With
``--add 50`` the last size is followed by a second run adding that many new articles of the same
distribution to the same store: its per-article cost against the first run's.

Each run is ``marsad analyze FILE --db DB --report R`` in a child process, so its figures are the
whole command's (report included). Usage::

    .venv/bin/python benchmarks/bench_analyze.py --sizes 1000 2000 4000 8000 --workers 2 --add 50
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from marsad.bench.generate import generate

MARSAD = str(Path(sys.executable).with_name("marsad"))


def _children() -> tuple[float, float]:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime, r.ru_maxrss / 1024


def _write(records: list[dict], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def _stage_seconds(db: Path, since_id: int) -> tuple[dict[str, float], int]:
    con = sqlite3.connect(db)
    rows = con.execute("SELECT id, stage, seconds FROM stage_runs WHERE id > ? ORDER BY id", (since_id,)).fetchall()
    con.close()
    out: dict[str, float] = {}
    for _, stage, sec in rows:
        out[stage] = out.get(stage, 0.0) + sec
    return out, max([since_id] + [r[0] for r in rows])


def analyze(corpus: Path, db: Path, workers: int, engine: str, since: int = 0) -> dict:
    """One ``marsad analyze`` in a child process: wall, CPU and peak memory, stage seconds."""
    cpu0, _ = _children()
    t0 = time.perf_counter()
    cmd = [MARSAD, "analyze", str(corpus), "--db", str(db), "--report", str(db.with_suffix(".html")),
           "--workers", str(workers), "--engine", engine]
    r = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"analyze failed ({r.returncode}): {r.stderr[-2000:]}")
    cpu1, peak = _children()
    stages, last = _stage_seconds(db, since)
    return {"wall": wall, "cpu": cpu1 - cpu0, "peak_mb": peak, "stages": stages, "last_run_id": last}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 4000, 8000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--engine", default="local")
    ap.add_argument("--add", type=int, default=0, help="then add this many new articles to the last size's store")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="marsad-bench-analyze-"))
    rows = []
    try:
        for n in args.sizes:
            records = generate(n + (args.add if n == args.sizes[-1] else 0))
            corpus = _write(records[:n], tmp / f"c{n}.jsonl")
            res = analyze(corpus, tmp / f"s{n}.db", args.workers, args.engine)
            res.update(n=n, rate=n / res["wall"])
            rows.append(res)
            print(f"N={n:>6}  wall {res['wall']:8.1f} s  CPU {res['cpu']:8.1f} s  {res['rate']:6.1f} articles/s  "
                  f"peak {res['peak_mb']:6.0f} MB  stages " + ", ".join(f"{k} {v:.1f}" for k, v in res["stages"].items()),
                  flush=True)
            if args.add and n == args.sizes[-1]:
                extra = _write(records[n:], tmp / f"add{args.add}.jsonl")
                inc = analyze(extra, tmp / f"s{n}.db", args.workers, args.engine, since=res["last_run_id"])
                inc.update(n=args.add, base=n, per_article=inc["wall"] / args.add, first_per_article=res["wall"] / n)
                inc["ratio"] = inc["per_article"] / inc["first_per_article"]
                stage_first = sum(res["stages"].values()) / n
                inc["stage_ratio"] = (sum(inc["stages"].values()) / args.add) / stage_first if stage_first else None
                rows.append({"incremental": inc})
                print(f"add {args.add} to {n}: wall {inc['wall']:.1f} s = {inc['per_article']:.3f} s/article vs "
                      f"{inc['first_per_article']:.3f} first run (x{inc['ratio']:.2f}; stages only x{inc['stage_ratio']:.2f})  "
                      "stages " + ", ".join(f"{k} {v:.1f}" for k, v in inc["stages"].items()), flush=True)
        sized = [r for r in rows if "n" in r and "incremental" not in r]
        if len(sized) >= 2:
            xs = [math.log(r["n"]) for r in sized]
            ys = [math.log(r["wall"]) for r in sized]
            mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
            k = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
            print(f"growth exponent (wall ∝ N^k): k = {k:.2f}")
            rows.append({"growth_exponent": k})
        if args.json:
            args.json.write_text(json.dumps(rows, indent=1))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
