"""The scheduler's tick: each round once, stale rounds skipped, follow-ups, and the ghost rule."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Enrolment, Intro, IntroOutcome, Member, Program, Round
from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.views.intro_blocks import FOLLOWUP_EVENT_TYPE
from serendip.services.lifecycle import deliver, followup, plan, tick
from serendip.services.lifecycle.results import TickReport
from serendip.services.ports import OneWorkspace
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import gateway_for, intro_posts, publisher_for, set_up_program


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(10, 3, seed=5)) as emulator:
        yield emulator


def _policy() -> deliver.DeliveryPolicy:
    return deliver.DeliveryPolicy(sleep=lambda _: None)


def _tick(database: Database, slack: SlackEmulator, when: timedelta = timedelta()) -> TickReport:
    workspace = OneWorkspace(gateway_for(slack), publisher_for(slack))
    return tick.tick(database, workspace, _policy(), now=utcnow() + when)


def _make_due(database: Database, program_id: int, ago: timedelta) -> None:
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        program.next_run_at = utcnow() - ago


def _count(database: Database, model: type, *where: object) -> int:
    with database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def test_a_due_round_runs_once_however_often_the_tick_runs(database: Database, slack: SlackEmulator) -> None:
    program_id = set_up_program(database, slack)
    _make_due(database, program_id, timedelta(minutes=1))
    first, second = _tick(database, slack), _tick(database, slack)
    assert len(first.started) == 1 and second.started == []
    assert _count(database, Round) == 1 and len(intro_posts(slack)) == 5
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None and program.next_run_at is not None and program.next_run_at > utcnow()


def test_a_round_missed_by_more_than_a_day_is_skipped_and_never_run(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    _make_due(database, program_id, timedelta(days=2))
    report = _tick(database, slack)
    assert report.skipped == [program_id] and report.started == []
    assert _count(database, Round, Round.state == "skipped") == 1 and slack.count("conversations.open") == 0


def test_a_round_missed_by_less_than_a_day_still_runs(database: Database, slack: SlackEmulator) -> None:
    program_id = set_up_program(database, slack)
    _make_due(database, program_id, timedelta(hours=20))
    assert len(_tick(database, slack).started) == 1


def test_members_who_left_the_channel_unnoticed_are_not_matched(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    gone = next(u.id for u in slack.workspace.humans() if not u.deleted and not u.is_restricted)
    slack.workspace.leave(slack.workspace.channel_named("coffee-chats").id, gone)
    _make_due(database, program_id, timedelta(minutes=1))
    _tick(database, slack)
    assert all(gone not in c.members for c in slack.group_dms())


def test_follow_up_is_sent_once_halfway_and_not_to_answered_intros(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    _make_due(database, program_id, timedelta(minutes=1))
    _tick(database, slack)
    with database.transaction() as session:
        round_ = session.scalars(select(Round)).one()
        assert round_.followup_due_at is not None
        halfway = round_.followup_due_at - utcnow()
        answered = session.scalars(select(Intro).order_by(Intro.id)).first()
        assert answered is not None
        session.add(
            IntroOutcome(intro_id=answered.id, member_id=answered.members[0].member_id, outcome="met")
        )
    assert _tick(database, slack, halfway - timedelta(hours=1)).followups == 0
    assert _tick(database, slack, halfway + timedelta(minutes=1)).followups == 4
    assert _tick(database, slack, halfway + timedelta(hours=1)).followups == 0
    followups = [
        m
        for c in slack.group_dms()
        for m in slack.messages(c.id)
        if (m.get("metadata") or {}).get("event_type") == FOLLOWUP_EVENT_TYPE
    ]
    assert len(followups) == 4


def test_answers_are_recorded_once_per_member_and_can_change(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    planned = plan.plan_round(database, program_id=program_id, scheduled_for=utcnow(), seed=3)
    assert planned is not None
    deliver.deliver_pending(database, publisher_for(slack), _policy())
    with database.transaction() as session:
        intro = session.scalars(select(Intro)).first()
        assert intro is not None
        member = session.get(Member, intro.members[0].member_id)
        assert member is not None
        intro_id, user = intro.id, member.slack_id
    team = slack.workspace.team.id
    assert followup.record_outcome(
        database, team_id=team, intro_id=intro_id, user_id=user, outcome="met"
    ).changed
    again = followup.record_outcome(database, team_id=team, intro_id=intro_id, user_id=user, outcome="met")
    assert not again.changed and again.answers == {user: "met"}
    assert followup.record_outcome(
        database, team_id=team, intro_id=intro_id, user_id=user, outcome="scheduled"
    ).answers == {user: "scheduled"}
    assert _count(database, IntroOutcome) == 1


def test_a_double_click_on_an_answer_stores_one_answer_and_raises_nothing(
    database: Database, slack: SlackEmulator
) -> None:
    # Slack sends both clicks of a double click at once: on PostgreSQL both found no answer and
    # inserted one, and the second failed on the unique key.
    program_id = set_up_program(database, slack)
    planned = plan.plan_round(database, program_id=program_id, scheduled_for=utcnow(), seed=3)
    assert planned is not None
    deliver.deliver_pending(database, publisher_for(slack), _policy())
    with database.transaction() as session:
        intros = session.scalars(select(Intro).order_by(Intro.id)).all()
        clicks = []
        for intro in intros:
            member = session.get(Member, intro.members[0].member_id)
            assert member is not None
            clicks += [(intro.id, member.slack_id)] * 4
    team = slack.workspace.team.id

    def click(intro_user: tuple[int, str]) -> bool:
        intro_id, user = intro_user
        return followup.record_outcome(
            database, team_id=team, intro_id=intro_id, user_id=user, outcome="met"
        ).changed

    with ThreadPoolExecutor(8) as pool:
        changed = list(pool.map(click, clicks))
    assert sum(changed) == len(intros)  # one click of each four changed the answer
    with database.transaction() as session:
        rows = session.execute(select(IntroOutcome.intro_id, IntroOutcome.outcome)).all()
    assert sorted(rows) == sorted((intro_id, "met") for intro_id, _ in clicks[::4])


def test_three_unanswered_intros_in_a_row_pause_a_member_and_tell_them(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    for weeks_ago in (3, 2, 1):
        planned = plan.plan_round(
            database,
            program_id=program_id,
            scheduled_for=utcnow() - timedelta(weeks=weeks_ago),
            seed=weeks_ago,
        )
        assert planned is not None and planned.ghosts == []
        deliver.deliver_pending(database, publisher_for(slack), _policy())
    with database.transaction() as session:
        for round_ in session.scalars(select(Round)):
            round_.followup_done = True
    _make_due(database, program_id, timedelta(minutes=1))
    report = _tick(database, slack)
    assert len(report.started) == 1
    paused = _count(database, Enrolment, Enrolment.paused.is_(True))
    assert paused == 10  # nobody ever answered
    some = next(u.id for u in slack.workspace.humans() if not u.deleted and not u.is_restricted)
    assert any("/coffee resume" in m.get("text", "") for m in slack.dm_messages(some))
