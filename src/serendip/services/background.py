"""Work a request starts that outlives it (an `admin run` round's delivery), on threads the process
keeps track of, so a stopping process can wait for them to reach a safe point."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class BackgroundWork:
    """The background threads of one process."""

    def __init__(self) -> None:
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def start(self, name: str, target: Callable[..., object], *args: object) -> None:
        """Run ``target(*args)`` on a new daemon thread (it never keeps the process alive on its own)."""
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds in all for the threads to end; whether they all did."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in threads)
