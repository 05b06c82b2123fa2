"""Shortcuts of the claims stage that must decide exactly what the long way decides.

The cosine prefilter of grouping keeps every candidate pair whose exact cosine reaches the floor; the
copied passages read for a whole resolve are those read one claim at a time, in the same order; a
regroup that skips unchanged ``claims.group_id`` updates still leaves every claim pointing at the group
that lists it. The articles are written here (as in test_claims_incremental): a report and a later one that copies
its first sentence.
"""

from __future__ import annotations

import json

import numpy as np

from marsad.claims.grouping import _cos, _may_reach, group_claims
from marsad.claims.origins import copy_source
from marsad.pipeline import analyze
from marsad.store import Store

from .test_claims_incremental import COPY, SOURCE as REPORT   # the same two written reports


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def test_cosine_prefilter_keeps_every_pair_that_reaches_the_floor_in_candidate_order():
    rng = np.random.default_rng(7)
    floor, dim = 0.62, 512
    base = _unit(rng.normal(size=dim))
    members = [{"key": "k0", "vec": base}]
    wanted = [floor + 2e-6, floor - 2e-6, floor - 0.05, floor + 0.2, 0.0, floor]   # cosines with member 0
    for n, c in enumerate(wanted, start=1):
        other = rng.normal(size=dim)
        other -= (other @ base) * base
        members.append({"key": f"k{n}", "vec": _unit(c * base + np.sqrt(1 - c * c) * _unit(other))})
    members.append({"key": "k0", "vec": None})            # the same text as member 0, never encoded
    members.append({"key": "kx", "vec": None})            # no vector: its cosine is 0, the exact way decides
    V = np.stack([m["vec"] if m["vec"] is not None else np.zeros(dim, np.float32) for m in members])
    keys = np.array([int(m["key"][1:]) if m["key"][1:].isdigit() else 99 for m in members])
    candidates = {(0, j) for j in range(1, len(members))} | {(2, 3), (3, 4)}
    kept = _may_reach(members, V, keys, candidates, floor)
    assert kept == [p for p in candidates if p in set(kept)]                   # the candidates' own order
    for i, j in candidates:
        if _cos(members[i], members[j]) >= floor:
            assert (i, j) in kept
    assert (0, 3) not in kept and (0, 5) not in kept                            # far below the floor
    assert (0, 7) in kept and (0, 8) in kept                                    # same text; no vector


def test_passages_read_at_once_are_those_read_claim_by_claim(tmp_path):
    for name, text in (("report", REPORT), ("copy", COPY)):
        d = tmp_path / name
        d.mkdir()
        (d / f"{name}.txt").write_text(text, encoding="utf-8")
    s = Store(tmp_path / "p.db")
    analyze(s, [str(tmp_path / "report")], workers=1)
    analyze(s, [str(tmp_path / "copy")], workers=1)
    tables = s.claim_tables
    ids = [r[0] for r in s.db.execute("SELECT id FROM articles ORDER BY id")]
    by_article = tables.passages_by_article(ids)
    assert by_article, "the copy shares a sentence with the report"
    for a in ids:
        assert [tuple(p) for p in by_article.get(a, [])] == [tuple(p) for p in tables.copy_passages(a, -1, 10 ** 9)]
    spans = s.db.execute("SELECT article_id, start, end FROM claims").fetchall()
    assert any(copy_source(tables, *sp) for sp in spans)
    for a, start, end in spans:
        assert copy_source(tables, a, start, end, by_article.get(a, ())) == copy_source(tables, a, start, end)
    s.close()


def _grouped_as_listed(s: Store) -> bool:
    listed = {c: r["id"] for r in s.claim_tables.groups() for c in json.loads(r["claim_ids"])}
    stored = dict(s.db.execute("SELECT id, group_id FROM claims").fetchall())
    return bool(listed) and listed == stored


def test_regroup_points_every_claim_at_its_group_when_only_some_moved(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "report.txt").write_text(REPORT, encoding="utf-8")
    (d / "copy.txt").write_text(COPY, encoding="utf-8")
    s = Store(tmp_path / "g.db")
    analyze(s, [str(d)], workers=1)
    assert _grouped_as_listed(s)
    with s.transaction():
        s.db.execute("UPDATE claims SET group_id = NULL WHERE id = (SELECT min(id) FROM claims)")
        s.db.execute("UPDATE claims SET group_id = 'gnone' WHERE id = (SELECT max(id) FROM claims)")
    assert not _grouped_as_listed(s)
    group_claims(s)
    assert _grouped_as_listed(s)
    s.close()
