"""Benchmark of the claims stage, first run and incremental run.

In: store sizes (``--n 500 1000``) and an increment (``--add 50``). For each size a corpus of
``n + add`` articles is generated: each article recombines 6–14 sentences drawn from
``../shared/seeds`` (real Arabic news sentences with their reporting verbs and sources), with a few
words of each sentence replaced by words of other sentences so that articles are not exact copies;
articles are grouped into stories of ~8, and the increment's articles join existing stories. The
earlier stages (clean, entities, link) run first and are not timed; the encoder load is warmed first.

Out: one line per size (or JSON with ``--json``): the first run of ``extract_claims`` over ``n``
articles (CPU seconds, per article), the incremental run after ``add`` more articles (CPU seconds,
per new article, distinct texts encoded, stories regrouped), and for comparison what a full
recompute of the stored corpus costs at that point (regrouping every story, resolving every origin,
every article's signals: what each run did before the stage was incremental). Speed is reported,
never asserted.

With ``--linked A.db B.db ...`` (stores through the link stage, claims not run yet, e.g. built from
``marsad.bench.generate.generate(n)``; each copied, never changed): the claims stage as the pipeline
runs it (stance classifier included) on each, its CPU seconds and ms per article, and between
consecutive sizes the growth exponent log(time ratio) / log(articles ratio): 1 is linear.

With ``--stage N [--against SRC]``: the per-article ``attributions`` stage (claims of each article with
their attributions, and their contents' vectors) on ``N`` articles of ``marsad.bench.generate`` run
through clean and entities first (not timed), in the runner's batches; CPU seconds of the claim
extraction and of the content encoding, measured in a child process per source tree, the trees
alternating (``SRC``: another checkout's ``src``, e.g. a worktree of the base revision), with the
ratio of each part, and whether the stage's output (claims and vector bytes) is the same.

Usage: ``python benchmarks/bench_claims.py --n 500 --add 50 [--json]``,
``python benchmarks/bench_claims.py --linked s4k.db s8k.db``,
``python benchmarks/bench_claims.py --stage 400 --against /tmp/base/src``
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


def _prepare(s, directory: Path) -> None:
    from marsad.entities.stage import tag_entities
    from marsad.link import link_articles
    from marsad.pipeline import analyze

    analyze(s, [str(directory)], workers=1, stages=False)  # claims need entities and stories: not timed
    tag_entities(s, workers=1)
    link_articles(s)


def _timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def _full_recompute(s) -> tuple[int, float, float]:
    """Origins, groups of every story and signals recomputed from scratch: (groups, wall s, CPU s)."""
    from marsad.claims.grouping import group_claims
    from marsad.claims.origins import resolve_origins
    from marsad.claims.signals import compute_signals

    def full():
        resolve_origins(s)
        g = group_claims(s, None)
        compute_signals(s)
        return g

    return _timed(full)


def _figures(n, add, n1, n2, first, incremental, encoded, dirty, n_stories, full, n_contra) -> dict:
    """The benchmark's row: ``first`` / ``incremental`` / ``full`` are (wall s, CPU s)."""
    (w1, c1), (w2, c2), (n_groups, w3, c3) = first, incremental, full
    return {"articles": n, "added": add, "claims_first": n1, "claims_added": n2,
            "first_cpu_s": round(c1, 2), "first_wall_s": round(w1, 2), "first_cpu_ms_per_article": round(1000 * c1 / n, 1),
            "incremental_cpu_s": round(c2, 2), "incremental_wall_s": round(w2, 2),
            "incremental_cpu_ms_per_new_article": round(1000 * c2 / add, 1), "texts_encoded_incremental": encoded,
            "stories_regrouped": dirty, "stories": n_stories,
            "full_recompute_cpu_s": round(c3, 2), "groups": n_groups, "contradictions": n_contra}


def run(n: int, add: int = 50) -> dict:
    from marsad.claims import extract_claims
    from marsad.link.encoder import get_encoder
    from marsad.store import Store

    get_encoder().encode(["تسخين"])
    with tempfile.TemporaryDirectory() as tmp:
        d1, d2 = Path(tmp) / "first", Path(tmp) / "more"
        d1.mkdir()
        d2.mkdir()
        generate(d1, n + add)
        for p in sorted(d1.glob("*.txt"))[n:]:
            p.rename(d2 / p.name)
        s = Store(Path(tmp) / "b.db")
        _prepare(s, d1)
        n_claims, w1, c1 = _timed(lambda: extract_claims(s, use_stance=False))
        cached = s.claim_tables.vector_count()
        _prepare(s, d2)
        dirty = len(s.claim_tables.stories_of(s.claim_tables.articles_to_process()))
        n_new, w2, c2 = _timed(lambda: extract_claims(s, use_stance=False))
        encoded = s.claim_tables.vector_count() - cached
        full = _full_recompute(s)
        n_stories = len(s.claim_tables.stories_of(s.claim_tables.processed_articles()))
        n_contra = s.claim_tables.contradiction_count()
        s.close()
    return _figures(n, add, n_claims, n_new, (w1, c1), (w2, c2), encoded, dirty, n_stories, full, n_contra)


def run_store(path: Path, add: int) -> dict:
    """The same on a copy of a store already analysed (e.g. news-dev): claims of all but the last ``add``
    articles first, then those ``add`` as new articles, then a full recompute for comparison."""
    import shutil

    from marsad.claims import extract_claims
    from marsad.link.encoder import get_encoder
    from marsad.store import Store

    get_encoder().encode(["تسخين"])
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(path, Path(tmp) / "s.db")
        s = Store(Path(tmp) / "s.db")
        t = s.claim_tables
        ids = sorted(a.id for a in s.articles())
        later = ids[-add:]
        t.forget_all(later)
        n1, w1, c1 = _timed(lambda: extract_claims(s, use_stance=False))
        v1 = t.vector_count()
        t.release(later)
        dirty = len(t.with_storyline_mates(t.stories_of(later)))
        n2, w2, c2 = _timed(lambda: extract_claims(s, use_stance=False))
        v2 = t.vector_count() - v1
        full = _full_recompute(s)
        n_stories = len(t.stories_of(ids))
        n_contra = t.contradiction_count()
        s.close()
    n = len(ids) - add
    return _figures(n, add, n1, n2, (w1, c1), (w2, c2), v2, dirty, n_stories, full, n_contra)


def run_linked(path: Path) -> dict:
    """The claims stage (``extract_claims`` as the pipeline calls it) on a copy of a linked store."""
    import math
    import shutil

    from marsad.claims import extract_claims
    from marsad.link.encoder import get_encoder
    from marsad.store import Store

    get_encoder().encode(["تسخين"])
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in ("", "-wal"):
            if Path(str(path) + suffix).exists():
                shutil.copy(str(path) + suffix, Path(tmp) / ("s.db" + suffix))
        s = Store(Path(tmp) / "s.db")
        n = len(s.claim_tables.articles_to_process())
        n_claims, wall, cpu = _timed(lambda: extract_claims(s))
        s.close()
    return {"store": str(path), "articles": n, "claims": n_claims, "cpu_s": round(cpu, 2), "wall_s": round(wall, 2),
            "cpu_ms_per_article": round(1000 * cpu / max(1, n), 2), "_log": (math.log(max(n, 1)), math.log(max(cpu, 1e-9)))}


def _growth(paths: list[Path], as_json: bool) -> int:
    rows = sorted((run_linked(p) for p in paths), key=lambda r: r["articles"])
    for a, b in zip(rows, rows[1:]):
        if b["_log"][0] > a["_log"][0]:
            b["exponent"] = round((b["_log"][1] - a["_log"][1]) / (b["_log"][0] - a["_log"][0]), 2)
    for r in rows:
        r.pop("_log")
        if not as_json:
            print(f"{r['articles']} articles ({r['claims']} claims): claims stage {r['cpu_s']} s CPU "
                  f"({r['wall_s']} s wall) = {r['cpu_ms_per_article']} ms/article"
                  + (f"; growth exponent from the previous size {r['exponent']}" if "exponent" in r else ""))
    if as_json:
        json.dump({"bench": "claims_growth", "results": rows}, sys.stdout, indent=2)
        print()
    return 0


def _stage_batches(n: int, path: Path) -> None:
    """``n`` generated articles through clean and entities, in the runner's batches, pickled to ``path``."""
    import pickle

    from marsad.bench.generate import write_corpus
    from marsad.ingest.sources import read_jsonl
    from marsad.model import AnalysedArticle, Document
    from marsad.settings import SETTINGS
    from marsad.stages import CLEAN, ENTITIES, run_chain

    corpus = write_corpus(n, path.with_suffix(".jsonl"))
    docs = [d for d in read_jsonl(corpus, str(corpus), corpus.stat().st_size) if isinstance(d, Document)]
    ENTITIES.load()
    size = SETTINGS.runner.batch_articles
    items = [AnalysedArticle(document=d, seq=i) for i, d in enumerate(docs)]
    batches = [run_chain(items[k:k + size], [CLEAN, ENTITIES]) for k in range(0, len(items), size)]
    path.write_bytes(pickle.dumps(batches))


def stage_child(batches_path: str, out_path: str) -> None:
    """In a child process: the attributions stage on the pickled batches, as ``attributions_batch`` runs it
    (extraction, then one encoding per batch), timed by part; its output pickled to ``out_path``."""
    import pickle

    from marsad.claims.extract import item_claims
    from marsad.claims.vectors import VectorCache, content_key
    from marsad.stages import ATTRIBUTIONS

    batches = pickle.loads(Path(batches_path).read_bytes())
    ATTRIBUTIONS.load()
    extract = encode = 0.0
    out = []
    for batch in batches:
        todo = [it for it in batch if it.article is not None]
        t0 = time.process_time()
        texts = []
        for item in todo:
            item.claims = item_claims(item)
            texts.append({content_key(c.content): c.content for c in item.claims})
        t1 = time.process_time()
        cache = VectorCache()
        vecs = cache.by_key({k: t for by_key in texts for k, t in by_key.items()})
        rows = [[(k, cache.name, vecs[k].tobytes()) for k in sorted(by_key)] for by_key in texts]
        encode += time.process_time() - t1
        extract += t1 - t0
        out.append([(it.claims, r) for it, r in zip(todo, rows)])
    Path(out_path).write_bytes(pickle.dumps(out))
    print(json.dumps({"extract": extract, "encode": encode, "articles": sum(len(b) for b in out),
                      "claims": sum(len(c) for b in out for c, _ in b)}))


def run_stage(n: int, against: str | None, rounds: int = 2) -> int:
    import os
    import subprocess

    here = str(Path(__file__).resolve().parents[1] / "src")
    trees = [("this", here)] + ([("against", str(Path(against).resolve()))] if against else [])
    with tempfile.TemporaryDirectory() as tmp:
        batches = Path(tmp) / "batches.pkl"
        _stage_batches(n, batches)
        best: dict[str, dict] = {}
        for r in range(rounds):
            for name, src in (trees if r % 2 == 0 else trees[::-1]):
                out = Path(tmp) / f"{name}.pkl"
                code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import bench_claims; "
                        f"bench_claims.stage_child({str(batches)!r}, {str(out)!r})")
                env = dict(os.environ, PYTHONPATH=src)
                res = json.loads(subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                                                text=True).stdout.strip().splitlines()[-1])
                old = best.get(name)
                if old is None or res["extract"] + res["encode"] < old["extract"] + old["encode"]:
                    best[name] = res
        for name, res in best.items():
            print(f"{name}: {res['articles']} articles, {res['claims']} claims: extraction {res['extract']:.2f} s CPU, "
                  f"encoding {res['encode']:.2f} s, stage {res['extract'] + res['encode']:.2f} s (best of {rounds})")
        if against:
            a, b = best["this"], best["against"]
            print(f"this / against: extraction {a['extract'] / b['extract']:.3f}, encoding {a['encode'] / b['encode']:.3f}, "
                  f"stage {(a['extract'] + a['encode']) / (b['extract'] + b['encode']):.3f}; output identical: "
                  f"{(Path(tmp) / 'this.pkl').read_bytes() == (Path(tmp) / 'against.pkl').read_bytes()}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[500])
    ap.add_argument("--add", type=int, default=50)
    ap.add_argument("--store", help="instead of a generated corpus: a store already analysed (copied, not changed)")
    ap.add_argument("--linked", nargs="+", help="stores through the link stage: the claims stage's growth with size")
    ap.add_argument("--stage", type=int, help="the attributions stage on this many generated articles")
    ap.add_argument("--against", help="with --stage: another source tree (its src) to compare with")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.stage:
        return run_stage(args.stage, args.against)
    if args.linked:
        return _growth([Path(p) for p in args.linked], args.json)
    results = []
    for n in ([None] if args.store else args.n):
        r = run_store(Path(args.store), args.add) if args.store else run(n, args.add)
        results.append(r)
        if not args.json:
            print(f"{r['articles']} articles ({r['claims_first']} claims): first run {r['first_cpu_s']} s CPU = "
                  f"{r['first_cpu_ms_per_article']} ms/article; +{r['added']} articles ({r['claims_added']} claims, "
                  f"{r['texts_encoded_incremental']} texts encoded, {r['stories_regrouped']}/{r['stories']} stories regrouped): "
                  f"{r['incremental_cpu_s']} s CPU = {r['incremental_cpu_ms_per_new_article']} ms/new article; "
                  f"full recompute of the store {r['full_recompute_cpu_s']} s CPU; {r['groups']} groups, "
                  f"{r['contradictions']} contradictions")
    if args.json:
        json.dump({"bench": "claims", "results": results}, sys.stdout, indent=2)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
