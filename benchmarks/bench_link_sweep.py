"""Sweep of one ``[link]`` setting on a labelled news corpus: is a chosen value on a plateau or a peak?

In: a setting name and values (``--set join_score 0.38 0.40 0.42 0.44 0.46``), the corpus
(default ``../shared/data/news-dev``) and ``../shared/tools/score_news.py``. For each value, a settings
file overriding that one value is written to a temporary directory and the scorer runs marsad with it
(through ``$MARSAD_SETTINGS``; nothing in the repository changes). Out: one line per value with
developments and storylines pair precision / recall / F1 as the scorer prints them. Each value costs
one full ``marsad analyze`` of the corpus (about a minute for news-dev on 2 cores), run one after another.

Usage: ``python benchmarks/bench_link_sweep.py --set day_consensus_share 0.5 0.6 0.75``
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCORER = ROOT.parent / "shared" / "tools" / "score_news.py"
LINE = re.compile(r"(developments|storylines):\s+P ([\d.]+) R ([\d.]+) F1 ([\d.]+)")


def score(setting: str, value: str, corpus: Path, marsad: str, tmp: Path) -> dict[str, tuple[str, ...]]:
    cfg = tmp / f"{setting}_{value}.cfg"
    cfg.write_text(f"[link]\n{setting} = {value}\n", encoding="utf-8")
    env = dict(os.environ, MARSAD_SETTINGS=str(cfg))
    out = subprocess.run([sys.executable, str(SCORER), str(corpus), "--marsad", marsad],
                         capture_output=True, text=True, env=env, timeout=3600).stdout
    return {m.group(1): m.groups()[1:] for m in LINE.finditer(out)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", nargs="+", required=True, metavar=("NAME", "VALUE"), help="setting name, then values")
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "data" / "news-dev"))
    ap.add_argument("--marsad", default=str(Path(sys.executable).with_name("marsad")))
    args = ap.parse_args()
    if len(args.set) < 2:
        ap.error("--set needs a setting name and at least one value")
    name, values = args.set[0], args.set[1:]
    print(f"{name:>24}  developments P / R / F1    storylines P / R / F1")
    with tempfile.TemporaryDirectory() as d:
        for v in values:
            r = score(name, v, Path(args.corpus), args.marsad, Path(d))
            dev, line = r.get("developments", ("-",) * 3), r.get("storylines", ("-",) * 3)
            print(f"{v:>24}  {' / '.join(dev):<26} {' / '.join(line)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
