"""Ingest jobs for a running server: one background thread at a time, progress kept in memory.

In: the database path and what to read (saved upload paths, URLs). Out: a job dict (``id``,
``status`` queued | running | done | error, ``stage``, ``done``, ``total``, ``summary``, ``error``) that
the progress endpoint returns while :func:`marsad.pipeline.analyze` and the later stages run in a
thread with their own store connection.
"""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from dataclasses import asdict, is_dataclass
from typing import Callable


class Busy(Exception):
    pass


class Jobs:
    def __init__(self, db_path: str, runner: Callable | None = None):
        self.db_path = db_path
        self.lock = threading.Lock()
        self.jobs: dict[str, dict] = {}
        self.runner = runner or run_pipeline
        self.threads: dict[str, threading.Thread] = {}

    def running(self) -> dict | None:
        with self.lock:
            return next((j for j in self.jobs.values() if j["status"] in ("queued", "running")), None)

    def start(self, names: list[str], cleanup: str | None = None) -> dict:
        with self.lock:
            if any(j["status"] in ("queued", "running") for j in self.jobs.values()):
                raise Busy()
            job = {"id": uuid.uuid4().hex[:12], "status": "queued", "stage": None, "done": 0, "total": None,
                   "inputs": len(names), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                   "finished": None, "summary": None, "error": None, "stages": []}
            self.jobs[job["id"]] = job
        t = threading.Thread(target=self._run, args=(job, names, cleanup), name=f"marsad-ingest-{job['id']}",
                             daemon=True)
        self.threads[job["id"]] = t
        t.start()
        return dict(job)

    def get(self, job_id: str) -> dict | None:
        with self.lock:
            j = self.jobs.get(job_id)
            return dict(j) if j else None

    def all(self) -> list[dict]:
        with self.lock:
            return [dict(j) for j in self.jobs.values()]

    def _progress(self, job: dict):
        def cb(stage: str, done: int, total: int | None) -> None:
            with self.lock:
                if job["stage"] != stage:
                    job["stages"].append(stage)
                job.update(stage=stage, done=done, total=total)
        return cb

    def _run(self, job: dict, names: list[str], cleanup: str | None) -> None:
        with self.lock:
            job["status"] = "running"
        try:
            summary = self.runner(self.db_path, names, self._progress(job))
            with self.lock:
                job.update(status="done", summary=summary)
        except Exception as exc:  # reported to the client, never kills the server
            with self.lock:
                job.update(status="error", error=f"{exc.__class__.__name__}: {exc}")
        finally:
            with self.lock:
                job["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            if cleanup:
                shutil.rmtree(cleanup, ignore_errors=True)


def run_pipeline(db_path: str, names: list[str], progress) -> dict:
    from ..pipeline import analyze
    from ..store import Store

    store = Store(db_path)
    try:
        summary = analyze(store, names, progress, workers=1)
        out = asdict(summary) if is_dataclass(summary) else dict(summary or {})
        out["rejects"] = [list(r) for r in out.get("rejects", [])]
        return out
    finally:
        store.close()
