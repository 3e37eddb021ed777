"""The background threads a process keeps track of, so it can wait for them when it stops."""

from __future__ import annotations

import threading
import time

from serendip.services.background import BackgroundWork


def test_wait_returns_true_once_every_thread_has_ended() -> None:
    work, release = BackgroundWork(), threading.Event()
    for n in range(3):
        work.start(f"job-{n}", release.wait)
    assert not work.wait(0.05)  # still running
    release.set()
    assert work.wait(5)


def test_wait_gives_up_after_the_timeout_in_all_not_per_thread() -> None:
    work, never = BackgroundWork(), threading.Event()
    for n in range(5):
        work.start(f"stuck-{n}", never.wait)
    began = time.monotonic()
    assert not work.wait(0.2)
    assert time.monotonic() - began < 1.0
    never.set()


def test_with_no_thread_started_there_is_nothing_to_wait_for() -> None:
    assert BackgroundWork().wait(0)


def test_threads_are_daemons_named_as_asked_and_given_their_arguments() -> None:
    work, seen = BackgroundWork(), []
    work.start("named", lambda *args: seen.append((threading.current_thread().name, args)), 1, "two")
    assert work.wait(5)
    assert seen == [("named", (1, "two"))]
    work.start("daemon", lambda: seen.append(threading.current_thread().daemon))
    assert work.wait(5) and seen[-1] is True
