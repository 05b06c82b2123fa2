#!/usr/bin/env python
"""Benchmark event extraction (marsad.events) on one core.

In: ``--n`` articles to generate (default 300): articles of eight sentences built from templates
with event triggers (territory, air strikes, shelling, clashes, border closures, evacuations,
protests), negated/future variants and plain sentences, over Syrian places and actors, dated over
two weeks; plus the seed articles of ../shared/seeds when present. Entities are tagged first (not
timed). Out: printed figures (``--json`` for one JSON object):
- ``extract_event_mentions`` alone (trigger + argument rules on already-linked mentions):
  sentences and articles per CPU second;
- the whole cross-article stage (``marsad.stages.EVENTS`` through the runner: state loaded from a store,
  event mentions written, events merged and independent origins counted): articles and sentences per CPU
  second, events found.
With ``--sizes N1,N2,...`` the whole stage alone is timed at each size instead (one store per size, its
articles read in batches of ``[events] batch_articles`` as a first run does) with the growth exponent
between consecutive sizes (1.0: time grows as the number of articles).
Speed is reported, never asserted.

    python benchmarks/bench_events.py [--n 300] [--json]
    python benchmarks/bench_events.py --sizes 1000,4000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

TEMPLATES = [
    "سيطرت {a} على مدينة {p} بعد معارك عنيفة مع قوات النظام.",
    "شنت الطائرات الإسرائيلية غارات على مواقع في {p} أمس.",
    "قصف مدفعي لقوات النظام على بلدة {p} أسفر عن مقتل {n} مدنيين.",
    "اندلعت اشتباكات بين {a} وقوات النظام في محيط {p} يوم الاثنين.",
    "أعلنت السلطات الأردنية إغلاق معبر جابر الحدودي مع سوريا.",
    "بدأت إيران إجلاء دبلوماسييها من {p}.",
    "خرجت مظاهرة في مدينة {p} للمطالبة بالإفراج عن المعتقلين.",
    "لن تسيطر {a} على مدينة {p} في الوقت القريب.",
    "من المتوقع أن تنسحب قوات النظام من {p}.",
    "قال مسؤول إن الوضع في {p} ما زال غامضا وإن المفاوضات مستمرة.",
    "وأضاف المتحدث أن الحكومة ستواصل العمل مع الشركاء الدوليين لتحقيق الاستقرار.",
    "انسحبت قوات النظام من مدينة {p} بعد استسلام عناصرها.",
]
PLACES = ["حلب", "حماة", "حمص", "درعا", "إدلب", "دير الزور", "تدمر", "السويداء", "البوكمال", "الرستن", "تلبيسة", "سراقب"]
ACTORS = ["هيئة تحرير الشام", "الفصائل المعارضة", "المعارضة المسلحة", "قوات المعارضة"]


def make_articles(n: int, seed: int = 7) -> list[tuple[str, str, str]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        sents = [rnd.choice(TEMPLATES).format(a=rnd.choice(ACTORS), p=rnd.choice(PLACES), n=rnd.randint(2, 30))
                 for _ in range(8)]
        day = 1 + rnd.randrange(14)
        out.append((" ".join(sents), f"Outlet {rnd.randrange(20)}", f"2024-12-{day:02d}"))
    seeds = ROOT.parent / "shared" / "seeds"
    if seeds.is_dir():
        for f in sorted(seeds.glob("*.txt")):
            out.append((f.read_text(encoding="utf-8"), f.stem, None))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--sizes", help="comma-separated article counts: time the stage at each and its growth")
    args = ap.parse_args()
    if args.sizes:
        return scale([int(x) for x in args.sizes.split(",")], args.json)

    from marsad.entities import extract_entities
    from marsad.entities.stage import tag_entities
    from marsad.events import events, extract_event_mentions
    from marsad.runner import RunReport, run_cross_stage
    from marsad.stages import EVENTS
    from marsad.model import Article, Document
    from marsad.store import Store
    from marsad.text import split_sentences

    arts = make_articles(args.n)
    # 1. the rules alone, on already-linked mentions
    prepared = []
    for text, _, pub in arts:
        m, e = extract_entities(text)
        prepared.append((text, split_sentences(text), m, e, pub))
    n_sent = sum(len(p[1]) for p in prepared)
    extract_event_mentions(*prepared[0])   # warm lexicons
    t0 = time.process_time()
    n_mentions = sum(len(extract_event_mentions(*p)) for p in prepared)
    rules_cpu = time.process_time() - t0

    # 2. the whole stage on a store
    with tempfile.TemporaryDirectory() as tmp:
        s = Store(Path(tmp) / "bench.db")
        for i, (text, outlet, pub) in enumerate(arts):
            sha = hashlib.sha256(f"{i}:{text}".encode()).hexdigest()
            s.add_document(Document(source=f"bench/{i}.txt", sha256=sha, kind="txt", content=text))
            s.save_articles(sha, [Article(source=f"bench/{i}.txt", text=text, outlet=outlet, published=pub)])
        tag_entities(s, workers=1)
        t0, w0 = time.process_time(), time.perf_counter()
        n_read = run_cross_stage(s, EVENTS, RunReport())
        stage_cpu, stage_wall = time.process_time() - t0, time.perf_counter() - w0
        n_events = len(events(s))
        s.close()

    res = {
        "articles": len(arts), "sentences": n_sent, "event_mentions": n_mentions, "events": n_events,
        "rules_sentences_per_cpu_s": round(n_sent / rules_cpu, 1),
        "rules_articles_per_cpu_s": round(len(arts) / rules_cpu, 1),
        "stage_articles_per_cpu_s": round(n_read / stage_cpu, 1),
        "stage_sentences_per_cpu_s": round(n_sent / stage_cpu, 1),
        "stage_wall_s": round(stage_wall, 2),
    }
    if args.json:
        print(json.dumps(res))
    else:
        for k, v in res.items():
            print(f"{k:28} {v}")


def _stage_seconds(n: int) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, events) of the events stage over ``n`` generated articles in a fresh store."""
    from marsad.entities.stage import tag_entities
    from marsad.events import events
    from marsad.model import Article, Document
    from marsad.runner import RunReport, run_cross_stage
    from marsad.stages import EVENTS
    from marsad.store import Store

    rnd = random.Random(n)
    with tempfile.TemporaryDirectory() as tmp:
        s = Store(Path(tmp) / "bench.db")
        for i, (text, outlet, _pub) in enumerate(make_articles(n)):
            pub = f"2024-{1 + rnd.randrange(12):02d}-{1 + rnd.randrange(28):02d}"   # a year of news, not two weeks
            sha = hashlib.sha256(f"{i}:{text}".encode()).hexdigest()
            s.add_document(Document(source=f"bench/{i}.txt", sha256=sha, kind="txt", content=text))
            s.save_articles(sha, [Article(source=f"bench/{i}.txt", text=text, outlet=outlet, published=pub)])
        tag_entities(s, workers=1)
        t0, w0 = time.process_time(), time.perf_counter()
        run_cross_stage(s, EVENTS, RunReport())
        cpu, wall = time.process_time() - t0, time.perf_counter() - w0
        n_events = len(events(s))
        s.close()
    return cpu, wall, n_events


def scale(sizes: list[int], as_json: bool) -> None:
    import math

    rows = []
    for n in sizes:
        cpu, wall, n_events = _stage_seconds(n)
        rows.append({"articles": n, "stage_cpu_s": round(cpu, 2), "stage_wall_s": round(wall, 2), "events": n_events})
        if len(rows) > 1:
            a, b = rows[-2], rows[-1]
            rows[-1]["exponent"] = round(math.log(b["stage_cpu_s"] / a["stage_cpu_s"]) / math.log(b["articles"] / a["articles"]), 2)
    if as_json:
        print(json.dumps(rows))
    else:
        for r in rows:
            print("  ".join(f"{k} {v}" for k, v in r.items()))


if __name__ == "__main__":
    main()
