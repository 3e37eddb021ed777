"""Planning set-based: a round planned in a worker process is stored like one planned in-process,
no write lock is held while matching, and bulk-written intro ids stay in step with the database."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from serendip.adapters.db import round_writes
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Enrolment, Intro, IntroMember, Member, Program, Round
from serendip.adapters.db.types import utcnow
from serendip.domain.lifecycle import IntroState, RoundState
from serendip.domain.matching import History, MatchResult, MatchSettings, Participant, match_round
from serendip.services.lifecycle import plan
from serendip.services.lifecycle.plan_worker import WORKER_NICENESS, Planner, plan_in_worker
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import set_up_program


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(12, 3, seed=7)) as emulator:
        yield emulator


def _stored_round(database: Database, round_id: int) -> tuple[str, list[frozenset[str]]]:
    """The round's state and its intros' groups of Slack ids, read straight from the tables."""
    with database.transaction() as session:
        state = session.scalar(select(Round.state).where(Round.id == round_id))
        rows = session.execute(
            select(Intro.id, Intro.state, Member.slack_id)
            .join(IntroMember, IntroMember.intro_id == Intro.id)
            .join(Member, Member.id == IntroMember.member_id)
            .where(Intro.round_id == round_id)
        )
        groups: dict[int, set[str]] = {}
        for intro_id, intro_state, slack_id in rows:
            assert intro_state == IntroState.PENDING
            groups.setdefault(intro_id, set()).add(slack_id)
    return str(state), sorted((frozenset(g) for g in groups.values()), key=sorted)


def _eligible(database: Database, program_id: int) -> set[str]:
    with database.transaction() as session:
        rows = session.scalars(
            select(Member.slack_id)
            .join(Enrolment, Enrolment.member_id == Member.id)
            .where(Enrolment.program_id == program_id, Enrolment.opted_out.is_(False))
        )
        return set(rows)


def test_a_round_planned_in_a_worker_process_stores_everyone_once_in_pending_intros(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    planned = plan_in_worker(database.url, program_id=program_id, scheduled_for=utcnow())
    assert planned is not None and planned.intros > 0
    state, groups = _stored_round(database, planned.round_id)
    placed = [member for group in groups for member in group]
    assert state == RoundState.DELIVERING and len(groups) == planned.intros
    assert sorted(placed) == sorted(_eligible(database, program_id))  # each exactly once
    assert all(2 <= len(group) <= 3 for group in groups)


def test_the_worker_process_plans_at_a_lower_cpu_priority_than_the_server(
    database: Database, slack: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    program_id = set_up_program(database, slack)
    with caplog.at_level(logging.INFO, logger="serendip.services.lifecycle.plan_worker"):
        plan_in_worker(database.url, program_id=program_id, scheduled_for=utcnow())
    (line,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("round.plan_worker")]
    niceness = int(line.rsplit("niceness=", 1)[1])
    assert niceness >= min(19, os.nice(0) + WORKER_NICENESS)


def test_the_worker_sends_the_groups_the_preview_showed(database: Database, slack: SlackEmulator) -> None:
    program_id = set_up_program(database, slack)
    preview = plan.preview_round(database, program_id=program_id)
    planned = Planner(worker_from=0)(database, program_id=program_id, scheduled_for=utcnow())
    assert planned is not None
    assert _stored_round(database, planned.round_id)[1] == sorted(
        (frozenset(g) for g in preview.groups), key=sorted
    )


def test_a_preview_made_in_a_worker_process_shows_the_groups_the_round_then_sends(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    assert ":memory:" not in database.url  # else the planner would stay in-process
    preview = Planner(worker_from=0).preview(database, program_id=program_id)
    assert preview.groups
    planned = plan.plan_round(database, program_id=program_id, scheduled_for=utcnow())
    assert planned is not None
    assert _stored_round(database, planned.round_id)[1] == sorted(
        (frozenset(g) for g in preview.groups), key=sorted
    )


def test_a_scheduled_time_is_planned_once_by_the_worker_and_in_process(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    at = utcnow() - timedelta(minutes=1)
    first = plan_in_worker(database.url, program_id=program_id, scheduled_for=at)
    assert first is not None
    assert plan.plan_round(database, program_id=program_id, scheduled_for=at) is None
    assert plan_in_worker(database.url, program_id=program_id, scheduled_for=at) is None
    with database.transaction() as session:
        assert len(session.scalars(select(Round.id).where(Round.program_id == program_id)).all()) == 1


def test_no_write_lock_is_held_while_matching(database: Database, slack: SlackEmulator) -> None:
    """Another writer commits while the matcher runs (on SQLite it would wait for the lock)."""
    program_id = set_up_program(database, slack)
    writes: list[str] = []

    def matcher(people: Sequence[Participant], history: History, settings: MatchSettings) -> MatchResult:
        other = Database(database.url, connect_args={"timeout": 0.5} if database.dialect == "sqlite" else {})
        try:
            with other.transaction() as session:
                program = session.get(Program, program_id)
                assert program is not None
                program.welcome_text = "written while matching"
            writes.append("committed")
        finally:
            other.dispose()
        return match_round(people, history, settings)

    planned = plan.plan_round(database, program_id=program_id, scheduled_for=utcnow(), matcher=matcher)
    assert planned is not None and writes == ["committed"]


def test_intros_written_in_bulk_leave_the_id_sequence_ahead_of_them(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    first = plan.plan_round(database, program_id=program_id, scheduled_for=utcnow() - timedelta(days=7))
    second = plan.plan_round(database, program_id=program_id, scheduled_for=utcnow())
    assert first is not None and second is not None
    with database.transaction() as session:
        session.add(Intro(round_id=second.round_id, state=IntroState.PENDING))  # the ORM's own insert
        session.flush()
        ids = session.scalars(select(Intro.id).order_by(Intro.id)).all()
    assert len(ids) == len(set(ids)) == first.intros + second.intros + 1


def test_intros_written_in_bulk_read_back_with_their_round_state_and_creation_time(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    at = utcnow().replace(microsecond=0)  # a whole second: the shortest text form a driver could choose
    with database.transaction() as session:
        round_ = Round(program_id=program_id, scheduled_for=at, state=RoundState.DELIVERING)
        session.add(round_)
        session.flush()
        members = list(session.scalars(select(Member.id).limit(4)))
        ids = round_writes.insert_intros(session, round_.id, [members[:2], members[2:]], at)
    with database.transaction() as session:
        intros = session.scalars(select(Intro).where(Intro.id.in_(ids)).order_by(Intro.id)).all()
        assert [(i.state, i.created_at, i.attempts) for i in intros] == [(IntroState.PENDING, at, 0)] * 2
        seats = session.execute(select(IntroMember.intro_id, IntroMember.member_id)).all()
        assert sorted(seats) == sorted(
            [(ids[0], m) for m in members[:2]] + [(ids[1], m) for m in members[2:]]
        )
        # The ORM compares the stored text with its own: a later round's filter by time finds them.
        assert session.scalar(select(func.count()).where(Intro.created_at == at)) == 2


# SQLite only: its ids are 64-bit; PostgreSQL's member ids are 32-bit integers and COPY packs nothing.
@pytest.mark.parametrize("engine_name", ["sqlite"], indirect=True)
def test_intros_of_members_with_ids_beyond_32_bits_are_written_with_their_members(
    database: Database, slack: SlackEmulator
) -> None:
    # SQLite packs each seat as intro * 2**32 + member: a larger member id takes the plain path.
    program_id = set_up_program(database, slack)
    with database.transaction() as session:
        workspace_id = session.scalars(select(Program.workspace_id)).first()
        assert workspace_id is not None
        big = [Member(id=2**32 + k, workspace_id=workspace_id, slack_id=f"UBIG{k}") for k in range(2)]
        session.add_all(big)
        round_ = Round(program_id=program_id, scheduled_for=utcnow(), state=RoundState.DELIVERING)
        session.add(round_)
        session.flush()
        small = list(session.scalars(select(Member.id).where(Member.id < 2**32).limit(2)))
        ids = round_writes.insert_intros(
            session, round_.id, [[small[0], big[0].id], [small[1], big[1].id]], utcnow()
        )
    with database.transaction() as session:
        seats = session.execute(select(IntroMember.intro_id, IntroMember.member_id)).all()
    assert sorted(seats) == sorted(
        [(ids[0], small[0]), (ids[0], 2**32), (ids[1], small[1]), (ids[1], 2**32 + 1)]
    )
