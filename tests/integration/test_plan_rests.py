"""On SQLite a planner storing a round rests between its chunks of seats so commands get the write
lock; knowing the serving process's open transactions, it rests only while one is open."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import IntroMember
from serendip.adapters.db.types import utcnow
from serendip.services.lifecycle import plan, plan_worker, plan_write
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import set_up_program

SQLITE_ONLY = pytest.mark.parametrize("engine_name", ["sqlite"], indirect=True)
CHUNK = 4  # 12 people in pairs: 12 seats in 3 chunks, 2 rests


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(12, 3, seed=17)) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_write, "CHUNK_SEATS", CHUNK)


class Gauge:
    """Open transactions of a serving process, as the planner reads them."""

    def __init__(self, value: int) -> None:
        self.value = value


def _plan_recording_pauses(
    database: Database,
    program_id: int,
    monkeypatch: pytest.MonkeyPatch,
    others: Any,
    on_pause: Callable[[], None],
    slept: list[float] | None = None,
) -> list[float]:
    """Plan the round; the pauses the planner asked for (and into ``slept``, how long each took)."""
    pauses: list[float] = []
    real = plan_write.store_intros

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        on_pause()
        began = time.monotonic()
        time.sleep(seconds)
        if slept is not None:
            slept.append(time.monotonic() - began)

    monkeypatch.setattr(plan_write, "store_intros", lambda *a, **k: real(*a, **k, pause=pause))
    planned = plan.plan_round(database, program_id=program_id, scheduled_for=utcnow(), others=others)
    assert planned is not None and planned.intros == 6
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(IntroMember)) == 12
    return pauses


@SQLITE_ONLY
def test_a_planner_that_cannot_see_the_serving_process_rests_after_every_chunk_but_the_last(
    database: Database, slack: SlackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    program_id = set_up_program(database, slack)
    pauses = _plan_recording_pauses(database, program_id, monkeypatch, None, lambda: None)
    assert len(pauses) == 2 and min(pauses) >= plan_write.MIN_REST_SECONDS


@SQLITE_ONLY
def test_each_chunk_stores_the_seats_of_the_next_lowest_member_ids(
    database: Database, slack: SlackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    program_id = set_up_program(database, slack)
    stored: list[list[int]] = []

    def seats_so_far() -> None:
        with database.transaction() as session:
            stored.append(sorted(session.scalars(select(IntroMember.member_id))))

    _plan_recording_pauses(database, program_id, monkeypatch, None, seats_so_far)
    with database.transaction() as session:
        everyone = sorted(session.scalars(select(IntroMember.member_id)))
    # One stretch of the member index per chunk: after k chunks, the k * CHUNK lowest member ids.
    assert stored == [everyone[:CHUNK], everyone[: 2 * CHUNK]]


@SQLITE_ONLY
def test_with_no_transaction_open_in_the_serving_process_the_planner_never_rests(
    database: Database, slack: SlackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    program_id = set_up_program(database, slack)
    assert _plan_recording_pauses(database, program_id, monkeypatch, Gauge(0), lambda: None) == []


@SQLITE_ONLY
def test_the_planner_rests_while_a_transaction_is_open_and_goes_on_once_it_closes(
    database: Database, slack: SlackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    program_id = set_up_program(database, slack)
    monkeypatch.setattr(plan_write, "MIN_REST_SECONDS", 5.0)  # a deadline this test never reaches
    others = Gauge(1)
    polls = 0

    def a_command_finishes_on_the_third_poll() -> None:
        nonlocal polls
        polls += 1
        if polls == 3:
            others.value = 0

    pauses = _plan_recording_pauses(
        database, program_id, monkeypatch, others, a_command_finishes_on_the_third_poll
    )
    # Three short polls after the first chunk, none after the second (nothing was open any more).
    assert pauses == [plan_write.REST_POLL_SECONDS] * 3


@SQLITE_ONLY
def test_a_transaction_that_stays_open_holds_the_planner_no_longer_than_a_full_rest(
    database: Database, slack: SlackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    program_id = set_up_program(database, slack)
    slept: list[float] = []
    pauses = _plan_recording_pauses(database, program_id, monkeypatch, Gauge(1), lambda: None, slept)
    assert set(pauses) == {plan_write.REST_POLL_SECONDS}  # short polls, never one long sleep
    # Both rests lasted until their deadline (the chunk's time, at least MIN_REST_SECONDS) and ended
    # there: the polls of one rest stop once it is over, whatever the machine's timer granularity.
    assert sum(slept) >= 2 * plan_write.MIN_REST_SECONDS * 0.9  # less the loop between polls
    assert sum(slept) < 2 * (plan_write.MIN_REST_SECONDS + 1.0)


def test_a_database_counts_its_open_transactions_across_threads_and_errors(tmp_path: Any) -> None:
    database = Database(f"sqlite:///{tmp_path / 'count.db'}")
    shared = multiprocessing.get_context("spawn").RawValue("i", 0)
    database.count_open_transactions(shared)
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with database.transaction():
            inside.set()
            release.wait(5)

    other = threading.Thread(target=hold)
    other.start()
    inside.wait(5)
    with database.transaction():
        assert shared.value == 2
    assert shared.value == 1
    release.set()
    other.join(5)
    assert shared.value == 0
    with pytest.raises(RuntimeError), database.transaction():
        assert shared.value == 1
        raise RuntimeError("rolled back")
    assert shared.value == 0
    database.dispose()


@SQLITE_ONLY
def test_a_round_planned_in_a_worker_process_reads_the_serving_process_count(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    plan_worker.count_open_transactions(database)
    assert database.open_transactions is not None
    planned = plan_worker.Planner(worker_from=0)(database, program_id=program_id, scheduled_for=utcnow())
    assert planned is not None and planned.intros == 6
    assert database.open_transactions.shared.value == 0
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(IntroMember)) == 12
