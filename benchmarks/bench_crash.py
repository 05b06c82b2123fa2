"""Crash safety at scale: ``marsad analyze`` killed with SIGKILL at random points on a generated corpus.

In: a corpus size (default 1000 generated articles, written as JSON Lines files of 50), the number of
kills, a seed. Out: a table (and ``--json FILE``): the uninterrupted run's wall time, each killed
run's kill time and what the store held then, the final run's wall time, ``PRAGMA integrity_check``,
and whether articles (none lost, none stored twice), stories, storylines, claims, claim groups and
events equal those of the uninterrupted run (compared by what ids name, as ``tests/test_crash.py``
does on a dozen documents in the suite). Run it on a quiet tree: the runs must all use the same code.
Usage::

    .venv/bin/python benchmarks/bench_crash.py --n 1000 --kills 5
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.bench.generate import generate  # noqa: E402
from marsad.store import Store  # noqa: E402
from tests.test_crash import _analyze, _comparable, _export  # noqa: E402

PARTS = ("articles", "stories", "storylines", "claims", "claim_groups", "events")


def write_files(n: int, folder: Path, per_file: int = 50) -> Path:
    folder.mkdir(parents=True)
    records = generate(n)
    for k in range(0, n, per_file):
        with (folder / f"part{k // per_file:03d}.jsonl").open("w", encoding="utf-8") as fh:
            for rec in records[k:k + per_file]:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return folder


def run(n: int, kills: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        inputs = write_files(n, base / "in")
        t0 = time.monotonic()
        proc = _analyze(inputs, base / "reference.db")
        _, err = proc.communicate()
        reference_s = time.monotonic() - t0
        if proc.returncode != 0:
            raise SystemExit(f"the uninterrupted run failed (exit {proc.returncode}): {err[-2000:]}")
        expected = _comparable(_export(base / "reference.db"))
        db, rng, killed = base / "killed.db", random.Random(seed), []
        for _ in range(kills):
            at = rng.uniform(0.05, 0.95) * reference_s
            proc = _analyze(inputs, db)
            time.sleep(at)
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            held = {}
            if db.exists():
                store = Store(db)
                s = store.stats()
                held = {"documents": s["documents"], "articles": s["articles"], "pending": s["documents_pending"]}
                store.close()
            killed.append({"killed_at_s": round(at, 1), **held})
        t0 = time.monotonic()
        proc = _analyze(inputs, db)
        _, err = proc.communicate()
        final_s = time.monotonic() - t0
        if proc.returncode != 0:
            raise SystemExit(f"the final run failed (exit {proc.returncode}): {err[-2000:]}")
        store = Store(db)
        integrity = store.integrity_check()
        store.close()
        got = _comparable(_export(db))
        return {"n": n, "reference_s": round(reference_s, 1), "kills": killed, "final_s": round(final_s, 1),
                "final_exit": proc.returncode, "integrity": integrity,
                "articles": len(got["articles"]), "expected_articles": len(expected["articles"]),
                "equal": {p: got[p] == expected[p] for p in PARTS}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    res = run(args.n, args.kills, args.seed)
    print(f"N={res['n']}: uninterrupted {res['reference_s']} s; final run after {len(res['kills'])} kills "
          f"{res['final_s']} s (exit {res['final_exit']}); integrity_check {res['integrity']}; "
          f"articles {res['articles']} / {res['expected_articles']}")
    for k in res["kills"]:
        print(f"  killed at {k['killed_at_s']:>6} s: store held {k.get('documents', 0)} documents, "
              f"{k.get('articles', 0)} articles, {k.get('pending', 0)} pending")
    print("  equal to the uninterrupted run: " + ", ".join(f"{p} {'yes' if ok else 'NO'}" for p, ok in res["equal"].items()))
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
