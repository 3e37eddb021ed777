"""Department identity on both engines: "Sales" and " sales" are one team, shown as first seen."""

from __future__ import annotations

import csv
import io
import threading
import time
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db import repositories_departments as departments_repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import (
    Department,
    Enrolment,
    ExpertAsk,
    Intro,
    IntroMember,
    Member,
    Program,
    Round,
)
from serendip.domain.people_csv import parse_people_csv
from serendip.domain.profile_input import ProfileInput
from serendip.services import (
    analytics,
    asks,
    directory_sync,
    export,
    people_import,
    profile,
    profile_form,
)
from serendip.services.lifecycle import plan
from serendip.services.members import DepartmentSource, set_department
from tests.support.fakes import FakeDirectory

NOW = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)


def _member(session: Session, slack_id: str, department: str | None = None, *, team: str = "T1") -> Member:
    repo.get_or_create_workspace(session, team)
    member = Member(workspace_id=team, slack_id=slack_id, real_name=f"Person {slack_id}")
    session.add(member)
    session.flush()
    if department is not None:
        set_department(session, member, department, DepartmentSource.DIRECTORY)
    return member


def _departments(session: Session, team: str = "T1") -> dict[str, str]:
    return departments_repo.workspace_departments(session, team)


def test_the_first_seen_spelling_is_shown_whichever_path_brings_a_second_one(database: Database) -> None:
    rows = parse_people_csv("id,department\nU1,Sales\nU2,  SALES \n", path="hr.csv", at=NOW).rows
    assert people_import.import_people(database, team_id="T1", rows=rows).loaded == 2
    directory = FakeDirectory()
    directory.add("U3")
    directory.departments["U3"] = "sales"
    with database.transaction() as session:
        for slack_id in ("U3", "U4", "U5"):
            _member(session, slack_id)
    directory_sync.refresh_department(database, directory, team_id="T1", user_id="U3", field_id="Xf1")
    with database.transaction() as session:
        u4 = repo.find_member(session, "T1", "U4")
        u5 = repo.find_member(session, "T1", "U5")
        assert u4 is not None and u5 is not None
        assert profile.set_team(session, u4, "  sAlEs  ") == "Sales"
        form = ProfileInput(" SALES", (), (), (), 540, 1020, True)
        profile_form.save(session, u5, form)
    with database.transaction() as session:
        people = {m.slack_id: m for m in session.scalars(select(Member).where(Member.workspace_id == "T1"))}
        assert {s: (m.department, m.department_key) for s, m in people.items()} == {
            s: ("Sales", "sales") for s in ("U1", "U2", "U3", "U4", "U5")
        }
        assert [people[s].department_source for s in ("U1", "U3", "U4", "U5")] == [
            "hr",
            "directory",
            "self",
            "self",
        ]
        assert _departments(session) == {"sales": "Sales"}


def test_a_blank_value_is_no_department_and_each_workspace_keeps_its_own_spelling(database: Database) -> None:
    with database.transaction() as session:
        ada = _member(session, "U1", "Sales")
        assert not set_department(session, ada, "   ", DepartmentSource.DIRECTORY)
        assert (ada.department, ada.department_key, ada.department_source) == (None, None, None)
        other = _member(session, "U1", "  sales  ", team="T2")
        assert (other.department, other.department_key) == ("sales", "sales")
        assert _departments(session, "T2") == {"sales": "sales"}
        assert _departments(session, "T1") == {"sales": "Sales"}


def test_a_stronger_source_with_another_spelling_keeps_the_shown_name(database: Database) -> None:
    with database.transaction() as session:
        ada = _member(session, "U1", "Platform  Team")
        assert set_department(session, ada, "PLATFORM TEAM", DepartmentSource.HR)
        assert (ada.department, ada.department_key, ada.department_source) == (
            "Platform Team",
            "platform team",
            "hr",
        )


def test_two_writers_seeing_a_new_department_at_once_agree_on_one_spelling(database: Database) -> None:
    with database.transaction() as session:
        repo.get_or_create_workspace(session, "T1")
    first_inserted, release = threading.Event(), threading.Event()
    names: dict[str, str] = {}

    def first() -> None:
        with database.transaction() as session:
            names["first"] = departments_repo.shown_department(session, "T1", "sales", "Sales")
            first_inserted.set()
            release.wait(10)

    def second() -> None:
        with database.transaction() as session:
            names["second"] = departments_repo.shown_department(session, "T1", "sales", "sales")

    writer = threading.Thread(target=first)
    writer.start()
    assert first_inserted.wait(10)
    # The second writer does not see the uncommitted row, so it inserts too and waits on the first.
    racer = threading.Thread(target=second)
    racer.start()
    time.sleep(0.3)
    release.set()
    writer.join(10)
    racer.join(20)
    assert names == {"first": "Sales", "second": "Sales"}
    with database.transaction() as session:
        assert session.scalars(select(Department.name)).all() == ["Sales"]


def test_an_expert_in_the_same_team_by_another_spelling_is_not_offered(database: Database) -> None:
    with database.transaction() as session:
        asker = _member(session, "UA", "Sales")
        colleague = _member(session, "US", " sales")
        outsider = _member(session, "UM", "Marketing")
        # Stored before the key existed: migration 5b0d7e1c9a42 keyed it as the one write path does
        # (same_team_clause compares the stored key, so a row is never without one).
        legacy = _member(session, "UL", "SALES  ")
        program = Program(workspace_id="T1", channel_id="C1")
        session.add(program)
        session.flush()
        for expert in (colleague, outsider, legacy):
            session.add(Enrolment(program_id=program.id, member_id=expert.id))
            repo.add_tags(session, expert.id, "expertise", ["kubernetes"])
        result = asks.search(session, asker, "kubernetes", NOW)
        assert [o.slack_id for o in result.offers] == ["UM"]
        assert session.scalar(select(ExpertAsk.expert_id)) == outsider.id


def _program_of_two_teams(session: Session) -> Program:
    """A1, A2 in Sales (two spellings) and B1, B2 in Marketing (two spellings), all enrolled."""
    program = Program(workspace_id="T1", channel_id="C1", channel_name="coffee", timezone="UTC")
    people = [("A1", "Sales"), ("A2", " sales"), ("B1", "Marketing"), ("B2", "MARKETING ")]
    members = [_member(session, slack_id, department) for slack_id, department in people]
    session.add(program)
    session.flush()
    session.add_all(Enrolment(program_id=program.id, member_id=m.id) for m in members)
    session.flush()
    return program


def test_a_round_stats_and_export_treat_two_spellings_as_one_team(database: Database) -> None:
    with database.transaction() as session:
        program_id = _program_of_two_teams(session).id
    planned = plan.plan_round(database, program_id=program_id, scheduled_for=NOW, seed=3)
    assert planned is not None and planned.intros == 2
    with database.transaction() as session:
        round_ = session.get(Round, planned.round_id)
        assert round_ is not None and round_.quality is not None
        # Both pairs can cross teams, and do: the rate and its bound are both 100 %.
        assert (round_.quality["cross_team_rate"], round_.quality["cross_team_bound"]) == (1.0, 1.0)
        session.execute(update(Intro).where(Intro.round_id == round_.id).values(state="posted"))
        program = session.get(Program, program_id)
        assert program is not None
        stats = analytics.program_stats(session, program, NOW)
        text, count = export.export_csv(session, program)
    assert (stats.ties, stats.cross_team_ties, stats.members_without_cross_team_tie) == (2, 2, 0)
    assert (stats.department_pairs_tied, stats.department_pairs_total) == (1, 1)
    assert stats.departments == ["Marketing", "Sales"]
    assert stats.tie_matrix == [[0, 2], [2, 0]]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert count == 4
    assert {r["member_id"]: r["department"] for r in rows} == {
        "A1": "Sales", "A2": "Sales", "B1": "Marketing", "B2": "Marketing",
    }  # fmt: skip


def test_stats_count_spellings_stored_before_the_key_existed_as_one_team(database: Database) -> None:
    with database.transaction() as session:
        program = Program(workspace_id="T1", channel_id="C1", timezone="UTC")
        repo.get_or_create_workspace(session, "T1")
        session.add(program)
        session.flush()
        members = []
        for slack_id, department in [("A1", "Sales"), ("A2", " sales"), ("B1", "Marketing")]:
            member = Member(workspace_id="T1", slack_id=slack_id, department=department)
            session.add(member)
            session.flush()
            session.add(Enrolment(program_id=program.id, member_id=member.id))
            members.append(member)
        round_ = Round(program_id=program.id, scheduled_for=NOW, state="done")
        session.add(round_)
        session.flush()
        for group in ([members[0], members[1]], [members[1], members[2]]):
            intro = Intro(round_id=round_.id, state="posted")
            intro.members = [IntroMember(member_id=m.id) for m in group]
            session.add(intro)
        session.flush()
        stats = analytics.program_stats(session, program, NOW)
    assert (stats.ties, stats.cross_team_ties, stats.members_without_cross_team_tie) == (2, 1, 1)
    assert (stats.department_pairs_tied, stats.department_pairs_total, len(stats.departments)) == (1, 1, 2)
