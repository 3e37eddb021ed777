"""Joining, pausing, leaving and forgetting, stored on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import AuditEntry, Enrolment, Member, MemberTag
from serendip.services import participation, profile, programs
from serendip.services.errors import NotEligible, NotEnrolled, ServiceError
from serendip.services.members import DepartmentSource, ensure_member, set_department
from tests.support.fakes import FakeDirectory


@pytest.fixture
def directory() -> FakeDirectory:
    directory = FakeDirectory()
    for uid in ("U1", "U2", "U3"):
        directory.add(uid)
    directory.add("UBOT", is_bot=True)
    directory.add("UGUEST", is_guest=True)
    directory.channels["C1"] = ["U1", "U2", "U3", "UBOT", "UGUEST"]
    return directory


def _setup(database: Database, directory: FakeDirectory) -> programs.SetupResult:
    return programs.setup_program(database, directory, team_id="T1", channel_id="C1", actor_id="U1")


def test_setup_enrols_the_channels_people_but_not_bots_or_guests(
    database: Database, directory: FakeDirectory
) -> None:
    result = _setup(database, directory)
    assert sorted(result.enrolled) == ["U1", "U2", "U3"]
    assert result.skipped == 2
    assert result.next_run_at is not None and result.next_run_at > datetime.now(UTC)


def test_setup_twice_enrols_nobody_twice(database: Database, directory: FakeDirectory) -> None:
    _setup(database, directory)
    again = _setup(database, directory)
    assert again.created is False and again.enrolled == []
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Enrolment)) == 3


def test_a_guest_cannot_join(database: Database, directory: FakeDirectory) -> None:
    _setup(database, directory)
    with database.transaction() as session, pytest.raises(NotEligible):
        program = repo.find_program(session, "T1", "C1")
        assert program is not None
        participation.enrol(session, program, ensure_member(session, directory, "T1", "UGUEST"))


def test_leaving_the_channel_opts_out_and_joining_again_opts_back_in(
    database: Database, directory: FakeDirectory
) -> None:
    _setup(database, directory)
    assert programs.member_left(database, team_id="T1", channel_id="C1", user_id="U2") is True
    assert programs.member_joined(database, directory, team_id="T1", channel_id="C1", user_id="U2") is True
    with database.transaction() as session:
        member = repo.find_member(session, "T1", "U2")
        assert member is not None
        assert [s.state for s in participation.status_of(session, member, datetime.now(UTC))] == ["active"]


def test_pause_for_two_weeks_then_it_ends_by_itself(database: Database, directory: FakeDirectory) -> None:
    _setup(database, directory)
    now = datetime.now(UTC)
    with database.transaction() as session:
        member = ensure_member(session, directory, "T1", "U1")
        targets = participation.target_enrolments(session, member, "C1")
        participation.pause(targets, participation.pause_until(days=14, until=None, tz=member.tz, now=now))
    with database.transaction() as session:
        member = ensure_member(session, directory, "T1", "U1")
        assert participation.status_of(session, member, now)[0].state == "paused"
        assert participation.status_of(session, member, now + timedelta(days=15))[0].state == "active"


def test_pause_until_a_date_ends_at_midnight_in_the_members_zone() -> None:
    end = participation.pause_until(days=None, until=date(2030, 1, 2), tz="Asia/Tokyo", now=datetime.now(UTC))
    assert end == datetime(2030, 1, 1, 15, 0, tzinfo=UTC)


def test_pause_until_a_past_date_is_refused() -> None:
    with pytest.raises(ServiceError, match="not in the future"):
        participation.pause_until(days=None, until=date(2001, 1, 1), tz="UTC", now=datetime.now(UTC))


def test_commands_outside_a_program_need_an_enrolment(database: Database, directory: FakeDirectory) -> None:
    with database.transaction() as session, pytest.raises(NotEnrolled):
        participation.target_enrolments(session, ensure_member(session, directory, "T1", "U1"), "D123")


def test_directory_department_wins_over_self_set_and_hr_wins_over_both(
    database: Database, directory: FakeDirectory
) -> None:
    with database.transaction() as session:
        member = ensure_member(session, directory, "T1", "U1")
        profile.set_team(session, member, "Platform")
        assert set_department(session, member, "Engineering", DepartmentSource.DIRECTORY)
        assert set_department(session, member, "R&D", DepartmentSource.HR)
        assert not set_department(session, member, "Other", DepartmentSource.DIRECTORY)
        with pytest.raises(ServiceError, match="HR record"):
            profile.set_team(session, member, "Mine")
        assert (member.department, member.department_source) == ("R&D", "hr")


def test_more_than_fifteen_tags_of_a_kind_are_refused_and_nothing_is_added(
    database: Database, directory: FakeDirectory
) -> None:
    with database.transaction() as session:
        member = ensure_member(session, directory, "T1", "U1")
        profile.change_tags(
            session, member, kind="expertise", action="add", tags=[f"t{i}" for i in range(10)]
        )
    with pytest.raises(ServiceError, match="at most 15"), database.transaction() as session:
        member = ensure_member(session, directory, "T1", "U1")
        profile.change_tags(session, member, kind="expertise", action="add", tags=[f"x{i}" for i in range(6)])
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(MemberTag)) == 10


def test_forget_me_erases_the_member_and_keeps_audit_rows_as_deleted_user(
    database: Database, directory: FakeDirectory
) -> None:
    _setup(database, directory)
    with database.transaction() as session:
        member = ensure_member(session, directory, "T1", "U1")
        profile.change_tags(session, member, kind="interest", action="add", tags=["go"])
        profile.forget(session, member)
    with database.transaction() as session:
        assert repo.find_member(session, "T1", "U1") is None
        assert session.scalar(select(func.count()).select_from(MemberTag)) == 0
        actors = set(session.scalars(select(AuditEntry.actor)))
        assert "U1" not in actors and "deleted user" in actors
        assert session.scalar(select(func.count()).select_from(Member)) == 4
