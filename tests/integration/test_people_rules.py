"""The people rules and their SQL mirrors select the same people, on SQLite and PostgreSQL.

Every combination of the inputs is stored once (account kind x enrolment x pause x skip, and
departments spelled several ways), then each clause of `adapters.db.people_sql` is compared with
the `domain.people` function it mirrors, and its negation with the complement (never NULL).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import ColumnElement, not_, select
from sqlalchemy.orm import Session, aliased

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Enrolment, Member, Program
from serendip.adapters.db.people_sql import (
    eligible_at_clause,
    participant_clause,
    paused_at_clause,
    person_clause,
    same_team_clause,
)
from serendip.domain.departments import same_team
from serendip.domain.people import is_eligible_at, is_participant, is_paused_at, is_person
from serendip.services.members import DepartmentSource, set_department
from tests.conftest import ENGINES, migrated_database_url

NOW = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)

KINDS = {
    "person": {},
    "guest": {"is_guest": True},
    "bot": {"is_bot": True},
    "deleted": {"is_deleted": True},
    "deleted guest bot": {"is_guest": True, "is_bot": True, "is_deleted": True},
}
# (paused, paused_until): none, ended, ends exactly now, ahead, indefinite, a stale date unpaused.
PAUSES = {
    "not paused": (False, None),
    "paused, ended": (True, NOW - timedelta(days=1)),
    "paused, ends now": (True, NOW),
    "paused, ahead": (True, NOW + timedelta(seconds=1)),
    "paused indefinitely": (True, None),
    "not paused, stale date": (False, NOW + timedelta(days=3)),
}
ENROLMENTS = ("none", "enrolled", "opted out")
# Spellings of one department, other departments, and no department at all.
DEPARTMENTS = (
    "Sales",
    " sales",
    "SALES  ",
    "ＳＡＬＥＳ",
    "Sales  Ops",
    "sales ops",
    "Straße",
    "STRASSE",
    "Platform",
    "",
    "   ",
    None,
)


@dataclass(frozen=True)
class Case:
    """One stored member and the department name it was given (not the shown spelling)."""

    member_id: int
    typed_department: str | None


def _store_every_combination(session: Session) -> tuple[int, list[Case]]:
    repo.get_or_create_workspace(session, "T1")
    program, other = Program(workspace_id="T1", channel_id="C1"), Program(workspace_id="T1", channel_id="C2")
    session.add_all([program, other])
    session.flush()
    cases = []
    combos = itertools.product(KINDS.values(), ENROLMENTS, PAUSES.values(), (False, True))
    for n, (flags, enrolment, (paused, until), skip) in enumerate(combos):
        member = Member(workspace_id="T1", slack_id=f"U{n:04d}", **flags)
        session.add(member)
        session.flush()
        department = DEPARTMENTS[n % len(DEPARTMENTS)]
        if department is not None:
            set_department(session, member, department, DepartmentSource.DIRECTORY)
        # Everyone has a plain enrolment in another program: only this program's row may count.
        session.add(Enrolment(program_id=other.id, member_id=member.id))
        if enrolment != "none":
            session.add(
                Enrolment(
                    program_id=program.id,
                    member_id=member.id,
                    opted_out=enrolment == "opted out",
                    paused=paused,
                    paused_until=until,
                    skip_next=skip,
                )
            )
        cases.append(Case(member.id, department))
    session.flush()
    return program.id, cases


@dataclass(frozen=True)
class World:
    """The database holding every combination, the program they are enrolled in, and the cases."""

    database: Database
    program_id: int
    cases: list[Case]


@pytest.fixture(scope="module", params=ENGINES)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Every combination stored once per engine (about 1.5 s on PostgreSQL): the tests only read it."""
    directory = tmp_path_factory.mktemp("people-rules")
    with migrated_database_url(str(request.param), directory, request) as url:
        database = Database(url)
        with database.transaction() as session:
            program_id, cases = _store_every_combination(session)
        yield World(database, program_id, cases)
        database.dispose()


def _rows(session: Session, program_id: int) -> list[tuple[Member, Enrolment | None]]:
    """Every member with their enrolment in the program (None when not enrolled)."""
    enrolments = {
        e.member_id: e for e in session.scalars(select(Enrolment).where(Enrolment.program_id == program_id))
    }
    return [(m, enrolments.get(m.id)) for m in session.scalars(select(Member))]


def _selected(session: Session, program_id: int, clause: ColumnElement[bool]) -> set[int]:
    query = select(Member.id).join(Enrolment, Enrolment.member_id == Member.id)
    return set(session.scalars(query.where(Enrolment.program_id == program_id, clause)))


def test_every_combination_is_stored(world: World) -> None:
    program_id, cases = world.program_id, world.cases
    assert len(cases) == len(KINDS) * len(ENROLMENTS) * len(PAUSES) * 2
    with world.database.transaction() as session:
        rows = _rows(session, program_id)
        # Each rule accepts some people and refuses others, so no comparison below is vacuous.
        for rule in (is_participant, lambda m, e: is_eligible_at(m, e, NOW)):
            assert {rule(m, e) for m, e in rows} == {True, False}


def test_a_person_is_whom_the_person_clause_selects(world: World) -> None:
    with world.database.transaction() as session:
        members = list(session.scalars(select(Member)))
        accepted = {m.id for m in members if is_person(m)}
        assert set(session.scalars(select(Member.id).where(person_clause()))) == accepted
        assert (
            set(session.scalars(select(Member.id).where(not_(person_clause()))))
            == {m.id for m in members} - accepted
        )
        assert accepted


def test_a_participant_is_whom_the_participant_clause_selects(world: World) -> None:
    program_id = world.program_id
    with world.database.transaction() as session:
        rows = _rows(session, program_id)
        accepted = {m.id for m, e in rows if is_participant(m, e)}
        enrolled = {m.id for m, e in rows if e is not None}
        assert _selected(session, program_id, participant_clause()) == accepted
        assert _selected(session, program_id, not_(participant_clause())) == enrolled - accepted


def test_paused_at_agrees_with_its_clause_for_every_pause(world: World) -> None:
    program_id = world.program_id
    with world.database.transaction() as session:
        rows = [(m, e) for m, e in _rows(session, program_id) if e is not None]
        accepted = {m.id for m, e in rows if is_paused_at(e, NOW)}
        assert _selected(session, program_id, paused_at_clause(NOW)) == accepted
        assert (
            _selected(session, program_id, not_(paused_at_clause(NOW))) == {m.id for m, _ in rows} - accepted
        )
        # Paused exactly "ahead", "indefinitely": each kind of pause is represented.
        assert {(e.paused_until is None) for m, e in rows if m.id in accepted} == {True, False}


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(days=-2), timedelta(days=5)])
def test_eligible_at_agrees_with_its_clause_at_any_instant(world: World, offset: timedelta) -> None:
    program_id = world.program_id
    at = NOW + offset
    with world.database.transaction() as session:
        rows = _rows(session, program_id)
        accepted = {m.id for m, e in rows if is_eligible_at(m, e, at)}
        assert _selected(session, program_id, eligible_at_clause(at)) == accepted
        assert accepted


def test_same_team_agrees_with_its_clause_for_every_spelling(world: World) -> None:
    cases = world.cases
    a, b = aliased(Member), aliased(Member)
    typed = {c.member_id: c.typed_department for c in cases}
    with world.database.transaction() as session:
        shown = {member_id: name for member_id, name in session.execute(select(Member.id, Member.department))}
        pairs = {(x, y) for x in typed for y in typed}
        # By the names as typed and by the names as stored (the first-seen spelling): one answer.
        same = {(x, y) for x, y in pairs if same_team(typed[x], typed[y])}
        assert same == {(x, y) for x, y in pairs if same_team(shown[x], shown[y])}
        query = select(a.id, b.id)
        assert {(x, y) for x, y in session.execute(query.where(same_team_clause(a, b)))} == same
        assert {(x, y) for x, y in session.execute(query.where(not_(same_team_clause(a, b))))} == pairs - same
        assert any(x != y for x, y in same) and pairs - same
