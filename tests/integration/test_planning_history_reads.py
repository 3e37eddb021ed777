"""The planning reads of a program's history (packed texts parsed by numpy) give back exactly the
rows stored: every seat of every intro that did not fail, per round in scheduled order, its posted
flag, and every answer — recounted here with plain ORM queries."""

from __future__ import annotations

import random
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import select

from serendip.adapters.db import lifecycle_history as history_store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Intro, IntroMember, IntroOutcome, Member, Program, Round, Workspace
from serendip.adapters.db.types import utcnow
from serendip.domain.lifecycle import IntroState
from serendip.services.lifecycle.inputs import read_history
from serendip.services.lifecycle.seats import read_seats

STATES = [IntroState.POSTED, IntroState.POSTED, IntroState.FAILED, IntroState.PENDING]
OUTCOMES = ["met", "scheduled", "cant"]


def _store_history(database: Database, rng: random.Random, programs_count: int) -> int:
    """Several programs (the others' rows must stay out), rounds out of id order, mixed states."""
    now = utcnow()
    with database.transaction() as session:
        session.add(Workspace(id="T1"))
        session.flush()
        members = [Member(workspace_id="T1", slack_id=f"U{i:03d}") for i in range(40)]
        session.add_all(members)
        programs = [Program(workspace_id="T1", channel_id=f"C{i}") for i in range(programs_count)]
        session.add_all(programs)
        session.flush()
        for week in rng.sample(range(6), 6):  # created out of scheduled order
            for program in programs:
                round_ = Round(
                    program_id=program.id,
                    scheduled_for=now - timedelta(weeks=week),
                    followup_done=rng.random() < 0.5,
                )
                session.add(round_)
                session.flush()
                order = rng.sample(members, len(members))
                for k in range(0, len(order) - 1, 2):
                    group = order[k : k + (3 if k == len(order) - 3 else 2)]
                    intro = Intro(round_id=round_.id, state=rng.choice(STATES))
                    session.add(intro)
                    session.flush()
                    session.add_all(IntroMember(intro_id=intro.id, member_id=m.id) for m in group)
                    for m in group:
                        if rng.random() < 0.3:
                            session.add(
                                IntroOutcome(intro_id=intro.id, member_id=m.id, outcome=rng.choice(OUTCOMES))
                            )
        return programs[0].id


# With 2 programs the first one's intros are half their id span (read by a range scan of the
# span); with 5, a fifth (read through a join).
@pytest.mark.parametrize("programs_count", [2, 5])
def test_past_seats_and_answers_read_packed_are_the_rows_stored(
    database: Database, programs_count: int
) -> None:
    program_id = _store_history(database, random.Random(3), programs_count)
    with database.transaction() as session:
        seats = read_seats(session, program_id)
        rounds = session.execute(
            select(Round.id, Round.followup_done)
            .where(Round.program_id == program_id)
            .order_by(Round.scheduled_for)
        ).all()
        rows = session.execute(
            select(Intro.round_id, Intro.id, IntroMember.member_id, Intro.state)
            .join(IntroMember, IntroMember.intro_id == Intro.id)
            .join(Round, Round.id == Intro.round_id)
            .where(Round.program_id == program_id, Intro.state != IntroState.FAILED)
        ).all()
        answers = session.execute(
            select(IntroOutcome.intro_id, IntroOutcome.member_id, IntroOutcome.outcome)
            .join(Intro, Intro.id == IntroOutcome.intro_id)
            .join(Round, Round.id == Intro.round_id)
            .where(Round.program_id == program_id)
        ).all()
        text = history_store.answers_in_rounds(session, [r for r, _ in rounds], seats.base)
    position = {round_id: i for i, (round_id, _) in enumerate(rounds)}
    expected = sorted((position[r], i, m, s == IntroState.POSTED) for r, i, m, s in rows)
    got = list(
        zip(
            seats.position.tolist(),
            seats.intro.tolist(),
            seats.member.tolist(),
            seats.posted.tolist(),
            strict=True,
        )
    )
    assert got == expected
    assert seats.round_ids == [r for r, _ in rounds] and seats.followed_up == [bool(f) for _, f in rounds]
    packed = np.fromstring(text, dtype=np.int64, sep=" ")
    assert sorted(packed.tolist()) == sorted(
        (i * seats.base + m) * 2 + (o in ("met", "scheduled")) for i, m, o in answers
    )


@pytest.mark.parametrize("cooldown", [0, 1, 4, 6, 9])
def test_the_history_the_matcher_gets_is_the_last_cooldown_rounds_groups_stored(
    database: Database, cooldown: int
) -> None:
    # 6 rounds stored: cooldown 9 is a history shorter than the window, 0 is no history at all.
    program_id = _store_history(database, random.Random(5), 2)
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        program.cooldown_rounds = cooldown
        seats = read_seats(session, program_id)
        named = {m: s for m, s in session.execute(select(Member.id, Member.slack_id)).all()}
        absent = set(list(named)[::7])  # people not in this round are named ""
        history = read_history(program, seats, {m: s for m, s in named.items() if m not in absent})
        rounds = (
            session.execute(
                select(Round.id).where(Round.program_id == program_id).order_by(Round.scheduled_for)
            )
            .scalars()
            .all()
        )
        rows = session.execute(
            select(Intro.round_id, Intro.id, IntroMember.member_id)
            .join(IntroMember, IntroMember.intro_id == Intro.id)
            .where(Intro.round_id.in_(rounds), Intro.state != IntroState.FAILED)
        ).all()
    groups: dict[int, dict[int, list[str]]] = {r: {} for r in rounds}
    for round_id, intro_id, member_id in rows:
        name = "" if member_id in absent else named[member_id]
        groups[round_id].setdefault(intro_id, []).append(name)
    kept = [r for r in rounds if groups[r]][-cooldown:] if cooldown else []
    expected = [sorted(sorted(g) for g in groups[r].values()) for r in kept]
    assert [sorted(sorted(g) for g in past) for past in history.groups()] == expected
