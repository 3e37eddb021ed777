"""The seats the stats read (`stats_store.program_seat_array`) when programs' intros interleave.

Seats are read by intro id span when the program's intros are most of it, and through a join when
other programs' intros would dominate the span; both must give exactly the delivered seats of the
program, recounted here with plain SQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from serendip.adapters.db import stats_store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Intro, IntroMember, Member, Program, Round, Workspace

START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _program(session: Session, channel: str) -> Program:
    program = Program(workspace_id="TSEAT", channel_id=channel, channel_name=channel, timezone="UTC")
    session.add(program)
    session.flush()
    return program


def _round(session: Session, program: Program, members: list[Member], week: int, intros: int) -> None:
    round_ = Round(program_id=program.id, scheduled_for=START + timedelta(weeks=week), state="done")
    session.add(round_)
    session.flush()
    for i in range(intros):
        group = [members[(2 * i + week) % len(members)], members[(2 * i + week + 1) % len(members)]]
        state = "failed" if i % 7 == 3 else "posted"
        intro = Intro(round_id=round_.id, state=state, followup_ts="1.2" if i % 3 == 0 else None)
        intro.members = [IntroMember(member_id=m.id) for m in group]
        session.add(intro)
    session.flush()


def _raw(session: Session, program: Program) -> tuple[list[tuple[int, int, int]], list[int]]:
    rows = session.execute(
        text(
            "SELECT i.round_id, i.id, im.member_id, i.followup_ts FROM intros i "
            "JOIN rounds r ON r.id = i.round_id JOIN intro_members im ON im.intro_id = i.id "
            "WHERE r.program_id = :p AND i.state = 'posted'"
        ),
        {"p": program.id},
    ).all()
    followed = sorted({intro for _, intro, _, ts in rows if ts is not None})
    return sorted((r, i, m) for r, i, m, _ in rows), followed


@pytest.mark.parametrize("others", [1, 40], ids=["span", "join"])
def test_a_programs_seats_are_its_delivered_seats_when_other_programs_intros_interleave(
    database: Database, others: int
) -> None:
    with database.transaction() as session:
        session.add(Workspace(id="TSEAT"))
        session.flush()
        members = [Member(workspace_id="TSEAT", slack_id=f"U{i:03d}") for i in range(30)]
        session.add_all(members)
        session.flush()
        mine, other = _program(session, "CMINE"), _program(session, "COTHER")
        for week in range(4):  # the other program's rounds sit between this one's
            _round(session, mine, members, week, intros=12)
            _round(session, other, members, week, intros=others * 3)
        for program in (mine, other):
            seats, followed = stats_store.program_seat_array(session, program.id)
            expected_seats, expected_followed = _raw(session, program)
            assert sorted(map(tuple, seats.tolist())) == expected_seats
            assert sorted(set(followed.tolist())) == expected_followed
