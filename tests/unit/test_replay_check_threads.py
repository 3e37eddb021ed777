"""The replay check has threads of its own: a burst of commands filling Starlette's shared thread
pool does not make first-time requests wait out the check's 1 s budget and get "try again"."""

from __future__ import annotations

import asyncio
import threading
import time

import anyio.to_thread
from starlette.concurrency import run_in_threadpool

from serendip.entrypoints.request_guard import REPLAY_CHECK_SECONDS, refuse_replay


def test_a_first_request_passes_the_replay_check_while_the_shared_thread_pool_is_full() -> None:
    release = threading.Event()
    seen: list[str] = []

    def accept_once(digest: str) -> bool:
        seen.append(digest)
        return True

    async def scenario() -> tuple[object, float]:
        tokens = int(anyio.to_thread.current_default_thread_limiter().total_tokens)
        # Every thread of the shared pool is busy, as during a burst of dispatched commands.
        busy = [asyncio.ensure_future(run_in_threadpool(release.wait, 10)) for _ in range(tokens)]
        await asyncio.sleep(0.2)
        started = time.perf_counter()
        answer = await refuse_replay("command=%2Fcoffee&text=", "v0=abc", accept_once)
        waited = time.perf_counter() - started
        release.set()
        await asyncio.gather(*busy)
        return answer, waited

    answer, waited = asyncio.run(scenario())
    assert answer is None  # a first sighting: the request goes on (not "try again")
    assert len(seen) == 1 and waited < REPLAY_CHECK_SECONDS
