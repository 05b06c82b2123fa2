"""Shared fixtures: seed files are read from ../shared/seeds (never copied into the repository).

Tests that need the seeds fail loudly when ../shared is absent (they never skip silently); the end of
every run lists the groups of tests that were skipped and why. Hypothesis runs the ``suite``
profile (a few dozen examples per property, the same on every run, no example database written in the
working tree);
``make fuzz`` selects the ``fuzz`` profile (thousands per property) through $HYPOTHESIS_PROFILE.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
EXAMPLES = ROOT / "examples"

try:
    import tempfile

    from hypothesis import HealthCheck, settings
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(tempfile.mkdtemp(prefix="marsad-hypothesis-"))   # its caches never land in the working tree

    _COMMON = dict(deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    # the suite draws the same examples on every run (a red CI is reproducible, never luck);
    # ``make fuzz`` explores fresh random inputs on each run
    settings.register_profile("suite", max_examples=40, derandomize=True, **_COMMON)
    settings.register_profile("fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "3000")), derandomize=False, **_COMMON)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))
except ImportError:  # test_fuzz imports hypothesis itself and fails loudly without it
    pass


def require_seeds() -> Path:
    """The seed folder; a loud failure (not a skip) when ../shared is absent."""
    if not SEEDS.is_dir():
        pytest.fail(f"{SEEDS} is missing: these tests read the seed articles from ../shared/seeds "
                    "(clone the shared folder beside the repository)", pytrace=False)
    return SEEDS


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return require_seeds()


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


def pytest_terminal_summary(terminalreporter):
    """Say which groups of tests were skipped and why (a skip is never silent)."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    reasons: Counter[str] = Counter()
    for rep in skipped:
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    terminalreporter.section("skipped, by reason")
    for reason, n in reasons.most_common():
        terminalreporter.write_line(f"{n:4d}  {reason}")
