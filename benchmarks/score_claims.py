"""Score marsad's claims against the hand-made gold set on news-dev.

In: ``benchmarks/gold/claims_news_dev.jsonl`` (claims as article id + character offsets into
``../shared/data/news-dev/raw/ID.txt``, each with its gold group and the source it comes from; groups
with their number of independent origins; contradictions between groups) and a marsad store of
news-dev (``--db``; without it the corpus is analysed into a temporary store). Out: claim-group
precision / recall (pairs of gold claims from different articles), contradiction precision / recall
(pairs of gold groups), origin counts exact (per gold group: distinct origins marsad gives its
claims vs the gold count), with examples of each kind of error.

usage: python benchmarks/score_claims.py [--corpus ../shared/data/news-dev] [--db FILE] [--examples N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLD = HERE / "gold" / "claims_news_dev.jsonl"
_WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    from marsad.text import normalize

    return set(_WORD.findall(normalize(text)))


def load_gold(path: Path = GOLD):
    claims, groups, contra = [], {}, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        if r["type"] == "claim":
            claims.append(r)
        elif r["type"] == "group":
            groups[r["id"]] = r
        else:
            contra.append(r)
    return claims, groups, contra


def _analyse(corpus: Path, db: Path) -> None:
    from marsad.pipeline import analyze
    from marsad.store import Store

    d = Path(tempfile.mkdtemp())
    inp = d / "input.jsonl"
    rows = [json.loads(x) for x in (corpus / "articles.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    inp.write_text("\n".join(json.dumps({"url": r["url"], "outlet": r.get("outlet"), "text": r["text"]}, ensure_ascii=False)
                             for r in rows) + "\n", encoding="utf-8")
    s = Store(db)
    analyze(s, [str(inp)], workers=1)
    s.close()


def match_claims(store, corpus: Path, gold_claims: list[dict]) -> dict[int, dict]:
    """Gold claim index -> the marsad claim (export shape) that best covers its span, if any."""
    from marsad.claims import claims as read_claims

    urls = {}
    for x in (corpus / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        if x.strip():
            r = json.loads(x)
            urls[r["id"]] = r["url"]
    by_url = {a.url: a.id for a in store.articles() if a.url}
    by_article = defaultdict(list)
    for c in read_claims(store):
        by_article[c["article_id"]].append(c)
    out = {}
    for i, g in enumerate(gold_claims):
        aid = by_url.get(urls.get(g["article"]))
        raw = (corpus / "raw" / f"{g['article']}.txt").read_text(encoding="utf-8")[g["start"]:g["end"]]
        gw = _words(raw)
        best, best_score = None, 0.0
        for c in by_article.get(aid, []):
            cw = _words(c["text"])
            if not cw or not gw:
                continue
            score = len(gw & cw) / min(len(gw), len(cw))
            if score > best_score:
                best, best_score = c, score
        if best is not None and best_score >= 0.5:
            out[i] = best
    return out


def score(store, corpus: Path, examples: int = 3) -> dict:
    from marsad.claims import claim_groups

    gold_claims, gold_groups, gold_contra = load_gold()
    matched = match_claims(store, corpus, gold_claims)
    texts = {i: (corpus / "raw" / f"{g['article']}.txt").read_text(encoding="utf-8")[g["start"]:g["end"]]
             for i, g in enumerate(gold_claims)}
    # claim groups: pairs of gold claims from different articles
    tp = fp = fn = 0
    ex = defaultdict(list)
    for i, j in itertools.combinations(sorted(matched), 2):
        a, b = gold_claims[i], gold_claims[j]
        if a["article"] == b["article"]:
            continue
        same_gold = a["group"] == b["group"]
        same_pred = matched[i]["group_id"] == matched[j]["group_id"]
        tp += same_gold and same_pred
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
        if same_pred and not same_gold:
            ex["wrong merge"].append((texts[i], texts[j]))
        if same_gold and not same_pred:
            ex["missed merge"].append((texts[i], texts[j]))
    gp, gr = tp / max(1, tp + fp), tp / max(1, tp + fn)
    # contradictions: pairs of gold groups
    contra_of = {g["id"]: {c["group_id"] for c in g["contradicts"]} for g in claim_groups(store)}
    gold_pairs = {frozenset((c["a"], c["b"])) for c in gold_contra}
    pred_pairs = set()
    for i, j in itertools.combinations(sorted(matched), 2):
        gi, gj = matched[i]["group_id"], matched[j]["group_id"]
        if gj in contra_of.get(gi, set()) or gi in contra_of.get(gj, set()):
            pair = frozenset((gold_claims[i]["group"], gold_claims[j]["group"]))
            if pair not in pred_pairs and pair not in gold_pairs:
                ex["false contradiction"].append((texts[i], texts[j]))
            pred_pairs.add(pair)
    ctp = len(pred_pairs & gold_pairs)
    cp, cr = ctp / max(1, len(pred_pairs)), ctp / max(1, len(gold_pairs))
    for pair in gold_pairs - pred_pairs:
        a, b = sorted(pair)
        ia = next(i for i, g in enumerate(gold_claims) if g["group"] == a)
        ib = next(i for i, g in enumerate(gold_claims) if g["group"] == b)
        ex["missed contradiction"].append((texts[ia], texts[ib]))
    # origin counts per gold group (claims marsad found)
    exact = total = 0
    for gid, g in gold_groups.items():
        idx = [i for i, c in enumerate(gold_claims) if c["group"] == gid and i in matched]
        if not idx:
            continue
        total += 1
        names = {matched[i].get("origin_key") or matched[i]["origin"] for i in idx}
        want = len({gold_claims[i]["source"] for i in idx})
        if len(names) == want:
            exact += 1
        else:
            ex["origin count"].append((gid, f"gold {want}, marsad {len(names)}: {sorted(map(str, names))}"))
    res = {"claims": len(gold_claims), "matched": len(matched), "group_precision": round(gp, 3), "group_recall": round(gr, 3),
           "contradiction_precision": round(cp, 3), "contradiction_recall": round(cr, 3),
           "contradictions_predicted": len(pred_pairs), "contradictions_gold": len(gold_pairs),
           "origin_counts_exact": round(exact / max(1, total), 3), "groups_scored": total}
    res["examples"] = {k: v[:examples] for k, v in ex.items()}
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(HERE.parent.parent / "shared" / "data" / "news-dev"))
    ap.add_argument("--db", help="a store where news-dev was analysed (default: analyse into a temporary store)")
    ap.add_argument("--examples", type=int, default=3)
    args = ap.parse_args()
    from marsad.store import Store

    corpus = Path(args.corpus)
    db = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "news.db"
    if not args.db:
        _analyse(corpus, db)
    store = Store(db)
    res = score(store, corpus, args.examples)
    for k, v in res.items():
        if k != "examples":
            print(f"  {k}: {v}")
    for kind, items in res["examples"].items():
        print(f"  -- {kind}:")
        for a, b in items:
            print(f"     {str(a)[:110]!s}\n       <> {str(b)[:110]!s}")
    print(f"claims gold: group P {res['group_precision']} R {res['group_recall']}, contradiction P "
          f"{res['contradiction_precision']} R {res['contradiction_recall']}, origin counts exact {res['origin_counts_exact']}")


if __name__ == "__main__":
    sys.exit(main())
