#!/usr/bin/env python
"""Benchmark the NER tagger on one core.

In: nothing (or ``--sentences FILE``, one sentence per line; ``--tagger crf|neural``, default
the one the settings select). Out: printed figures: model and gazetteer load time, sentences per
second and tokens per second for ``Tagger.tag_spans`` one sentence per call (first and second
pass, and with the word-feature cache emptied before every sentence: the worst case), for
``tag_conll``, for the batched path the entities stage takes (sentences grouped ten to an
article, ``Tagger.spans_many`` over 64 articles at a time), and the model file size. The second
pass and the batched path are also given per CPU-second of this process, which stays meaningful
when other jobs share the core.

The default sentences are written for this benchmark (news-style Arabic, ~20 tokens each) and
varied by substituting names so that the feature cache does not see only repeated words.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

TEMPLATES = [
    "وقال الرئيس {p} في مؤتمر صحفي عقده في {c} إن الحكومة ستواصل العمل مع {o} لتحقيق الاستقرار .",
    "أعلنت {o} أن وفدا برئاسة {p} وصل إلى مدينة {c} لبحث الأوضاع الإنسانية في المنطقة .",
    "ذكرت وكالة الأنباء أن اشتباكات عنيفة اندلعت قرب بلدة {c} بين قوات الحكومة ومسلحين من {o} .",
    "أكد وزير الخارجية {p} خلال لقائه نظيره في {c} أن بلاده تدعم جهود {o} للتوصل إلى حل سياسي .",
    "وأضاف المتحدث باسم {o} أن {p} سيزور {c} الأسبوع المقبل للمشاركة في اجتماع إقليمي موسع .",
    "نقلت صحيفة محلية عن مصادر مطلعة أن الطائرات قصفت مواقع في ريف {c} فجر اليوم .",
]
PEOPLE = ["أحمد الشرع", "ماتي كوسكينن", "سالم العبدالله", "فلاديمير بوتين", "جون سميث", "هالة يوسف",
          "عادل الكبيسي", "رجب طيب أردوغان", "كريم بنعلي", "نادية الحسيني"]
PLACES = ["دمشق", "حلب", "حمص", "بيروت", "عمان", "القاهرة", "درعا", "البوكمال", "تونس", "أنقرة",
          "كركوك", "طرابلس", "إدلب", "موسكو"]
ORGS = ["الأمم المتحدة", "هيئة تحرير الشام", "الجامعة العربية", "وزارة الدفاع", "الصليب الأحمر",
        "حزب البعث", "شركة نفط الشمال", "منظمة الصحة العالمية"]


def make_sentences(n: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        t = TEMPLATES[i % len(TEMPLATES)]
        out.append(t.format(p=rnd.choice(PEOPLE), c=rnd.choice(PLACES), o=rnd.choice(ORGS)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sentences", type=Path, help="file with one sentence per line")
    ap.add_argument("-n", type=int, default=5000, help="number of generated sentences")
    ap.add_argument("--tagger", choices=("crf", "neural"), help="default: the one the settings select")
    args = ap.parse_args()
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    except (AttributeError, OSError):
        pass

    t0 = time.perf_counter()
    from marsad.entities.neural import DEFAULT_NEURAL_MODEL
    from marsad.entities.tagger import DEFAULT_MODEL, Tagger, tokenize

    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    if args.tagger is None:
        tagger = Tagger.load()
    else:
        tagger = Tagger(DEFAULT_MODEL, neural=DEFAULT_NEURAL_MODEL if args.tagger == "neural" else None)
    t_load = time.perf_counter() - t0

    if args.sentences:
        sents = [l.strip() for l in args.sentences.read_text(encoding="utf-8").splitlines() if l.strip()]
    else:
        sents = make_sentences(args.n)
    n_tok = sum(len(tokenize(s)) for s in sents)

    t0 = time.perf_counter()
    n_ent = sum(len(tagger.tag_spans(s)) for s in sents)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    c0 = time.process_time()
    for s in sents:
        tagger.tag_spans(s)
    warm = time.perf_counter() - t0
    warm_cpu = time.process_time() - c0

    # worst case: every word new to the word-feature cache
    features = tagger.features
    t0 = time.perf_counter()
    for s in sents[:1000]:
        features._cache.clear()
        tagger.tag_spans(s)
    nocache = time.perf_counter() - t0
    n_nc = min(len(sents), 1000)

    from marsad.entities.tagger import tag_conll

    conll = []
    for s in sents:
        conll.extend(t for t, _, _ in tokenize(s))
        conll.append("")
    t0 = time.perf_counter()
    n_lines = sum(1 for _ in tag_conll(conll, tagger))
    t_conll = time.perf_counter() - t0
    assert n_lines == len(conll)

    articles = [" ".join(sents[i:i + 10]) for i in range(0, len(sents), 10)]
    tagger.spans_many(articles[:64])
    t0 = time.perf_counter()
    c0 = time.process_time()
    for i in range(0, len(articles), 64):
        tagger.spans_many(articles[i:i + 64])
    batched = time.perf_counter() - t0
    batched_cpu = time.process_time() - c0

    model = DEFAULT_NEURAL_MODEL if tagger.neural is not None else DEFAULT_MODEL
    print(f"tagger: {'neural' if tagger.neural is not None else 'crf'}")
    print(f"model: {model} ({model.stat().st_size / 1e6:.2f} MB)")
    print(f"import: {t_import:.2f} s; Tagger.load (model + lexicons + gazetteers): {t_load:.2f} s")
    print(f"sentences: {len(sents)}, tokens: {n_tok} ({n_tok / len(sents):.1f} per sentence), "
          f"entities found: {n_ent}")
    print(f"tag_spans, first pass:  {len(sents) / cold:,.0f} sentences/s, {n_tok / cold:,.0f} tokens/s (one core)")
    print(f"tag_spans, second pass: {len(sents) / warm:,.0f} sentences/s, {n_tok / warm:,.0f} tokens/s (one core)")
    print(f"tag_spans, second pass, per CPU-second of this process: {len(sents) / warm_cpu:,.0f} sentences/s "
          "(the figure to read on a loaded machine)")
    print(f"tag_spans, word cache emptied before each sentence: {n_nc / nocache:,.0f} sentences/s")
    print(f"tag_conll (one token per line): {len(sents) / t_conll:,.0f} sentences/s")
    print(f"spans_many, 64 articles of 10 sentences per call (as the entities stage tags): "
          f"{len(sents) / batched:,.0f} sentences/s, {len(sents) / batched_cpu:,.0f} per CPU-second")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
