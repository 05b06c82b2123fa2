#!/usr/bin/env python
"""Benchmark entity extraction (marsad.entities) on one core.

In: nothing (or ``--sentences FILE``, one sentence per line; by default the sentences of the
seed articles in ../shared/seeds plus sentences written here with varied names). Out: printed
figures, each measured in a fresh child process:
- gazetteer build from the installed packages (cold, empty cache) and load from the disk cache
  (warm): seconds, peak RSS of the process, and the Python memory the loaded gazetteer holds
  (tracemalloc, in a separate run because tracing slows loading);
- ``extract_entities`` throughput in sentences per second on one core, with the statistical
  tagger (tagging + linking) and without it (linking only);
- the whole entities stage (tag, link, geocode) in articles per CPU-second, on the articles
  ``marsad bench`` generates (:mod:`marsad.bench.generate`): with the tagger as the runner runs
  it (``entities.stage.tag_batch`` on batches of ``[runner] batch_articles``, their sentences tagged together),
  and linking alone (article by article, without the tagger); from the two the tagger's share of
  the stage's CPU time;
- the CPU seconds a worker's warm-up (:func:`marsad.entities.stage.load_models`: gazetteer from
  the disk cache, tagger model, geocoder word frequencies) costs a fresh process.

    python benchmarks/bench_entities.py [--json] [--skip-cold]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

TEMPLATES = [
    "وقال الرئيس {p} في مؤتمر صحفي في {c} إن الحكومة ستواصل العمل مع {o} لتحقيق الاستقرار.",
    "أعلنت {o} أن وفدا برئاسة {p} وصل إلى مدينة {c} لبحث الأوضاع الإنسانية في المنطقة.",
    "ذكرت وكالة رويترز أن اشتباكات اندلعت قرب بلدة {c} بين قوات الحكومة ومسلحين من {o}.",
    "أكد وزير الخارجية {p} خلال لقائه نظيره في {c} أن بلاده تدعم جهود {o} للتوصل إلى حل.",
    "نقلت صحيفة الشرق الأوسط عن مصادر مطلعة أن الطائرات قصفت مواقع في ريف {c} فجر اليوم.",
    "وأضاف المتحدث باسم {o} أن {p} سيزور {c} الأسبوع المقبل للمشاركة في اجتماع إقليمي.",
]
PEOPLE = ["بشار الأسد", "فلاديمير بوتين", "رجب طيب أردوغان", "عباس عراقجي", "سيرغي لافروف", "أحمد الشرع",
          "سامر الخطيب", "نبيل العمري", "محمد شياع السوداني", "جيمس جيفري", "هاكان فيدان", "أيمن الصفدي"]
PLACES = ["حلب", "دمشق", "درعا", "إدلب", "حمص", "البوكمال", "دير الزور", "بغداد", "طهران", "موسكو", "عمّان",
          "تلبيسة", "القامشلي", "منبج", "اللاذقية", "جبلة"]
ORGS = ["هيئة تحرير الشام", "الأمم المتحدة", "حزب الله", "قوات سوريا الديمقراطية", "الحرس الثوري الإيراني",
        "وزارة الدفاع الروسية", "الجيش الوطني السوري", "جامعة الدول العربية"]


def sentences(path: str | None) -> list[str]:
    if path:
        return [l.strip() for l in Path(path).read_text(encoding="utf-8").splitlines() if l.strip()]
    out: list[str] = []
    seeds = ROOT.parent / "shared" / "seeds"
    if seeds.is_dir():
        from marsad.text.sentences import split_sentences
        for p in sorted(seeds.glob("*.txt")):
            text = p.read_text(encoding="utf-8")
            out += [text[s:e] for s, e in split_sentences(text) if e - s > 20]
    rnd = random.Random(7)
    for _ in range(600):
        out.append(rnd.choice(TEMPLATES).format(p=rnd.choice(PEOPLE), c=rnd.choice(PLACES), o=rnd.choice(ORGS)))
    return out


def _pin_one_core() -> None:
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    except (AttributeError, OSError):
        pass


def child(mode: str, args) -> dict:
    """Run one measurement in this (fresh) process."""
    _pin_one_core()
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if mode in ("cold", "warm"):
        t = time.perf_counter()
        from marsad.entities.gazetteer import Gazetteer
        g = Gazetteer.load()
        dt = time.perf_counter() - t
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {"seconds": round(dt, 3), "peak_rss_mb": round(rss, 1),
                "rss_over_interpreter_mb": round(rss - base_rss, 1), "entities": len(g.entities),
                "names": g.stats.get("names")}
    if mode == "warmup":
        t = time.process_time()
        from marsad.entities.stage import load_models
        load_models()
        return {"cpu_seconds": round(time.process_time() - t, 3),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    if mode == "traced":
        import tracemalloc
        tracemalloc.start()
        from marsad.entities.gazetteer import Gazetteer
        Gazetteer.load()
        cur, peak = tracemalloc.get_traced_memory()
        return {"held_mb": round(cur / 2**20, 1), "peak_mb": round(peak / 2**20, 1)}
    if mode in ("articles", "articles_linking"):
        from marsad.bench.generate import generate
        from marsad.entities import extract_entities
        from marsad.entities.stage import load_models, tag_batch
        from marsad.model import AnalysedArticle, Article
        from marsad.settings import SETTINGS
        load_models()
        arts = [a.get("text") or a.get("html") or "" for a in generate(300)]

        def stage(texts: list[str]) -> None:
            """The stage as the runner calls it: ``tag_batch`` on batches of ``[runner] batch_articles``."""
            items = [AnalysedArticle(article=Article(source="bench", text=a, id=i)) for i, a in enumerate(texts)]
            size = int(SETTINGS.runner.batch_articles)
            for k in range(0, len(items), size):
                tag_batch(items[k:k + size])

        def linking(texts: list[str]) -> None:
            for a in texts:
                extract_entities(a, use_tagger=False)

        run = stage if mode == "articles" else linking
        run(arts[:20])
        t, wall = time.process_time(), time.perf_counter()
        n = 0
        while time.perf_counter() - wall < args.seconds:
            run(arts)
            n += len(arts)
        dt = time.process_time() - t
        return {"articles": n, "cpu_seconds": round(dt, 2), "articles_per_cpu_s": round(n / dt, 1),
                "chars_per_article": round(sum(map(len, arts)) / len(arts))}
    if mode in ("tagger", "linking"):
        from marsad.entities import extract_entities, get_linker, tagger_available
        use_tagger = mode == "tagger"
        get_linker()
        if use_tagger and not tagger_available():
            return {"skipped": "no tagger model"}
        sents = sentences(args.sentences)
        for s in sents[:50]:
            extract_entities(s, use_tagger=use_tagger)   # warm caches
        n_mentions = 0
        t = time.perf_counter()
        rounds = 0
        while True:
            for s in sents:
                n_mentions += len(extract_entities(s, use_tagger=use_tagger)[0])
            rounds += 1
            if time.perf_counter() - t > args.seconds:
                break
        dt = time.perf_counter() - t
        n = len(sents) * rounds
        return {"sentences": n, "seconds": round(dt, 2), "sentences_per_s": round(n / dt),
                "mentions_per_sentence": round(n_mentions / n, 2)}
    raise ValueError(mode)


def run_child(mode: str, args, env=None) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--seconds", str(args.seconds)]
    if args.sentences:
        cmd += ["--sentences", args.sentences]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", help="file with one sentence per line")
    ap.add_argument("--seconds", type=float, default=5.0, help="time per throughput run")
    ap.add_argument("--skip-cold", action="store_true", help="do not measure the cold build")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args)))
        return 0
    results: dict[str, dict] = {}
    if not args.skip_cold:
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, MARSAD_CACHE_DIR=tmp)
            results["gazetteer_cold_build"] = run_child("cold", args, env)
            results["gazetteer_warm_load"] = run_child("warm", args, env)
            results["gazetteer_memory"] = run_child("traced", args, env)
    else:
        run_child("warm", args)   # make sure the cache exists
        results["gazetteer_warm_load"] = run_child("warm", args)
        results["gazetteer_memory"] = run_child("traced", args)
    results["extract_with_tagger"] = run_child("tagger", args)
    results["extract_linking_only"] = run_child("linking", args)
    results["entities_stage_articles"] = run_child("articles", args)
    results["entities_stage_no_tagger"] = run_child("articles_linking", args)
    with_t = results["entities_stage_articles"].get("articles_per_cpu_s")
    without = results["entities_stage_no_tagger"].get("articles_per_cpu_s")
    if with_t and without:
        results["entities_stage_shares"] = {"tagger": round(1 - with_t / without, 2),
                                            "rest": round(with_t / without, 2)}
    results["worker_warmup"] = run_child("warmup", args)
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        for k, v in results.items():
            print(f"{k:24s} " + "  ".join(f"{a}={b}" for a, b in v.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
