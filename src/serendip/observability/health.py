"""What GET /healthz answers: the database, and for a process that runs the scheduler, its ticks."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from serendip.observability import metrics


class Heartbeat:
    """When the scheduler's round tick last started and finished, read by /healthz.

    A tick in progress counts as alive: one tick may deliver a large round for hours, and its
    lease heartbeat (not this) guards that. A scheduler whose thread died stops beating.
    """

    def __init__(self, stale_after_seconds: float, clock: Callable[[], float] = time.time) -> None:
        self.stale_after_seconds = stale_after_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._last = clock()  # the first tick runs at start; give it the same grace
        self._running = 0

    def started(self) -> None:
        """A tick began."""
        with self._lock:
            self._running += 1
            self._last = self._clock()

    def finished(self) -> None:
        """A tick ended (successfully or not: a failed tick still shows the scheduler runs)."""
        with self._lock:
            self._running = max(0, self._running - 1)
            self._last = self._clock()
        metrics.scheduler_ticked(self._last)

    def is_alive(self) -> bool:
        """Whether a tick is running or one ended within ``stale_after_seconds``."""
        with self._lock:
            return self._running > 0 or self._clock() - self._last <= self.stale_after_seconds


@dataclass(frozen=True)
class Health:
    """The /healthz answer: HTTP status and JSON body."""

    status: int
    body: dict[str, str]


def check_health(database_ok: Callable[[], bool], heartbeat: Heartbeat | None) -> Health:
    """200 {"status": "ok"}, or 503 naming the first thing wrong."""
    if not database_ok():
        return Health(503, {"status": "unavailable", "reason": "database unreachable"})
    if heartbeat is not None and not heartbeat.is_alive():
        return Health(503, {"status": "unavailable", "reason": "scheduler stopped ticking"})
    return Health(200, {"status": "ok"})
