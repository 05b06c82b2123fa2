"""Build src/marsad/data/link_idf.npz: reference document frequencies of hashed character n-grams.

In: general Arabic news text under ../shared/data/ (ANERcorp token files, cut into pseudo-documents
at full stops, and the headlines of the ANS stance corpus). Out: ``df`` (uint16, one count per hashed
bucket of :mod:`marsad.link.chargrams`) and ``n_docs``. Only counts of hashed n-grams are shipped,
never the text. Run: ``.venv/bin/python scripts/build_link_idf.py [../shared/data]``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

from marsad.link.chargrams import BUCKETS, gram_buckets


def documents(root: Path):
    for f in sorted(root.glob("ner/*/train.txt")):
        words: list[str] = []
        for line in f.read_text(encoding="utf-8").splitlines():
            tok = line.split(" ")[0] if line.strip() else ""
            if tok:
                words.append(tok)
            if tok in (".", "!", "?") and len(words) >= 8 or len(words) >= 60:
                yield " ".join(words)
                words = []
        if words:
            yield " ".join(words)
    seen: set[str] = set()
    for f in sorted(root.glob("stance/ans/*/*.csv")):
        with f.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                for key in ("claim_s", "s1", "s2"):
                    text = (row.get(key) or "").strip()
                    if text and text not in seen:
                        seen.add(text)
                        yield text


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
    df = np.zeros(BUCKETS, dtype=np.int64)
    n = 0
    for doc in documents(root):
        df[list(gram_buckets(doc))] += 1
        n += 1
    out = Path(__file__).resolve().parents[1] / "src/marsad/data/link_idf.npz"
    np.savez_compressed(out, df=np.minimum(df, 65535).astype(np.uint16), n_docs=np.int64(n))
    print(f"{n} documents, {int((df > 0).sum())} buckets used -> {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
