"""Benchmark of the link stage on generated corpora with planted near duplicates and copies.

In: corpus sizes (``--n 1000 10000``). For each size, a corpus is generated into a fresh store:
articles are built from Arabic words (the vocabulary of ``../shared/seeds`` and of the ANS
headlines in ``../shared/data`` when present, else syllable-made words) grouped into stories that share topic words; about 10 % of articles are
planted near duplicates of an earlier article (dateline prefix, punctuation edits, two sentences
swapped, a few words replaced, sometimes the last sentence dropped) and about 10 % copy one to three
sentences (with small edits) from an earlier article into otherwise new text. Linking then runs in a
child process so its peak memory is its own.

Out: one line per size, and with ``--json`` a JSON object: articles, wall and CPU seconds of
linking, articles per second per core (articles / CPU seconds), peak RSS of the linking process,
pairwise precision and recall of planted near duplicates, recall of planted copy pairs and
precision of found ones (a found pair is right when planted, or when both articles took text from
one planted source), the counts the run found (developments, storylines), and over several sizes
the fitted growth exponent of linking time (1 = linear). Speed is reported, never asserted.

With ``--add K``, K more articles of the same generated corpus are then linked into each store in a
second run, and that run's CPU cost per article is reported against the first run's (the
incremental cost of a growing store).

Usage: ``python benchmarks/bench_link.py --n 1000 10000 [--add 50] [--json] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
PUNCT = ["،", ".", "؛", ":", "!", "؟"]
DATELINES = ["دمشق - وكالات:", "بيروت (رويترز) -", "عاجل |", "القاهرة - خاص:", "متابعات:", "المصدر: وكالات"]


def vocabulary(rng: random.Random) -> list[str]:
    """Real Arabic words from the seeds and the ANS headlines beside the repository, when present."""
    words: set[str] = set()
    sources = sorted(SEEDS.glob("*.txt")) if SEEDS.exists() else []
    sources += sorted((SEEDS.parent / "data" / "stance").glob("**/*.csv"))
    for p in sources:
        words.update(re.findall(r"[\u0621-\u064a]{2,}", p.read_text(encoding="utf-8")))
    letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    while len(words) < 3000:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(3, 7))))
    return sorted(words)


class Generator:
    def __init__(self, n: int, seed: int = 0):
        self.rng = random.Random(seed)
        self.vocab = vocabulary(self.rng)
        self.rng.shuffle(self.vocab)
        self.n = n
        n_stories = max(n // 8, 1)
        self.topics = [self.rng.sample(self.vocab, 30) for _ in range(n_stories)]
        self.story_day = [self.rng.randint(0, max(n // 40, 30)) for _ in range(n_stories)]
        # Zipf-like weights over the vocabulary for background words
        self.weights = [1.0 / (i + 10) for i in range(len(self.vocab))]
        self.cum = []
        total = 0.0
        for w in self.weights:
            total += w
            self.cum.append(total)

    def word(self) -> str:
        import bisect
        return self.vocab[bisect.bisect_left(self.cum, self.rng.random() * self.cum[-1])]

    def sentence(self, topic: list[str]) -> str:
        n = self.rng.randint(10, 26)
        ws = [self.rng.choice(topic) if self.rng.random() < 0.25 else self.word() for _ in range(n)]
        if self.rng.random() < 0.5:
            ws[self.rng.randint(1, n - 2)] += "،"
        return " ".join(ws) + "."

    def article(self, story: int) -> list[str]:
        return [self.sentence(self.topics[story]) for _ in range(self.rng.randint(8, 16))]

    def near_duplicate(self, sents: list[str]) -> list[str]:
        out = list(sents)
        if len(out) > 4 and self.rng.random() < 0.7:
            i = self.rng.randint(1, len(out) - 2)
            out[i], out[i + 1] = out[i + 1], out[i]
        if len(out) > 6 and self.rng.random() < 0.3:
            out = out[:-1]
        edited = []
        for s in out:
            ws = s.split()
            for _ in range(self.rng.choice([0, 0, 1])):
                ws[self.rng.randrange(len(ws))] = self.word()
            s = " ".join(ws)
            if self.rng.random() < 0.3:
                s = s.replace("،", "")
            if self.rng.random() < 0.2:
                s = s[:-1] + self.rng.choice(PUNCT)
            edited.append(s)
        if self.rng.random() < 0.7:
            edited.insert(0, self.rng.choice(DATELINES))
        return edited

    def copied(self, sentence: str) -> str:
        ws = sentence.split()
        for _ in range(self.rng.choice([0, 1, 1, 2])):
            ws[self.rng.randrange(len(ws))] = self.word()
        return " ".join(ws)

    def corpus(self):
        """Yield (key, title, text, published, outlet, story, dup_of_key, copied_from_key)."""
        made: list[tuple[int, list[str], int, int]] = []     # (key, sentences, story, day)
        for key in range(self.n):
            r = self.rng.random()
            if made and r < 0.10:
                src_key, src, story, day = self.rng.choice(made)
                sents = self.near_duplicate(src)
                made.append((key, sents, story, day + self.rng.randint(0, 2)))
                yield key, self.title(story), "\n".join(sents), made[-1][3], story, src_key, None
                continue
            story = self.rng.randrange(len(self.topics))
            day = self.story_day[story] + self.rng.randint(0, 3)
            sents = self.article(story)
            copied_from = None
            if made and r < 0.20:
                src_key, src, _, src_day = self.rng.choice(made)
                k = self.rng.randint(1, 3)
                start = self.rng.randrange(max(len(src) - k, 1))
                block = [self.copied(s) for s in src[start:start + k] if len(s.split()) > 6]
                pos = self.rng.randint(1, len(sents) - 1)
                sents[pos:pos] = block
                day = max(day, src_day + 1)
                copied_from = src_key if block else None
            made.append((key, sents, story, day))
            yield key, self.title(story), "\n".join(sents), day, story, None, copied_from

    def title(self, story: int) -> str:
        return " ".join(self.rng.choice(self.topics[story]) if self.rng.random() < 0.5 else self.word() for _ in range(8))


def build(db_path: str, n: int, seed: int = 0, keys: range | None = None, truth: dict | None = None) -> dict:
    """Store the generated corpus of ``n`` articles (only those whose key is in ``keys`` when given,
    adding to ``truth`` from an earlier call); returns the truth."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from datetime import date, timedelta

    from marsad.model import Article, Document
    from marsad.store import Store

    store = Store(db_path)
    truth = truth or {"dup_of": {}, "copied_from": {}, "story": {}, "ids": {}}
    base = date(2024, 1, 1)
    outlets = [f"outlet{i}" for i in range(40)]
    gen = Generator(n, seed)
    ids: dict[int, int] = truth["ids"]
    for key, title, text, day, story, dup_of, copied_from in gen.corpus():
        outlet = gen.rng.choice(outlets)
        if keys is not None and key not in keys:
            continue
        sha = hashlib.sha256(f"{key}:{text}".encode()).hexdigest()
        store.add_document(Document(source=f"gen://{key}", sha256=sha, kind="txt", content=text))
        aid = store.save_articles(sha, [Article(source=f"gen://{key}", text=text, title=title,
                                                published=(base + timedelta(days=day)).isoformat(),
                                                outlet=outlet)])[0]
        ids[key] = aid
        truth["story"][aid] = story
        if dup_of is not None:
            truth["dup_of"][aid] = ids[dup_of]
        if copied_from is not None:
            truth["copied_from"][aid] = ids[copied_from]
    store.close()
    return truth


def link_child(db_path: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from marsad.link import link_articles
    from marsad.store import Store

    store = Store(db_path)
    t0, c0 = time.perf_counter(), time.process_time()
    summary = link_articles(store)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall_s": wall, "cpu_s": cpu, "peak_rss_mb": peak, "summary": summary.__dict__}))


def _pairs(groups: dict[int, list[int]]) -> set[tuple[int, int]]:
    out = set()
    for members in groups.values():
        members = sorted(members)
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                out.add((a, b))
    return out


def evaluate(db_path: str, truth: dict) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from marsad.store import Store

    store = Store(db_path)
    # near duplicates: pairwise over groups (an original and all its planted copies)
    def root(m: dict[int, int], a: int) -> int:
        while a in m:
            a = m[a]
        return a
    true_groups: dict[int, list[int]] = {}
    for aid in truth["story"]:
        true_groups.setdefault(root(truth["dup_of"], aid), []).append(aid)
    pred_groups: dict[int, list[int]] = {}
    for aid, dup in store.db.execute("SELECT id, coalesce(duplicate_of, id) FROM articles"):
        pred_groups.setdefault(dup, []).append(aid)
    tp, pp = _pairs(true_groups), _pairs(pred_groups)
    hit = len(tp & pp)
    # copies: planted (copier, source) pairs, compared up to near-duplicate groups (a copy of an article
    # is also a copy of that article's near duplicates; the stage links the group's original)
    dup_root = {aid: r for r, ms in true_groups.items() for aid in ms}
    as_groups = lambda a, b: tuple(sorted((dup_root.get(a, a), dup_root.get(b, b))))  # noqa: E731
    true_copies = {as_groups(a, s) for a, s in truth["copied_from"].items()}
    found = {as_groups(a, s) for a, s in store.db.execute("SELECT article_id, source_article_id FROM copies")}
    copy_hits = len(true_copies & found)
    # a found pair that was not planted is still right when both took text from one planted source
    # (B and C both copied A's sentences, so B and C share them too)
    partners: dict[int, set[int]] = {}
    for a, b in true_copies:
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    copy_ok = sum(1 for a, b in found
                  if (a, b) in true_copies or partners.get(a, set()) & partners.get(b, set()))
    # stories: pairwise against the generator's stories (synthetic text: a sanity figure only)
    ts, ps = {}, {}
    for aid, sid in store.db.execute("SELECT id, story_id FROM articles"):
        ps.setdefault(sid, []).append(aid)
        ts.setdefault(truth["story"][aid], []).append(aid)
    tsp, psp = _pairs(ts), _pairs(ps)
    store_lines = store.db.execute("SELECT count(DISTINCT storyline_id) FROM stories WHERE n_articles > 0").fetchone()[0]
    store.close()
    return {
        "dup_pairs_true": len(tp), "dup_pairs_found": len(pp),
        "dup_recall": hit / len(tp) if tp else 1.0, "dup_precision": hit / len(pp) if pp else 1.0,
        "copy_pairs_true": len(true_copies), "copy_pairs_found": len(found),
        "copy_recall": copy_hits / len(true_copies) if true_copies else 1.0,
        "copy_precision": copy_ok / len(found) if found else 1.0,
        # generated "stories" are word salad sharing a quarter of their words: not a measure of story quality
        "synthetic_story_pair_recall": len(tsp & psp) / len(tsp) if tsp else 1.0,
        "synthetic_story_pair_precision": len(tsp & psp) / len(psp) if psp else 1.0,
        "stories_true": len(ts), "stories_found": len(ps),
        "storylines_found": store_lines,
    }


def _link(db: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--link-child", db], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(n: int, workdir: str, seed: int = 0, add: int = 0) -> dict:
    """Link a generated store of ``n`` articles; with ``add``, then link ``add`` more articles of the same
    corpus (later keys) into it, as a second run, and report that run's cost per article."""
    db = os.path.join(workdir, f"link_{n}.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    t0 = time.perf_counter()
    truth = build(db, n + add, seed, keys=range(n))
    gen_s = time.perf_counter() - t0
    res = _link(db)
    res.update(evaluate(db, truth))
    res["articles"] = n
    res["generate_s"] = gen_s
    res["articles_per_s_per_core"] = n / res["cpu_s"] if res["cpu_s"] else None
    res["articles_per_s_wall"] = n / res["wall_s"] if res["wall_s"] else None
    if add:
        build(db, n + add, seed, keys=range(n, n + add), truth=truth)
        more = _link(db)
        res["add"] = {"articles": add, "cpu_s": more["cpu_s"], "wall_s": more["wall_s"],
                      "peak_rss_mb": more["peak_rss_mb"],
                      "cpu_ms_per_article": 1000 * more["cpu_s"] / add,
                      "first_run_cpu_ms_per_article": 1000 * res["cpu_s"] / n,
                      "ratio": (more["cpu_s"] / add) / (res["cpu_s"] / n)}
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--add", type=int, default=0, help="then link this many more articles into each store (incremental cost)")
    ap.add_argument("--keep", help="directory for the generated stores (default: a temporary one)")
    ap.add_argument("--link-child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.link_child:
        link_child(args.link_child)
        return 0
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or tmp
        os.makedirs(workdir, exist_ok=True)
        for n in args.n:
            r = run(n, workdir, args.seed, args.add)
            results.append(r)
            if not args.json:
                print(f"N={n:>7}  link {r['wall_s']:.1f}s wall / {r['cpu_s']:.1f}s CPU  "
                      f"{r['articles_per_s_per_core']:.0f} articles/s/core  peak {r['peak_rss_mb']:.0f} MB  "
                      f"near-dup P={r['dup_precision']:.3f} R={r['dup_recall']:.3f} ({r['dup_pairs_true']} pairs)  "
                      f"copies P={r['copy_precision']:.3f} R={r['copy_recall']:.3f} ({r['copy_pairs_true']} pairs)  "
                      f"stories {r['stories_found']}  storylines {r['storylines_found']}", flush=True)
                if "add" in r:
                    a = r["add"]
                    print(f"  + {a['articles']} articles: {a['cpu_s']:.2f}s CPU = {a['cpu_ms_per_article']:.1f} ms/article "
                          f"(first run {a['first_run_cpu_ms_per_article']:.1f} ms/article, ratio {a['ratio']:.2f})  "
                          f"peak {a['peak_rss_mb']:.0f} MB", flush=True)
    if len(results) > 1:
        sizes = [r["articles"] for r in results]
        exponent = growth_exponent(sizes, [r["wall_s"] for r in results])
        cpu_exponent = growth_exponent(sizes, [r["cpu_s"] for r in results])
        for r in results:
            r["growth_exponent"], r["cpu_growth_exponent"] = exponent, cpu_exponent
        if not args.json:
            print(f"time grows as N^{exponent:.2f} wall, N^{cpu_exponent:.2f} CPU (least squares on log time over "
                  "log N; on a shared machine the CPU figure is the one to trust)")
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    return 0


def growth_exponent(sizes: list[int], seconds: list[float]) -> float:
    """Slope of log(seconds) against log(size): 1 is linear, 2 quadratic."""
    import math

    xs, ys = [math.log(n) for n in sizes], [math.log(max(s, 1e-9)) for s in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


if __name__ == "__main__":
    raise SystemExit(main())
