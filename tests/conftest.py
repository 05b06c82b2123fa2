"""Shared fixtures: seed files are read from ../shared/seeds (never copied into the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    return SEEDS


@pytest.fixture(scope="session")
def seed_articles(seeds_dir):
    """The seed files cleaned into articles, in file order: {file name: [Article, ...]}."""
    from marsad.ingest import expand_inputs, read_input
    from marsad.clean import clean_document

    inputs, _ = expand_inputs([str(seeds_dir)])
    out = {}
    for inp in inputs:
        (doc,) = list(read_input(inp))
        out[Path(inp.source).name] = clean_document(doc)
    return out


@pytest.fixture
def store(tmp_path):
    from marsad.store import Store

    s = Store(tmp_path / "t.db")
    yield s
    s.close()
