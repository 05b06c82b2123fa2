"""Ingest over the web: the upload page (``/ingest``) and the ingest-job API (``/api/ingest``).

In: uploaded files and/or URLs (a multipart form, behind :class:`~marsad.web.middleware.WriteGuard`),
job ids. Out: :func:`router`, whose routes answer the Arabic upload page with the latest jobs, start a
job in its own process (202 with its id and progress URL; 400 for nothing to read or a refused URL,
409 while another job runs), and list jobs or report one job's progress.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from ..settings import SETTINGS
from .deps import Site, answer, get_site
from .jobs import Busy
from .urls import url_problem

WEB = SETTINGS.web


def router() -> APIRouter:
    """The routes (made per app: the upload limit the API describes is read from the settings now)."""
    r = APIRouter()
    r.get("/ingest", response_class=HTMLResponse, include_in_schema=False)(ingest_page)
    r.post("/api/ingest", status_code=202, tags=["ingest"],
           description="Bearer token (when the server has one) and Content-Length are checked before the body "
                       f"is read; at most {int(WEB.max_upload_mb)} MB. Runs in a separate process; poll `progress`."
           )(api_ingest)
    r.get("/api/ingest", tags=["ingest"])(api_jobs)
    r.get("/api/ingest/{job_id}", tags=["ingest"])(api_job)
    return r


def ingest_page(site: Site = Depends(get_site)):
    return site.page("ingest.html", nav="ingest", token_required=bool(site.token), jobs=site.jobs.all()[:5])


async def api_ingest(files: list[UploadFile] | None = File(None), urls: str = Form("", max_length=100_000),
                     site: Site = Depends(get_site)):
    url_list = [u.strip() for u in re.split(r"[\s,]+", urls or "") if u.strip()]
    for u in url_list:
        problem = url_problem(u, site.allow_private_urls)
        if problem:
            raise HTTPException(400, problem)
    files = [f for f in (files or []) if f.filename]
    if not files and not url_list:
        raise HTTPException(400, "nothing to ingest: send files and/or urls")
    if site.jobs.running():
        raise HTTPException(409, "an ingest job is already running")
    tmp = tempfile.mkdtemp(prefix="marsad-upload-")
    try:
        names = [await save_upload(f, Path(tmp) / f"{i:03d}_{safe_name(f.filename)}") for i, f in enumerate(files)]
        job = site.jobs.start(names + url_list, cleanup=tmp)
    except Busy:
        shutil.rmtree(tmp, ignore_errors=True)
        raise HTTPException(409, "an ingest job is already running") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return answer({"job": job["id"], "status": job["status"], "progress": f"/api/ingest/{job['id']}",
                   "inputs": len(names) + len(url_list)}, 202)


def safe_name(filename: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", Path(filename).name)[:120].lstrip(".") or "upload"


async def save_upload(f: UploadFile, dest: Path) -> str:
    with dest.open("wb") as out:
        while chunk := await f.read(1 << 20):
            out.write(chunk)
    return str(dest)


def api_jobs(site: Site = Depends(get_site)):
    return answer({"items": site.jobs.all()})


def api_job(job_id: str = PathParam(..., max_length=64), site: Site = Depends(get_site)):
    job = site.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no ingest job {job_id}")
    return answer(job)
