"""A per-user disk cache for resources that are slow to build and never change between runs.

In: a name, a fingerprint of everything the resource is built from (package versions, file sizes), a
function that builds it and a check of what was read back. Out: the resource, read from a pickle
under ``$MARSAD_CACHE_DIR`` (default ``$XDG_CACHE_HOME/marsad`` or ``~/.cache/marsad``) when one with
that fingerprint exists, else built and written there (atomically; older fingerprints of the same
name are removed). Nothing in the cache is needed: a cache that cannot be read or written is rebuilt
or skipped, so a read-only home or a damaged file costs time, never a failure.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")


def cache_dir() -> Path:
    env = os.environ.get("MARSAD_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "marsad"


def load_or_build(name: str, fingerprint: str, build: Callable[[], T], check: Callable[[object], bool]) -> T:
    """The cached ``name`` built with ``fingerprint`` if it reads back and passes ``check``, else ``build()``
    (then cached)."""
    path = cache_dir() / f"{name}-{fingerprint}.pickle"
    try:
        with open(path, "rb") as f:
            obj = pickle.load(f)
        if check(obj):
            return obj
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass
    obj = build()
    _write(path, name, obj)
    return obj


def _write(path: Path, name: str, obj) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for old in path.parent.glob(f"{name}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass
