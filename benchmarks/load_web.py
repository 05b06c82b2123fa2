"""Loopback load test of ``marsad serve``: many concurrent clients on a 5,000-article store, also while an ingest runs.

In: ``--n`` generated articles (5,000, from :mod:`marsad.bench.generate`: stories of several
outlets, wire copies; built once into ``--keep DIR`` through the real pipeline), ``--clients`` concurrent
clients (16 and 50), a target ``--rate`` of requests per second shared by them (50), ``--seconds``
per phase. The server runs as its own process(es) on 127.0.0.1 (``--workers``); the clients ask for a
mix of pages: overview, story, article, search, and the API's story / article / entity / claim lists and
search. Phase ``idle`` loads the store as it is; phase ``ingest`` starts an ingest of ``--ingest-files``
new articles through ``POST /api/ingest`` and loads the server while it runs; with ``--ingest-input FILE`` the
ingest is instead what ``marsad analyze FILE --db STORE`` runs (ingest, clean, entities, link, claims, events,
then the report), in a process of its own at the job niceness, and the phase lasts until it ends (at most
``--ingest-max-seconds``), so every stage writes while pages are served; each request is labelled with the
stage running when it was sent. ``--db STORE`` loads a fresh copy of an
existing store instead (so every run starts from the same store). ``--src DIR`` serves
another source tree (e.g. an older checkout's ``src``) on a copy of the store, for before/after runs
on the same machine. Only loopback addresses are used; every loop is bounded in time and count.

Out: per phase and page kind the requests, errors, p50 / p95 / p99 milliseconds, requests/s, and
the server's CPU milliseconds per request (its process group's CPU time over the phase: on a shared,
loaded machine the latencies measure the queue for a core, this measures the work), the machine's load
average over the phase, and for an ``--ingest-input`` run the analyze's stages, seconds and CPU seconds
(``--json`` for a JSON object). Speed is reported, never asserted.

Usage: ``python benchmarks/load_web.py [--n 5000] [--keep DIR] [--clients 16 50] [--rate 50] [--seconds 30]
[--workers 2] [--ingest-files 20] [--ingest-input FILE] [--db STORE] [--src DIR] [--json]``
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
WORDS = ["الكرملين", "دمشق", "الأسد", "حلب", "موسكو", "المعارضة", "إدلب", "الجيش", "بلومبيرغ", "اللاجئين",
         "الحكومة", "روسيا", "تركيا", "الرئيس", "قوات", "مصادر", "المدينة", "الفرايه", "حمص", "الأمم المتحدة"]
MIX = [("overview", 3), ("story", 5), ("article", 5), ("search", 3), ("api_stories", 1), ("api_articles", 1),
       ("api_entities", 1), ("api_claims", 1), ("api_search", 1), ("api_storylines", 1), ("api_events", 1)]


def corpus(path: Path, n: int, seed: int = 13, start: int = 0) -> Path:
    """``n`` articles from :mod:`marsad.bench.generate` (stories of several outlets, wire copies) as JSON Lines."""
    import importlib

    return importlib.import_module("marsad.bench.generate").write_corpus(n, path, seed=seed, start=start)


def build(work: Path, n: int) -> Path:
    """The store: ``n`` generated articles analysed by the real pipeline (kept for the next run)."""
    db = work / "store.db"
    if db.exists():
        return db
    from marsad.pipeline import analyze
    from marsad.store import Store

    src = corpus(work / "articles" / "corpus.jsonl", n)
    t = time.perf_counter()
    store = Store(db)
    analyze(store, [str(src)], workers=None)
    store.close()
    print(f"built {n} articles in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return db


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_server(db: Path, port: int, workers: int, token: str, src: str | None, log: Path) -> subprocess.Popen:
    """The server in a session of its own (its process group is what the CPU figure counts); its
    output goes to ``log``."""
    code = ("import inspect, sys; from marsad.web import serve; kw = {'workers': int(sys.argv[3])} "
            "if 'workers' in inspect.signature(serve).parameters else {}; "
            "serve(sys.argv[1], host='127.0.0.1', port=int(sys.argv[2]), token=sys.argv[4], **kw)")
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    with log.open("w") as out:
        return subprocess.Popen([sys.executable, "-c", code, str(db), str(port), str(workers), token], env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(base: str, timeout: float = 120) -> None:
    import httpx

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if httpx.get(base + "/api/stats", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("server did not start")


def targets(base: str) -> dict:
    """Ids to ask for: stories of every size, articles across the store."""
    import httpx

    stories = httpx.get(base + "/api/stories", params={"limit": 200}, timeout=60).json()["items"]
    total = httpx.get(base + "/api/articles", params={"limit": 1}, timeout=60).json()["total"]
    return {"stories": [s["id"] for s in stories] or [1], "n_articles": total}


def url_for(kind: str, rng: random.Random, t: dict) -> str:
    if kind == "overview":
        return "/" if rng.random() < 0.8 else "/?sort=recent"
    if kind == "story":
        return f"/stories/{rng.choice(t['stories'])}"
    if kind == "article":
        return f"/articles/{rng.randint(1, t['n_articles'])}"
    if kind == "search":
        return f"/search?q={rng.choice(WORDS)}"
    if kind == "api_stories":
        return f"/api/stories?limit=50&offset={rng.randint(0, 4) * 50}"
    if kind == "api_articles":
        return f"/api/articles?limit=50&offset={rng.randint(0, 20) * 50}"
    if kind == "api_entities":
        return f"/api/entities?limit=50&offset={rng.randint(0, 10) * 50}"
    if kind == "api_claims":
        return f"/api/claims?story_id={rng.choice(t['stories'])}&limit=50"
    if kind == "api_storylines":
        return f"/api/storylines?limit=50&offset={rng.randint(0, 2) * 50}"
    if kind == "api_events":
        return f"/api/events?limit=50&offset={rng.randint(0, 10) * 50}"
    return f"/api/search?q={rng.choice(WORDS)}&limit=20"


async def load(base: str, t: dict, clients: int, rate: float, seconds: float, seed: int,
               done=None, label=None) -> dict:
    """``clients`` concurrent clients, together at most ``rate`` requests/s, for ``seconds`` (bounded), or
    until ``done()`` is true when given; ``label(wall_time)`` names what ran when a request was sent
    (the ingest's stage), reported apart."""
    import httpx

    rng = random.Random(seed)
    kinds = [k for k, w in MIX for _ in range(w)]
    results: list[tuple] = []
    failures: list[str] = []
    start = time.monotonic()
    end = start + seconds
    interval = clients / rate
    max_requests = int(rate * seconds * 1.2) + clients

    async def client(i: int, http: httpx.AsyncClient) -> None:
        nxt = start + interval * i / clients
        while len(results) < max_requests:
            now = time.monotonic()
            if nxt > now:
                await asyncio.sleep(nxt - now)
            if time.monotonic() >= end or (done is not None and done()):
                return
            nxt += interval
            kind = rng.choice(kinds)
            sent = time.time()
            t0 = time.perf_counter()
            url = url_for(kind, rng, t)
            try:
                r = await http.get(url)
                ok = r.status_code < 400 or (kind == "article" and r.status_code == 404)
                why = f"HTTP {r.status_code}"
                if not ok and r.status_code >= 500:
                    why += " " + r.text[:160].replace("\n", " ")
            except httpx.HTTPError as exc:
                ok, why = False, exc.__class__.__name__
            results.append((kind, (time.perf_counter() - t0) * 1000, ok, sent))
            if not ok and len(failures) < 10:
                failures.append(f"{url} {why}")

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits,
                                 headers={"Accept-Encoding": "gzip"}) as http:
        await asyncio.gather(*(client(i, http) for i in range(clients)))
    elapsed = time.monotonic() - start
    out = summarise(results, elapsed)
    out["all"]["failures"] = failures
    if label is not None:
        by_stage: dict[str, list] = {}
        for r in results:
            by_stage.setdefault(label(r[3]), []).append(r)
        out["all"]["by_stage"] = {k: summarise(v, elapsed)["all"] for k, v in by_stage.items()}
    return out


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of the live processes in a process group (the server and its workers;
    the ingest job runs in a session of its own and is not counted)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:                     # field 5 of stat: the process group
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(len(xs) * p))], 1) if xs else 0.0


def summarise(results: list[tuple], elapsed: float) -> dict:
    def stats(rows):
        ms = [r[1] for r in rows]
        return {"requests": len(rows), "errors": sum(not r[2] for r in rows), "p50_ms": pct(ms, .5),
                "p95_ms": pct(ms, .95), "p99_ms": pct(ms, .99)}
    out = {"all": {**stats(results), "requests_per_s": round(len(results) / elapsed, 1), "seconds": round(elapsed, 1)}}
    for kind, _ in MIX:
        rows = [r for r in results if r[0] == kind]
        if rows:
            out[kind] = stats(rows)
    return out


def start_ingest(base: str, token: str, n: int, work: Path) -> str | None:
    """POST ``n`` new generated articles (as ``n`` files); the job's progress URL."""
    import httpx

    lines = corpus(work / "ingest" / "new.jsonl", n, seed=int(time.time()), start=10_000_000).read_text("utf-8").splitlines()
    files = [("files", (f"new_{i:03d}.jsonl", (line + "\n").encode("utf-8"), "application/x-ndjson"))
             for i, line in enumerate(lines)]
    r = httpx.post(base + "/api/ingest", files=files, headers={"Authorization": f"Bearer {token}"}, timeout=120)
    if r.status_code != 202:
        print(f"ingest refused: {r.status_code} {r.text[:200]}", file=sys.stderr)
        return None
    return r.json()["progress"]


ANALYZE = """
import os, sys, time
from marsad.pipeline import analyze
from marsad.report import write_report
from marsad.settings import SETTINGS
from marsad.store import Store
os.nice(int(SETTINGS.web.job_nice))
db, src, report, log = sys.argv[1:5]
with open(log, "a", buffering=1) as out:
    def progress(stage, done, total):
        out.write(f"{time.time():.3f} {stage} {done} {total}\\n")
    store = Store(db)
    run = analyze(store, [src], progress, exclude=[report])
    write_report(store, report, run)
    out.write(f"{time.time():.3f} report 1 1\\n")
    store.close()
"""   # what ``marsad analyze SRC --db DB --report REPORT`` runs (cli.analyze), with timed progress lines


def start_analyze(db: Path, src: str, work: Path, tree: str | None) -> tuple[subprocess.Popen, Path]:
    """``marsad analyze`` of ``src`` into the served store, in a session of its own; its progress log."""
    log = work / "analyze.log"
    log.write_text("", "utf-8")
    env = dict(os.environ)
    if tree:
        env["PYTHONPATH"] = tree
    with (work / "analyze.err").open("w") as err:
        proc = subprocess.Popen([sys.executable, "-c", ANALYZE, str(db), src, str(work / "report.html"), str(log)],
                                env=env, stdout=err, stderr=subprocess.STDOUT, start_new_session=True)
    return proc, log


def stage_timeline(log: Path) -> list[tuple[float, str]]:
    """(time, stage) of every progress line (a stage reports when it has finished a batch)."""
    return [(float(t), stage) for t, stage, *_ in (line.split() for line in log.read_text("utf-8").splitlines())]


def stage_at(timeline: list[tuple[float, str]], t: float) -> str:
    """The stage running at ``t``: the one whose progress line comes next."""
    i = bisect.bisect_left(timeline, (t, ""))
    return timeline[i][1] if i < len(timeline) else "after"


def stage_spans(timeline: list[tuple[float, str]], start: float) -> list[tuple[str, float]]:
    """Each stage's seconds, from the previous stage's last progress line to its own last one."""
    out: list[tuple[str, float]] = []
    last = start
    for i, (t, stage) in enumerate(timeline):
        if i + 1 == len(timeline) or timeline[i + 1][1] != stage:
            out.append((stage, round(t - last, 1)))
            last = t
    return out


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def job_state(base: str, url: str | None) -> dict:
    import httpx

    if not url:
        return {"status": "not started"}
    j = httpx.get(base + url, timeout=30).json()
    return {k: j.get(k) for k in ("status", "stage", "done", "total", "started", "finished", "error")}


def stop_jobs(db: Path) -> None:
    """End the ingest job processes the load test started (they run in sessions of their own)."""
    try:
        from marsad.store import Store

        store = Store(db)
        pids = [j.get("pid") for j in store.web.jobs(active=True)]
        store.close()
    except Exception:           # an older source tree's store has no job table: its jobs were threads
        return
    for pid in pids:
        if pid:
            try:
                os.kill(pid, 15)
            except ProcessLookupError:
                pass


def run(args) -> dict:
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="marsad-load-"))
    work.mkdir(parents=True, exist_ok=True)
    db = Path(args.db) if args.db else build(work, args.n)
    if args.src or args.db:     # a copy: another tree's schema never meets this one's, an ingest never grows --db
        copy = work / ("store-src.db" if args.src else "store-run.db")
        for stale in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):    # a previous run's WAL must not meet the copy
            stale.unlink(missing_ok=True)
        shutil.copy(db, copy)
        db = copy
    token, port = "load-test-token", free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(db, port, args.workers, token, args.src, work / "server.log")
    out: dict = {"articles": args.n, "workers": args.workers, "rate": args.rate, "src": args.src or "this tree",
                 "phases": {}}
    try:
        wait_ready(base)
        t = targets(base)
        def phase(clients: int, seed: int, seconds: float = args.seconds, **kw) -> dict:
            cpu, loads = group_cpu_seconds(server.pid), [load_average()]
            res = asyncio.run(load(base, t, clients, args.rate, seconds, seed=seed, **kw))
            loads.append(load_average())
            res["all"]["server_cpu_ms_per_request"] = round(
                (group_cpu_seconds(server.pid) - cpu) * 1000 / max(1, res["all"]["requests"]), 1)
            res["all"]["load_average"] = loads          # 1-minute load average at the start and the end
            return res

        for clients in args.clients:
            asyncio.run(load(base, t, clients, args.rate, min(5, args.seconds), seed=1))   # warm-up
            out["phases"][f"idle_{clients}"] = phase(clients, 2)
        if args.ingest_input:
            clients = max(args.clients)
            before, started = os.times(), time.time()
            proc, log = start_analyze(db, args.ingest_input, work, args.src)
            res = phase(clients, 3, seconds=args.ingest_max_seconds, done=lambda: proc.poll() is not None,
                        label=lambda at, seen={}: stage_at(seen.get("t") or seen.setdefault("t", stage_timeline(log)), at))
            if proc.poll() is None:
                os.killpg(proc.pid, 15)
            proc.wait()
            after = os.times()
            timeline = stage_timeline(log)
            out["phases"][f"analyze_{clients}"] = res
            out["ingest_job"] = {"exit": proc.returncode, "cpu_s": round(after.children_user + after.children_system
                                                                          - before.children_user - before.children_system, 1),
                                 "stages": stage_spans(timeline, started),
                                 "output": (work / "analyze.err").read_text("utf-8", "replace")[-600:]}
        elif args.ingest_files:
            clients = max(args.clients)
            job = start_ingest(base, token, args.ingest_files, work)
            out["phases"][f"ingest_{clients}"] = phase(clients, 3)
            out["ingest_job"] = job_state(base, job)
    finally:
        stop_jobs(db)
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--keep", help="build the store in this folder (and reuse it next time)")
    ap.add_argument("--db", help="load a copy of this existing store instead of building one (--n then only labels it)")
    ap.add_argument("--clients", type=int, nargs="+", default=[16, 50])
    ap.add_argument("--rate", type=float, default=50.0)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--ingest-files", type=int, default=20)
    ap.add_argument("--ingest-input", help="run `marsad analyze` of this file into the served store instead")
    ap.add_argument("--ingest-max-seconds", type=float, default=1800)
    ap.add_argument("--src", help="serve this source tree instead (PYTHONPATH), on a copy of the store")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    out = run(args)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    print(f"{out['articles']} articles, {out['workers']} workers, target {out['rate']} requests/s, source: {out['src']}")
    for phase, res in out["phases"].items():
        a = res["all"]
        print(f"{phase:10s} {a['requests_per_s']:6.1f} req/s  p50 {a['p50_ms']:7.1f}  p95 {a['p95_ms']:7.1f}  "
              f"p99 {a['p99_ms']:7.1f} ms  errors {a['errors']}/{a['requests']}  "
              f"server CPU {a.get('server_cpu_ms_per_request')} ms/request  load average {a.get('load_average')}")
        for kind, s in res.items():
            if kind != "all":
                print(f"    {kind:14s} n={s['requests']:5d}  p50 {s['p50_ms']:7.1f}  p95 {s['p95_ms']:7.1f}  "
                      f"p99 {s['p99_ms']:7.1f} ms  errors {s['errors']}")
        for stage, s in a.get("by_stage", {}).items():
            print(f"    during {stage:9s} n={s['requests']:5d}  p50 {s['p50_ms']:7.1f}  p95 {s['p95_ms']:7.1f}  "
                  f"p99 {s['p99_ms']:7.1f} ms  errors {s['errors']}")
        for f in a.get("failures", [])[:5]:
            print(f"    failed: {f}")
    if "ingest_job" in out:
        print(f"ingest job during the load: {out['ingest_job']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
