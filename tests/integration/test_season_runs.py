"""When seasons form: on the schedule once, by `admin run` (ending a running season early only
when confirmed), and as `admin preview` shows them, in a worker process too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Member, MemberTag, Program, Round
from serendip.adapters.db.types import utcnow
from serendip.domain.commands import AdminSetting
from serendip.domain.program_kinds import ProgramKind
from serendip.services import administration
from serendip.services.lifecycle import deliver, manual, tick
from serendip.services.lifecycle.manual import SeasonRunning
from serendip.services.lifecycle.plan_worker import Planner
from serendip.services.ports import OneWorkspace
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import gateway_for, intro_posts, publisher_for, set_up_program

TOPICS = ("python", "go", "hiring")


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(24, 4, seed=2)) as emulator:
        yield emulator


def _circles_program(database: Database, slack: SlackEmulator) -> int:
    program_id = set_up_program(database, slack)
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        administration.change_settings(
            session, program, actor="UADMIN", values={AdminSetting.KIND: ProgramKind.CIRCLES}, now=utcnow()
        )
        for i, member in enumerate(session.scalars(select(Member).order_by(Member.slack_id))):
            member.department = f"Team {i % 4}"
            session.add(MemberTag(member_id=member.id, kind="interest", tag=TOPICS[i % len(TOPICS)]))
    return program_id


def _seasons(database: Database) -> list[Round]:
    with database.transaction() as session:
        rounds = list(session.scalars(select(Round).order_by(Round.id)))
        session.expunge_all()
        return rounds


def _run(
    database: Database, slack: SlackEmulator, program_id: int, *, end_season: bool = False
) -> manual.ManualRun:
    return manual.start_manual_round(
        database,
        gateway_for(slack),
        publisher_for(slack),
        program_id=program_id,
        now=utcnow(),
        end_season=end_season,
    )


def test_a_due_circles_program_forms_one_season_and_then_waits_for_the_vote(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = _circles_program(database, slack)
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        program.next_run_at = utcnow() - timedelta(minutes=1)
    workspace = OneWorkspace(gateway_for(slack), publisher_for(slack))
    policy = deliver.DeliveryPolicy(sleep=lambda _: None)
    first, second = tick.tick(database, workspace, policy), tick.tick(database, workspace, policy)
    assert len(first.started) == 1 and second.started == [] and first.followups == second.followups == 0
    [season] = _seasons(database)
    assert season.state == "done" and season.season_ends_at is not None and season.vote_closes_at is not None
    assert len(intro_posts(slack)) >= 3
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None and program.next_run_at is not None
        assert program.next_run_at >= season.vote_closes_at
    # Nothing else is due until then: no follow-up, no second season.
    later = tick.tick(database, workspace, policy, now=season.season_ends_at - timedelta(hours=1))
    assert later.started == [] and later.followups == 0


def test_admin_run_mid_season_forms_nothing_until_confirmed_then_ends_the_season_early(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = _circles_program(database, slack)
    first = _run(database, slack, program_id)
    assert first.planned is not None and first.planned.season and first.ended_season is None
    with pytest.raises(SeasonRunning):
        _run(database, slack, program_id)
    assert len(_seasons(database)) == 1
    before = utcnow()
    again = _run(database, slack, program_id, end_season=True)
    assert again.planned is not None and again.ended_season == first.planned.round_id
    old, new = _seasons(database)
    assert old.season_ends_at is not None and before <= old.season_ends_at <= utcnow()
    assert old.vote_closes_at == old.season_ends_at + timedelta(days=3)
    assert new.season_ends_at is not None and new.season_ends_at > utcnow() + timedelta(weeks=11)
    assert again.next_run_at is not None and new.vote_closes_at is not None
    assert again.next_run_at >= new.vote_closes_at


def test_a_season_previewed_in_a_worker_process_is_the_one_previewed_in_process(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = _circles_program(database, slack)
    here = Planner(worker_from=10**9).preview_season(database, program_id=program_id)
    there = Planner(worker_from=0).preview_season(database, program_id=program_id)
    assert sorted(there.circles) == sorted(here.circles) and there.unplaced == here.unplaced
    assert there.quality == here.quality and len(here.circles) >= 3
