"""Curated lexicons and gazetteers. Each file opens with a header naming where its facts come from.

In: a file name. Out: its lines / rows with comment lines (``#``) and blanks skipped.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources
from pathlib import Path


def path(name: str) -> Path:
    """Filesystem path of a bundled data file."""
    return Path(str(resources.files(__package__).joinpath(name)))


@lru_cache(maxsize=None)
def lines(name: str) -> tuple[str, ...]:
    """Non-comment, non-blank lines of a bundled text file, stripped."""
    text = path(name).read_text(encoding="utf-8")
    return tuple(l.strip() for l in text.splitlines() if l.strip() and not l.lstrip().startswith("#"))


@lru_cache(maxsize=None)
def rows(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a bundled TSV file whose first non-comment line is the header."""
    body = "\n".join(lines(name))
    return tuple(dict(r) for r in csv.DictReader(body.splitlines(), delimiter="\t"))
