"""What `admin stats`, `serendip report` and the Home's health panel read: one query per kind of data.

The volume (one row per person per delivered intro: 1.2 million after 12 rounds of 100,000 people)
is read as integer arrays straight from the driver's cursor, never as ORM objects or `Row`s; the
rest (rounds, answers per round, departments) is small and aggregated in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from serendip.adapters.db.models import Enrolment, Intro, IntroMember, IntroOutcome, Member, Program, Round
from serendip.adapters.db.people_sql import participant_clause
from serendip.domain.lifecycle import IntroState

# Integer ids as they come from the database.
IdArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True)
class StatsRows:
    """A program's stored history, in the shapes the figures are computed from."""

    # Every round of the program: (round id, scheduled for, stored quality figures).
    rounds: list[tuple[int, datetime, dict[str, Any]]]
    # Round id -> (intros asked, intros answered "We met"), over delivered intros with a member.
    answers: dict[int, tuple[int, int]]
    # One row per member per delivered intro: columns round id, intro id, member id.
    seats: IdArray
    # The workspace's members (sorted ids) and each one's department as stored (an index into spellings).
    member_ids: IdArray
    member_spelling: IdArray
    spellings: list[str | None]
    # Member ids of the program's current participants (`domain.people.is_participant`).
    participants: IdArray
    # Each department spelling among participants with the smallest Slack id that carries it.
    first_seen: list[tuple[str | None, str]]


def _posted(program_id: int) -> Any:
    return and_(Round.program_id == program_id, Intro.state == IntroState.POSTED.value)


def _int_array(session: Session, statement: Select[*tuple[Any, ...]], columns: int) -> IdArray:
    """Run a statement of integer columns on the driver's cursor and give back an (n, columns) array."""
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    params: Sequence[Any] | dict[str, Any]
    if compiled.positiontup is not None:
        params = [compiled.params[name] for name in compiled.positiontup]
    else:
        params = compiled.params
    driver = connection.connection.dbapi_connection
    assert driver is not None, "a connection checked out of the pool has its driver connection"
    cursor = driver.cursor()
    try:
        cursor.execute(compiled.string, params)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return np.array(rows, dtype=np.int64).reshape(len(rows), columns)


def program_rounds(session: Session, program_id: int) -> list[tuple[int, datetime, dict[str, Any]]]:
    """Every round of a program with its time and stored quality figures."""
    rows = session.execute(
        select(Round.id, Round.scheduled_for, Round.quality).where(Round.program_id == program_id)
    )
    return [(round_id, at, dict(quality or {})) for round_id, at, quality in rows]


def program_answers(session: Session, program_id: int) -> dict[int, tuple[int, int]]:
    """Per round: delivered intros that were asked (follow-up sent or started, or answered) and met."""
    answered = exists().where(IntroOutcome.intro_id == Intro.id)
    met = exists().where(IntroOutcome.intro_id == Intro.id, IntroOutcome.outcome == "met")
    # A follow-up whose send was started but not confirmed counts as asked.
    asked = or_(Intro.followup_ts.is_not(None), Intro.followup_started_at.is_not(None), answered)
    rows = session.execute(
        select(Intro.round_id, func.count(), func.sum(case((met, 1), else_=0)))
        .join(Round, Round.id == Intro.round_id)
        .where(_posted(program_id), asked, exists().where(IntroMember.intro_id == Intro.id))
        .group_by(Intro.round_id)
    )
    return {round_id: (int(n), int(m or 0)) for round_id, n, m in rows}


def program_seat_array(session: Session, program_id: int) -> IdArray:
    """(round id, intro id, member id) of every member of every delivered intro of a program."""
    statement = (
        select(Intro.round_id, IntroMember.intro_id, IntroMember.member_id)
        .join(Round, Round.id == Intro.round_id)
        .join(IntroMember, IntroMember.intro_id == Intro.id)
        .where(_posted(program_id))
    )
    return _int_array(session, statement, 3)


def stats_rows(session: Session, program: Program) -> StatsRows:
    """Everything the program's figures are computed from, read in one query per kind of data."""
    members = session.execute(
        select(Member.id, Member.department).where(Member.workspace_id == program.workspace_id)
    )
    index: dict[str | None, int] = {}
    ids, spelling = [], []
    for member_id, department in members:
        ids.append(member_id)
        spelling.append(index.setdefault(department, len(index)))
    order = np.argsort(np.array(ids, dtype=np.int64), kind="stable")
    participants = select(Enrolment.member_id).join(Member, Member.id == Enrolment.member_id)
    participants = participants.where(Enrolment.program_id == program.id, participant_clause())
    first_seen = session.execute(
        select(Member.department, func.min(Member.slack_id))
        .join(Enrolment, Enrolment.member_id == Member.id)
        .where(Enrolment.program_id == program.id, participant_clause())
        .group_by(Member.department)
    )
    return StatsRows(
        rounds=program_rounds(session, program.id),
        answers=program_answers(session, program.id),
        seats=program_seat_array(session, program.id),
        member_ids=np.array(ids, dtype=np.int64)[order],
        member_spelling=np.array(spelling, dtype=np.int64)[order],
        spellings=list(index),
        participants=_int_array(session, participants, 1)[:, 0],
        first_seen=[(department, slack_id) for department, slack_id in first_seen],
    )
