"""Slack's member_joined/left_channel events arrive, and are handled, in any order: whichever is
handled last, the newer event (by its `event_ts`) decides whether someone takes part. Checked from
the raw enrolment rows on SQLite and PostgreSQL, one event after another and two at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

import pytest
from sqlalchemy import select, update

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Enrolment, Member
from serendip.services import programs
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


def _row(database: Database, user_id: str = "U2") -> tuple[bool, int | None]:
    """(opted out, latest channel event applied) of the member's enrolment, read from the table."""
    with database.transaction() as session:
        row = session.execute(
            select(Enrolment.opted_out, Enrolment.channel_event_us)
            .join(Member, Member.id == Enrolment.member_id)
            .where(Member.slack_id == user_id)
        ).one()
        return bool(row[0]), row[1]


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


@pytest.mark.usefixtures("program")
def test_a_leave_and_a_newer_join_handled_at_the_same_moment_leave_them_enrolled_every_time(
    database: Database, directory: FakeDirectory
) -> None:
    for attempt in range(12):
        base = T0 + 100 * attempt
        with database.transaction() as session:
            session.execute(
                update(Enrolment).values(opted_out=False, opted_out_at=None, channel_event_us=base)
            )
        _at_once(partial(_left, database, base + 1), partial(_joined, database, directory, base + 2))
        assert _row(database) == (False, base + 2), attempt


@pytest.mark.usefixtures("program")
def test_a_join_and_a_newer_leave_handled_at_the_same_moment_leave_them_opted_out_every_time(
    database: Database, directory: FakeDirectory
) -> None:
    for attempt in range(12):
        base = T0 + 100 * attempt
        with database.transaction() as session:
            session.execute(update(Enrolment).values(opted_out=True, channel_event_us=base))
        _at_once(partial(_joined, database, directory, base + 1), partial(_left, database, base + 2))
        assert _row(database) == (True, base + 2), attempt
