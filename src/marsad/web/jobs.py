"""Ingest jobs for a running server: one at a time, each in its own lower-priority process.

In: the database path and what to read (saved upload paths, URLs). Out: a job dict (``id``,
``status`` queued | running | done | error, ``stage``, ``done``, ``total``, ``stages``, ``summary``,
``error``) kept in the store's ``web_jobs`` table, so every server worker sees every job. The job
process (``python -m marsad.web.jobs DB JOB_ID INPUT...``) lowers its priority
(``SETTINGS.web.job_nice``), runs :func:`marsad.pipeline.analyze` (URLs through
:func:`marsad.web.urls.guarded_fetch`: public hosts only, redirects re-checked) and records its progress; the
server only starts it and reads the table, so pages never wait for an ingest. SQLite's locking
serialises its writes with any other writer (a CLI ``analyze``); readers never wait in WAL mode.
"""

from __future__ import annotations

import calendar
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import asdict, is_dataclass
from pathlib import Path

from ..settings import SETTINGS

PUBLIC = ("id", "status", "stage", "done", "total", "stages", "inputs", "started", "finished", "summary", "error")


class Busy(Exception):
    pass


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Jobs:
    def __init__(self, db_path: str, allow_private_urls: bool = False):
        self.db_path = db_path
        self.allow_private_urls = allow_private_urls
        self.procs: dict[str, subprocess.Popen] = {}

    def _store(self):
        from ..store import Store

        return Store(self.db_path)

    def _reap(self, store) -> None:
        """A job whose process is gone without saying so ended in error (killed, machine restarted)."""
        for j in store.web.jobs(active=True):
            started = calendar.timegm(time.strptime(j["started"], "%Y-%m-%dT%H:%M:%SZ"))
            if (j["pid"] and not _alive(j["pid"])) or (not j["pid"] and time.time() - started > 120):
                store.web.job_finish(j["id"], "error", error="the job process ended without finishing")

    def running(self) -> dict | None:
        store = self._store()
        try:
            self._reap(store)
            active = store.web.jobs(active=True, limit=1)
            return _public(active[0]) if active else None
        finally:
            store.close()

    def start(self, names: list[str], cleanup: str | None = None) -> dict:
        job_id = uuid.uuid4().hex[:12]
        store = self._store()
        try:
            self._reap(store)
            if not store.web.job_create(job_id, len(names), cleanup):
                raise Busy()
            proc = subprocess.Popen([sys.executable, "-m", "marsad.web.jobs", self.db_path, job_id, *names],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    start_new_session=True,
                                    env={**os.environ, "MARSAD_ALLOW_PRIVATE_URLS": "1" if self.allow_private_urls else "0"})
            store.web.job_update(job_id, pid=proc.pid)
            self.procs[job_id] = proc
            threading.Thread(target=proc.wait, name=f"marsad-job-{job_id}", daemon=True).start()  # no zombie
            return _public(store.web.jobs(job_id)[0])
        finally:
            store.close()

    def get(self, job_id: str) -> dict | None:
        store = self._store()
        try:
            rows = store.web.jobs(job_id)
            return _public(rows[0]) if rows else None
        finally:
            store.close()

    def all(self, limit: int = 50) -> list[dict]:
        store = self._store()
        try:
            return [_public(j) for j in store.web.jobs(limit=limit)]
        finally:
            store.close()


_WRITING: dict[str, tuple[float, bool]] = {}     # lock file -> (when looked, whether held)


def store_writing(db_path: str, every: float = 0.25) -> bool:
    """Whether a marsad run holds the store's writer lock (``STORE.lock``, see
    :func:`marsad.pipeline.writer_lock`): an ``flock`` on it listed in ``/proc/locks``, looked up at
    most every ``every`` seconds. Reading the list takes no lock, so it never makes a starting writer
    wait; where there is no ``/proc/locks``, False."""
    lock = str(Path(db_path).resolve()) + ".lock"
    now = time.monotonic()
    seen = _WRITING.get(lock)
    if seen and now - seen[0] < every:
        return seen[1]
    try:
        held = f":{os.stat(lock).st_ino} " in "".join(
            line for line in Path("/proc/locks").read_text().splitlines(keepends=True) if " FLOCK " in line)
    except OSError:
        held = False
    _WRITING[lock] = (now, held)
    return held


def _public(job: dict) -> dict:
    return {k: job.get(k) for k in PUBLIC}


def _progress(web, job_id: str):
    every = float(SETTINGS.web.job_progress_seconds)
    last = {"stage": None, "at": 0.0}

    def cb(stage: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if stage != last["stage"] or now - last["at"] >= every or (total and done >= total):
            web.job_progress(job_id, stage, done, total)
            last.update(stage=stage, at=now)
    return cb


def run_job(db_path: str, job_id: str, names: list[str]) -> int:
    """The job process: analyse ``names`` into the store, recording progress and the outcome."""
    from ..pipeline import analyze
    from ..store import Store
    from .urls import guarded_fetch

    try:
        os.nice(int(SETTINGS.web.job_nice))
    except OSError:
        pass
    store = Store(db_path)
    web = store.web
    folder = (web.jobs(job_id) or [{}])[0].get("folder")
    web.job_update(job_id, status="running", stage="waiting", pid=os.getpid())   # until analyze holds the writer lock
    try:
        fetch = guarded_fetch(os.environ.get("MARSAD_ALLOW_PRIVATE_URLS") == "1")
        summary = analyze(store, names, _progress(web, job_id), workers=1, fetch=fetch)
        out = asdict(summary) if is_dataclass(summary) else dict(summary or {})
        out["rejects"] = [list(r) for r in out.get("rejects", [])]
        web.job_finish(job_id, "done", summary=out)
        return 0
    except Exception as exc:  # reported to the client through the job's row
        web.job_finish(job_id, "error", error=f"{exc.__class__.__name__}: {exc}")
        return 1
    finally:
        store.close()
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(run_job(sys.argv[1], sys.argv[2], sys.argv[3:]))
