"""Pausing Python's cyclic garbage collector around bounded batch work (reading and matching a round).

Planning a 100,000-person round builds millions of short-lived, acyclic objects (rows, tuples, sets,
participants). Each few hundred allocations the collector would scan the young objects, and every so
often the whole heap (the org and its history included): about a second per plan, for nothing it
could free. The work is bounded, so the collector is paused for its length and resumed afterwards;
a cycle made meanwhile is freed at the next collection.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0  # how many pauses are open, in any thread: the last one to close resumes the collector
_resume = False  # whether the collector ran when the first of them opened


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block; it runs again once every open pause has closed."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()
