"""Benchmark of the web app: page load time of a story with 200 articles on the embedded store.

In: ``--n`` articles (200). Articles are generated from the sentences of the example corpus (and the
seeds in ``../shared/seeds`` when present): each takes a title and four to eight sentences in a
shuffled order, an outlet and a date line; they run through the real pipeline (ingest, clean,
entities, link) into a fresh SQLite store, and are then gathered into one story so the story page
has ``--n`` articles. Every page is requested in-process through the ASGI app (routing, store reads,
template rendering, gzip; no network), ``--repeat`` times after one warm-up; when Chromium and
Playwright are there, the story page is also loaded in headless Chromium over HTTP from uvicorn
(navigation start to the load event, stylesheet, script and basemap included, cached after warm-up).

Out: per page the median and 95th-percentile milliseconds (and with ``--json`` a JSON object).
Speed is reported, never asserted.

Usage: ``python benchmarks/bench_web.py [--n 200] [--repeat 30] [--json] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "examples" / "scraped", ROOT.parent / "shared" / "seeds"]
OUTLETS = ["وكالة الأنباء النموذجية", "صحيفة المنارة التجريبية", "نشرة الفرات التجريبية", "موقع الشام اليوم (نموذج)",
           "شبكة المرصد التجريبية", "بوابة الواحة (نموذج)", "جريدة الضفتين التجريبية", "منصة الزيتونة الرقمية (نموذج)"]


def sentences() -> list[str]:
    out = []
    for d in SOURCES:
        if not d.is_dir():
            continue
        for f in sorted(d.glob("*.txt")):
            for line in f.read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if len(line) > 80 and line.count(" ") > 10:
                    out.extend(s.strip() + "." for s in line.split(".") if len(s.strip()) > 40)
    return out


def generate(folder: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    pool = sentences()
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = rng.sample(pool, rng.randint(4, 8))
        title = f"{rng.choice(['عاجل', 'تقرير', 'متابعة', 'تحليل'])}: {body[0][:70].rsplit(' ', 1)[0]} ({i + 1})"
        day = 1 + i % 28
        text = (f"{title}\n{day} ديسمبر 2024\nالمصدر: {rng.choice(OUTLETS)}\n\n" + "\n\n".join(body) + "\n")
        (folder / f"gen_{i:04d}.txt").write_text(text, encoding="utf-8")


def build_store(db: Path, n: int, work: Path) -> int:
    from marsad.pipeline import analyze
    from marsad.store import Store

    generate(work / "articles", n)
    store = Store(db)
    analyze(store, [str(work / "articles")], workers=None)
    db_ = store.db
    sid = db_.execute("SELECT story_id FROM articles WHERE story_id IS NOT NULL GROUP BY story_id "
                      "ORDER BY count(*) DESC LIMIT 1").fetchone()
    if sid is None:             # no link stage installed: make the story row ourselves
        db_.execute("INSERT INTO stories(title, start, end) VALUES ('قصة مولّدة', '2024-12-01', '2024-12-28')")
        sid = (db_.execute("SELECT max(id) FROM stories").fetchone()[0],)
    db_.execute("UPDATE articles SET story_id=?", (sid[0],))
    db_.execute("UPDATE stories SET n_articles=(SELECT count(*) FROM articles) WHERE id=?", (sid[0],))
    store.close()
    return sid[0]


def timed(client, url: str, repeat: int) -> dict:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        r = client.get(url, headers={"Accept-Encoding": "gzip"})
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1), "bytes": len(r.content)}


def browser_load(db: Path, url: str, repeat: int) -> dict | None:
    """Full load in headless Chromium over HTTP (navigation start → load event), when available."""
    if not Path("/usr/bin/chromium").exists():
        return None
    try:
        import socket
        import threading

        import uvicorn
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    from marsad.web import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    srv = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    while not srv.started:
        time.sleep(0.05)
    times = []
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"])
            page = b.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"http://127.0.0.1:{port}{url}")          # warm-up (static files cached afterwards)
            for _ in range(repeat):
                page.goto(f"http://127.0.0.1:{port}{url}", wait_until="load")
                times.append(page.evaluate("(() => { const n = performance.getEntriesByType('navigation')[0];"
                                           " return n.loadEventEnd - n.startTime; })()"))
            b.close()
    finally:
        srv.should_exit = True
        th.join(timeout=10)
    times.sort()
    return {"median_ms": round(statistics.median(times), 1), "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--keep", help="build the store in this folder and keep it")
    ap.add_argument("--reuse", action="store_true", help="with --keep: reuse the store built there before")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient
    from marsad.web import create_app

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="marsad-bench-web-"))
    db = work / "bench.db"
    t = time.perf_counter()
    if args.reuse and db.exists():
        from marsad.store import Store
        st = Store(db)
        sid = st.db.execute("SELECT story_id FROM articles GROUP BY story_id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        st.close()
    else:
        sid = build_store(db, args.n, work)
    build_s = time.perf_counter() - t
    client = TestClient(create_app(db))
    aid = client.get("/api/articles", params={"limit": 1}).json()["items"][0]["id"]
    n_story = len(client.get(f"/api/stories/{sid}").json()["article_ids"])
    pages = {"story": f"/stories/{sid}", "overview": "/", "article": f"/articles/{aid}",
             "search": "/search?q=الكرملين", "api_story": f"/api/stories/{sid}",
             "api_articles": "/api/articles?limit=50"}
    out = {"articles": args.n, "story_articles": n_story, "build_seconds": round(build_s, 1),
           "pages": {k: timed(client, u, args.repeat) for k, u in pages.items()}}
    out["browser_story_load"] = browser_load(db, pages["story"], min(args.repeat, 15))
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        print(f"{args.n} articles generated and analysed in {build_s:.1f} s; story {sid} has {n_story} articles")
        for k, v in out["pages"].items():
            print(f"  {k:13s} median {v['median_ms']:7.1f} ms  p95 {v['p95_ms']:7.1f} ms  {v['bytes']:8d} bytes")
        b = out["browser_story_load"]
        if b:
            print(f"  story page in Chromium over HTTP (navigation → load event): median {b['median_ms']} ms, "
                  f"p95 {b['p95_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
