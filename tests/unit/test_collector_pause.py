"""The cyclic collector is paused around batch work and always resumed afterwards."""

from __future__ import annotations

import gc
import threading

import pytest

from serendip.collector import collector_paused


@pytest.fixture(autouse=True)
def _collector_running() -> None:
    gc.enable()


def test_the_collector_is_paused_inside_and_runs_again_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_pauses_resume_only_when_the_outermost_closes() -> None:
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_runs_again_after_an_error_in_the_block() -> None:
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_paused_before_stays_paused() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_as_a_decorator_it_pauses_each_call() -> None:
    seen: list[bool] = []

    @collector_paused()
    def work() -> None:
        seen.append(gc.isenabled())

    work()
    work()
    assert seen == [False, False]
    assert gc.isenabled()


def test_overlapping_pauses_in_two_threads_leave_the_collector_running() -> None:
    first_in, second_done = threading.Event(), threading.Event()
    inside: list[bool] = []

    def first() -> None:
        with collector_paused():
            first_in.set()
            second_done.wait(5)
            inside.append(gc.isenabled())  # the other thread's pause closed, this one is still open

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with collector_paused():
        pass
    second_done.set()
    thread.join(5)
    assert inside == [False]
    assert gc.isenabled()
