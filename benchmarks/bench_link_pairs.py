"""Same-story pair benchmark on public Arabic headlines: does the link stage's pair score separate
two wordings of one news item from a different item on the same subject?

In: the ANS corpus under ../shared/data/stance/ans/stance/ (headline pairs labelled agree / disagree /
other). Labelled pairs built from it, never copied into the repository: a positive is an ``agree``
pair (a headline and a paraphrase of it: the same news); a hard negative pairs the same headline with
the headline of another ANS item (no pair of any stance links the two) that shares the most content
words with it (same subject, usually
same country or actor, different news). Out: ROC AUC of :func:`marsad.link.signals.pair_score` (with
the bundled encoder), and precision / recall / F1 at ``join_score`` and at the best threshold. Headlines
carry no lead, entities (the entity stage is not run here) or dates, so this measures the text and
encoder signals alone. Usage: ``python benchmarks/bench_link_pairs.py [--split dev|train]``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
ANS = ROOT.parent / "shared" / "data" / "stance" / "ans" / "stance"


def pairs(split: str) -> list[tuple[str, str, int]]:
    from marsad.link.features import content_terms

    rows = list(csv.DictReader((ANS / f"{split}.csv").open(encoding="utf-8")))
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for r in rows:                      # every pair, whatever its stance, is about one news item
        parent[find(r["s1"])] = find(r["s2"])
    heads = sorted({r["s1"] for r in rows} | {r["s2"] for r in rows})
    words = {h: set(content_terms(h)) for h in heads}
    out = []
    for r in rows:
        if r["stance"] != "agree":
            continue
        out.append((r["s1"], r["s2"], 1))
        own, item = words[r["s1"]], find(r["s1"])
        other = max((h for h in heads if find(h) != item), key=lambda h: (len(own & words[h]), h))
        out.append((r["s1"], other, 0))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", default="dev", choices=("dev", "train"))
    args = ap.parse_args()
    from marsad.link.encoder import get_encoder
    from marsad.link.signals import article_profile, pair_score
    from marsad.settings import SETTINGS

    data = pairs(args.split)
    texts = sorted({t for a, b, _ in data for t in (a, b)})
    vec = dict(zip(texts, get_encoder().encode(texts)))
    prof = {t: article_profile(0, None, True, t, None, []) for t in texts}
    scores = np.array([pair_score(prof[a], prof[b], float(vec[a] @ vec[b]))[0] for a, b, _ in data])
    gold = np.array([y for _, _, y in data])
    pos, neg = scores[gold == 1], scores[gold == 0]
    auc = float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())

    def prf(t: float) -> tuple[float, float, float]:
        pred = scores >= t
        tp = int((pred & (gold == 1)).sum())
        p, r = tp / max(int(pred.sum()), 1), tp / max(int(gold.sum()), 1)
        return p, r, 2 * p * r / max(p + r, 1e-9)

    best = max((prf(t) + (t,) for t in np.arange(0.05, 1.0, 0.01)), key=lambda x: x[2])
    p, r, f = prf(SETTINGS.link.join_score)
    print(f"ANS {args.split}: {int(gold.sum())} same-news pairs, {int((gold == 0).sum())} hard negatives; AUC {auc:.3f}")
    print(f"  at join_score {SETTINGS.link.join_score}: P {p:.3f} R {r:.3f} F1 {f:.3f}")
    print(f"  best threshold {best[3]:.2f}: P {best[0]:.3f} R {best[1]:.3f} F1 {best[2]:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
