"""User-facing errors and per-input limits: one clear line naming the input and the reason, never a traceback.

In: an input name and a reason; a block of work and a time budget. Out: :class:`MarsadError`, which
the CLI prints as ``input: reason``; :class:`TimeLimit`, raised inside :func:`time_limit` when one
input's reading or cleaning runs past its budget, so the pipeline turns it into a rejection.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from typing import Iterator


class MarsadError(Exception):
    """An error caused by the user's input or settings (bad file, bad URL, bad option)."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class TimeLimit(Exception):
    """One input took longer than its time budget."""

    def __init__(self, seconds: float):
        super().__init__(f"cut off after {seconds:g} s")
        self.seconds = seconds


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`TimeLimit` in the block after ``seconds`` of wall time.

    Uses ``SIGALRM``, so it works in the main thread of a process (the CLI, and each worker of a
    process pool); elsewhere (a server thread) it does nothing and the size caps bound the work.
    Python code is interrupted between bytecodes; a single C call (one regex, one parse) finishes first.
    Nested uses keep the outer budget when it is the shorter one.
    """
    usable = (seconds and seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return
    remaining = signal.getitimer(signal.ITIMER_REAL)[0]
    if remaining and remaining < seconds:   # an outer limit is already shorter
        yield
        return

    def _expired(signum, frame):
        raise TimeLimit(seconds)

    previous = signal.signal(signal.SIGALRM, _expired)
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if remaining:   # give an outer limit back what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(remaining - (time.monotonic() - started), 0.001))
