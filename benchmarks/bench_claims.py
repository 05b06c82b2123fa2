"""Benchmark of the claims stage (attribution, claims, grouping, origins, contradictions, signals).

In: corpus sizes (``--n 50 200``). For each size a corpus is generated into a fresh store: each
article recombines 6–14 sentences drawn from ``../shared/seeds`` (real Arabic news sentences with
their reporting verbs and sources), with a few words of each sentence replaced by words of other
sentences so that articles are not exact copies; articles are grouped into stories of ~8. The earlier
stages (clean, entities, link) run first and are not timed.

Out: one line per size, and with ``--json`` a JSON object: articles, claims, wall and CPU seconds of
``extract_claims`` (split into extraction + embedding and grouping + origins + contradictions),
claims per second per core (claims / CPU seconds, so multi-threaded numpy counts against it), and
the number of claim groups and contradictions found. The one-off encoder load is excluded (warmed
first). Speed is reported, never asserted.

Usage: ``python benchmarks/bench_claims.py --n 50 200 [--json]``
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
DATELINES = ["دمشق - وكالات:", "بيروت (رويترز) -", "متابعات:", "القاهرة - خاص:"]


def seed_sentences() -> list[str]:
    from marsad.text import split_sentences

    out = []
    for p in sorted(SEEDS.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        for s, e in split_sentences(text):
            sent = text[s:e].strip()
            if len(sent.split()) >= 8:
                out.append(sent)
    return out


def generate(directory: Path, n: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    sents = seed_sentences()
    words = [w for s in sents for w in s.split()]
    pools = [rng.sample(sents, min(len(sents), 20)) for _ in range(max(1, n // 8))]
    for i in range(n):
        pool = pools[i % len(pools)]
        body = []
        for s in rng.sample(pool, rng.randint(6, min(14, len(pool)))):
            ws = s.split()
            for _ in range(rng.randint(0, 2)):
                ws[rng.randrange(len(ws))] = rng.choice(words)
            body.append(" ".join(ws))
        day = 1 + (i % len(pools)) % 27
        text = f"عنوان الخبر رقم {i}\n\nتاريخ النشر: {day} ديسمبر 2024\n\n{rng.choice(DATELINES)} " + "\n\n".join(body) + "\n"
        (directory / f"a{i:05d}.txt").write_text(text, encoding="utf-8")


def run(n: int) -> dict:
    from marsad.claims import extract_claims
    from marsad.claims.extract import extract_article_claims
    from marsad.claims.grouping import group_claims
    from marsad.claims.origins import resolve_origins
    from marsad.claims.signals import compute_signals
    from marsad.link.encoder import get_encoder
    from marsad.entities.stage import tag_entities
    from marsad.link import link_articles
    from marsad.pipeline import analyze
    from marsad.store import Store

    get_encoder().encode(["تسخين"])
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "corpus"
        d.mkdir()
        generate(d, n)
        s = Store(Path(tmp) / "b.db")
        analyze(s, [str(d)], workers=1, stages=False)  # claims need entities and stories, and are timed below
        tag_entities(s, workers=1)
        link_articles(s)
        ids = [a.id for a in s.articles()]
        w0, c0 = time.perf_counter(), time.process_time()
        n_claims = 0
        for k in range(0, len(ids), 64):
            n_claims += extract_article_claims(s, ids[k:k + 64])
        c1 = time.process_time()
        resolve_origins(s)
        n_groups = group_claims(s, None)
        compute_signals(s)
        w2, c2 = time.perf_counter(), time.process_time()
        assert extract_claims(s) == 0
        n_contra = sum(len(json.loads(r[0])) for r in s.db.execute("SELECT contradicts FROM claim_groups")) // 2
        s.close()
    cpu = c2 - c0
    return {"articles": len(ids), "claims": n_claims, "wall_s": round(w2 - w0, 2), "cpu_s": round(cpu, 2),
            "extract_cpu_s": round(c1 - c0, 2), "group_cpu_s": round(c2 - c1, 2),
            "claims_per_s_per_core": round(n_claims / cpu, 1) if cpu else None,
            "groups": n_groups, "contradictions": n_contra}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[50, 200])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    results = []
    for n in args.n:
        r = run(n)
        results.append(r)
        if not args.json:
            print(f"{r['articles']:6d} articles  {r['claims']:6d} claims  {r['cpu_s']:7.2f} s CPU "
                  f"(extract {r['extract_cpu_s']}, group {r['group_cpu_s']})  "
                  f"{r['claims_per_s_per_core']} claims/s/core  {r['groups']} groups  {r['contradictions']} contradictions")
    if args.json:
        json.dump({"bench": "claims", "results": results}, sys.stdout, indent=2)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
