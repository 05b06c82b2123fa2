"""Crash safety and concurrent runs, with real processes.

`marsad analyze` is killed with SIGKILL at random points on a generated corpus, several times, then
re-run to completion: SQLite's integrity check passes, no article is lost or stored twice, and the
articles, stories, storylines, claims and events equal those of an uninterrupted run. Two `analyze`
processes started at once on one store both complete (the second waits for the first, and says so)
and leave the same result. The corpus is written here from the examples (a dozen documents, so the
suite stays fast; ``benchmarks/`` is the place for a thousand-article run).
"""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from marsad.store import Store

from .conftest import EXAMPLES

N_DOCUMENTS = 12
KILLS = 3
CLI = [sys.executable, "-c", "from marsad.cli import app; app()"]


def _corpus(folder: Path) -> Path:
    """N_DOCUMENTS distinct documents: the example scrapes with their title and numbers varied."""
    folder.mkdir(parents=True)
    sources = sorted((EXAMPLES / "scraped").glob("*.txt"))
    for i in range(N_DOCUMENTS):
        text = sources[i % len(sources)].read_text(encoding="utf-8")
        if i >= len(sources):
            head, _, rest = text.partition("\n")
            text = f"{head} ({i})\n" + re.sub(r"\b(\d\d)\b", lambda m: str(int(m.group(1)) + i), rest, count=2)
        (folder / f"doc{i:03d}.txt").write_text(text, encoding="utf-8")
    return folder


def _analyze(inputs: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen(CLI + ["analyze", str(inputs), "--db", str(db), "--report", str(db.with_suffix(".html")),
                                   "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _export(db: Path) -> dict:
    res = subprocess.run(CLI + ["export", "--format", "json", "--db", str(db)], capture_output=True, text=True, check=True)
    return json.loads(res.stdout)


def _key_of(doc: dict) -> dict[int, tuple]:
    return {a["id"]: (a["source"], a["title"]) for a in doc["articles"]}


def _comparable(doc: dict) -> dict:
    """The export with ids replaced by what they name (ids depend on the order work was committed)."""
    key = _key_of(doc)
    arts = sorted((a["source"], a["title"], a["text"], a["published"], a["outlet"],
                   key.get(a["duplicate_of"])) for a in doc["articles"])
    stories = sorted(sorted(key[i] for i in s["article_ids"]) for s in doc["stories"])
    story_members = {s["id"]: tuple(sorted(key[i] for i in s["article_ids"])) for s in doc["stories"]}
    storylines = sorted(sorted(story_members[i] for i in line["story_ids"]) for line in doc.get("storylines", []))
    claims = sorted((key[c["article_id"]], c["start"], c["end"], c["modality"], c["origin"], c["independent_origins"])
                    for c in doc["claims"])
    groups: dict[str, list] = {}
    for c in doc["claims"]:
        groups.setdefault(c["group_id"], []).append((key[c["article_id"]], c["start"]))
    claim_groups = sorted(sorted(g) for g in groups.values())
    events = sorted((e["event_type"], e["sub_event_type"], e["date"], e["location"], e["independent_origins"],
                     tuple(sorted(key[i] for i in e["article_ids"]))) for e in doc["events"])
    return {"articles": arts, "stories": stories, "storylines": storylines, "claims": claims,
            "claim_groups": claim_groups, "events": events}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    base = tmp_path_factory.mktemp("crash")
    inputs = _corpus(base / "in")
    db = base / "reference.db"
    started = time.monotonic()
    proc = _analyze(inputs, db)
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    return inputs, time.monotonic() - started, _comparable(_export(db))


def test_sigkill_at_random_points_loses_and_duplicates_nothing(reference, tmp_path):
    inputs, seconds, expected = reference
    db = tmp_path / "killed.db"
    rng = random.Random(13)
    for _ in range(KILLS):
        proc = _analyze(inputs, db)
        time.sleep(rng.uniform(0.15, 0.9) * seconds)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
    proc = _analyze(inputs, db)
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    store = Store(db)
    try:
        assert store.integrity_check() == "ok"
    finally:
        store.close()
    got = _comparable(_export(db))
    sources = [a[0] for a in got["articles"]]
    assert len(sources) == len(expected["articles"])          # nothing lost, nothing stored twice
    for part in ("articles", "stories", "storylines", "claims", "claim_groups", "events"):
        assert got[part] == expected[part], part


def test_two_runs_on_one_store_at_once_both_complete(reference, tmp_path):
    inputs, _, expected = reference
    db = tmp_path / "shared.db"
    first, second = _analyze(inputs, db), _analyze(inputs, db)
    errs = [p.communicate(timeout=600)[1] for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, errs
    assert any("another marsad run is writing" in e for e in errs)
    store = Store(db)
    try:
        assert store.integrity_check() == "ok"
    finally:
        store.close()
    got = _comparable(_export(db))
    for part in ("articles", "stories", "storylines", "claims", "claim_groups", "events"):
        assert got[part] == expected[part], part
