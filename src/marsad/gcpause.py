"""The cyclic garbage collector paused around allocation-heavy work that makes no reference cycles.

In: a block of code (claims grouping, building the report) that creates many small objects (rows, dicts,
sets, tuples) and no cycles worth collecting. Out: :func:`paused_gc`, a context manager: the collections
those allocations would trigger only re-walk the whole process's heap (loaded models included), so it
pauses the collector and restores its previous state afterwards; whatever is left is collected when it
runs again. With ``collect_first``, one collection runs before the pause, so that cycles left by earlier
work are not kept alive through the block.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def paused_gc(collect_first: bool = False):
    was = gc.isenabled()
    if was and collect_first:
        gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
