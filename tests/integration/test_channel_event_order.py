"""Slack's member_joined/left_channel events arrive, and are handled, in any order: whichever is
handled last, the newer event (by its `event_ts`) decides whether someone takes part. Checked from
the raw enrolment rows on SQLite and PostgreSQL, one event after another and two at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

import pytest
from sqlalchemy import update

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Enrolment
from serendip.services import programs
from tests.support.enrolments import channel_standing
from tests.support.fakes import FakeDirectory

T0 = 1_764_633_600_000_000  # an event_ts in microseconds


@pytest.fixture
def directory() -> FakeDirectory:
    directory = FakeDirectory()
    for uid in ("U1", "U2"):
        directory.add(uid)
    directory.channels["C1"] = ["U1", "U2"]
    return directory


@pytest.fixture
def program(database: Database, directory: FakeDirectory) -> None:
    programs.setup_program(database, directory, team_id="T1", channel_id="C1", actor_id="U1")


def _row(database: Database) -> tuple[bool, int | None]:
    return channel_standing(database, "U2")


def _joined(database: Database, directory: FakeDirectory, at: int | None) -> bool:
    return programs.member_joined(
        database, directory, team_id="T1", channel_id="C1", user_id="U2", event_us=at
    )


def _left(database: Database, at: int | None) -> bool | None:
    return programs.member_left(database, team_id="T1", channel_id="C1", user_id="U2", event_us=at)


@pytest.mark.usefixtures("program")
def test_a_leave_handled_after_a_newer_join_changes_nothing(
    database: Database, directory: FakeDirectory
) -> None:
    assert _left(database, T0 + 10) is True
    assert _joined(database, directory, T0 + 30) is True  # welcomed back
    assert _left(database, T0 + 20) is None  # left, then joined again: the join is the newer event
    assert _row(database) == (False, T0 + 30)


@pytest.mark.usefixtures("program")
def test_a_join_handled_after_a_newer_leave_changes_nothing(
    database: Database, directory: FakeDirectory
) -> None:
    assert _left(database, T0 + 30) is True
    assert _joined(database, directory, T0 + 20) is False  # no welcome: they had left since
    assert _row(database) == (True, T0 + 30)


@pytest.mark.usefixtures("program")
def test_a_retried_event_changes_nothing_and_newer_ones_still_apply(
    database: Database, directory: FakeDirectory
) -> None:
    assert _left(database, T0 + 10) is True
    assert _left(database, T0 + 10) is None  # Slack's retry of the same event
    assert _joined(database, directory, T0 + 11) is True
    assert _joined(database, directory, T0 + 11) is False
    assert _left(database, T0 + 12) is True
    assert _row(database) == (True, T0 + 12)


@pytest.mark.usefixtures("program")
def test_an_event_without_a_time_applies_as_it_comes(database: Database, directory: FakeDirectory) -> None:
    assert _left(database, T0 + 10) is True
    assert _joined(database, directory, None) is True
    assert _row(database) == (False, T0 + 10)


def test_a_first_join_stores_its_time_on_the_new_enrolment(
    database: Database, directory: FakeDirectory
) -> None:
    directory.channels["C1"] = ["U1"]  # U2 is not in the channel when the program is set up
    programs.setup_program(database, directory, team_id="T1", channel_id="C1", actor_id="U1")
    assert _joined(database, directory, T0 + 5) is True
    assert _joined(database, directory, T0 + 4) is False
    assert _row(database) == (False, T0 + 5)


def _at_once(*calls: Callable[[], object]) -> None:
    """Run the calls on threads released together; fail with any error they raised."""
    barrier, errors = threading.Barrier(len(calls)), []

    def run(call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            call()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors


@pytest.mark.parametrize("leave_is_newer", [False, True], ids=["join-newer", "leave-newer"])
@pytest.mark.usefixtures("program")
def test_a_join_and_a_leave_handled_at_the_same_moment_end_as_the_newer_one_says_every_time(
    database: Database, directory: FakeDirectory, leave_is_newer: bool
) -> None:
    for attempt in range(12):
        base = T0 + 100 * attempt
        with database.transaction() as session:  # the opposite of what the newer event says
            session.execute(update(Enrolment).values(opted_out=not leave_is_newer, channel_event_us=base))
        leave_at, join_at = (base + 2, base + 1) if leave_is_newer else (base + 1, base + 2)
        _at_once(partial(_left, database, leave_at), partial(_joined, database, directory, join_at))
        assert _row(database) == (leave_is_newer, base + 2), attempt
