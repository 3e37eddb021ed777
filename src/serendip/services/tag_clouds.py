"""The App Home's expertise clouds, kept per program for a few minutes.

Counting the tags of a 100,000-person program reads every participant's tags: about half a second
on SQLite, more than the whole Home's budget (300 ms), and the same for every member who opens their
Home. The cloud is a picture of the program, so it may be up to `CLOUD_TTL_SECONDS` old
(docs/commands.md says so); everything else on the Home is read fresh.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories_profile as profile_repo

CLOUD_TTL_SECONDS = 300.0
KIND = "expertise"


class CloudCache:
    """Tag counts per (database, program), each kept for `ttl` seconds of `clock`."""

    def __init__(self, ttl: float = CLOUD_TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        """An empty cache; `clock` is injectable so tests can move time."""
        self._ttl, self._clock = ttl, clock
        self._lock = threading.Lock()
        self._kept: dict[tuple[str, int], tuple[float, list[tuple[str, int]]]] = {}

    def counts(self, session: Session, program_id: int) -> list[tuple[str, int]]:
        """The program's expertise tags with their counts, most common first (read at most once per ttl)."""
        # Keyed by the database too: one process may serve (or test) several databases.
        key = (session.get_bind().engine.url.render_as_string(hide_password=True), program_id)
        now = self._clock()
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and now < kept[0]:
                return kept[1]
        counts = profile_repo.program_tag_counts(session, program_id, KIND)
        with self._lock:
            self._kept[key] = (now + self._ttl, counts)
            for stale in [k for k, (until, _) in self._kept.items() if until <= now]:
                del self._kept[stale]
        return counts

    def clear(self) -> None:
        """Forget every kept cloud (the next read of each counts again)."""
        with self._lock:
            self._kept.clear()


CLOUDS = CloudCache()
