"""The next round's seed: preview and round share it, the ghost rule included, and it is spent once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Enrolment, Intro, IntroMember, IntroOutcome, Member, Program, Round
from serendip.adapters.db.types import utcnow
from serendip.services.lifecycle import deliver, plan
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import publisher_for, set_up_program


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(10, 3, seed=5)) as emulator:
        yield emulator


def _groups(database: Database, round_id: int) -> set[frozenset[str]]:
    with database.transaction() as session:
        rows = session.execute(
            select(Intro.id, Member.slack_id)
            .join(IntroMember, IntroMember.intro_id == Intro.id)
            .join(Member, Member.id == IntroMember.member_id)
            .where(Intro.round_id == round_id)
        )
        groups: dict[int, set[str]] = {}
        for intro_id, slack_id in rows:
            groups.setdefault(intro_id, set()).add(slack_id)
        return {frozenset(g) for g in groups.values()}


def _history_where_only_one_member_never_answers(
    database: Database, slack: SlackEmulator, program_id: int
) -> str:
    """Three followed-up rounds; every intro without the chosen member was answered "met"."""
    for weeks_ago in (3, 2, 1):
        planned = plan.plan_round(
            database,
            program_id=program_id,
            scheduled_for=utcnow() - timedelta(weeks=weeks_ago),
            seed=weeks_ago,
        )
        assert planned is not None
        deliver.deliver_pending(database, publisher_for(slack), deliver.DeliveryPolicy(sleep=lambda _: None))
    with database.transaction() as session:
        silent = session.scalars(select(Member).order_by(Member.slack_id)).first()
        assert silent is not None
        for round_ in session.scalars(select(Round)):
            round_.followup_done = True
        for intro in session.scalars(select(Intro)):
            ids = [m.member_id for m in intro.members]
            if silent.id not in ids:
                session.add(IntroOutcome(intro_id=intro.id, member_id=ids[0], outcome="met"))
        return silent.slack_id


def test_preview_applies_the_ghost_rule_without_pausing_and_the_round_sends_its_groups(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    silent = _history_where_only_one_member_never_answers(database, slack, program_id)
    preview = plan.preview_round(database, program_id=program_id)
    with database.transaction() as session:
        assert session.scalar(select(func.count()).where(Enrolment.paused.is_(True))) == 0
        program = session.get(Program, program_id)
        assert program is not None and program.next_seed is not None and program.next_seed_basis
        seed = program.next_seed
    assert silent not in {u for g in preview.groups for u in g} and not preview.new_draw
    planned = plan.plan_round(database, program_id=program_id, scheduled_for=utcnow())
    assert planned is not None and silent in planned.ghosts
    assert _groups(database, planned.round_id) == {frozenset(g) for g in preview.groups}
    with database.transaction() as session:
        round_ = session.get(Round, planned.round_id)
        program = session.get(Program, program_id)
        assert round_ is not None and program is not None
        assert round_.seed == seed  # the previewed seed was used, then replaced by an unbound one
        assert program.next_seed is not None and program.next_seed_basis is None
